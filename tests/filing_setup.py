"""A working folder with a closed case for the archive-status tests (issue 12, 案件页)."""

from __future__ import annotations

import copy
from pathlib import Path

from archive_setup import make_workdir, scan_pdf
from conftest import SAMPLE_CASE

from recordkit.archive.service import Archive
from recordkit.cases.store import dump_case
from recordkit.config import Config

CLOSED = "TS-2026-0050"  # closed, not a valid complaint: needs F03 and F19 (F18 is not in the test catalog)


def filing_workdir(root: Path) -> Config:
    config = make_workdir(root)
    path = root / "cases" / "2026" / f"{CLOSED}.yaml"
    path.write_text(dump_case({"case_no": CLOSED, **copy.deepcopy(SAMPLE_CASE)}), encoding="utf-8")
    return config


def file_scans(config: Config, form: str, *serials: int) -> list[str]:
    """Scan form ``form`` of the closed case once per serial and ingest the scans; their 档号."""
    work = config.archive_dir.parent.parent / "scans"  # outside the working folder
    work.mkdir(exist_ok=True)
    paths = [scan_pdf(work / f"{form}-{s}.pdf", work, CLOSED, form, s) for s in serials]
    with Archive(config) as archive:
        results = archive.ingest(paths).results
    assert [r.outcome for r in results] == ["filed"] * len(paths), [r.to_dict() for r in results]
    return [r.archive_no for r in results]
