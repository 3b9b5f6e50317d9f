"""What the full-text search index holds: one row per indexed document with its stamp.

The search index (recordkit/search/) is derived from ``index.sqlite``; this small
database beside it records which document was indexed at which stamp, so a later sync
adds what is missing (a crash between filing and indexing) and drops what was disposed,
without reading the search index itself. It is written after the search index commits:
a crash in between only makes the next sync add the same documents again, which the
search index treats as a replacement (delete by 档号, then add).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from pathlib import Path

from recordkit.errors import SearchIndexError
from recordkit.index.backend import DB_ERRORS, PgConnection, open_database, redact, session_lock

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

    def __init__(self, path: Path, url: str | None = None) -> None:
        """The SQLite file at ``path``, or the ``search`` schema of the PostgreSQL
        database at ``url`` (every node then sees which documents the shared index holds)."""
        self.path = Path(path)
        self.where = redact(url) if url else str(self.path)
        self.conn = open_database(url or self.path, SCHEMA, "search")

    def close(self) -> None:
        self.conn.close()

    @property
    def shared(self) -> bool:
        """In PostgreSQL: the writer's lock is the database's, not a file's."""
        return isinstance(self.conn, PgConnection)

    def writer_lock(self, timeout: float) -> AbstractContextManager[None]:
        """The one search-index writer of every node sharing this database."""
        return session_lock(self.conn, "search:writer", timeout)

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
        except DB_ERRORS as exc:
            raise SearchIndexError(f"{self.where}: 检索索引状态无法写入 ({exc})") from exc
