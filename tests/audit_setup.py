"""An archive to audit: real cases (open and closed, 2015 and 2026), a catalog with the
forms the completeness rules name, and real PDFs ingested through the real pipeline.

Ingesting takes a few seconds, so the archive is built once per test process and each
test gets its own copy (``fresh_archive``).
"""

from __future__ import annotations

import atexit
import copy
import os
import shutil
import tempfile
from pathlib import Path

from archive_setup import form_pdf, make_workdir
from conftest import SAMPLE_CASE
from index_db import clone_database

from recordkit.archive.service import Archive
from recordkit.cases.store import dump_case
from recordkit.cli import cli
from recordkit.config import DATABASE_ENV, Config, load_config

CATALOG = """\
forms:
  - {code: F01, title: 申诉和投诉处理及反馈表, file: F01.docx, retention: D10, kinds: [投诉, 申诉, 争议, 意见建议]}
  - {code: F03, title: 投诉(申诉)登记及处理表, file: F03.docx, retention: D30, kinds: [投诉, 申诉], profiles: [lab]}
  - {code: F18, title: 投诉处理结果告知书, file: F18.docx, retention: D10, kinds: [投诉, 申诉, 争议]}
  - {code: F19, title: 延期办理告知书, file: F19.docx, retention: Y, kinds: [投诉, 申诉, 争议], when: extension}
"""

# case number: (year, closed)
CASES = {"TS-2026-0007": (2026, True), "TS-2026-0008": (2026, False),
         "TS-2015-0001": (2015, True), "TS-2015-0002": (2015, True)}  # fmt: skip

# What is filed, in this order (so the 档号 are known):
FILED = [
    ("TS-2026-0007", "F03"),  # Z109-WS·2026-D30-0001
    ("TS-2026-0007", "F01"),  # Z109-WS·2026-D10-0001
    ("TS-2026-0008", "F01"),  # Z109-WS·2026-D10-0002
    ("TS-2015-0001", "F03"),  # Z109-WS·2015-D30-0001 (due 2046)
    ("TS-2015-0001", "F18"),  # Z109-WS·2015-D10-0001 (due 2026-01-01)
    ("TS-2015-0002", "F03"),  # Z109-WS·2015-D30-0002
    ("TS-2015-0002", "F18"),  # Z109-WS·2015-D10-0002 (due 2026-01-01)
]
DUE = ["Z109-WS·2015-D10-0001", "Z109-WS·2015-D10-0002"]

_TEMPLATE: Path | None = None
_TEMPLATE_DB: str | None = None  # its PostgreSQL database, when the tests run on one


def write_case(root: Path, case_no: str, year: int, closed: bool, **changes) -> None:
    data = copy.deepcopy(SAMPLE_CASE)
    if not closed:
        for key in ("resolution", "reply", "follow_up", "closed_at"):
            data.pop(key, None)
    data.update(changes)
    text = dump_case(data).replace("2026-", f"{year}-")
    path = root / "cases" / str(year) / f"{case_no}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"case_no: {case_no}\n" + text, encoding="utf-8")


def build(root: Path) -> Config:
    config = make_workdir(root, cases={case_no: year for case_no, (year, _closed) in CASES.items()})
    (root / "test_forms" / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    for case_no, (year, closed) in CASES.items():
        write_case(root, case_no, year, closed)
    sources = (
        root.parent / f"{root.name}-sources"
    )  # outside the working folder: ingest takes no files from inside it
    sources.mkdir()
    paths = [form_pdf(sources / f"{n}-{case_no}_{form}.pdf", case_no, form, serial=n)
             for n, (case_no, form) in enumerate(FILED, 1)]  # fmt: skip
    with Archive(config) as archive:
        for path in paths:  # one at a time: the 件号 follow the order of FILED
            report = archive.ingest([path])
            assert report.ok, report.to_dict()
    shutil.rmtree(sources)
    return load_config(config.path)


def fresh_archive(dest: Path) -> Config:
    """A copy of the audited archive in ``dest`` (built on first use)."""
    global _TEMPLATE
    if _TEMPLATE is None:
        folder = Path(tempfile.mkdtemp(prefix="recordkit-audit-"))
        atexit.register(shutil.rmtree, folder, True)
        build(folder / "w")
        _TEMPLATE = folder / "w"
    shutil.copytree(_TEMPLATE, dest)
    url = os.environ.get(DATABASE_ENV)
    if url:  # PostgreSQL (RECORDKIT_TEST_BACKEND): the index is copied with the folder
        global _TEMPLATE_DB
        _TEMPLATE_DB = _TEMPLATE_DB or url  # the first test's database built the template
        os.environ[DATABASE_ENV] = clone_database(_TEMPLATE_DB)  # the fixture restores it
    return load_config(dest / "recordkit.toml")


def work_folder(tmp_path: Path, monkeypatch) -> Config:
    """A fresh copy of the audited archive, which is also the current folder."""
    config = fresh_archive(tmp_path / "w")
    monkeypatch.chdir(config.root)
    return config


def run(runner, *args):
    """A CLI call as a user makes it; exceptions would be bugs, so they propagate."""
    return runner.invoke(cli, list(args), obj={}, catch_exceptions=False)


def stored(config: Config, archive_no: str) -> Path:
    """The stored original of a 档号."""
    with Archive(config) as archive:
        return Path(archive.show(archive_no)["original_path"])
