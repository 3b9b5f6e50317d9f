"""A cache of parsed and validated case files, so scanning 10,000 cases stays fast.

An entry is reused only while the file's modification time (ns) and size are unchanged
and the validation context (the profile's rules) is the same; anything else re-reads
the file. Dates are stored as the text YAML would print, which every reader accepts.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .backend import open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    path TEXT PRIMARY KEY,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    context TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    data TEXT NOT NULL,
    problems TEXT NOT NULL
);
"""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


class CaseCache:
    def __init__(self, path: Path, url: str | None = None) -> None:
        """The SQLite file at ``path``, or the ``casecache`` schema of the PostgreSQL
        database at ``url`` (entries are keyed by absolute path, so working folders
        sharing one database never collide)."""
        self.conn = open_database(url or path, SCHEMA, "casecache")

    def get(
        self, path: Path, mtime_ns: int, size: int, context: str
    ) -> tuple[str, dict[str, Any], list[list[str]]] | None:
        row = self.conn.execute(
            "SELECT sha256, data, problems FROM cases WHERE path = ? AND mtime_ns = ? AND size = ? AND context = ?",
            (str(path), mtime_ns, size, context),
        ).fetchone()
        if row is None:
            return None
        return row["sha256"], json.loads(row["data"]), json.loads(row["problems"])

    def put(
        self,
        path: Path,
        mtime_ns: int,
        size: int,
        context: str,
        sha256: str,
        data: dict[str, Any],
        problems: list[list[str]],
    ) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO cases VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                str(path),
                mtime_ns,
                size,
                context,
                sha256,
                json.dumps(data, ensure_ascii=False, default=_plain),
                json.dumps(problems, ensure_ascii=False),
            ),
        )

    def close(self) -> None:
        self.conn.close()
