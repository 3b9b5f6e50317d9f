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
