"""Search finds the same on both backends (issue 15): the same scans filed into a folder
on SQLite and into one on PostgreSQL, then the ranked search (tantivy, derived from the
index) and the index's own substring match (``index.documents``) asked the same things."""

from __future__ import annotations

import pytest
from archive_setup import form_pdf, make_workdir

from recordkit.archive.service import Archive
from recordkit.config import load_config
from recordkit.index.archive import Filters

SCANS = [("TS-2026-0007", "F01", 1), ("TS-2026-0008", "F03", 2), ("TS-2025-0003", "F01", 3),
         ("TS-2026-0007", "F03", 4), ("TS-2026-0042", "F19", 5)]  # fmt: skip
QUERIES = [
    "投诉处理",
    "TS-2026-0007",
    "登记",
    "纠正",
    "TS-2025",
    "漳州",
    "不存在的文字",
    "100%_",
    "#4",
]


@pytest.fixture(autouse=True)
def _own_databases(monkeypatch):
    """These tests name their databases themselves, whatever RECORDKIT_TEST_BACKEND says."""
    monkeypatch.delenv("RECORDKIT_DATABASE_URL", raising=False)


def _filed(root, tmp_path, url: str | None):
    config = make_workdir(root)
    if url:
        text = config.path.read_text(encoding="utf-8")
        config.path.write_text(text + f'\n[database]\nurl = "{url}"\n', encoding="utf-8")
        config = load_config(config.path)
    sources = tmp_path / f"{root.name}-scans"
    sources.mkdir()
    paths = [form_pdf(sources / f"{n}.pdf", case, form, n) for case, form, n in SCANS]
    archive = Archive(config)
    for path in paths:  # one at a time: the same 件号 on both
        assert archive.ingest([path]).ok
    return archive


def _answers(archive: Archive) -> dict[str, object]:
    ranked = {q: [(d["archive_no"], d["snippet"]) for d in archive.search(q)] for q in QUERIES}
    plain = {
        q: [d["archive_no"] for d in archive.index.documents(Filters(text=q))] for q in QUERIES
    }
    filtered = [d["archive_no"] for d in archive.search(year=2026, retention="D10")]
    return {"ranked": ranked, "plain": plain, "filtered": filtered}


def test_search_finds_the_same_on_sqlite_and_postgresql(pg_url, tmp_path):
    on_sqlite = _filed(tmp_path / "sqlite", tmp_path, None)
    on_postgresql = _filed(tmp_path / "pg", tmp_path, pg_url)
    try:
        assert on_sqlite.config.database_url is None
        assert on_postgresql.config.database_url == pg_url
        expected = _answers(on_sqlite)
        assert expected["ranked"]["投诉处理"] and expected["plain"]["TS-2026-0007"]
        assert _answers(on_postgresql) == expected
    finally:
        on_sqlite.close(), on_postgresql.close()
