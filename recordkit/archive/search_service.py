"""The archive's full-text search: joins each document with its case data and keeps the
derived search index (archive/search/, recordkit/search/) in step with index.sqlite.

Every search first syncs: when the event chain has moved since the last sync, documents
filed since (or filed just before a crash, before they reached the search index) are
added and disposed ones dropped. ``archive reindex`` rebuilds the whole index, e.g. after
case files were edited (a complainant's name corrected).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from recordkit.errors import RecordkitError, SearchIndexError
from recordkit.index import searchsource
from recordkit.index.archive import Filters
from recordkit.search import MARKS, SearchFilters, SearchIndex, SearchRecord, SyncReport

if TYPE_CHECKING:
    from recordkit.archive.service import Archive


def open_search(archive: Archive) -> SearchIndex:
    return SearchIndex(archive.layout.root / "search", database_url=archive.layout.database_url)


def sync(archive: Archive, rebuild: bool = False) -> SyncReport:
    """Add what index.sqlite has and the search index lacks (or everything, ``rebuild``)."""
    conn = archive.index.conn
    search = open_search(archive)
    try:
        step = search.rebuild if rebuild else search.sync
        return step(
            searchsource.fingerprint(conn), lambda: searchsource.stamps(conn), _loader(archive)
        )
    finally:
        search.close()


def filters(case_no: str | None = None, form_code: str | None = None, year: int | None = None,
            retention: str | None = None, kind: str | None = None, status: str | None = None,
            date_from: str | None = None, date_to: str | None = None, limit: int | None = None) -> SearchFilters:  # fmt: skip
    """The filters of ``Archive.search`` (``limit`` is not one: taken here so it may be passed along)."""
    return SearchFilters(year, retention, form_code, kind, status, date_from, date_to, case_no)


def search_documents(archive: Archive, text: str, filters: SearchFilters, limit: int = 100,
                     marks: tuple[str, str] = MARKS) -> list[dict[str, Any]]:  # fmt: skip
    """The documents best matching ``text``, best first, each described as ``archive
    show`` does plus ``snippet`` (the match between the marks) and ``score`` (bm25).
    Without text, every document the filters let through, in 档号 order."""
    if not archive.index.read_only:  # an auditor's read-only copy: search what is there
        sync(archive)
    try:
        index = open_search(archive)
    except SearchIndexError:
        if not archive.index.read_only:
            raise
        return _unranked(archive, text, filters)  # a read-only copy without a usable search index
    try:
        hits = index.search(text, filters, limit if text.strip() else 1_000_000, marks)
    finally:
        index.close()
    if not text.strip():
        hits.sort(key=lambda h: h.archive_no)
    found = [(h, archive.index.document(h.archive_no)) for h in hits]
    return [
        dict(archive.describe(row), snippet=h.snippet, score=round(h.score, 3))
        for h, row in found
        if row
    ]


def _unranked(archive: Archive, text: str, f: SearchFilters) -> list[dict[str, Any]]:
    """index.sqlite's own substring match (text layer, file name, case number), in 档号 order."""
    rows = archive.index.documents(
        Filters(text.strip() or None, f.case_no, f.form_code, f.year, f.retention)
    )
    return [archive.describe(row) for row in rows]


def _loader(archive: Archive) -> Callable[[list[str]], list[SearchRecord]]:
    titles = archive.form_titles()

    def load(archive_nos: list[str]) -> list[SearchRecord]:
        cases: dict[str, dict[str, Any]] = {}
        records = []
        for row in searchsource.rows(archive.index.conn, archive_nos):
            if row["case_no"] not in cases:
                cases[row["case_no"]] = _case_data(archive, row["case_no"])
            records.append(record(row, cases[row["case_no"]], titles.get(row["form_code"], "")))
        return records

    return load


def _case_data(archive: Archive, case_no: str) -> dict[str, Any]:
    """The case file's data; empty when it cannot be read (the document is still found
    by its 档号, case number, title and text)."""
    try:
        return archive.context().casebook.get(case_no).data
    except RecordkitError:
        return {}


def _field(data: dict[str, Any], path: str) -> str:
    value: Any = data
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return "" if value is None else str(value)


def _fields(data: dict[str, Any], *paths: str) -> str:
    return " ".join(v for v in (_field(data, p) for p in paths) if v)


def record(row: dict[str, Any], case: dict[str, Any], title: str) -> SearchRecord:
    """One document as search sees it: its row, its text and its case's people and subject."""
    return SearchRecord(
        archive_no=row["archive_no"], case_no=row["case_no"], form_code=row["form_code"],
        title=" ".join(v for v in (title, row["original_name"]) if v), kind=_field(case, "kind"),
        status=row["status"], retention=row["retention"], year=int(row["year"]), date=(row["filed_at"] or "")[:10],
        complainant=_fields(case, "complainant.name", "complainant.organization"),
        respondent=_fields(case, "respondent", "assignment.department"),
        subject=_fields(case, "subject.description", "subject.product_name", "request"),
        content=_fields(case, "content", "investigation.findings"),
        text=row.get("text") or "", stamp=searchsource.stamp(row["filed_at"], row.get("access_sha256"), row.get("ocr_at")),
    )  # fmt: skip
