"""Benchmark: OCR accuracy (character error rate) and speed, rapidocr against Tesseract.

    .venv/bin/python bench/ocr.py [--n 200] [--seed 1] [--engines rapidocr,tesseract] [--json FILE]

Makes N synthetic scans of the project's own forms, where the text is known: the demo's
printed rendition of a generated form (recordkit.archive_demo, from the example cases
and the bundled catalog), rendered at 200 dpi in grey, skewed by up to 2°, with sensor
noise and dust, saved as JPEG q75 and decoded again. The truth is the printed PDF's
text layer. Each engine reads the same images in the same run, page by page in turn
(a progress line per page on stderr, so a run cut short still compares the engines):

- rapidocr: recordkit.ocr (PP-OCRv4 Chinese models shipped in rapidocr-onnxruntime);
- tesseract: the ``tesseract`` CLI with ``-l chi_sim`` (Debian's tesseract-ocr and
  tesseract-ocr-chi-sim); reported as skipped where it is absent.

CER = Levenshtein distance / reference length, on NFKC text with all whitespace removed
(Tesseract puts spaces between Chinese characters; PP-OCR reads ':' as '：'), in reading order (rows top to
bottom, left to right). Pages per second count the OCR call alone, after one warm-up
page (model loading is reported separately). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DPI = 200


# --------------------------------------------------------------------------- corpus


def working_folder(tmp: Path) -> Any:
    """A working folder with the example cases and the bundled form catalog."""
    from recordkit.config import init_workdir

    config = init_workdir(tmp / "work", org_name="漳州市示例检验检测中心")
    for case in sorted((ROOT / "examples" / "cases").glob("*.yaml")):
        year = case.stem.split("-")[1]
        (config.cases_dir / year).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(case, config.cases_dir / year / case.name)
    return config


def printed_forms(config: Any, n: int, tmp: Path) -> list[Path]:
    """N printed forms: every example case with every case form, in turn."""
    from recordkit.demo.archive import _reportlab_rendition
    from recordkit.forms.catalog import Catalog
    from recordkit.index.manifest import OutputRecord

    catalog = Catalog(config.templates_dir)
    forms = [
        f.code for f in catalog.forms.values() if not f.is_register and f.record_type == "case"
    ]
    cases = [p.stem for p in sorted(config.cases_dir.glob("*/*.yaml")) if _loads(config, p.stem)]
    pdfs = []
    for i in range(n):
        case_no, code = cases[i % len(cases)], forms[(i // len(cases)) % len(forms)]
        row = OutputRecord(f"out/{case_no}/{code}.docx", case_no, code, f"{code}.docx", "1", "0" * 64,
                           "", "0" * 64, "0" * 64, "2026-11-21T00:00:00")  # fmt: skip
        pdfs.append(_reportlab_rendition(config, row, tmp / f"printed-{i:04d}.pdf"))
    return pdfs


def _loads(config: Any, case_no: str) -> bool:
    """Example cases written for another 程序配置 (profile) do not load here: left out."""
    from recordkit.clock.setup import open_library
    from recordkit.errors import RecordkitError

    try:
        open_library(config).get(case_no)
    except RecordkitError:
        return False
    return True


def truth(pdf: Path) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        textpage = doc[0].get_textpage()
        return str(textpage.get_text_range())
    finally:
        doc.close()


def scan(pdf: Path, seed: int) -> Any:
    """Page 1 as a desk scanner writes it: 200 dpi grey, ≤ 2° skew, noise, dust, JPEG q75."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    rng = np.random.default_rng(seed)
    doc = pdfium.PdfDocument(str(pdf))
    try:
        image = doc[0].render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()
    image = image.rotate(
        float(rng.uniform(-2.0, 2.0)), resample=Image.BILINEAR, expand=False, fillcolor=250
    )
    pixels = np.asarray(image, dtype=np.float32) + rng.normal(0, 10, (image.height, image.width))
    pixels[rng.random(pixels.shape) < 0.0008] = 60
    buf = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L").save(buf, "JPEG", quality=75)
    return Image.open(io.BytesIO(buf.getvalue())).convert("L")


# --------------------------------------------------------------------------- engines


def rapidocr(image: Any, tmp: Path) -> str:
    from recordkit.ocr import ocr_image

    return "\n".join(line.text for line in ocr_image(image))


def tesseract(image: Any, tmp: Path) -> str:
    # The bench is not the product: the CLI is the simplest honest way to run it.
    path = tmp / "page.png"
    image.save(path)
    done = subprocess.run(["tesseract", str(path), "stdout", "-l", "chi_sim"], capture_output=True,
                          text=True, check=True)  # fmt: skip
    return done.stdout


def tesseract_missing() -> str | None:
    if shutil.which("tesseract") is None:
        return "tesseract 未安装 (apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
    langs = subprocess.run(
        ["tesseract", "--list-langs"], capture_output=True, text=True
    ).stdout.split()
    return (
        None
        if "chi_sim" in langs
        else "tesseract 缺少 chi_sim (apt-get install tesseract-ocr-chi-sim)"
    )


ENGINES = {"rapidocr": rapidocr, "tesseract": tesseract}


# --------------------------------------------------------------------------- scoring


def normalise(text: str) -> str:
    """NFKC (a full-width colon is the colon the form printed), whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def run_engines(names: list[str], pages: list[tuple[str, Any]], tmp: Path) -> list[dict[str, Any]]:
    """Every engine on page 1, then on page 2, ...: a run cut short (or read while it
    runs: a progress line per page on stderr) has comparable figures for every engine."""
    stats: dict[str, dict[str, Any]] = {}
    for name in names:
        started = time.perf_counter()
        ENGINES[name](pages[0][1], tmp)  # warm-up: loads the models
        stats[name] = {"engine": name, "first_page_s": time.perf_counter() - started,
                       "errors": 0, "chars": 0, "per_page": [], "seconds": 0.0}  # fmt: skip
    for n, (ref, image) in enumerate(pages, 1):
        for name in names:
            stats[name].update(read_page(name, ref, image, tmp, stats[name]))
        print(f"  {n}/{len(pages)} " + "  ".join(
            f"{name} CER {s['errors'] / max(s['chars'], 1):.2%} {n / s['seconds']:.2f} pages/s"
            for name, s in stats.items()), file=sys.stderr, flush=True)  # fmt: skip
    return [summary(s) for s in stats.values()]


def read_page(name: str, ref: str, image: Any, tmp: Path, s: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    hyp = ENGINES[name](image, tmp)
    seconds = time.perf_counter() - started
    ref_n, hyp_n = normalise(ref), normalise(hyp)
    distance = levenshtein(ref_n, hyp_n)
    return {"errors": s["errors"] + distance, "chars": s["chars"] + len(ref_n),
            "per_page": [*s["per_page"], distance / max(len(ref_n), 1)],
            "seconds": s["seconds"] + seconds}  # fmt: skip


def summary(s: dict[str, Any]) -> dict[str, Any]:
    per_page = s["per_page"]
    return {"engine": s["engine"], "pages": len(per_page), "cer": s["errors"] / max(s["chars"], 1),
            "median_page_cer": statistics.median(per_page), "worst_page_cer": max(per_page),
            "pages_per_s": len(per_page) / s["seconds"], "first_page_s": s["first_page_s"]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=200, help="synthetic scans (default 200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engines", default="rapidocr,tesseract")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rk-ocr-bench-") as folder:
        tmp = Path(folder)
        started = time.perf_counter()
        config = working_folder(tmp)
        pdfs = printed_forms(config, args.n, tmp)
        pages = [(truth(pdf), scan(pdf, args.seed * 100_000 + i)) for i, pdf in enumerate(pdfs)]
        chars = sum(len(normalise(ref)) for ref, _ in pages)
        print(
            f"{len(pages)} scans ({chars} reference characters) made in {time.perf_counter() - started:.1f} s; "
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
        )
        names = args.engines.split(",")
        skipped = {name: tesseract_missing() if name == "tesseract" else None for name in names}
        results = run_engines([n for n in names if not skipped[n]], pages, tmp)
        results += [{"engine": n, "skipped": why} for n, why in skipped.items() if why]
    print("| engine | pages | CER | median page CER | worst page CER | pages/s | first page (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        if "skipped" in r:
            print(f"| {r['engine']} | skipped: {r['skipped']} | | | | | |")
            continue
        print(
            f"| {r['engine']} | {r['pages']} | {r['cer']:.2%} | {r['median_page_cer']:.2%} | "
            f"{r['worst_page_cer']:.2%} | {r['pages_per_s']:.2f} | {r['first_page_s']:.1f} |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
