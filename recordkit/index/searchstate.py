"""What the full-text search index holds: one row per indexed document with its stamp.

The search index (recordkit/search/) is derived from ``index.sqlite``; this small
database beside it records which document was indexed at which stamp, so a later sync
adds what is missing (a crash between filing and indexing) and drops what was disposed,
without reading the search index itself. It is written after the search index commits:
a crash in between only makes the next sync add the same documents again, which the
search index treats as a replacement (delete by 档号, then add).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from recordkit.errors import SearchIndexError
from recordkit.index import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS indexed (
    archive_no TEXT PRIMARY KEY,
    stamp TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class SearchState:
    """The stamps of the indexed documents and a few settings (schema version, fingerprint)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.conn = connect(self.path, SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def get(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set(self, key: str, value: str) -> None:
        self._write("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [(key, value)])

    def stamps(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT archive_no, stamp FROM indexed")}

    def put(self, stamps: Iterable[tuple[str, str]]) -> None:
        self._write(
            "INSERT OR REPLACE INTO indexed (archive_no, stamp) VALUES (?, ?)", list(stamps)
        )

    def drop(self, archive_nos: Iterable[str]) -> None:
        self._write("DELETE FROM indexed WHERE archive_no = ?", [(a,) for a in archive_nos])

    def clear(self) -> None:
        self._write("DELETE FROM indexed", [()])
        self._write("DELETE FROM meta", [()])

    def _write(self, sql: str, rows: list[tuple[str, ...]]) -> None:
        try:
            with self.conn:
                self.conn.execute("BEGIN IMMEDIATE")
                self.conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise SearchIndexError(f"{self.path}: 检索索引状态无法写入 ({exc})") from exc
