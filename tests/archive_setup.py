"""Working folders and scans for the archive tests: real cases, a real catalog, real PDFs.

The catalog is written here (codes and retention classes only) so the archive tests do
not depend on the bundled Word templates; the cases are full, valid case files.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
from pathlib import Path

import pdf_factory as pf
from conftest import SAMPLE_CASE

from recordkit.cases.store import dump_case
from recordkit.config import Config, init_workdir, load_config
from recordkit.forms.qr import QrPayload

CATALOG = """\
forms:
  - {code: F01, title: 投诉登记表, file: F01.docx, retention: D10, kinds: [投诉]}
  - {code: F03, title: 投诉处理及反馈表, file: F03.docx, retention: D30, kinds: [投诉]}
  - {code: F19, title: 纠正措施记录, file: F19.docx, retention: Y, kinds: [投诉]}
"""

CASES = {"TS-2026-0007": 2026, "TS-2026-0008": 2026, "TS-2025-0003": 2025, "TS-2026-0042": 2026}


def make_workdir(
    root: Path,
    *,
    stability: float = 0.2,
    extra: str = "",
    retention: str = "",
    department: str = "",
    cases: dict[str, int] | None = None,
) -> Config:
    """An initialised working folder with cases, a catalog and fast stability settings.

    ``extra``: lines for [archive]; ``retention``: lines for [archive.retention].
    """
    config = init_workdir(root, org_name="漳州市示例检验检测中心", fonds_no="Z109", force=True)
    text = config.path.read_text(encoding="utf-8")
    text = text.replace('templates = "form_templates"', 'templates = "test_forms"')
    # Tests written before issue 13 file one form many times (serials) to exercise
    # numbering, crashes and concurrency: they keep the old numbering of second scans.
    if "second_scan" not in extra:
        extra = f'second_scan = "number"\n{extra}'
    text = text.replace(
        "stability_seconds = 2 ",
        f"stability_seconds = {stability}\nempty_file_seconds = {max(stability, 0.5)}\n"
        f"rescan_seconds = 1\n{extra}\n# ",
    )
    if "max_file_mb" in extra:
        text = text.replace("max_file_mb = 200\n", "")
    text = text.replace('department_code = ""', f'department_code = "{department}"')
    if retention:
        text = re.sub(
            r"(\[archive\.retention\][^\n]*\n)", lambda m: m.group(1) + retention + "\n", text
        )
    config.path.write_text(text, encoding="utf-8")
    forms = root / "test_forms"
    forms.mkdir(exist_ok=True)
    (forms / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    for case_no, year in (cases or CASES).items():
        add_case(root, case_no, year)
    return load_config(config.path)


def add_case(root: Path, case_no: str, year: int) -> None:
    data = copy.deepcopy(SAMPLE_CASE)
    data = {"case_no": case_no, **data}
    data["received_at"] = f"{year}-03-02 09:30"
    for key in ("acceptance", "resolution", "reply", "follow_up"):
        data.pop(key, None)
    data.pop("closed_at", None)
    path = root / "cases" / str(year) / f"{case_no}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_case(data), encoding="utf-8")


def form_pdf(
    path: Path, case_no: str = "TS-2026-0007", form: str = "F01", serial: int = 0, pages: int = 2
) -> Path:
    """A born-digital form with our QR; ``serial`` makes the bytes unique."""
    pf.born_digital(
        path, QrPayload(case_no, form, "3"), case_no=f"{case_no} #{serial}", pages=pages
    )
    return path


def scan_pdf(
    path: Path, work: Path, case_no: str = "TS-2026-0007", form: str = "F01", serial: int = 0
) -> Path:
    """A scanned-looking (rasterised, rotated, noisy) copy of a form."""
    source = form_pdf(work / f".src-{serial}-{os.getpid()}.pdf", case_no, form, serial)
    pf.scanned_looking(path, source, seed=serial)
    source.unlink()
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


ENDINGS = ("store", "duplicates", "unidentified", "quarantine")


def ended(config: Config) -> dict[str, list[Path]]:
    """Every file in each place an input can end (reason files and temporaries excluded)."""
    root = config.archive_dir
    out: dict[str, list[Path]] = {}
    for place in (*ENDINGS, "inbox", "work"):
        folder = root / place
        files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
        out[place] = sorted(
            p
            for p in files
            if not p.name.endswith((".reason.txt", ".lock", ".claim.json"))
            and not p.name.startswith(".")
        )
    return out


def assert_each_input_ended_once(config: Config, input_shas: list[str]) -> dict[str, list[Path]]:
    """The invariant of issue 5: every input ends exactly once in store/duplicates/unidentified/quarantine."""
    places = ended(config)
    assert places["inbox"] == [], places["inbox"]
    assert places["work"] == [], places["work"]
    seen: dict[str, int] = {}
    for place in ENDINGS:
        for path in places[place]:
            digest = sha256(path)
            seen[digest] = seen.get(digest, 0) + 1
    for digest in input_shas:
        expected = input_shas.count(digest)
        assert seen.get(digest, 0) == expected, (
            f"{digest[:12]} ended {seen.get(digest, 0)} times, expected {expected}"
        )
    assert sum(seen.values()) == len(input_shas)
    return places
