"""The archive's OCR queue: ``archive ocr`` and the idle turns of ``archive watch``.

Filing never waits for OCR: a filed document is queued (index/ocr.py) and read later,
page by page, from its untouched original (recordkit.ocr): pages with a text layer are
taken as they are, the others are OCRed. The text goes into ``document_text`` for
search. A job left ``running`` by a killed process is queued again on the next drain.
With ``text_layer`` on, the access copy (never the original) gets an invisible text
layer at the OCR boxes, recorded as an ``access_copy_rebuilt`` event.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recordkit.archive.copy_writer import text_layer_wanted, write_access_copy
from recordkit.archive.pool import init_worker, worker_archive
from recordkit.errors import ArchiveError
from recordkit.files import sha256_file
from recordkit.index.ocr import OcrQueue
from recordkit.ocr import PageText, read_pdf
from recordkit.ocr.layer import layout_json
from recordkit.workers import run_bounded, start_pool, stop_pool

if TYPE_CHECKING:
    from recordkit.archive.service import Archive


@dataclass
class OcrDone:
    """One document read: its pages OCRed and those taken from a text layer."""

    archive_no: str
    ocr_pages: int = 0
    text_pages: int = 0  # skipped: the page already has a text layer
    error: str = ""
    final: bool = False  # the error used up the attempts: the job is ``failed``
    text_layer: bool = False  # the access copy got an invisible text layer


@dataclass
class OcrReport:
    """What one ``archive ocr`` did, and what is left in the queue."""

    documents: list[OcrDone] = field(default_factory=list)
    requeued: list[str] = field(default_factory=list)  # left running by a killed process
    queue: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        docs = self.documents
        return {"done": sum(not d.error for d in docs), "failed": sum(bool(d.error) for d in docs),
                "ocr_pages": sum(d.ocr_pages for d in docs), "skipped_pages": sum(d.text_pages for d in docs),
                "requeued": len(self.requeued)}  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {"counts": self.counts(), "queue": self.queue, "requeued": self.requeued,
                "documents": [asdict(d) for d in self.documents]}  # fmt: skip


def prepare(archive: Archive, everything: bool = False) -> tuple[str, list[str]]:
    """Queue what was filed since the last drain (``everything``: all again), and take
    back the jobs of processes that died. Returns when the drain starts (jobs queued
    later, failures among them, wait for the next drain) and the jobs taken back."""
    text_layer_wanted(archive)  # a bad setting is reported before any work
    queue = OcrQueue(archive.index)
    at = _stamp(archive)
    queue.enqueue_filed(at)
    requeued = queue.requeue_orphans(at)
    if everything:
        queue.requeue_all(at)
    return _stamp(archive), requeued


def run_ocr(archive: Archive, everything: bool = False, jobs: int = 1,
            on_document: Callable[[OcrDone], None] | None = None, only: Sequence[str] = ()) -> OcrReport:  # fmt: skip
    """Drain the queue, on ``jobs`` processes (each claims jobs until none is left);
    with ``only``, just those documents (the rest stays queued)."""
    tick = on_document or (lambda d: None)
    report = OcrReport()
    started, report.requeued = prepare(archive, everything)
    if jobs <= 1:
        while (done := ocr_next(archive, started, only)) is not None:
            report.documents.append(done)
            tick(done)
    else:
        assert archive.config.path is not None, "a pool needs the recordkit.toml path"
        archive.close()  # a child must never touch the parent's SQLite connection

        def collect(_item: str, future: Any) -> None:
            for done in future.result():
                report.documents.append(done)
                tick(done)

        # spawn: onnxruntime's threads and a forked SQLite handle do not survive fork.
        pool = start_pool(jobs, init_worker, (type(archive), str(archive.config.path)), spawn=True)
        try:
            run_bounded(pool, drain_in_worker, [(started, tuple(only))] * jobs, jobs, collect)
        finally:
            stop_pool(pool)
    report.queue = OcrQueue(archive.index).states()
    return report


def ocr_next(archive: Archive, started: str, only: Sequence[str] = ()) -> OcrDone | None:
    """Claim and read one document queued by ``started``; None when there is none."""
    queue = OcrQueue(archive.index)
    job = queue.claim(_stamp(archive), started, only)
    if job is None:
        return None
    number = job["archive_no"]
    try:
        pages = _read(archive.layout.abs(job["original_path"]))
        done = OcrDone(
            number, sum(p.source == "ocr" for p in pages), sum(p.source == "pdf" for p in pages)
        )
        if text_layer_wanted(archive) and done.ocr_pages and job["access_path"]:
            done.text_layer = add_text_layer(archive, number, pages)
        queue.finish(
            number, [(p.page, p.text, p.source, layout_json(p)) for p in pages], _stamp(archive)
        )
    except Exception as exc:  # noqa: BLE001 - one unreadable document must not stop the queue
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        final = queue.fail(number, message, _stamp(archive))
        return OcrDone(number, error=message, final=final)
    return done


def _stamp(archive: Archive) -> str:
    """Queue times to the microsecond: a job that fails during a drain is then always
    later than the drain's start, so it waits for the next drain."""
    return archive.now().isoformat(timespec="microseconds")


def add_text_layer(archive: Archive, number: str, pages: list[PageText]) -> bool:
    """Re-stamp the access copy from the original and lay the OCR text over it; the
    original is only read. Logged as ``access_copy_rebuilt`` with the new copy's hash."""
    doc = archive.index.document(number)
    if doc is None or not doc["access_path"]:
        return False
    original = archive.layout.abs(doc["original_path"])
    if sha256_file(original) != doc["sha256"]:
        raise ArchiveError(
            f"{number}: 原件与索引中的校验值不符, 不据此生成文本层; 请运行 recordkit archive verify"
        )
    written = write_access_copy(archive, doc, original, pages)  # the one writer: stamp + layer
    detail = {"access_path": doc["access_path"], "access_sha256": written.sha256, "original_sha256": doc["sha256"],
              "previous_access_sha256": doc.get("access_sha256"), "reason": "ocr_text_layer",
              "ocr_pages": [p.page for p in pages if p.source == "ocr"]}  # fmt: skip
    archive.index.set_access_copy(
        number,
        doc["access_path"],
        written.sha256,
        archive.timestamp(),
        "access_copy_rebuilt",
        detail,
    )
    return True


def _read(original: Path) -> list[PageText]:
    return read_pdf(original)


def drain_in_worker(job: tuple[str, tuple[str, ...]]) -> list[OcrDone]:
    """In a pool worker: claim and read documents until the queue has none left."""
    started, only = job
    archive = worker_archive()
    results = []
    while (done := ocr_next(archive, started, only)) is not None:
        results.append(done)
    return results


IDLE_RECHECK_SECONDS = 10.0  # an empty queue is looked at again after this long


def idle_turn(archive: Archive, state: dict[str, Any]) -> OcrDone | None:
    """One document for ``archive watch`` when nothing waits in the inbox. Newly filed
    documents are queued (and dead processes' jobs taken back) when the queue ran dry,
    at most every ``IDLE_RECHECK_SECONDS``, so an idle watcher does not write the index
    in a loop."""
    now = time.monotonic()
    if state.get("empty_until", 0.0) > now:
        return None
    if not state.get("started"):
        state["started"] = prepare(archive)[0]
    done = ocr_next(archive, state["started"])
    if done is None:
        state["started"] = None
        state["empty_until"] = now + IDLE_RECHECK_SECONDS
    return done


def worker_count() -> int:
    return max(1, min(2, os.cpu_count() or 1))
