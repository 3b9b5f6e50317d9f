"""Parallel batches: the same fill work spread over processes.

Each worker process builds one Generator for the working folder, so every template is
compiled once per process, then fills chunks of (form, case file) jobs and returns the
manifest rows; the parent records them. Workers ignore SIGINT: on Ctrl-C the parent
stops handing out chunks, lets the chunks in hand finish (each file is written
atomically, so none is partial), records what finished, and re-raises.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from recordkit.config import load_config
from recordkit.errors import EditedOutputError, RecordkitError
from recordkit.forms.generator import (
    BatchResult,
    Failure,
    Generator,
    Job,
    Output,
    Skipped,
    make_generator,
)
from recordkit.index.manifest import OutputRecord
from recordkit.workers import run_bounded, start_pool

CHUNK = 32  # small enough that Ctrl-C waits only for ~50 ms of work per worker
SERIAL_BELOW = 48  # smaller batches are faster in-process than starting workers


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


_WORKER: Generator | None = None


def _init_worker(config_path: str) -> None:
    global _WORKER
    _WORKER = make_generator(load_config(Path(config_path)))


Part = tuple[list[Output], list[OutputRecord], list[Failure], list[Skipped]]


def fill_jobs(generator: Generator, jobs: list[Job]) -> Part:
    """Fill jobs in this process without recording them (the caller records)."""
    outputs, records, failures, skipped = [], [], [], []
    for job in jobs:
        try:
            form = generator.catalog.get(job.form_code)
            case = generator.casebook.load(Path(job.case_path))
            output, record = generator.fill(form, case, job.force)
        except EditedOutputError as exc:
            skipped.append(Skipped(job.case_no, job.form_code, str(exc.path)))
        except RecordkitError as exc:
            failures.append(Failure(job.case_no, job.form_code, exc.message))
        else:
            outputs.append(output)
            records.append(record)
    return outputs, records, failures, skipped


def _work(jobs: list[Job]) -> Part:
    assert _WORKER is not None
    return fill_jobs(_WORKER, jobs)


def run_jobs(
    generator: Generator,
    jobs: list[Job],
    workers: int,
    progress: Callable[[int], None] | None = None,
) -> BatchResult:
    """Fill every job with ``workers`` processes (1 = here); manifest rows recorded as chunks finish."""
    result = BatchResult()
    tick = progress or (lambda n: None)
    if workers <= 1 or len(jobs) < SERIAL_BELOW:
        for start in range(0, len(jobs), CHUNK):
            _absorb(generator, result, fill_jobs(generator, jobs[start : start + CHUNK]))
            tick(len(jobs[start : start + CHUNK]))
        return result
    assert generator.config.path is not None
    chunks = [jobs[i : i + CHUNK] for i in range(0, len(jobs), CHUNK)]

    def done(chunk: list[Job], future: Future[Part]) -> None:
        _absorb(generator, result, future.result())
        tick(len(chunk))

    def held(chunk: list[Job], future: Future[Part]) -> None:
        # Finish what workers hold (complete files) and record it.
        _absorb(generator, result, future.result())

    # SIGTERM keeps its default in batch workers (only Ctrl-C is the parent's to handle).
    with start_pool(
        workers, _init_worker, (str(generator.config.path),), ignore_term=False
    ) as pool:
        run_bounded(pool, _work, chunks, workers, done, held)
    return result


def _absorb(generator: Generator, result: BatchResult, part: Part) -> None:
    outputs, records, failures, skipped = part
    if records:
        generator.manifest.record(records)
    result.outputs += outputs
    result.failures += failures
    result.skipped += skipped
