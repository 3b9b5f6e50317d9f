"""What the search index is built from, read out of ``index.sqlite`` (the source of truth).

Kept apart from index/archive.py so that the search integration stays a few lines there.
"""

from __future__ import annotations

import sqlite3
from typing import Any

SEARCHABLE = "filed"  # documents still filing, being destroyed or destroyed are not searched


def fingerprint(conn: sqlite3.Connection) -> str:
    """Moves whenever a document is filed, changed or disposed (each appends an event to
    the hash chain, so its head says enough) or its OCR text arrives (the OCR queue)."""
    head = conn.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
    try:
        ocr = conn.execute("SELECT n FROM ocr_generation WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # a read-only copy of an index older than the OCR queue
        ocr = None
    return (f"{head[0]}:{head[1]}" if head else "0:") + f"|ocr {ocr[0] if ocr else 0}"


def stamps(conn: sqlite3.Connection) -> dict[str, str]:
    """档号 -> what, when changed, means the document must be indexed again."""
    rows = conn.execute(
        "SELECT d.archive_no, d.filed_at, COALESCE(d.access_sha256, ''), COALESCE(q.updated_at, '') "
        "FROM documents d LEFT JOIN ocr_queue q ON q.archive_no = d.archive_no AND q.state = 'done' "
        "WHERE d.status = ? ORDER BY d.year, d.retention, d.dept_code, d.item_no", (SEARCHABLE,))  # fmt: skip
    return {r[0]: stamp(r[1], r[2], r[3]) for r in rows}


def stamp(filed_at: str | None, access_sha256: str | None, ocr_at: str | None = None) -> str:
    """A document's version for the search index: filing, its access copy, its OCR text."""
    return f"{filed_at or ''}|{access_sha256 or ''}|{ocr_at or ''}"


def rows(conn: sqlite3.Connection, archive_nos: list[str]) -> list[dict[str, Any]]:
    """The document rows with their text (text layer or OCR), in the order asked."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(archive_nos), 500):  # SQLite's host-parameter limit
        chunk = archive_nos[start : start + 500]
        marks = ",".join("?" * len(chunk))
        query = (
            f"SELECT d.*, q.updated_at AS ocr_at FROM documents d LEFT JOIN ocr_queue q "
            f"ON q.archive_no = d.archive_no AND q.state = 'done' WHERE d.archive_no IN ({marks})"
        )
        for row in conn.execute(query, chunk):
            found[row["archive_no"]] = dict(row, text="")
        for row in conn.execute(
            f"SELECT archive_no, text FROM doc_text WHERE archive_no IN ({marks})", chunk
        ):
            if row[0] in found:
                found[row[0]]["text"] += row[1]
        ocr = f"SELECT archive_no, text FROM document_text WHERE source = 'ocr' AND archive_no IN ({marks}) ORDER BY page"
        for row in conn.execute(ocr, chunk):  # pages OCRed after filing (the OCR queue)
            if row[0] in found:
                found[row[0]]["text"] += "\n" + row[1]
    return [found[a] for a in archive_nos if a in found]
