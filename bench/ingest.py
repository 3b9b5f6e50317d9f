"""Benchmark: archive ingest, against the archive primitives called the obvious way.

    .venv/bin/python bench/ingest.py [--n 500] [--jobs N] [--latency 60] [--rate 4] [--corpus DIR]

Makes (not timed) N scanned-looking 2-page PDFs (rendered at 200 dpi, skewed, noisy,
JPEG pages, with a pen signature: what a desk scanner writes) and N born-digital 2-page
PDFs, each carrying the QR of a real case, then measures in one run:

(a) the obvious way: fixity + inspect + identify + copy + stamp per scanned file, one
    process, no index, no journal, no checks recorded;
(b) ``archive ingest`` end to end (claim, 四性检测, 档号 in a SQLite transaction,
    verified read-only copy, stamped access copy, index, event chain), one process and
    all cores, for scanned and for born-digital files;
(c) ``archive watch``: files dropped one by one at ``--rate`` files/s; latency from the
    moment a file is complete in the inbox to the moment it is indexed (p50, p95),
    against the target "stability delay + 1 s".

Throughput runs set ``stability_seconds = 0`` (the delay is a constant wait, not work);
the watch run uses the default 2 s. ``--corpus DIR`` keeps the generated PDFs for the
next run (generating 500 scans takes a minute or two).
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from recordkit.archive.service import Archive
from recordkit.cases.store import dump_case
from recordkit.config import init_workdir, load_config
from recordkit.demo.archive import sign_and_scan
from recordkit.forms.batch import default_jobs

# Each file is a different (case, form): a second scan of a form already filed for the
# case waits in duplicates/ for a person (docs/archive.md), so it is not a filing.
CASES = [f"TS-2026-{i:04d}" for i in range(1, 151)]
FORMS = ["F01", "F02", "F03", "F12"]


# --------------------------------------------------------------------------- corpus


def born_digital(path: Path, case_no: str, form: str, serial: int) -> Path:
    """A 2-page form as recordkit prints it: QR payload, title, case number, fields."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from recordkit.fonts import reportlab_font
    from recordkit.forms.qr import QrPayload, qr_png

    font = reportlab_font()
    w, h = A4
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(
        ImageReader(io.BytesIO(qr_png(QrPayload(case_no, form, "1")))),
        15 * mm,
        h - 40 * mm,
        25 * mm,
        25 * mm,
    )
    c.setFont(font, 9)
    c.drawString(15 * mm, h - 12 * mm, f"漳州市示例检验检测中心    表单编号 {form}  第1版")
    c.setFont(font, 16)
    c.drawCentredString(w / 2, h - 52 * mm, "申诉和投诉处理及反馈表")
    c.setFont(font, 11)
    y = h - 70 * mm
    for label, value in (("编号", case_no), ("投诉人", "李强"), ("投诉内容", f"检验报告数据与送检记录不符 (第 {serial} 份)"),
                         ("处理意见", "向客户解释并免费复检。"), ("签字", "")):  # fmt: skip
        c.drawString(20 * mm, y, label)
        c.drawString(48 * mm, y, value)
        c.line(45 * mm, y - 1 * mm, w - 20 * mm, y - 1 * mm)
        y -= 14 * mm
    c.showPage()
    c.setFont(font, 11)
    c.drawString(20 * mm, h - 30 * mm, f"{case_no} 附页: 调查情况与处理结果")
    c.showPage()
    c.save()
    return path


def _make_pair(args: tuple[str, int]) -> None:
    folder, i = args
    root = Path(folder)
    case_no, form = CASES[(i // len(FORMS)) % len(CASES)], FORMS[i % len(FORMS)]
    born = root / "born" / f"born-{i:04d}.pdf"
    scan = root / "scanned" / f"SCAN_{i:04d}.pdf"
    if not born.exists():
        born_digital(born.with_suffix(".tmp"), case_no, form, i).replace(born)
    if not scan.exists():
        tmp = scan.with_suffix(".tmp")
        sign_and_scan(born, tmp, seed=i)
        tmp.replace(scan)


def make_corpus(folder: Path, n: int, jobs: int) -> None:
    (folder / "born").mkdir(parents=True, exist_ok=True)
    (folder / "scanned").mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_make_pair, [(str(folder), i) for i in range(n)], chunksize=8))


# --------------------------------------------------------------------------- working folders


def working_folder(stability: float) -> Path:
    root = Path(tempfile.mkdtemp(prefix="rk-ingest-bench-"))
    config = init_workdir(root, org_name="漳州市示例检验检测中心")
    text = config.path.read_text(encoding="utf-8")
    config.path.write_text(
        text.replace("stability_seconds = 2 ", f"stability_seconds = {stability} "),
        encoding="utf-8",
    )
    for case_no in CASES:
        data = {"case_no": case_no, "kind": "投诉", "received_at": "2026-03-02 09:30", "complainant": {"name": "李强"},
                "content": "检验报告数据与送检记录不符。"}  # fmt: skip
        path = config.cases_dir / "2026" / f"{case_no}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_case(data), encoding="utf-8")
    return root


def fill_inbox(root: Path, files: list[Path]) -> None:
    inbox = root / "archive" / "inbox"
    for f in files:
        shutil.copyfile(f, inbox / f.name)


# --------------------------------------------------------------------------- runs


def run_obvious(files: list[Path]) -> float:
    """What one would write first: the primitives in a loop, nothing recorded."""
    from recordkit.archive.fixity import file_digests
    from recordkit.archive.identify import identify
    from recordkit.archive.pdfinspect import inspect_pdf, preflight
    from recordkit.archive.stamp import StampFields, stamp_access_copy

    out = Path(tempfile.mkdtemp(prefix="rk-obvious-"))
    started = time.perf_counter()
    for n, path in enumerate(files, 1):
        if preflight(path, 200 * 2**20) is not None:
            continue
        file_digests(path)
        facts = inspect_pdf(path)
        identify(path, facts.text)
        stored = out / f"{n:05d}.pdf"
        shutil.copy2(path, stored)
        stamp_access_copy(
            stored,
            out / f"{n:05d}-access.pdf",
            StampFields("Z109", 2026, n, "D10", facts.pages or 1),
        )
    elapsed = time.perf_counter() - started
    shutil.rmtree(out, ignore_errors=True)
    return elapsed


def run_ingest(
    files: list[Path], jobs: int, number_every_scan: bool = False
) -> tuple[float, dict[str, int]]:
    """``number_every_scan``: the corpus repeats each (case, form); a second scan of a form
    otherwise waits in duplicates/ unnumbered (bench/scale.py numbers them all)."""
    root = working_folder(stability=0)
    if number_every_scan:
        toml = root / "recordkit.toml"
        text = toml.read_text(encoding="utf-8")
        toml.write_text(
            text.replace("[archive]\n", '[archive]\nsecond_scan = "number"\n', 1), "utf-8"
        )
    fill_inbox(root, files)
    archive = Archive(load_config(root / "recordkit.toml"))
    started = time.perf_counter()
    report = archive.ingest(inbox=True, jobs=jobs)
    elapsed = time.perf_counter() - started
    archive.close()
    shutil.rmtree(root, ignore_errors=True)
    return elapsed, report.counts()


def run_watch_latency(files: list[Path], rate: float, jobs: int) -> tuple[list[float], float]:
    """Drop files one by one; seconds from complete-in-inbox to indexed, per file."""
    root = working_folder(stability=2)
    config = load_config(root / "recordkit.toml")
    staging = root / "staging"
    staging.mkdir()
    for f in files:
        shutil.copyfile(f, staging / f.name)
    dropped: dict[str, float] = {}
    indexed: dict[str, float] = {}
    stop = threading.Event()

    def watch() -> None:
        with Archive(config) as archive:
            archive.watch(jobs=jobs, on_result=lambda r: indexed.setdefault(r.original_name, time.monotonic()),
                          stop=stop)  # fmt: skip

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    time.sleep(3)  # let the watcher (and any workers) start
    inbox = config.archive_dir / "inbox"
    for f in files:
        os.replace(staging / f.name, inbox / f.name)  # complete the moment it appears
        dropped[f.name] = time.monotonic()
        time.sleep(1 / rate)
    deadline = time.monotonic() + 120
    while len(indexed) < len(files) and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(60)
    shutil.rmtree(root, ignore_errors=True)
    return [indexed[name] - dropped[name] for name in dropped if name in indexed], 2.0


# --------------------------------------------------------------------------- report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=500, help="files of each kind")
    parser.add_argument(
        "--jobs", type=int, default=default_jobs(), help="processes for the all-cores runs"
    )
    parser.add_argument(
        "--obvious", type=int, default=100, help="scanned files for the obvious-way baseline"
    )
    parser.add_argument(
        "--latency", type=int, default=60, help="files dropped for the watch latency run"
    )
    parser.add_argument(
        "--rate", type=float, default=4.0, help="files per second dropped under watch"
    )
    parser.add_argument("--corpus", type=Path, help="keep/reuse the generated PDFs here")
    args = parser.parse_args()

    corpus = args.corpus or Path(tempfile.mkdtemp(prefix="rk-corpus-"))
    started = time.perf_counter()
    make_corpus(corpus, args.n, args.jobs)
    scanned = sorted((corpus / "scanned").glob("*.pdf"))[: args.n]
    born = sorted((corpus / "born").glob("*.pdf"))[: args.n]
    size = sum(f.stat().st_size for f in scanned) / len(scanned) / 1024
    print(f"corpus: {len(scanned)} scanned ({size:.0f} KiB each), {len(born)} born-digital, "
          f"made in {time.perf_counter() - started:.0f} s", file=sys.stderr)  # fmt: skip

    rows = []
    obvious = run_obvious(scanned[: args.obvious])
    base_rate = args.obvious / obvious
    rows.append(("obvious way (primitives in a loop), scanned", args.obvious, obvious, base_rate))
    for label, files in (("scanned", scanned), ("born-digital", born)):
        for jobs in (1, args.jobs):
            elapsed, counts = run_ingest(files, jobs)
            assert counts["filed"] == len(files), counts
            rows.append((f"archive ingest, {label}, {jobs} process{'es' if jobs > 1 else ''}", len(files), elapsed,
                         len(files) / elapsed))  # fmt: skip

    latencies, delay = run_watch_latency(scanned[: args.latency], args.rate, 1)
    p50 = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 2 else latencies[0]

    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python "
          f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}")  # fmt: skip
    print()
    print("| run | files | seconds | files/s | vs obvious |")
    print("|---|---:|---:|---:|---:|")
    for label, n, elapsed, rate in rows:
        print(f"| {label} | {n} | {elapsed:.1f} | {rate:.1f} | {rate / base_rate:.2f}× |")
    print()
    print(f"| watch latency, complete in inbox → indexed ({len(latencies)} scans at {args.rate:g}/s, 1 process) "
          f"| p50 {p50:.2f} s | p95 {p95:.2f} s | target p95 ≤ {delay + 1:.1f} s (delay {delay:g} s + 1 s) |")  # fmt: skip
    if not args.corpus:
        shutil.rmtree(corpus, ignore_errors=True)


if __name__ == "__main__":
    main()
