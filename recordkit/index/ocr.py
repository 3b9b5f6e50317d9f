"""The OCR queue and the page text of each document, in the archive's index.

``ocr_queue`` holds one row per filed document: ``queued`` → ``running`` → ``done`` (or
``failed`` after ``MAX_ATTEMPTS``). A job is claimed in a ``BEGIN IMMEDIATE``
transaction, so two processes never take the same one; the claimer's process id is
kept, so a job left ``running`` by a killed process is queued again on the next drain.
On PostgreSQL, where the claimer may be on another host and its process id means
nothing here, the claimer also holds a session advisory lock on the job until it
finishes; a ``running`` job whose lock nobody holds was left by a dead process (the
server drops a dead connection's locks), whichever host it ran on.
``document_text`` holds every page's text with where it came from ('ocr' | 'pdf'), for
the search engine to index.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from recordkit.index.backend import PgConnection, hold_lock, lock_held_elsewhere, release_lock

if TYPE_CHECKING:
    from recordkit.index.archive import ArchiveIndex

MAX_ATTEMPTS = 3

SCHEMA = """
CREATE TABLE IF NOT EXISTS ocr_queue (
    archive_no TEXT PRIMARY KEY REFERENCES documents(archive_no),
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    owner INTEGER,                    -- process id of the claimer while running
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ocr_queue_state ON ocr_queue(state);
CREATE TABLE IF NOT EXISTS document_text (
    archive_no TEXT NOT NULL REFERENCES documents(archive_no),
    page INTEGER NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('ocr', 'pdf')),
    PRIMARY KEY (archive_no, page)
);
-- Bumped whenever a document's OCR text is stored: one row the search index reads to
-- know that text arrived, without scanning the queue on every search.
CREATE TABLE IF NOT EXISTS ocr_generation (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT OR IGNORE INTO ocr_generation (id, n) VALUES (1, 0);
"""


class OcrQueue:
    """The queue's SQL, on the connection of one ``ArchiveIndex``."""

    def __init__(self, index: ArchiveIndex) -> None:
        self.index = index  # whose schema includes SCHEMA above

    def enqueue_filed(self, at: str) -> int:
        """Queue every filed document that has no queue row yet (those filed since the
        last drain, and any older archive's); returns how many were added."""
        with self.index.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO ocr_queue (archive_no, state, updated_at) SELECT archive_no, 'queued', ? "
                "FROM documents d WHERE status = 'filed' AND NOT EXISTS "
                "(SELECT 1 FROM ocr_queue q WHERE q.archive_no = d.archive_no)", (at,))  # fmt: skip
            return cursor.rowcount

    def requeue_all(self, at: str) -> None:
        """``archive ocr --all``: every filed document is read again."""
        with self.index.transaction() as conn:
            conn.execute("UPDATE ocr_queue SET state = 'queued', attempts = 0, error = NULL, owner = NULL, "
                         "updated_at = ? WHERE state != 'running'", (at,))  # fmt: skip

    def requeue_orphans(self, at: str, alive: Any = None) -> list[str]:
        """Jobs left ``running`` by a process that no longer exists go back to the queue."""
        alive = alive or _process_alive
        with self.index.transaction() as conn:
            rows = conn.execute(
                "SELECT archive_no, owner FROM ocr_queue WHERE state = 'running'"
            ).fetchall()
            orphans = [r["archive_no"] for r in rows if not self._claimer_alive(r, alive)]
            # A document that kills its reader every time (out of memory, say) stops after
            # MAX_ATTEMPTS like any other failure.
            conn.executemany(
                "UPDATE ocr_queue SET state = CASE WHEN attempts >= ? THEN 'failed' ELSE 'queued' END, "
                "error = '识别进程中断 (the OCR process was killed)', owner = NULL, updated_at = ? "
                "WHERE archive_no = ?", [(MAX_ATTEMPTS, at, no) for no in orphans])  # fmt: skip
        return orphans

    def claim(self, at: str, queued_by: str) -> dict[str, Any] | None:
        """The next job queued at or before ``queued_by``, now ``running`` for this process;
        None when none is left (a job that failed during this drain waits for the next)."""
        with self.index.transaction() as conn:
            row = conn.execute(
                "SELECT q.archive_no, q.attempts, d.original_path, d.access_path, d.status FROM ocr_queue q "
                "JOIN documents d USING (archive_no) WHERE q.state = 'queued' AND d.status = 'filed' "
                "AND q.updated_at <= ? ORDER BY q.updated_at, q.archive_no LIMIT 1", (queued_by,)).fetchone()  # fmt: skip
            if row is None:
                return None
            conn.execute("UPDATE ocr_queue SET state = 'running', attempts = attempts + 1, owner = ?, "
                         "updated_at = ? WHERE archive_no = ?", (os.getpid(), at, row["archive_no"]))  # fmt: skip
            if self.shared:  # before the commit: never seen running without its lock
                hold_lock(conn, _job_lock(row["archive_no"]))
            return dict(row)

    @property
    def shared(self) -> bool:
        """The queue is in PostgreSQL: its claimers may be on other hosts."""
        return isinstance(self.index.conn, PgConnection)

    def _claimer_alive(self, row: Any, alive: Any) -> bool:
        if self.shared:
            return lock_held_elsewhere(self.index.conn, _job_lock(row["archive_no"]))
        return bool(alive(row["owner"]))

    def _release(self, archive_no: str) -> None:
        if self.shared:
            release_lock(self.index.conn, _job_lock(archive_no))

    def finish(self, archive_no: str, pages: Iterable[tuple[int, str, str]], at: str) -> None:
        """Store the pages' (page, text, source) and mark the job done, in one transaction."""
        with self.index.transaction() as conn:
            conn.execute("DELETE FROM document_text WHERE archive_no = ?", (archive_no,))
            conn.executemany("INSERT INTO document_text (archive_no, page, text, source) VALUES (?, ?, ?, ?)",
                             [(archive_no, *page) for page in pages])  # fmt: skip
            conn.execute("UPDATE ocr_queue SET state = 'done', error = NULL, owner = NULL, updated_at = ? "
                         "WHERE archive_no = ?", (at, archive_no))  # fmt: skip
            conn.execute("UPDATE ocr_generation SET n = n + 1 WHERE id = 1")
        self._release(archive_no)

    def fail(self, archive_no: str, error: str, at: str) -> bool:
        """Record a failure; the job is tried again until ``MAX_ATTEMPTS``. True if final."""
        with self.index.transaction() as conn:
            conn.execute(
                "UPDATE ocr_queue SET state = CASE WHEN attempts >= ? THEN 'failed' ELSE 'queued' END, "
                "error = ?, owner = NULL, updated_at = ? WHERE archive_no = ?",
                (MAX_ATTEMPTS, error[:1000], at, archive_no))  # fmt: skip
            row = conn.execute(
                "SELECT state FROM ocr_queue WHERE archive_no = ?", (archive_no,)
            ).fetchone()
        self._release(archive_no)
        return row is not None and row["state"] == "failed"

    def states(self) -> dict[str, int]:
        rows = self.index.conn.execute("SELECT state, COUNT(*) AS n FROM ocr_queue GROUP BY state")
        return {r["state"]: r["n"] for r in rows}

    def job(self, archive_no: str) -> dict[str, Any] | None:
        row = self.index.conn.execute(
            "SELECT * FROM ocr_queue WHERE archive_no = ?", (archive_no,)
        ).fetchone()
        return dict(row) if row else None

    def pages(self, archive_no: str) -> list[dict[str, Any]]:
        rows = self.index.conn.execute(
            "SELECT page, text, source FROM document_text WHERE archive_no = ? ORDER BY page",
            (archive_no,),
        )
        return [dict(r) for r in rows]


def _job_lock(archive_no: str) -> str:
    return f"ocr:{archive_no}"


def _process_alive(pid: int | None) -> bool:
    if not pid:
        return False
    if pid == os.getpid():
        return False  # this process is draining now, so whatever it left running is stale
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
