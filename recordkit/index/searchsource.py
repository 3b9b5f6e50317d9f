"""What the search index is built from, read out of ``index.sqlite`` (the source of truth).

Kept apart from index/archive.py so that the search integration stays a few lines there.
"""

from __future__ import annotations

import sqlite3
from typing import Any

SEARCHABLE = "filed"  # documents still filing, being destroyed or destroyed are not searched


def fingerprint(conn: sqlite3.Connection) -> str:
    """Moves whenever a document is filed, changed or disposed: each of those appends an
    event to the hash chain, so its head says enough (and costs one index look-up)."""
    head = conn.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
    return f"{head[0]}:{head[1]}" if head else "0:"


def stamps(conn: sqlite3.Connection) -> dict[str, str]:
    """档号 -> what, when changed, means the document must be indexed again."""
    rows = conn.execute(
        "SELECT archive_no, filed_at, COALESCE(access_sha256, '') FROM documents WHERE status = ? "
        "ORDER BY year, retention, dept_code, item_no", (SEARCHABLE,))  # fmt: skip
    return {r[0]: stamp(r[1], r[2]) for r in rows}


def stamp(filed_at: str | None, access_sha256: str | None) -> str:
    return f"{filed_at or ''}|{access_sha256 or ''}"


def rows(conn: sqlite3.Connection, archive_nos: list[str]) -> list[dict[str, Any]]:
    """The document rows with their text (text layer or OCR), in the order asked."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(archive_nos), 500):  # SQLite's host-parameter limit
        chunk = archive_nos[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT * FROM documents WHERE archive_no IN ({marks})", chunk):
            found[row["archive_no"]] = dict(row, text="")
        for row in conn.execute(f"SELECT archive_no, text FROM doc_text WHERE archive_no IN ({marks})", chunk):
            if row[0] in found:
                found[row[0]]["text"] += row[1]
    return [found[a] for a in archive_nos if a in found]
