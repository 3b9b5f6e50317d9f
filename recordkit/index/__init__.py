"""SQLite storage: the only package that imports sqlite3.

``connect`` opens a database with the settings every recordkit database uses (WAL for
concurrent readers, a busy timeout so two processes wait for each other instead of
failing, foreign keys on) and applies the schema given.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import RecordkitError


def connect(path: Path, schema: str) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(path), timeout=60, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.executescript(schema)
    except sqlite3.DatabaseError as exc:
        raise RecordkitError(f"{path}: 数据库无法打开 ({exc})") from None
    return conn


def connect_read_only(path: Path) -> sqlite3.Connection:
    """Open an existing database this process may not write: an auditor's read-only
    copy, where even WAL's shared-memory file cannot be created. ``mode=ro`` reads the
    WAL when its files are there; ``immutable`` is only safe without a pending WAL, so
    it is tried only then."""
    uri = Path(path).resolve().as_uri()
    wal = path.with_name(path.name + "-wal")
    modes = ["mode=ro"] + ([] if wal.exists() and wal.stat().st_size else ["immutable=1"])
    problem: Exception | None = None
    for mode in modes:
        try:
            conn = sqlite3.connect(f"{uri}?{mode}", uri=True, timeout=60, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.DatabaseError as exc:
            problem = exc
    raise RecordkitError(f"{path}: 数据库无法以只读方式打开 ({problem})") from None


def is_read_only_error(exc: BaseException) -> bool:
    """The database (or its folder) cannot be written, as opposed to busy or broken."""
    while exc is not None:
        if isinstance(exc, sqlite3.OperationalError):
            code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
            return code in (8, 14)  # SQLITE_READONLY, SQLITE_CANTOPEN
        exc = exc.__cause__  # type: ignore[assignment]
    return False
