"""The one process-pool helper: ``archive ingest --jobs``, the watcher and parallel form
batches all run their workers through it.

What they share: each worker builds its own heavy object once (an initializer), ignores
the stop signals (the parent decides when to stop and lets workers finish the item in
hand: a signal in a worker would cut a file in half), work is handed out a few items
ahead so Ctrl-C waits only for what workers hold, results are collected as they finish,
and on Ctrl-C nothing more is handed out, what workers hold is collected, and the
interrupt goes on up.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

T = TypeVar("T")
Done = Callable[[T, Future[Any]], None]

AHEAD = 2  # items handed out per worker before results come back


def _start_worker(
    initializer: Callable[..., None], initargs: tuple[Any, ...], ignore_term: bool
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if ignore_term and hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    initializer(*initargs)


def start_pool(jobs: int, initializer: Callable[..., None], initargs: tuple[Any, ...], *,
               spawn: bool = False, ignore_term: bool = True) -> ProcessPoolExecutor:  # fmt: skip
    """A pool of ``jobs`` workers, each set up by ``initializer(*initargs)`` with the stop
    signals ignored (SIGINT always; SIGTERM too unless ``ignore_term`` is False).

    ``spawn``: start workers fresh rather than forked (a parent running threads, like the
    watcher's observer, can deadlock a fork)."""
    context = multiprocessing.get_context("spawn") if spawn else None
    return ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                               initargs=(initializer, initargs, ignore_term))  # fmt: skip


def run_bounded(pool: ProcessPoolExecutor, fn: Callable[[T], Any], items: Iterable[T], jobs: int,
                on_done: Done[T], on_held: Done[T] | None = None) -> None:  # fmt: skip
    """``fn(item)`` for every item on ``pool``, at most ``AHEAD * jobs`` in flight;
    ``on_done(item, future)`` as each finishes, in the parent.

    On KeyboardInterrupt: hand out nothing more, let workers finish what they hold,
    give each of those to ``on_held`` (or ``on_done``), then re-raise."""
    queue = iter(items)
    pending: dict[Future[Any], T] = {}

    def submit(count: int) -> None:
        for _ in range(count):
            item = next(queue, _END)
            if item is _END:
                return
            pending[pool.submit(fn, item)] = item

    try:
        submit(jobs * AHEAD)
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                on_done(pending.pop(future), future)
                submit(1)
    except KeyboardInterrupt:
        _collect_held(pending, on_held or on_done)
        raise


_END: Any = object()


def _collect_held(pending: dict[Future[Any], T], on_held: Done[T]) -> None:
    for future, item in pending.items():
        if future.cancel():
            continue  # never started: the item is untouched
        try:
            on_held(item, future)
        except Exception:  # noqa: BLE001 - a worker that died is reported by its absence
            pass


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Clean shutdown: workers finish the items they hold; queued ones are cancelled
    (their futures report ``cancelled()``, the items stay untouched)."""
    pool.shutdown(wait=True, cancel_futures=True)
