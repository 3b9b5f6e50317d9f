"""The archive index: documents, 四性检测 results, intake journal, event chain, full text.

One SQLite file, ``archive/index.sqlite``, shared by every ingester. What makes it safe
for several processes and for crashes:

- The 件号 of a document is allocated and the document row inserted in one
  ``BEGIN IMMEDIATE`` transaction, so two processes serialise on it, and rows are never
  deleted, so the sequence has no gap and no repeat (``UNIQUE(year, retention,
  dept_code, item_no)`` and ``UNIQUE(sha256)`` make a repeat impossible even by mistake).
- ``intake`` has one row per input file (per claim), with where it ended, so "every
  input ends exactly once somewhere" is a query.
- ``events`` is append-only and hash-chained: each row stores the hash of the previous
  row and ``hash = SHA-256(prev_hash + canonical JSON of the event)``, so an edited or
  deleted event breaks the chain.
- The text layer goes into an FTS5 table with the trigram tokenizer where SQLite has it
  (3.34+), so a Chinese substring of three or more characters is an index look-up;
  search uses ``LIKE`` on it, which works for shorter strings too (as a scan), and on a
  plain table where FTS5 trigram is missing.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ArchiveError, ArchiveIndexError, DisposalRefusedError, RecordkitError
from . import connect_read_only, is_read_only_error
from .backend import (
    DB_ERRORS,
    SQLITE,
    Connection,
    dialect,
    has_index,
    has_table,
    open_database,
    redact,
    schema_changes,
    table_columns,
)
from .ocr import SCHEMA as OCR_SCHEMA
from .ocr import add_layout_column

GENESIS_HASH = "0" * 64

SCHEMA = """
CREATE TABLE IF NOT EXISTS intake (
    id TEXT PRIMARY KEY,              -- the claim id: work/<id>/ while in progress
    original_name TEXT NOT NULL,
    source TEXT NOT NULL,             -- inbox-relative path, or the path given to ingest/assign
    claimed_at TEXT NOT NULL,
    size INTEGER,
    sha256 TEXT,
    sm3 TEXT,
    state TEXT NOT NULL DEFAULT 'processing',   -- processing | routing | done
    outcome TEXT,                     -- filed | duplicate | unidentified | quarantine
    destination TEXT,                 -- archive-relative path where the file ended
    archive_no TEXT,
    check_name TEXT,                  -- the check that routed it (Chinese)
    reason TEXT,
    finished_at TEXT,
    superseded_by TEXT                -- a later intake of the same file (assign)
);
CREATE INDEX IF NOT EXISTS intake_sha ON intake(sha256);
CREATE INDEX IF NOT EXISTS intake_destination ON intake(destination);

CREATE TABLE IF NOT EXISTS documents (
    archive_no TEXT PRIMARY KEY,
    fonds_no TEXT NOT NULL,
    category_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    retention TEXT NOT NULL,
    dept_code TEXT NOT NULL,
    item_no INTEGER NOT NULL,
    case_no TEXT NOT NULL,
    form_code TEXT NOT NULL,
    form_version TEXT,
    identified_by TEXT NOT NULL,      -- qr | filename | text | assign
    pages INTEGER NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    sm3 TEXT NOT NULL,
    pdf_version TEXT,
    signed TEXT NOT NULL,             -- none | valid | invalid
    signatures TEXT NOT NULL,         -- JSON list
    disposal_due TEXT,                -- ISO date; NULL for Y (永久)
    status TEXT NOT NULL,             -- filing | filed
    original_name TEXT NOT NULL,
    source TEXT NOT NULL,
    original_path TEXT NOT NULL,      -- archive-relative: store/<年度>/<保管期限>/<name>
    access_path TEXT,                 -- archive-relative: access/…; NULL if no access copy
    intake_id TEXT NOT NULL UNIQUE REFERENCES intake(id),
    numbered_at TEXT NOT NULL,
    filed_at TEXT,
    UNIQUE (year, retention, dept_code, item_no)
);
CREATE INDEX IF NOT EXISTS documents_case ON documents(case_no);
CREATE INDEX IF NOT EXISTS documents_year ON documents(year, retention);

CREATE TABLE IF NOT EXISTS checks (
    intake_id TEXT NOT NULL REFERENCES intake(id),
    seq INTEGER NOT NULL,
    category TEXT NOT NULL,           -- 真实性 | 完整性 | 可用性 | 安全性
    name TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('pass', 'fail', 'warn', 'none', 'skipped')),  -- none 无, skipped 未执行
    detail TEXT NOT NULL,
    PRIMARY KEY (intake_id, category, name)
);

CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    kind TEXT NOT NULL,
    archive_no TEXT,
    intake_id TEXT,
    detail TEXT NOT NULL,             -- canonical JSON
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_archive_no ON events(archive_no, kind);

-- Legal holds (法律保全): while a hold is active, no record it covers may be destroyed.
-- One row per ingest batch (归档信息包, DA/T 70 完整性): how many files and bytes went
-- in, how many were filed and their bytes, where the others went, and whether it balanced.
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY,
    finished_at TEXT NOT NULL,
    inputs INTEGER NOT NULL,
    input_bytes INTEGER NOT NULL,
    results INTEGER NOT NULL,
    filed INTEGER NOT NULL,
    filed_bytes INTEGER NOT NULL,
    counts TEXT NOT NULL,             -- JSON: outcome → number of files
    archive_nos TEXT NOT NULL,        -- JSON: the 档号 filed by this batch
    balanced INTEGER NOT NULL         -- 1 when every input ended somewhere (results = inputs)
);

-- A hold covers one document, every document of a case, or every document of a 年度,
-- including documents filed after the hold was placed.
CREATE TABLE IF NOT EXISTS holds (
    id INTEGER PRIMARY KEY,
    scope TEXT NOT NULL CHECK (scope IN ('document', 'case', 'year')),
    target TEXT NOT NULL,             -- 档号, case number or 年度
    reason TEXT NOT NULL,
    placed_by TEXT NOT NULL,
    placed_at TEXT NOT NULL,
    released_by TEXT,
    released_at TEXT,
    release_reason TEXT
);

-- Disposals (销毁): one row per approved batch; documents keep their row, marked
-- destroying (files being removed) and then destroyed.
CREATE TABLE IF NOT EXISTS disposals (
    id INTEGER PRIMARY KEY,
    state TEXT NOT NULL,              -- destroying | done
    approver TEXT NOT NULL,
    reason TEXT NOT NULL,
    executed_by TEXT NOT NULL,
    on_date TEXT NOT NULL,            -- the day whose expiry was applied (ISO date)
    started_at TEXT NOT NULL,
    finished_at TEXT,
    list_pdf TEXT,                    -- archive-relative: the 销毁清册
    list_pdf_sha256 TEXT,
    list_xlsx TEXT,
    list_xlsx_sha256 TEXT
);
CREATE TABLE IF NOT EXISTS disposal_items (
    disposal_id INTEGER NOT NULL REFERENCES disposals(id),
    seq INTEGER NOT NULL,
    archive_no TEXT NOT NULL UNIQUE REFERENCES documents(archive_no),
    title TEXT NOT NULL,
    opinion TEXT NOT NULL,            -- 鉴定意见
    destroyed_at TEXT,
    PRIMARY KEY (disposal_id, seq)
);
"""

# Two-person disposal (issue 13): a proposal (销毁申请) lists what one person wants
# destroyed, with its 销毁清册 written at once; another person approves it (which starts
# an ordinary disposal batch, ``disposal_id``) or rejects it. Added to older indexes
# when they can be written (``_add_proposals``).
_PROPOSAL_SCHEMA = """
CREATE TABLE IF NOT EXISTS disposal_proposals (
    id INTEGER PRIMARY KEY,
    state TEXT NOT NULL,              -- pending | approved | rejected
    proposer TEXT NOT NULL,
    reason TEXT NOT NULL,
    on_date TEXT NOT NULL,            -- the day whose expiry was applied (ISO date)
    proposed_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    decision_reason TEXT,
    disposal_id INTEGER REFERENCES disposals(id),
    list_pdf TEXT,                    -- archive-relative: the proposed 销毁清册
    list_pdf_sha256 TEXT,
    list_xlsx TEXT,
    list_xlsx_sha256 TEXT
);
CREATE TABLE IF NOT EXISTS disposal_proposal_items (
    proposal_id INTEGER NOT NULL REFERENCES disposal_proposals(id),
    seq INTEGER NOT NULL,
    archive_no TEXT NOT NULL REFERENCES documents(archive_no),
    title TEXT NOT NULL,
    opinion TEXT NOT NULL,
    PRIMARY KEY (proposal_id, seq)
);
"""

# PostgreSQL databases are created with every later addition at once (columns SQLite
# indexes gained after 0.1, and the plain text table: no FTS5 there).
_PG_LATER = """
ALTER TABLE documents ADD COLUMN IF NOT EXISTS access_sha256 TEXT;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS retention_period TEXT;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS derived_from TEXT;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS bundle_pages TEXT;
CREATE TABLE IF NOT EXISTS doc_text (archive_no TEXT PRIMARY KEY, text TEXT NOT NULL);
ALTER TABLE document_text ADD COLUMN IF NOT EXISTS layout TEXT;
"""
_FTS_TRIGRAM = "CREATE VIRTUAL TABLE IF NOT EXISTS doc_text USING fts5(archive_no UNINDEXED, text, tokenize='trigram')"
_TEXT_PLAIN = (
    "CREATE TABLE IF NOT EXISTS doc_text (archive_no TEXT PRIMARY KEY, text TEXT NOT NULL)"
)


@dataclass(frozen=True)
class CheckRow:
    category: str
    name: str
    result: str  # pass | fail | warn
    detail: str


@dataclass(frozen=True)
class IntakeRef:
    """The intake row's identity, written the first time the index hears of a claim."""

    id: str
    original_name: str
    source: str
    claimed_at: str


@dataclass(frozen=True)
class NewDocument:
    """Everything the document row holds except what numbering decides."""

    fonds_no: str
    category_code: str
    year: int
    retention: str
    dept_code: str
    case_no: str
    form_code: str
    form_version: str | None
    identified_by: str
    pages: int
    size: int
    sha256: str
    sm3: str
    pdf_version: str
    signed: str
    signatures: list[dict[str, Any]]
    disposal_due: str | None
    original_name: str
    source: str
    intake_id: str
    derived_from: str | None = None  # SHA-256 of the print bundle this part was split from
    bundle_pages: str | None = None  # its pages in the bundle, "3-4"


@dataclass(frozen=True)
class Bundle:
    """A print bundle (several forms in one scan), stored once and split into parts."""

    sha256: str
    sm3: str
    size: int
    pages: int
    original_path: str  # archive-relative, bundles/<年度>/<sha256>.pdf
    parts: list[dict[str, Any]]  # {"form_code", "pages"} per part, in page order


# Added by issue 13 (print bundles split by QR); created where the index can be written.
_BUNDLE_SCHEMA = """
CREATE TABLE IF NOT EXISTS bundles (
    sha256 TEXT PRIMARY KEY,
    sm3 TEXT NOT NULL,
    size INTEGER NOT NULL,
    pages INTEGER NOT NULL,
    original_name TEXT NOT NULL,
    original_path TEXT NOT NULL,
    intake_id TEXT NOT NULL,
    parts TEXT NOT NULL,              -- JSON: form code and pages of each part
    split_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    archive_no TEXT NOT NULL,         -- the document this is a later scan of (same 档号)
    version INTEGER NOT NULL,         -- 2, 3, …: the document row itself is version 1
    intake_id TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    sm3 TEXT NOT NULL,
    size INTEGER NOT NULL,
    pages INTEGER NOT NULL,
    original_name TEXT NOT NULL,
    original_path TEXT NOT NULL,
    access_path TEXT,
    filed_at TEXT NOT NULL,
    PRIMARY KEY (archive_no, version)
);
"""


# Arrangement before numbering (issue 14 point 8, ``[archive] numbering = "arrange"``):
# the provisional numbers handed out per sequence (never reused, so a 预 number names one
# document for ever), the years sealed by ``archive arrange``, and the access copies still
# to be re-stamped with their final 档号 (cleared with the copy, so a rerun finishes).
_ARRANGE_SCHEMA = """
CREATE TABLE IF NOT EXISTS provisional_numbers (
    year INTEGER NOT NULL,
    retention TEXT NOT NULL,
    dept_code TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (year, retention, dept_code)
);
CREATE TABLE IF NOT EXISTS sealed_years (
    year INTEGER PRIMARY KEY,
    sealed_at TEXT NOT NULL,
    sealed_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS restamp_pending (
    archive_no TEXT PRIMARY KEY
);
"""
# Events that show a document was filed under its current 档号: ``filed``, or ``arranged``
# for one filed under a provisional number (its ``filed`` event keeps that number).
FILED_KINDS = "('filed', 'arranged')"


@dataclass(frozen=True)
class Numbered:
    archive_no: str
    item_no: int
    original_path: str
    access_path: str


@dataclass(frozen=True)
class Duplicate:
    archive_no: str
    status: str


@dataclass(frozen=True)
class Filters:
    text: str | None = None
    case_no: str | None = None
    form_code: str | None = None
    year: int | None = None
    retention: str | None = None


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    problem: str


@dataclass(frozen=True)
class ChainReport:
    """The event chain walked from the genesis hash."""

    events: int
    head_id: int
    head_hash: str
    first_break: ChainBreak | None
    breaks: int

    @property
    def ok(self) -> bool:
        return self.first_break is None


@dataclass(frozen=True)
class DisposalItem:
    archive_no: str
    title: str
    opinion: str  # 鉴定意见


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_hash(prev_hash: str, event: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(event)).encode("utf-8")).hexdigest()


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def pg_schema() -> str:
    """The whole schema of a PostgreSQL archive index (SQLite files grow theirs in place);
    its digest is the schema version ``schema_applied`` records and ``db check`` shows."""
    return SCHEMA + OCR_SCHEMA + _BUNDLE_SCHEMA + _ARRANGE_SCHEMA + _PROPOSAL_SCHEMA + _PG_LATER


class ArchiveIndex:
    """The archive's SQLite index; one per process (connections are not shared)."""

    def __init__(self, path: Path, url: str | None = None) -> None:
        """The SQLite file at ``path``, or the ``archive`` schema of the PostgreSQL
        database at ``url`` (recordkit/index/backend.py)."""
        self.path = Path(path)
        self.read_only = False
        self.where = redact(url) if url else str(self.path)
        try:
            schema = pg_schema() if url else SCHEMA + OCR_SCHEMA
            self.conn = open_database(url or self.path, schema, "archive")
        except RecordkitError:
            if url or not self.path.is_file():
                raise
            self.conn, self.read_only = (
                connect_read_only(self.path),
                True,
            )  # an auditor's read-only copy
        if dialect(self.conn) != SQLITE:  # every table and column is in its schema
            self.has_trigram, self.has_page_text = self._trigram_index(), True
            self.has_proposals = True
            return
        self.has_trigram = self._create_text_table()
        # An auditor's read-only copy of an index from before OCR has no page text.
        self.has_page_text = has_table(self.conn, "document_text")
        self._add_access_sha256()
        self._widen_check_results()
        self._add_bundles()
        self._add_proposals()
        self._add_text_layout()

    def _add_text_layout(self) -> None:
        """``document_text.layout`` (the OCR lines of a text layer), added when writable."""
        if self.read_only or not self.has_page_text:
            return
        try:
            add_layout_column(self.conn)
        except sqlite3.OperationalError as exc:
            if not is_read_only_error(exc):
                raise ArchiveIndexError(f"{self.path}: 数据库错误 ({exc})") from exc
            self.read_only = True

    def _add_access_sha256(self) -> None:
        """Indexes from before 0.2.0 lack ``documents.access_sha256`` (the access copy's
        SHA-256) and ``documents.retention_period`` (a 保管期限 changed after filing, NULL =
        the 档号's); added when the index can be written, read as NULL otherwise."""
        columns = set(table_columns(self.conn, "documents"))
        missing = [c for c in ("access_sha256", "retention_period") if c not in columns]
        if not missing or self.read_only:
            return
        try:
            for column in missing:
                self.conn.execute(f"ALTER TABLE documents ADD COLUMN {column} TEXT")
        except DB_ERRORS as exc:
            if not is_read_only_error(exc):
                raise ArchiveIndexError(f"{self.path}: 数据库错误 ({exc})") from exc
            self.read_only = True

    def _widen_check_results(self) -> None:
        """Indexes from before 0.2.0 allow only pass | fail | warn; ``none`` (无: no
        signature to verify) and ``skipped`` (未执行: no virus scanner) are recorded since
        (DA/T 70: a check that was not done is not passed). SQLite cannot alter a CHECK
        constraint, so the table is copied, in one transaction. (PostgreSQL databases
        are younger than that.)"""
        if dialect(self.conn) != SQLITE:
            return
        row = self.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'checks'").fetchone()
        if row is None or "'skipped'" in (row["sql"] or "") or self.read_only:
            return
        widened = row["sql"].replace("'warn')", "'warn', 'none', 'skipped')")
        new_sql = re.sub(
            r"^CREATE TABLE\s+(?:IF NOT EXISTS\s+)?\"?checks\"?",
            "CREATE TABLE checks_widened",
            widened,
        )
        try:
            with self.conn:
                self.conn.execute("BEGIN IMMEDIATE")
                self.conn.execute(new_sql)
                self.conn.execute("INSERT INTO checks_widened SELECT * FROM checks")
                self.conn.execute("DROP TABLE checks")
                self.conn.execute("ALTER TABLE checks_widened RENAME TO checks")
        except DB_ERRORS as exc:
            if not is_read_only_error(exc):
                raise ArchiveIndexError(f"{self.path}: 数据库错误 ({exc})") from exc
            self.read_only = True

    def _add_bundles(self) -> None:
        """The ``bundles`` table and ``documents.derived_from`` / ``bundle_pages`` (the
        part of a print bundle a document was split from); NULL for older rows."""
        if self.read_only:
            return
        columns = set(table_columns(self.conn, "documents"))
        try:
            self.conn.executescript(_BUNDLE_SCHEMA + _ARRANGE_SCHEMA)
            for column in ("derived_from", "bundle_pages"):
                if column not in columns:
                    self.conn.execute(f"ALTER TABLE documents ADD COLUMN {column} TEXT")
        except DB_ERRORS as exc:
            if not is_read_only_error(exc):
                raise ArchiveIndexError(f"{self.path}: 数据库错误 ({exc})") from exc
            self.read_only = True

    def _add_proposals(self) -> None:
        """The two-person disposal tables; an auditor's read-only copy of an older index
        has none (``has_proposals`` False: no proposals to list)."""
        if not self.read_only:
            try:
                self.conn.executescript(_PROPOSAL_SCHEMA)
            except sqlite3.OperationalError as exc:
                if not is_read_only_error(exc):
                    raise ArchiveIndexError(f"{self.path}: 数据库错误 ({exc})") from exc
                self.read_only = True
        self.has_proposals = has_table(self.conn, "disposal_proposals")

    def _create_text_table(self) -> bool:
        existing = self.conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'doc_text'"
        ).fetchone()
        if existing is not None:
            return "trigram" in (existing["sql"] or "")
        try:
            self.conn.execute(_FTS_TRIGRAM)
            return True
        except sqlite3.OperationalError:  # no FTS5, or no trigram tokenizer (SQLite < 3.34)
            self.conn.execute(_TEXT_PLAIN)
            return False

    def _trigram_index(self) -> bool:
        """PostgreSQL: pg_trgm's GIN index makes ``LIKE '%…%'`` on the text an index
        look-up, as FTS5's trigram table does in SQLite; without the extension (not
        installed, or no right to create it) LIKE scans, as on SQLite without FTS5.
        Created once (under the schema lock); later opens only look."""
        if has_index(self.conn, "document_text_trigram"):
            return True
        with schema_changes(self.conn):
            self.conn.execute("SAVEPOINT trigram")
            try:
                self.conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                for table in ("doc_text", "document_text"):
                    self.conn.execute(f"CREATE INDEX IF NOT EXISTS {table}_trigram ON {table} "
                                      "USING gin (text gin_trgm_ops)")  # fmt: skip
            except DB_ERRORS:
                self.conn.execute("ROLLBACK TO SAVEPOINT trigram")
                return False
        return True

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self, durable: bool = False) -> Iterator[Connection]:
        """``BEGIN IMMEDIATE``: the write lock is taken up front, so two processes queue
        here instead of failing on a lock upgrade. ``durable`` makes this commit reach the
        disk before returning (synchronous=FULL): needed right before a file that only
        the database now accounts for is deleted."""
        conn = self.conn
        try:
            conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            conn.execute("BEGIN IMMEDIATE")
        except DB_ERRORS as exc:
            raise ArchiveIndexError(f"{self.where}: 数据库忙或不可写 ({exc})") from exc
        try:
            yield conn
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, DB_ERRORS):
                raise ArchiveIndexError(f"{self.where}: 数据库错误 ({exc})") from exc
            raise
        try:
            conn.execute("COMMIT")
        except DB_ERRORS as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise ArchiveIndexError(f"{self.where}: 数据库无法提交 ({exc})") from exc

    # ----- intake journal
    def start_intake(self, ref: IntakeRef) -> None:
        with self.transaction() as conn:
            self._start_intake(conn, ref)

    @staticmethod
    def _start_intake(conn: Connection, ref: IntakeRef) -> None:
        conn.execute(
            "INSERT OR IGNORE INTO intake (id, original_name, source, claimed_at) VALUES (?, ?, ?, ?)",
            (ref.id, ref.original_name, ref.source, ref.claimed_at),
        )

    def supersede(self, destination: str, intake_id: str) -> None:
        """Mark the earlier intake that left a file at ``destination`` as re-ingested."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE intake SET superseded_by = ? WHERE destination = ? AND state = 'done' "
                "AND superseded_by IS NULL AND id != ?",
                (intake_id, destination, intake_id),
            )

    def intake(self, intake_id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM intake WHERE id = ?", (intake_id,)).fetchone()
        return dict(row) if row else None

    def intake_at(self, destination: str) -> dict[str, Any] | None:
        """The latest intake that left a file at ``destination`` (archive-relative)."""
        row = self.conn.execute(
            "SELECT * FROM intake WHERE destination = ? ORDER BY claimed_at DESC, id DESC LIMIT 1",
            (destination,),
        ).fetchone()
        return dict(row) if row else None

    def intakes(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute("SELECT * FROM intake ORDER BY claimed_at, id")]

    def begin_route(self, ref: IntakeRef, *, outcome: str, destination: str, check_name: str,
                    reason: str, archive_no: str | None, digests: tuple[int, str, str] | None,
                    checks: Iterable[CheckRow]) -> None:  # fmt: skip
        """Journal where a file is about to be moved, before it moves (crash recovery);
        durable, since after the move only this row says where the file went."""
        intake_id = ref.id
        with self.transaction(durable=True) as conn:
            self._start_intake(conn, ref)
            conn.execute(
                "UPDATE intake SET state = 'routing', outcome = ?, destination = ?, check_name = ?, "
                "reason = ?, archive_no = ? WHERE id = ?",
                (outcome, destination, check_name, reason, archive_no, intake_id),
            )
            if digests is not None:
                self._set_digests(conn, intake_id, digests)
            self._put_checks(conn, intake_id, checks)

    def finish_route(
        self, intake_id: str, finished_at: str, event: tuple[str, str | None, dict[str, Any]]
    ) -> None:
        with self.transaction(durable=True) as conn:
            conn.execute(
                "UPDATE intake SET state = 'done', finished_at = ? WHERE id = ? AND state != 'done'",
                (finished_at, intake_id),
            )
            kind, archive_no, detail = event
            self._append_event(conn, finished_at, kind, archive_no, intake_id, detail)

    @staticmethod
    def _set_digests(conn: Connection, intake_id: str, digests: tuple[int, str, str]) -> None:
        size, sha256, sm3 = digests
        conn.execute(
            "UPDATE intake SET size = ?, sha256 = ?, sm3 = ? WHERE id = ?",
            (size, sha256, sm3, intake_id),
        )

    # ----- documents
    def find_sha256(self, sha256: str) -> Duplicate | None:
        row = self.conn.execute(
            "SELECT archive_no, status FROM documents WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return Duplicate(row["archive_no"], row["status"]) if row else None

    def number(self, ref: IntakeRef, doc: NewDocument, make_archive_no: Callable[[int], str],
               make_paths: Callable[[str], tuple[str, str]], numbered_at: str,
               checks: Iterable[CheckRow], text: str, provisional: bool = False) -> Numbered | Duplicate:  # fmt: skip
        """Allocate the next 件号 of (年度, 保管期限, 机构) and record the document, atomically;
        ``provisional``: the next 预 number instead (negative, see numbering.py).

        Returns the existing document instead when the same bytes were filed meanwhile
        (another ingester may have taken an identical copy since the duplicate step).
        """
        with self.transaction() as conn:
            self._start_intake(conn, ref)
            existing = conn.execute(
                "SELECT archive_no, status FROM documents WHERE sha256 = ?", (doc.sha256,)
            ).fetchone()
            if existing is not None:
                return Duplicate(existing["archive_no"], existing["status"])
            seq = (doc.year, doc.retention, doc.dept_code)
            item_no = (
                self._next_provisional(conn, seq) if provisional else self._next_final(conn, seq)
            )
            archive_no = make_archive_no(item_no)
            original_path, access_path = make_paths(archive_no)
            _insert_document(
                conn, doc, archive_no, item_no, (original_path, access_path), numbered_at
            )
            if doc.derived_from is not None:
                conn.execute("UPDATE documents SET derived_from = ?, bundle_pages = ? WHERE archive_no = ?",
                             (doc.derived_from, doc.bundle_pages, archive_no))  # fmt: skip
            self._set_digests(conn, doc.intake_id, (doc.size, doc.sha256, doc.sm3))
            conn.execute(
                "UPDATE intake SET archive_no = ? WHERE id = ?", (archive_no, doc.intake_id)
            )
            self._put_checks(conn, doc.intake_id, checks)
            conn.execute(
                "INSERT INTO doc_text (archive_no, text) VALUES (?, ?)", (archive_no, text)
            )
            return Numbered(archive_no, item_no, original_path, access_path)

    def mark_filed(self, archive_no: str, intake_id: str, filed_at: str, access_path: str | None,
                   checks: Iterable[CheckRow]) -> None:  # fmt: skip
        with self.transaction() as conn:
            conn.execute(
                "UPDATE documents SET status = 'filed', filed_at = COALESCE(filed_at, ?), access_path = ? "
                "WHERE archive_no = ?",
                (filed_at, access_path, archive_no),
            )
            conn.execute(
                "UPDATE intake SET outcome = 'filed', destination = (SELECT original_path FROM documents "
                "WHERE archive_no = ?) WHERE id = ?",
                (archive_no, intake_id),
            )
            self._put_checks(conn, intake_id, checks)

    def finish_filing(
        self, archive_no: str, intake_id: str, finished_at: str, detail: dict[str, Any]
    ) -> None:
        """Close the intake and append the ``filed`` event once (idempotent on resume)."""
        with self.transaction(durable=True) as conn:
            seen = conn.execute(
                f"SELECT 1 FROM events WHERE archive_no = ? AND kind IN {FILED_KINDS}",
                (archive_no,),
            ).fetchone()
            if seen is None:
                self._append_event(conn, finished_at, "filed", archive_no, intake_id, detail)
            conn.execute(
                "UPDATE intake SET state = 'done', finished_at = COALESCE(finished_at, ?) WHERE id = ?",
                (finished_at, intake_id),
            )

    def filed_form(self, case_no: str, form_code: str) -> dict[str, Any] | None:
        """The document a case's form was first filed as (filing or filed), if any."""
        row = self.conn.execute(
            "SELECT * FROM documents WHERE case_no = ? AND form_code = ? AND status IN ('filing', 'filed') "
            "ORDER BY numbered_at, archive_no LIMIT 1",
            (case_no, form_code),
        ).fetchone()
        return dict(row) if row else None

    def next_version(self, archive_no: str) -> int:
        row = self.conn.execute(
            "SELECT MAX(version) FROM versions WHERE archive_no = ?", (archive_no,)
        ).fetchone()
        return int(row[0] or 1) + 1

    def find_version(self, sha256: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM versions WHERE sha256 = ?", (sha256,)).fetchone()
        return dict(row) if row else None

    def other_originals(self, year: int | None = None) -> list[dict[str, Any]]:
        """Originals kept beside the document rows' own: scanned print bundles
        (``bundles/<年度>/``) and later scans of a document (``versions/<年度>/``)."""
        rows = [
            dict(r, kind="bundle", access_path=None)
            for r in self.conn.execute("SELECT original_path, sha256, sm3 FROM bundles")
        ]
        rows += [
            dict(r, kind="version")
            for r in self.conn.execute(
                "SELECT original_path, sha256, sm3, access_path FROM versions"
            )
        ]
        if year is None:
            return rows
        return [r for r in rows if r["original_path"].split("/")[1:2] == [str(year)]]

    def versions(self, archive_no: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT * FROM versions WHERE archive_no = ? ORDER BY version", (archive_no,)
        )
        return [dict(r) for r in rows]

    def record_version(
        self, ref: IntakeRef, row: dict[str, Any], at: str, detail: dict[str, Any]
    ) -> None:
        """A later scan filed as version ``row["version"]`` of a document: the row, the
        intake ended (outcome ``filed``) and a ``new_version`` event, in one commit."""
        with self.transaction(durable=True) as conn:
            self._start_intake(conn, ref)
            conn.execute(
                "INSERT INTO versions (archive_no, version, intake_id, sha256, sm3, size, pages, original_name, "
                "original_path, access_path, filed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row["archive_no"], row["version"], ref.id, row["sha256"], row["sm3"], row["size"], row["pages"],
                 ref.original_name, row["original_path"], row["access_path"], at),
            )  # fmt: skip
            self._set_digests(conn, ref.id, (row["size"], row["sha256"], row["sm3"]))
            conn.execute(
                "UPDATE intake SET state = 'done', outcome = 'filed', destination = ?, archive_no = ?, "
                "finished_at = ? WHERE id = ?",
                (row["original_path"], row["archive_no"], at, ref.id),
            )
            self._append_event(conn, at, "new_version", row["archive_no"], ref.id, detail)

    def find_bundle(self, sha256: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM bundles WHERE sha256 = ?", (sha256,)).fetchone()
        return dict(row) if row else None

    def parts_of(self, sha256: str) -> list[dict[str, Any]]:
        """The documents split from one bundle, in page order."""
        rows = self.conn.execute("SELECT * FROM documents WHERE derived_from = ?", (sha256,))
        return sorted((dict(r) for r in rows), key=lambda r: int(r["bundle_pages"].split("-")[0]))

    def record_bundle(
        self, ref: IntakeRef, bundle: Bundle, at: str, detail: dict[str, Any]
    ) -> None:
        """The bundle stored and its parts claimed: the bundle's intake ends (outcome
        ``split``) with a ``bundle_split`` event, once (idempotent on resume)."""
        with self.transaction(durable=True) as conn:
            self._start_intake(conn, ref)
            conn.execute(
                "INSERT OR IGNORE INTO bundles (sha256, sm3, size, pages, original_name, original_path, intake_id, "
                "parts, split_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (bundle.sha256, bundle.sm3, bundle.size, bundle.pages, ref.original_name, bundle.original_path,
                 ref.id, canonical_json(bundle.parts), at),
            )  # fmt: skip
            self._set_digests(conn, ref.id, (bundle.size, bundle.sha256, bundle.sm3))
            done = conn.execute(
                "UPDATE intake SET state = 'done', outcome = 'split', destination = ?, finished_at = ? "
                "WHERE id = ? AND state != 'done'",
                (bundle.original_path, at, ref.id),
            ).rowcount
            if done:
                self._append_event(conn, at, "bundle_split", None, ref.id, detail)

    def document_for_intake(self, intake_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT * FROM documents WHERE intake_id = ?", (intake_id,)
        ).fetchone()
        return dict(row) if row else None

    def document(self, archive_no: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT * FROM documents WHERE archive_no = ?", (archive_no,)
        ).fetchone()
        return dict(row) if row else None

    def documents(self, filters: Filters = Filters()) -> list[dict[str, Any]]:
        where, args = [], []
        if filters.case_no:
            where.append("d.case_no = ?")
            args.append(filters.case_no)
        if filters.form_code:
            where.append("d.form_code = ?")
            args.append(filters.form_code.upper())
        if filters.year is not None:
            where.append("d.year = ?")
            args.append(filters.year)
        if filters.retention:
            where.append("d.retention = ?")
            args.append(filters.retention)
        if filters.text:
            pattern = _like_pattern(filters.text)
            page_text = (
                "OR d.archive_no IN (SELECT archive_no FROM document_text WHERE text LIKE ? ESCAPE '\\') "
                if self.has_page_text
                else ""
            )  # OCR text (index/ocr.py)
            where.append(
                "(d.archive_no IN (SELECT archive_no FROM doc_text WHERE text LIKE ? ESCAPE '\\') "
                + page_text
                + "OR d.original_name LIKE ? ESCAPE '\\' OR d.case_no LIKE ? ESCAPE '\\')"
            )
            args += [pattern] * (4 if page_text else 3)
        sql = "SELECT d.* FROM documents d"
        if where:
            sql += " WHERE " + " AND ".join(where)
        # final 件号 first, then provisional ones (预0001, 预0002 … stored as -1, -2 …)
        sql += " ORDER BY d.year, d.retention, d.dept_code, d.item_no < 0, ABS(d.item_no)"
        return [dict(r) for r in self.conn.execute(sql, args)]

    def recently_filed(self, limit: int = 20) -> list[dict[str, Any]]:
        """The documents filed last, newest first (the web's inbox page)."""
        rows = self.conn.execute(
            "SELECT * FROM documents WHERE filed_at IS NOT NULL ORDER BY filed_at DESC, archive_no DESC "
            "LIMIT ?",
            (limit,),
        )
        return [dict(r) for r in rows]

    def document_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def repeated_forms(self, year: int | None = None) -> list[dict[str, Any]]:
        """(case, form) pairs filed more than once, each with its 档号 in order: the same
        form scanned twice (different bytes, so the SHA-256 duplicate check let it pass)."""
        where, args = _year_clause(year, "status IN ('filing', 'filed')")
        rows = self.conn.execute(
            f"SELECT case_no, form_code, archive_no FROM documents d {where} "
            "ORDER BY case_no, form_code, year, retention, dept_code, item_no",
            args,
        ).fetchall()
        groups: dict[tuple[str, str], list[str]] = {}
        for row in rows:
            groups.setdefault((row["case_no"], row["form_code"]), []).append(row["archive_no"])
        return [{"case_no": case, "form_code": form, "archive_nos": nos}
                for (case, form), nos in groups.items() if len(nos) > 1]  # fmt: skip

    def checks(self, intake_id: str) -> list[CheckRow]:
        rows = self.conn.execute(
            "SELECT category, name, result, detail FROM checks WHERE intake_id = ? ORDER BY seq",
            (intake_id,),
        )
        return [CheckRow(r["category"], r["name"], r["result"], r["detail"]) for r in rows]

    @staticmethod
    def _put_checks(conn: Connection, intake_id: str, checks: Iterable[CheckRow]) -> None:
        start = conn.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM checks WHERE intake_id = ?", (intake_id,)
        ).fetchone()[0]
        for offset, check in enumerate(checks, 1):
            conn.execute(
                "INSERT INTO checks (intake_id, seq, category, name, result, detail) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (intake_id, category, name) DO UPDATE SET result = excluded.result, "
                "detail = excluded.detail",
                (intake_id, start + offset, check.category, check.name, check.result, check.detail),
            )

    # ----- events
    def append_event(self, time: str, kind: str, archive_no: str | None, intake_id: str | None,
                     detail: dict[str, Any]) -> None:  # fmt: skip
        with self.transaction() as conn:
            self._append_event(conn, time, kind, archive_no, intake_id, detail)

    def append_event_if_writable(self, time: str, kind: str, archive_no: str | None, intake_id: str | None,
                                 detail: dict[str, Any]) -> bool:  # fmt: skip
        """Like ``append_event``; False (nothing written) when the index is read-only."""
        if self.read_only:
            return False
        try:
            self.append_event(time, kind, archive_no, intake_id, detail)
        except ArchiveIndexError as exc:
            if not is_read_only_error(exc):
                raise
            self.read_only = True
            return False
        return True

    def chain_head(self) -> tuple[int, str]:
        """(id, hash) of the last event: the anchor an office keeps apart from the machine."""
        row = self.conn.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        return (row["id"], row["hash"]) if row else (0, GENESIS_HASH)

    def event_with_hash(self, event_hash_: str) -> int | None:
        row = self.conn.execute("SELECT id FROM events WHERE hash = ?", (event_hash_,)).fetchone()
        return row["id"] if row else None

    def rows_without_event(self) -> list[tuple[str, str]]:
        """(what, missing event kind) for holds and disposal batches whose events the log
        lacks: events cut off the end of the log leave such rows behind."""
        rows = self.conn.execute(
            "SELECT '法律保全 #' || id, 'hold_placed' FROM holds h WHERE NOT EXISTS (SELECT 1 FROM events e "
            "WHERE e.kind = 'hold_placed' AND CAST(json_extract(e.detail, '$.hold_id') AS TEXT) = CAST(h.id AS TEXT)) "
            "UNION ALL SELECT '法律保全 #' || id, 'hold_released' FROM holds h WHERE released_at IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM events e WHERE e.kind = 'hold_released' "
            "AND CAST(json_extract(e.detail, '$.hold_id') AS TEXT) = CAST(h.id AS TEXT)) "
            "UNION ALL SELECT '销毁批次 ' || id, 'disposal_started' FROM disposals d WHERE NOT EXISTS (SELECT 1 "
            "FROM events e WHERE e.kind = 'disposal_started' AND CAST(json_extract(e.detail, '$.disposal_id') AS TEXT) = CAST(d.id AS TEXT)) "
            "UNION ALL SELECT '销毁批次 ' || id, 'disposal_finished' FROM disposals d WHERE state = 'done' "
            "AND NOT EXISTS (SELECT 1 FROM events e WHERE e.kind = 'disposal_finished' "
            "AND CAST(json_extract(e.detail, '$.disposal_id') AS TEXT) = CAST(d.id AS TEXT)) ORDER BY 1, 2"
        )
        return [(r[0], r[1]) for r in rows]

    def proposals_without_event(self) -> list[tuple[str, str]]:
        """(销毁申请 #n, missing event kind) for disposal proposals whose events the log
        lacks (cut off its end): every proposal has ``disposal_proposed``, an approved
        one ``disposal_approved``, a rejected one ``disposal_rejected``. Plain SQL; the
        events' JSON detail is read here."""
        if not self.has_proposals:
            return []
        logged = {(row["kind"], json.loads(row["detail"]).get("proposal_id")) for row in self.conn.execute(
            "SELECT kind, detail FROM events "
            "WHERE kind IN ('disposal_proposed', 'disposal_approved', 'disposal_rejected')")}  # fmt: skip
        missing = []
        for row in self.conn.execute("SELECT id, state FROM disposal_proposals ORDER BY id"):
            kinds = ["disposal_proposed"]
            if row["state"] in ("approved", "rejected"):
                kinds.append(f"disposal_{row['state']}")
            missing += [
                (f"销毁申请 #{row['id']}", k) for k in kinds if (k, row["id"]) not in logged
            ]
        return missing

    def set_access_copy(self, archive_no: str, access_path: str, access_sha256: str, at: str,
                        kind: str | None, detail: dict[str, Any]) -> None:  # fmt: skip
        """Record an access copy's path and SHA-256 on the row, with an event ``kind``
        (None: the ``filed`` event that follows carries it)."""
        with self.transaction(durable=True) as conn:
            conn.execute("UPDATE documents SET access_path = ?, access_sha256 = ? WHERE archive_no = ?",
                         (access_path, access_sha256, archive_no))  # fmt: skip
            if kind and not self.read_only:  # the copy now shows this 档号: no re-stamp pending
                conn.execute("DELETE FROM restamp_pending WHERE archive_no = ?", (archive_no,))
            if kind:
                self._append_event(conn, at, kind, archive_no, None, detail)

    @staticmethod
    def _append_event(conn: Connection, time: str, kind: str, archive_no: str | None,
                      intake_id: str | None, detail: dict[str, Any]) -> None:  # fmt: skip
        last = conn.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        event_id = (last["id"] + 1) if last else 1
        prev_hash = last["hash"] if last else GENESIS_HASH
        event = {"id": event_id, "time": time, "kind": kind, "archive_no": archive_no,
                 "intake_id": intake_id, "detail": detail}  # fmt: skip
        conn.execute(
            "INSERT INTO events (id, time, kind, archive_no, intake_id, detail, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event_id,
                time,
                kind,
                archive_no,
                intake_id,
                canonical_json(detail),
                prev_hash,
                event_hash(prev_hash, event),
            ),
        )

    def events(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute("SELECT * FROM events ORDER BY id")]

    def events_of(self, archive_no: str) -> list[dict[str, Any]]:
        """The events of one document, oldest first, their detail decoded."""
        rows = self.conn.execute(
            "SELECT * FROM events WHERE archive_no = ? ORDER BY id", (archive_no,)
        )
        return [dict(r, detail=json.loads(r["detail"])) for r in rows]

    def chain_problems(self) -> list[str]:
        """Events whose hash does not follow from their content and predecessor."""
        problems = []
        prev_hash = GENESIS_HASH
        for row in self.events():
            event = {"id": row["id"], "time": row["time"], "kind": row["kind"], "archive_no": row["archive_no"],
                     "intake_id": row["intake_id"], "detail": json.loads(row["detail"])}  # fmt: skip
            if row["prev_hash"] != prev_hash or row["hash"] != event_hash(prev_hash, event):
                problems.append(f"事件 {row['id']} 的哈希链断开 (event chain broken)")
            prev_hash = row["hash"]
        return problems

    def chain_report(self) -> ChainReport:
        """Walk the chain from the genesis hash; the first event whose link to the one
        before or whose own content does not verify, and the head to note down."""
        prev_hash, prev_id = GENESIS_HASH, 0
        first: ChainBreak | None = None
        breaks = count = 0
        for row in self.conn.execute("SELECT * FROM events ORDER BY id"):
            count += 1
            problem = link_problem(row, prev_hash, prev_id)
            if problem:
                breaks += 1
                first = first or ChainBreak(row["id"], problem)
            prev_hash, prev_id = row["hash"], row["id"]
        return ChainReport(count, prev_id, prev_hash, first, breaks)

    def documents_without_event(self) -> list[tuple[str, str]]:
        """(档号, missing event kind): every filed document has a ``filed`` event and every
        destroyed one a ``destroyed`` event; a missing one means the log lost events
        (or an ingest crashed before its last step and waits in work/ for recovery)."""
        rows = self.conn.execute(
            "SELECT archive_no, 'filed' AS kind FROM documents d WHERE status IN ('filed', 'destroying', 'destroyed') "
            f"AND NOT EXISTS (SELECT 1 FROM events e WHERE e.archive_no = d.archive_no AND e.kind IN {FILED_KINDS}) "
            "UNION ALL SELECT archive_no, 'destroyed' FROM documents d WHERE status = 'destroyed' "
            "AND NOT EXISTS (SELECT 1 FROM events e WHERE e.archive_no = d.archive_no AND e.kind = 'destroyed') "
            "ORDER BY 1, 2"
        )
        return [(r[0], r[1]) for r in rows]

    def check_counts(self, year: int | None = None) -> list[dict[str, Any]]:
        """四性检测 results of archived documents: one row per (category, name, result)."""
        where, args = _year_clause(year)
        rows = self.conn.execute(
            "SELECT c.category, c.name, c.result, COUNT(*) AS n, MIN(c.seq) AS first FROM checks c "
            f"JOIN documents d ON d.intake_id = c.intake_id {where} GROUP BY 1, 2, 3 ORDER BY first, 1, 2, 3",
            args,
        )
        return [dict(r) for r in rows]

    def failed_checks(self, year: int | None = None) -> list[dict[str, Any]]:
        where, args = _year_clause(year, "c.result = 'fail'")
        rows = self.conn.execute(
            "SELECT d.archive_no, d.case_no, d.form_code, c.category, c.name, c.detail FROM checks c "
            f"JOIN documents d ON d.intake_id = c.intake_id {where} "
            "ORDER BY d.year, d.retention, d.dept_code, d.item_no, c.seq",
            args,
        )
        return [dict(r) for r in rows]

    def intake_outcomes(self) -> dict[str, int]:
        """Current (not superseded) intakes by where they ended."""
        rows = self.conn.execute(
            "SELECT outcome, COUNT(*) FROM intake WHERE state = 'done' AND superseded_by IS NULL GROUP BY outcome"
        )
        return {r[0]: r[1] for r in rows}

    # ----- legal holds
    def change_retention(self, archive_no: str, period: str, due: str | None, at: str,
                         detail: dict[str, Any]) -> None:  # fmt: skip
        """A document's 保管期限 after filing, and its ``retention_changed`` event, together."""
        with self.transaction(durable=True) as conn:
            conn.execute("UPDATE documents SET retention_period = ?, disposal_due = ? WHERE archive_no = ?",
                         (period, due, archive_no))  # fmt: skip
            self._append_event(conn, at, "retention_changed", archive_no, None, detail)

    def add_hold(
        self, scope: str, target: str, reason: str, by: str, at: str, archive_no: str | None
    ) -> int:
        with self.transaction(durable=True) as conn:
            hold_id = conn.execute(
                "INSERT INTO holds (scope, target, reason, placed_by, placed_at) VALUES (?, ?, ?, ?, ?)",
                (scope, target, reason, by, at),
            ).lastrowid
            assert hold_id is not None
            detail = {
                "hold_id": hold_id,
                "scope": scope,
                "target": target,
                "reason": reason,
                "by": by,
            }
            self._append_event(conn, at, "hold_placed", archive_no, None, detail)
            return hold_id

    def release_hold(self, hold_id: int, by: str, at: str, reason: str) -> bool:
        """False when no active hold has this id."""
        with self.transaction(durable=True) as conn:
            row = conn.execute(
                "SELECT * FROM holds WHERE id = ? AND released_at IS NULL", (hold_id,)
            ).fetchone()
            if row is None:
                return False
            conn.execute(
                "UPDATE holds SET released_by = ?, released_at = ?, release_reason = ? WHERE id = ?",
                (by, at, reason, hold_id),
            )
            detail = {
                "hold_id": hold_id,
                "scope": row["scope"],
                "target": row["target"],
                "reason": reason,
                "by": by,
            }
            archive_no = row["target"] if row["scope"] == "document" else None
            self._append_event(conn, at, "hold_released", archive_no, None, detail)
            return True

    def hold(self, hold_id: int) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM holds WHERE id = ?", (hold_id,)).fetchone()
        return dict(row) if row else None

    def record_batch(self, at: str, inputs: int, input_bytes: int, counts: dict[str, int],
                     archive_nos: list[str], balanced: bool) -> int:  # fmt: skip
        """One ingest batch's counts and byte totals (the filed bytes from the document rows)."""
        with self.transaction(durable=True) as conn:
            marks = ",".join("?" * len(archive_nos))
            filed_bytes = int(conn.execute(f"SELECT COALESCE(SUM(size), 0) FROM documents WHERE archive_no IN ({marks})",
                                           archive_nos).fetchone()[0]) if archive_nos else 0  # fmt: skip
            batch_id = conn.execute(
                "INSERT INTO batches (finished_at, inputs, input_bytes, results, filed, filed_bytes, counts, "
                "archive_nos, balanced) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (at, inputs, input_bytes, sum(counts.values()), len(archive_nos), filed_bytes,
                 json.dumps(counts, ensure_ascii=False), json.dumps(archive_nos, ensure_ascii=False), int(balanced)),
            ).lastrowid  # fmt: skip
            assert batch_id is not None
            return batch_id

    def batches(self, batch_id: int | None = None) -> list[dict[str, Any]]:
        """Every ingest batch, or the one with ``batch_id``."""
        if batch_id is None:
            rows = self.conn.execute("SELECT * FROM batches ORDER BY id")
        else:
            rows = self.conn.execute("SELECT * FROM batches WHERE id = ?", (batch_id,))
        return [{**dict(r), "counts": json.loads(r["counts"]), "archive_nos": json.loads(r["archive_nos"]),
                 "balanced": bool(r["balanced"])} for r in rows]  # fmt: skip

    def holds(self, active_only: bool = True) -> list[dict[str, Any]]:
        sql = (
            "SELECT * FROM holds"
            + (" WHERE released_at IS NULL" if active_only else "")
            + " ORDER BY id"
        )
        return [dict(r) for r in self.conn.execute(sql)]

    def covered_count(self, scope: str, target: str) -> int:
        """How many documents a hold of this scope and target covers now."""
        column = {"document": "archive_no", "case": "case_no", "year": "CAST(year AS TEXT)"}[scope]
        return self.conn.execute(
            f"SELECT COUNT(*) FROM documents WHERE {column} = ?", (target,)
        ).fetchone()[0]

    @staticmethod
    def _holds_on(conn: Connection, doc: Any) -> list[dict[str, Any]]:
        rows = conn.execute(
            "SELECT * FROM holds WHERE released_at IS NULL AND ((scope = 'document' AND target = ?) "
            "OR (scope = 'case' AND target = ?) OR (scope = 'year' AND target = ?)) ORDER BY id",
            (doc["archive_no"], doc["case_no"], str(doc["year"])),
        )
        return [dict(r) for r in rows]

    def holds_on(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        """Active holds covering one document (by its 档号, case or 年度)."""
        return self._holds_on(self.conn, doc)

    # ----- disposal
    def begin_disposal(self, items: list[DisposalItem], approver: str, reason: str, by: str, on_date: str,
                       at: str, proposal_id: int | None = None) -> int:  # fmt: skip
        """Record the approved batch and mark its documents ``destroying``, in one durable
        transaction; refuses (rolls back) if any document changed meanwhile: held,
        no longer filed, or not due on ``on_date``. With ``proposal_id`` the pending
        proposal is marked approved in the same transaction (so it is approved once)."""
        with self.transaction(durable=True) as conn:
            refusals = []
            for item in items:
                doc = conn.execute(
                    "SELECT * FROM documents WHERE archive_no = ?", (item.archive_no,)
                ).fetchone()
                if (
                    doc is None
                    or doc["status"] != "filed"
                    or not self._filing_finished(conn, item.archive_no)
                ):
                    refusals.append(
                        f"{item.archive_no}: 状态已改变 ({doc['status'] if doc else '不存在'}), 请重新执行"
                    )
                elif not doc["disposal_due"] or doc["disposal_due"] > on_date:
                    refusals.append(f"{item.archive_no}: 保管期限未满")
                elif self._holds_on(conn, doc):
                    refusals.append(f"{item.archive_no}: 刚被设置了法律保全 (hold)")
            if refusals:
                raise DisposalRefusedError(refusals)
            disposal_id = conn.execute(
                "INSERT INTO disposals (state, approver, reason, executed_by, on_date, started_at) "
                "VALUES ('destroying', ?, ?, ?, ?, ?)",
                (approver, reason, by, on_date, at),
            ).lastrowid
            assert disposal_id is not None
            for seq, item in enumerate(items, 1):
                conn.execute(
                    "INSERT INTO disposal_items (disposal_id, seq, archive_no, title, opinion) VALUES (?, ?, ?, ?, ?)",
                    (disposal_id, seq, item.archive_no, item.title, item.opinion),
                )
                conn.execute(
                    "UPDATE documents SET status = 'destroying' WHERE archive_no = ?",
                    (item.archive_no,),
                )
            if proposal_id is not None:
                self._approve_proposal(conn, proposal_id, approver, at, disposal_id)
            detail = {"disposal_id": disposal_id, "approver": approver, "reason": reason, "by": by,
                      "archive_nos": [i.archive_no for i in items]}  # fmt: skip
            self._append_event(conn, at, "disposal_started", None, None, detail)
            return disposal_id

    def _approve_proposal(self, conn: sqlite3.Connection, proposal_id: int, approver: str, at: str,
                          disposal_id: int) -> None:  # fmt: skip
        updated = conn.execute(
            "UPDATE disposal_proposals SET state = 'approved', decided_by = ?, decided_at = ?, "
            "disposal_id = ? WHERE id = ? AND state = 'pending'",
            (approver, at, disposal_id, proposal_id),
        ).rowcount
        if not updated:  # another approver or a rejection came first: roll back
            raise ArchiveError(f"销毁申请 #{proposal_id} 刚被他人处理, 请刷新后查看")
        detail = {"proposal_id": proposal_id, "approver": approver, "disposal_id": disposal_id}
        self._append_event(conn, at, "disposal_approved", None, None, detail)

    def keep_held_items(
        self, disposal_id: int, at: str, removed: Callable[[dict[str, Any]], bool]
    ) -> list[dict[str, Any]]:
        """Take out of an unfinished batch every document a hold now covers whose original
        is still there (``removed`` says whether it is gone): back to ``filed``, out of the
        batch, one ``disposal_item_held`` event each. A hold placed after the batch was
        marked (e.g. while a killed ``dispose`` waited) must still protect."""
        kept = []
        with self.transaction(durable=True) as conn:
            rows = conn.execute(
                "SELECT d.*, i.title, i.opinion, i.seq FROM disposal_items i JOIN documents d "
                "ON d.archive_no = i.archive_no WHERE i.disposal_id = ? AND d.status = 'destroying' ORDER BY i.seq",
                (disposal_id,),
            ).fetchall()
            for row in rows:
                holds = self._holds_on(conn, row)
                if not holds or removed(dict(row)):
                    continue
                conn.execute(
                    "UPDATE documents SET status = 'filed' WHERE archive_no = ?",
                    (row["archive_no"],),
                )
                conn.execute(
                    "DELETE FROM disposal_items WHERE archive_no = ?", (row["archive_no"],)
                )
                detail = {"disposal_id": disposal_id, "hold_ids": [h["id"] for h in holds], "seq": row["seq"],
                          "title": row["title"], "opinion": row["opinion"]}  # fmt: skip
                self._append_event(conn, at, "disposal_item_held", row["archive_no"], None, detail)
                kept.append(
                    {"archive_no": row["archive_no"], "disposal_id": disposal_id, "holds": holds}
                )
        return kept

    @staticmethod
    def _filing_finished(conn: Connection, archive_no: str) -> bool:
        return (
            conn.execute(
                f"SELECT 1 FROM events WHERE archive_no = ? AND kind IN {FILED_KINDS}",
                (archive_no,),
            ).fetchone()
            is not None
        )

    def filing_finished(self, archive_no: str) -> bool:
        """The last ingest step (the ``filed`` event) is done: nothing in work/ still
        refers to this document."""
        return self._filing_finished(self.conn, archive_no)

    def set_disposal_lists(
        self, disposal_id: int, pdf: tuple[str, str], xlsx: tuple[str, str]
    ) -> None:
        """Where the 销毁清册 was written and its SHA-256 (checked by verify)."""
        with self.transaction(durable=True) as conn:
            conn.execute(
                "UPDATE disposals SET list_pdf = ?, list_pdf_sha256 = ?, list_xlsx = ?, list_xlsx_sha256 = ? "
                "WHERE id = ?",
                (*pdf, *xlsx, disposal_id),
            )

    def finish_disposal(self, disposal_id: int, at: str) -> None:
        """The files are gone: documents ``destroyed`` (metadata kept, full text dropped),
        one ``destroyed`` event each, the batch done. Idempotent."""
        with self.transaction(durable=True) as conn:
            disposal = conn.execute(
                "SELECT * FROM disposals WHERE id = ?", (disposal_id,)
            ).fetchone()
            if disposal is None or disposal["state"] == "done":
                return
            items = conn.execute(
                "SELECT i.archive_no, d.sha256, d.sm3, d.original_path, d.access_path FROM disposal_items i "
                "JOIN documents d ON d.archive_no = i.archive_no WHERE i.disposal_id = ? ORDER BY i.seq",
                (disposal_id,),
            ).fetchall()
            for item in items:
                conn.execute(
                    "UPDATE documents SET status = 'destroyed' WHERE archive_no = ?",
                    (item["archive_no"],),
                )
                conn.execute(
                    "UPDATE disposal_items SET destroyed_at = ? WHERE archive_no = ?",
                    (at, item["archive_no"]),
                )
                conn.execute("DELETE FROM doc_text WHERE archive_no = ?", (item["archive_no"],))
                conn.execute(
                    "DELETE FROM document_text WHERE archive_no = ?", (item["archive_no"],)
                )  # OCR text too
                detail = {"disposal_id": disposal_id, "approver": disposal["approver"], "sha256": item["sha256"],
                          "sm3": item["sm3"], "original_path": item["original_path"],
                          "access_path": item["access_path"]}  # fmt: skip
                self._append_event(conn, at, "destroyed", item["archive_no"], None, detail)
            conn.execute(
                "UPDATE disposals SET state = 'done', finished_at = ? WHERE id = ?",
                (at, disposal_id),
            )
            detail = {"disposal_id": disposal_id, "count": len(items), "list_pdf": disposal["list_pdf"],
                      "list_pdf_sha256": disposal["list_pdf_sha256"]}  # fmt: skip
            self._append_event(conn, at, "disposal_finished", None, None, detail)

    def disposal(self, disposal_id: int) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM disposals WHERE id = ?", (disposal_id,)).fetchone()
        return dict(row) if row else None

    def disposals(self, unfinished_only: bool = False) -> list[dict[str, Any]]:
        sql = (
            "SELECT * FROM disposals"
            + (" WHERE state != 'done'" if unfinished_only else "")
            + " ORDER BY id"
        )
        return [dict(r) for r in self.conn.execute(sql)]

    def disposal_items(self, disposal_id: int) -> list[dict[str, Any]]:
        """The batch's documents with their index rows (title and opinion from the batch)."""
        rows = self.conn.execute(
            "SELECT d.*, i.seq, i.title, i.opinion, i.destroyed_at FROM disposal_items i "
            "JOIN documents d ON d.archive_no = i.archive_no WHERE i.disposal_id = ? ORDER BY i.seq",
            (disposal_id,),
        )
        return [dict(r) for r in rows]

    def destroyed_on(self) -> dict[str, tuple[int, str | None]]:
        """档号 → (disposal id, destroyed_at) for every document in a disposal batch."""
        rows = self.conn.execute("SELECT archive_no, disposal_id, destroyed_at FROM disposal_items")
        return {r[0]: (r[1], r[2]) for r in rows}

    # ----- two-person disposal: proposals
    def propose_disposal(self, items: list[DisposalItem], proposer: str, reason: str, on_date: str,
                         at: str) -> int:  # fmt: skip
        """Record a pending proposal with its items and a ``disposal_proposed`` event;
        refuses documents already in another pending proposal."""
        with self.transaction(durable=True) as conn:
            placeholders = ",".join("?" * len(items))
            taken = conn.execute(
                "SELECT i.archive_no, p.id FROM disposal_proposal_items i JOIN disposal_proposals p "
                f"ON p.id = i.proposal_id WHERE p.state = 'pending' AND i.archive_no IN ({placeholders})",
                [i.archive_no for i in items],
            ).fetchall()
            if taken:
                raise DisposalRefusedError(
                    [f"{r[0]}: 已在待批准的销毁申请 #{r[1]} 中" for r in taken]
                )
            proposal_id = conn.execute(
                "INSERT INTO disposal_proposals (state, proposer, reason, on_date, proposed_at) "
                "VALUES ('pending', ?, ?, ?, ?)",
                (proposer, reason, on_date, at),
            ).lastrowid
            assert proposal_id is not None
            conn.executemany(
                "INSERT INTO disposal_proposal_items (proposal_id, seq, archive_no, title, opinion) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (proposal_id, n, i.archive_no, i.title, i.opinion)
                    for n, i in enumerate(items, 1)
                ],
            )
            detail = {"proposal_id": proposal_id, "proposer": proposer, "reason": reason,
                      "archive_nos": [i.archive_no for i in items]}  # fmt: skip
            self._append_event(conn, at, "disposal_proposed", None, None, detail)
            return proposal_id

    def set_proposal_lists(
        self, proposal_id: int, pdf: tuple[str, str], xlsx: tuple[str, str]
    ) -> None:
        """Where the proposal's 销毁清册 was written, and its SHA-256."""
        with self.transaction(durable=True) as conn:
            conn.execute(
                "UPDATE disposal_proposals SET list_pdf = ?, list_pdf_sha256 = ?, list_xlsx = ?, "
                "list_xlsx_sha256 = ? WHERE id = ?",
                (*pdf, *xlsx, proposal_id),
            )

    def reject_proposal(self, proposal_id: int, by: str, reason: str, at: str) -> bool:
        """Mark a pending proposal rejected, with a ``disposal_rejected`` event; False when
        it was no longer pending."""
        with self.transaction() as conn:
            updated = conn.execute(
                "UPDATE disposal_proposals SET state = 'rejected', decided_by = ?, decided_at = ?, "
                "decision_reason = ? WHERE id = ? AND state = 'pending'",
                (by, at, reason, proposal_id),
            ).rowcount
            if updated:
                detail = {"proposal_id": proposal_id, "by": by, "reason": reason}
                self._append_event(conn, at, "disposal_rejected", None, None, detail)
            return bool(updated)

    def proposal(self, proposal_id: int) -> dict[str, Any] | None:
        if not self.has_proposals:
            return None
        row = self.conn.execute(
            "SELECT * FROM disposal_proposals WHERE id = ?", (proposal_id,)
        ).fetchone()
        return dict(row) if row else None

    def proposals(self, state: str | None = None) -> list[dict[str, Any]]:
        """Proposals, newest first; only those in ``state`` when given."""
        if not self.has_proposals:
            return []
        where, args = (" WHERE state = ?", [state]) if state else ("", [])
        rows = self.conn.execute(f"SELECT * FROM disposal_proposals{where} ORDER BY id DESC", args)
        return [dict(r) for r in rows]

    def proposal_items(self, proposal_id: int) -> list[dict[str, Any]]:
        """The proposal's documents with their index rows (title and opinion proposed)."""
        rows = self.conn.execute(
            "SELECT d.*, i.seq, i.title, i.opinion FROM disposal_proposal_items i "
            "JOIN documents d ON d.archive_no = i.archive_no WHERE i.proposal_id = ? ORDER BY i.seq",
            (proposal_id,),
        )
        return [dict(r) for r in rows]

    def proposal_of_disposal(self, disposal_id: int) -> dict[str, Any] | None:
        """The approved proposal a disposal batch came from (None: a one-step dispose)."""
        if not self.has_proposals:
            return None
        row = self.conn.execute(
            "SELECT * FROM disposal_proposals WHERE disposal_id = ?", (disposal_id,)
        ).fetchone()
        return dict(row) if row else None

    # ----- arrangement (预归档 → final 件号: archive/arrange.py)
    @staticmethod
    def _next_final(conn: sqlite3.Connection, seq: tuple[int, str, str]) -> int:
        return conn.execute(
            "SELECT COALESCE(MAX(item_no), 0) + 1 FROM documents "
            "WHERE year = ? AND retention = ? AND dept_code = ? AND item_no > 0",
            seq,
        ).fetchone()[0]

    @staticmethod
    def _next_provisional(conn: sqlite3.Connection, seq: tuple[int, str, str]) -> int:
        """The next 预 number of a sequence, as a negative 件号; never handed out twice."""
        row = conn.execute(
            "SELECT last FROM provisional_numbers WHERE year = ? AND retention = ? AND dept_code = ?",
            seq,
        ).fetchone()
        last = (row[0] if row else 0) + 1
        conn.execute(
            "INSERT INTO provisional_numbers (year, retention, dept_code, last) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (year, retention, dept_code) DO UPDATE SET last = excluded.last",
            (*seq, last),
        )
        return -last

    def year_count(self, year: int) -> int:
        return self.conn.execute(
            "SELECT COUNT(*) FROM documents WHERE year = ?", (year,)
        ).fetchone()[0]

    def sealed_year(self, year: int) -> dict[str, Any] | None:
        """When and by whom ``archive arrange`` sealed a 年度, or None."""
        try:
            row = self.conn.execute("SELECT * FROM sealed_years WHERE year = ?", (year,)).fetchone()
        except sqlite3.OperationalError:  # a read-only copy of an index from before arrangement
            return None
        return dict(row) if row else None

    def provisional_documents(self, year: int) -> list[dict[str, Any]]:
        """The 年度's documents that still carry a provisional (预) number, in intake order."""
        rows = self.conn.execute(
            "SELECT * FROM documents WHERE year = ? AND item_no < 0 "
            "ORDER BY retention, dept_code, item_no DESC",
            (year,),
        )
        return [dict(r) for r in rows]

    def restamps_pending(self, year: int) -> list[dict[str, Any]]:
        """Arranged documents whose access copy still shows the provisional number."""
        try:
            rows = self.conn.execute(
                "SELECT d.* FROM restamp_pending p JOIN documents d ON d.archive_no = p.archive_no "
                "WHERE d.year = ? ORDER BY d.retention, d.dept_code, d.item_no",
                (year,),
            ).fetchall()
        except sqlite3.OperationalError:
            return []
        return [dict(r) for r in rows]

    def next_final_numbers(self, year: int) -> dict[tuple[str, str], int]:
        """(保管期限, 机构) → the next final 件号 of that sequence of the 年度."""
        rows = self.conn.execute(
            "SELECT retention, dept_code, COALESCE(MAX(CASE WHEN item_no > 0 THEN item_no END), 0) + 1 "
            "FROM documents WHERE year = ? GROUP BY retention, dept_code",
            (year,),
        )
        return {(r[0], r[1]): r[2] for r in rows}

    def arrange(self, year: int, order: list[str], renumber: Callable[[dict[str, Any], int], str],
                at: str, detail: dict[str, Any]) -> list[tuple[str, str]]:  # fmt: skip
        """Give the 年度's provisional documents their final 件号 in ``order``, seal the
        年度, and record it, in one durable transaction: interrupted, nothing changed.
        Returns (provisional 档号, final 档号) pairs; ArchiveIndexError when the
        provisional documents changed since ``order`` was made, or one is still filing."""
        moves = []
        with self.transaction(durable=True) as conn:
            conn.execute("PRAGMA defer_foreign_keys = ON")  # children follow in this transaction
            rows = {r["archive_no"]: r for r in conn.execute(
                "SELECT * FROM documents WHERE year = ? AND item_no < 0", (year,))}  # fmt: skip
            if sorted(rows) != sorted(order):
                raise ArchiveIndexError(f"{year} 年度的预归档文件在整理期间有变动, 请重新执行 archive arrange "
                                        "(provisional documents changed meanwhile)")  # fmt: skip
            for old in order:
                row = rows[old]
                item_no = self._next_final(conn, (row["year"], row["retention"], row["dept_code"]))
                new = renumber(dict(row), item_no)
                self._renumber(conn, old, new, item_no)
                self._append_event(conn, at, "arranged", new, row["intake_id"], {"from": old, "to": new,
                                   "item_no": item_no, "case_no": row["case_no"], "form_code": row["form_code"]})  # fmt: skip
                moves.append((old, new))
            conn.execute(
                "INSERT INTO sealed_years (year, sealed_at, sealed_by) VALUES (?, ?, ?) "
                "ON CONFLICT (year) DO UPDATE SET sealed_at = excluded.sealed_at, sealed_by = excluded.sealed_by",
                (year, at, str(detail.get("by") or "")),
            )
            summary = {
                **detail,
                "year": year,
                "count": len(moves),
                "moves": [list(m) for m in moves],
            }
            self._append_event(conn, at, "year_arranged", None, None, summary)
        return moves

    @staticmethod
    def _renumber(conn: sqlite3.Connection, old: str, new: str, item_no: int) -> None:
        """One document's 档号 changed everywhere it is a key; its access copy marked for
        re-stamping. The stored files keep their paths (docs/archive.md)."""
        conn.execute(
            "UPDATE documents SET archive_no = ?, item_no = ? WHERE archive_no = ?",
            (new, item_no, old),
        )
        for table in (
            "intake",
            "doc_text",
            "document_text",
            "ocr_queue",
            "versions",
            "disposal_items",
            "disposal_proposal_items",
        ):
            conn.execute(f"UPDATE {table} SET archive_no = ? WHERE archive_no = ?", (new, old))
        conn.execute(
            "UPDATE holds SET target = ? WHERE scope = 'document' AND target = ?", (new, old)
        )
        conn.execute("INSERT OR IGNORE INTO restamp_pending (archive_no) VALUES (?)", (new,))


def _year_clause(year: int | None, *conditions: str) -> tuple[str, list[Any]]:
    parts, args = list(conditions), []
    if year is not None:
        parts.append("d.year = ?")
        args.append(year)
    return ("WHERE " + " AND ".join(parts)) if parts else "", args


def link_problem(row: Any, prev_hash: str, prev_id: int) -> str:
    """Why one event does not follow from the one before, or "" when it does."""
    if row["prev_hash"] != prev_hash:
        before = f"事件 {prev_id}" if prev_id else "链的起点"
        return (f"事件 {row['id']} 记录的前一哈希与{before}的哈希不符: 其间的事件被删除、插入或改写 "
                f"(link from event {prev_id} to {row['id']} broken)")  # fmt: skip
    try:
        detail = json.loads(row["detail"])
    except ValueError:
        detail = None
    event = {"id": row["id"], "time": row["time"], "kind": row["kind"], "archive_no": row["archive_no"],
             "intake_id": row["intake_id"], "detail": detail}  # fmt: skip
    if detail is None or row["hash"] != event_hash(prev_hash, event):
        return f"事件 {row['id']} 的内容与其哈希不符: 该事件被改写 (event {row['id']} was altered)"
    return ""


def _insert_document(conn: Connection, doc: NewDocument, archive_no: str, item_no: int,
                     paths: tuple[str, str], numbered_at: str) -> None:  # fmt: skip
    """The document row, status ``filing`` (``number`` has allocated its 件号)."""
    original_path, access_path = paths
    conn.execute(
        """INSERT INTO documents (archive_no, fonds_no, category_code, year, retention, dept_code,
               item_no, case_no, form_code, form_version, identified_by, pages, size, sha256, sm3,
               pdf_version, signed, signatures, disposal_due, status, original_name, source,
               original_path, access_path, intake_id, numbered_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'filing', ?, ?, ?, ?, ?, ?)""",
        (
            archive_no,
            doc.fonds_no,
            doc.category_code,
            doc.year,
            doc.retention,
            doc.dept_code,
            item_no,
            doc.case_no,
            doc.form_code,
            doc.form_version,
            doc.identified_by,
            doc.pages,
            doc.size,
            doc.sha256,
            doc.sm3,
            doc.pdf_version,
            doc.signed,
            canonical_json(doc.signatures),
            doc.disposal_due,
            doc.original_name,
            doc.source,
            original_path,
            access_path,
            doc.intake_id,
            numbered_at,
        ),
    )
