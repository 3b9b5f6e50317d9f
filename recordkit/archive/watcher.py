"""The inbox watcher behind ``recordkit archive watch``: the only module importing watchdog.

Filesystem events only say *where to look*; whether a file is finished is decided by
the pure ``StabilityTracker`` from repeated stat calls (size and mtime unchanged for
``stability_seconds``). Events are not trusted to be complete — network shares and
some editors drop or merge them, and nothing arrives for files that came while the
watcher was stopped — so a scan at start-up and a periodic rescan (``rescan_seconds``)
feed the same tracker. The rescan also resumes claims a crashed ingester left in
``work/``.

Stopping (Ctrl-C, SIGTERM, or the ``stop`` event) never cuts a file in half: the file
in hand is finished (with ``--jobs``, every worker finishes its file), then the loop
exits. A second Ctrl-C stops at once; recovery finishes the file on the next start.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from recordkit.archive.pool import future_result, init_worker, work
from recordkit.archive.stability import StabilityTracker, is_ignored
from recordkit.archive.steps import IngestResult
from recordkit.workers import start_pool, stop_pool

if TYPE_CHECKING:
    from recordkit.archive.service import Archive

POLL_SECONDS = 0.1


class _Hints(FileSystemEventHandler):
    """Collects the paths events mention; the watcher loop decides what they mean."""

    def __init__(self, wake: threading.Event) -> None:
        self._lock = threading.Lock()
        self._paths: set[str] = set()
        self.rescan = False
        self._wake = wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        with self._lock:
            if event.is_directory:
                # A folder moved or copied in: its files may bring no events of their own.
                self.rescan = self.rescan or event.event_type in ("created", "moved")
            else:
                for attr in ("src_path", "dest_path"):
                    value = getattr(event, attr, "")
                    if value:
                        self._paths.add(value if isinstance(value, str) else value.decode())
        self._wake.set()

    def take(self) -> tuple[set[str], bool]:
        with self._lock:
            paths, rescan = self._paths, self.rescan
            self._paths, self.rescan = set(), False
        return paths, rescan


class InboxWatcher:
    """Feeds stable inbox files to the archive's pipeline until stopped."""

    def __init__(
        self,
        archive: Archive,
        jobs: int = 1,
        on_result: Callable[[IngestResult], None] | None = None,
        on_event: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_idle: Callable[[], object] | None = None,
    ) -> None:
        self.archive = archive
        self.on_idle = on_idle  # work for quiet moments: the OCR queue (archive/ocr_queue.py)
        self.jobs = max(1, jobs)
        self.on_result = on_result or (lambda r: None)
        self.on_event = on_event or (lambda m: None)
        self.clock = clock
        settings = archive.settings
        self.tracker = StabilityTracker(settings.stability_seconds, settings.empty_file_seconds)
        self.rescan_seconds = settings.rescan_seconds
        self.inbox = archive.layout.inbox
        self._candidates: dict[str, Path] = {}
        self._in_flight: dict[Future[IngestResult | None], tuple[Path, str]] = {}
        self._wake = threading.Event()
        self._told: set[str] = set()  # skipped inbox entries already reported

    # ----- the loop
    def run(self, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()
        self.archive.layout.ensure()
        with _stop_on_signals(stop, self._wake):
            pool = self._start_pool()
            observer = self._start_observer()
            try:
                self._loop(stop, pool)
            finally:
                if observer is not None:
                    _stop_quietly(observer)
                if pool is not None:
                    # Workers finish the files they hold; queued ones stay in the inbox.
                    stop_pool(pool)
                    self._collect(block=True)

    def _loop(self, stop: threading.Event, pool: ProcessPoolExecutor | None) -> None:
        self._report_all(self.archive.recover())
        self._rescan()
        next_rescan = self.clock() + self.rescan_seconds
        self.on_event(
            f"正在监视 {self.inbox} (稳定等待 {self.archive.settings.stability_seconds:g} 秒); Ctrl-C 停止"
        )
        while not stop.is_set():
            try:
                hinted, folder_arrived = self._hints.take()
                for raw in hinted:
                    self._consider(Path(raw))
                if folder_arrived or self.clock() >= next_rescan:
                    self._rescan()
                    if not self._in_flight:
                        self._report_all(self.archive.recover())
                    next_rescan = self.clock() + self.rescan_seconds
                for path in self._ready():
                    if stop.is_set():
                        break
                    self._dispatch(path, pool)
                self._collect(block=False)
                if (
                    self.on_idle is not None
                    and not self._in_flight
                    and not self._candidates
                    and not stop.is_set()
                ):
                    self.on_idle()
            except Exception as exc:  # noqa: BLE001 - the watcher outlives any one problem
                self.on_event(f"监视出错, 稍后重试: {getattr(exc, 'message', None) or exc!r}")
                stop.wait(1.0)
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()

    # ----- where files come from
    def _start_observer(self) -> Observer | None:
        self._hints = _Hints(self._wake)
        observer = Observer()
        try:
            observer.schedule(self._hints, str(self.inbox), recursive=True)
            observer.start()
        except Exception as exc:  # noqa: BLE001 - e.g. the inotify watch limit: rescans still work
            self.on_event(f"无法监听文件事件 ({exc}); 改为每 1 秒扫描一次 inbox/")
            self.rescan_seconds = min(self.rescan_seconds, 1.0)
            return None
        return observer

    def _consider(self, path: Path) -> None:
        try:
            rel = path.relative_to(self.inbox)
        except ValueError:
            return
        if path.is_symlink() or not is_ignored(rel):  # symlinks are taken to be refused
            self._candidates.setdefault(str(path), path)

    def _rescan(self) -> None:
        present, skipped = self.archive.inbox_files()
        for path in present:
            self._consider(path)
        for entry in skipped:
            if entry.file not in self._told:
                self.on_event(f"未接收 (not taken): inbox/{entry.file}  {entry.reason}")
        self._told = {entry.file for entry in skipped}
        self.tracker.retain_only({str(p) for p in present} | set(self._candidates))

    def _ready(self) -> list[Path]:
        """Candidates whose size and mtime have settled, oldest first."""
        now = self.clock()
        busy = {str(p) for p, _ in self._in_flight.values()}
        ready = []
        for key, path in list(self._candidates.items()):
            if key in busy:
                continue
            try:
                st = path.lstat()  # a symlink is judged (and refused) as itself
            except OSError:
                del self._candidates[key]
                self.tracker.forget(key)
                continue
            if self.tracker.observe(key, st.st_size, st.st_mtime, now):
                ready.append(path)
        return ready

    # ----- processing
    def _start_pool(self) -> ProcessPoolExecutor | None:
        if self.jobs <= 1:
            return None
        assert self.archive.config.path is not None
        # spawn: the observer's threads run while workers are (re)started, and forking a
        # threaded process can deadlock.
        return start_pool(
            self.jobs, init_worker, (type(self.archive), str(self.archive.config.path)), spawn=True
        )

    def _dispatch(self, path: Path, pool: ProcessPoolExecutor | None) -> None:
        key = str(path)
        self._candidates.pop(key, None)
        self.tracker.forget(key)
        label = self.archive.label(path)
        if pool is None:
            result = self.archive.take(path, label)
            if result is not None:
                self.on_result(result)
            return
        self._in_flight[pool.submit(work, (path, label))] = (path, label)

    def _collect(self, block: bool) -> None:
        for future in list(self._in_flight):
            if block or future.done():
                source = self._in_flight.pop(future)
                if future.cancelled():
                    continue  # never started: the file is still in the inbox
                result = future_result(future, source)
                if result is not None:
                    self.on_result(result)

    def _report_all(self, results: list[IngestResult]) -> None:
        for result in results:
            self.on_result(result)


def _stop_quietly(observer: Observer) -> None:
    """Stop the observer; watchdog logs a spurious error when an event races the stop."""
    logger = logging.getLogger("watchdog")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        observer.stop()
        observer.join(timeout=5)
    finally:
        logger.setLevel(level)


@contextmanager
def _stop_on_signals(stop: threading.Event, wake: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM ask the loop to stop after the file in hand; a second Ctrl-C
    stops at once. Only the main thread may set handlers (a test runs us in a thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def request_stop(signum: int, frame: object) -> None:
        if signum == signal.SIGINT and stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        wake.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in _stop_signals()}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop_signals() -> list[signal.Signals]:
    sigs = [signal.SIGINT]
    if hasattr(signal, "SIGTERM"):
        sigs.append(signal.SIGTERM)
    return sigs
