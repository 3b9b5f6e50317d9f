"""Long work started from a page (regenerating after a template revision): one job at a
time in a background thread of the server process, its progress recorded for a small
status view that htmx polls. The work itself is a library call; this module only runs it
and remembers how far it got.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from recordkit.errors import LockedError, RecordkitError

log = logging.getLogger("recordkit.web")

RUNNING, DONE, FAILED = "running", "done", "failed"


@dataclass
class Job:
    id: int
    title: str
    user: str
    state: str = RUNNING
    total: int = 0
    done: int = 0
    result: Any = None
    error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def percent(self) -> int:
        return (
            100 if self.state != RUNNING else (self.done * 100 // self.total if self.total else 0)
        )

    @property
    def finished(self) -> bool:
        return self.state != RUNNING

    @contextmanager
    def progress(self, total: int) -> Iterator[Callable[[int], None]]:
        """A ``Progress`` for the library: opened with the number of steps, fed increments."""
        with self.lock:
            self.total, self.done = total, 0

        def update(steps: int) -> None:
            with self.lock:
                self.done = min(self.total, self.done + steps)

        yield update


_LOCK = threading.Lock()
_IDS = itertools.count(1)
_JOBS: dict[int, Job] = {}
_THREADS: dict[int, threading.Thread] = {}
KEEP = 20  # finished jobs remembered for their status page


def current() -> Job | None:
    """The running job, if any."""
    with _LOCK:
        return next((j for j in _JOBS.values() if not j.finished), None)


def get(job_id: int) -> Job | None:
    with _LOCK:
        return _JOBS.get(job_id)


def _run(job: Job, work: Callable[[Job], Any]) -> None:
    try:
        job.result = work(job)
        job.state = DONE
    except RecordkitError as exc:
        job.error, job.state = exc.message, FAILED
    except Exception as exc:  # a bug must not leave the job "running" forever
        log.exception("job %s failed", job.id)
        job.error, job.state = f"内部错误 ({type(exc).__name__}), 详见服务器日志", FAILED


def start(title: str, user: str, work: Callable[[Job], Any]) -> Job:
    """Run ``work(job)`` in a background thread; LockedError while another job runs."""
    with _LOCK:
        running = next((j for j in _JOBS.values() if not j.finished), None)
        if running is not None:
            raise LockedError(
                f"已有任务正在运行: {running.title} ({running.user}), 请等它结束后再试 (one job at a time)"
            )
        job = Job(next(_IDS), title, user)
        _JOBS[job.id] = job
        for old in sorted(_JOBS)[:-KEEP]:
            _JOBS.pop(old, None)
            _THREADS.pop(old, None)
        thread = threading.Thread(
            target=_run, args=(job, work), name=f"recordkit-job-{job.id}", daemon=True
        )
        _THREADS[job.id] = thread
    thread.start()
    return job


def wait(job_id: int, timeout: float | None = None) -> None:
    """Block until a job's thread ends (tests, and a server shutting down)."""
    thread = _THREADS.get(job_id)
    if thread is not None:
        thread.join(timeout)
