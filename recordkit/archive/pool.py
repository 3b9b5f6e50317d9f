"""The archive's process-pool workers, shared by ``archive ingest --jobs`` and the watcher.

Each worker process (started by ``recordkit.workers``) builds its own ``Archive`` (the class is passed in, so this module
does not import the service that imports it) and ingests the files it is handed."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from recordkit.archive.settings import ERROR
from recordkit.archive.steps import IngestResult
from recordkit.config import Config, load_config

_WORKER: Any = None  # this process's Archive


def error_result(source: Path, label: str, exc: BaseException) -> IngestResult:
    message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    return IngestResult(intake_id="", original_name=source.name, source=label, outcome=ERROR,
                        destination="work/", reason=f"{message} (文件保留在 work/ 或原处, 下次启动时重试)")  # fmt: skip


def future_result(
    future: Future[IngestResult | None], source: tuple[Path, str]
) -> IngestResult | None:
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a worker that died: the file is in work/ or still in place
        return error_result(source[0], source[1], exc)


def init_worker(make_archive: Callable[[Config], Any], config_path: str) -> None:
    """Worker set-up (run through ``recordkit.workers.start_pool``, which also makes the
    worker ignore Ctrl-C and SIGTERM)."""
    global _WORKER
    _WORKER = make_archive(load_config(Path(config_path)))


def worker_archive() -> Any:
    """This worker process's Archive (set up by ``init_worker``)."""
    assert _WORKER is not None, "init_worker has not run in this process"
    return _WORKER


def work(source: tuple[Path, str]) -> IngestResult | None:
    """Claim and process one (path, label) in this worker."""
    assert _WORKER is not None
    return _WORKER.take(source[0], source[1])
