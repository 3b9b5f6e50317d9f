"""Benchmark: filing scans with the OCR queue on, and how fast the OCR backlog drains.

    .venv/bin/python bench/ingest_ocr.py [--n 200] [--drain 10] [--corpus DIR]

Uses the scanned corpus of bench/ingest.py (2-page forms with a real case's QR, signed,
rendered at 200 dpi, skewed, noisy, JPEG pages; no text layer, so every page needs OCR)
and measures in one run, each on a fresh working folder with ``stability_seconds = 0``:

Filing (N scans each, files/s from the start of the command to the last file filed):

- OCR off: ``archive ingest`` (Archive.ingest), 1 and 2 processes — the obvious
  alternative: file now, never read the text;
- OCR queued: ``archive watch`` (Archive.watch) with the N scans in its inbox, 1 and 2
  processes: filing never waits for OCR, the watcher reads queued documents one at a
  time only when the inbox is quiet (recordkit/archive/ocr_queue.py ``idle_turn``);
- OCR competing: ``archive ingest``, 2 processes, while ``recordkit archive ocr`` drains
  a backlog of ``--drain`` documents in another process — what running both at once on
  two cores costs.

OCR (pages/s, model loading excluded):

- the OCR bench rate: ``recordkit.ocr.read_pdf`` called on ``--drain`` of the same scans
  in a loop, nothing else (what bench/ocr.py measures for the engine alone);
- the backlog drain: after the 2-process watch run has filed everything, its idle turns
  drain the queue; timed from the end of the first document (which loads the models) to
  the end of the ``--drain``-th (claim, read the original, write the text, per document).

Not part of the test suite. ``--corpus DIR`` keeps the generated scans for the next run.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest import fill_inbox, make_corpus, working_folder  # noqa: E402

from recordkit.archive.service import Archive  # noqa: E402
from recordkit.config import load_config  # noqa: E402
from recordkit.ocr import read_pdf  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def fresh_archive(files: list[Path]) -> tuple[Path, Archive]:
    root = working_folder(stability=0)
    fill_inbox(root, files)
    return root, Archive(load_config(root / "recordkit.toml"))


def cpu(who: int) -> float:
    """CPU seconds (user + system) of this process or of its reaped children."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def cpu_now() -> tuple[float, float]:
    return cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)


def cpu_since(before: tuple[float, float], self_at: float | None = None) -> float:
    """CPU spent since ``before`` by this process (up to ``self_at``) and the workers it
    reaped (a pool's workers are reaped when the pool stops)."""
    me, children = cpu_now()
    return (self_at if self_at is not None else me) - before[0] + children - before[1]


def run_ingest(files: list[Path], jobs: int) -> tuple[float, float]:
    """OCR off: the one-shot ``archive ingest``; wall seconds and CPU seconds."""
    root, archive = fresh_archive(files)
    before = cpu_now()
    started = time.perf_counter()
    report = archive.ingest(inbox=True, jobs=jobs)
    elapsed = time.perf_counter() - started
    used = cpu_since(before)
    archive.close()
    shutil.rmtree(root, ignore_errors=True)
    assert report.counts()["filed"] == len(files), report.counts()
    return elapsed, used


def run_watch(files: list[Path], jobs: int, drain: int) -> dict[str, Any]:
    """OCR queued: ``archive watch`` files the inbox, then drains ``drain`` documents."""
    root, archive = fresh_archive(files)
    stop = threading.Event()
    filed: list[float] = []
    ocr: list[tuple[float, int]] = []  # (when done, OCRed pages)
    self_at: list[float] = []  # this process's CPU when the last file was filed

    def on_result(result: Any) -> None:
        filed.append(time.perf_counter())
        if len(filed) == len(files):
            self_at.append(cpu(resource.RUSAGE_SELF))
            if not drain:
                stop.set()

    def on_ocr(done: Any) -> None:
        assert not done.error, done.error
        ocr.append((time.perf_counter(), done.ocr_pages))
        if len(ocr) >= drain:
            stop.set()

    before = cpu_now()
    started = time.perf_counter()
    archive.watch(jobs=jobs, on_result=on_result, stop=stop, on_ocr=on_ocr)
    archive.close()
    shutil.rmtree(root, ignore_errors=True)
    assert len(filed) == len(files), (len(filed), len(files))
    # The pool's workers only file; the OCR idle turns run in this process, after filing.
    out: dict[str, Any] = {"filing": max(filed) - started, "cpu": cpu_since(before, self_at[0]),
                           "first_filed": min(filed) - started}  # fmt: skip
    print(
        f"watch, {jobs} process(es): first file filed after {out['first_filed']:.1f} s",
        file=sys.stderr,
    )
    if drain:
        # Filing is over before the first idle turn: the queue is drained after it.
        assert ocr[0][0] > max(filed)
        out["first_document"] = ocr[0][0] - max(filed)
        out["drain_pages"] = sum(pages for _, pages in ocr[1:])
        out["drain_seconds"] = ocr[-1][0] - ocr[0][0]
    return out


def run_competing(files: list[Path], backlog: list[Path]) -> tuple[float, float]:
    """``archive ingest`` on 2 processes while ``archive ocr`` drains in another process."""
    root, archive = fresh_archive(backlog)
    archive.ingest(inbox=True, jobs=2)  # the backlog: filed, not timed
    archive.close()
    config = root / "recordkit.toml"
    cli = [sys.executable, "-m", "recordkit.cli", "--config", str(config), "archive", "ocr"]
    reader = subprocess.Popen(cli, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(8)  # models loaded, the first document being read
        fill_inbox(root, files)
        archive = Archive(load_config(config))
        before = cpu_now()
        started = time.perf_counter()
        report = archive.ingest(inbox=True, jobs=2)
        elapsed = time.perf_counter() - started
        used = cpu_since(before)  # the OCR process is not reaped yet: not counted
        archive.close()
        running = reader.poll() is None  # still reading when filing ended?
        _, err = reader.communicate(timeout=1800)
        assert reader.returncode == 0, err.decode()
    finally:
        if reader.poll() is None:
            reader.kill()
    shutil.rmtree(root, ignore_errors=True)
    assert report.counts()["filed"] == len(files), report.counts()
    assert running, "the OCR drain ended before filing did: make --drain larger"
    return elapsed, used


def ocr_bench_rate(files: list[Path]) -> tuple[int, float, float]:
    """The engine alone on the same scans: pages, seconds, first-call seconds."""
    started = time.perf_counter()
    read_pdf(files[0])  # loads the models
    first = time.perf_counter() - started
    pages, started = 0, time.perf_counter()
    for path in files:
        pages += sum(p.source == "ocr" for p in read_pdf(path))
    return pages, time.perf_counter() - started, first


def load_average() -> str:
    return "n/a" if not hasattr(os, "getloadavg") else f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=200, help="scanned files filed in each run")
    parser.add_argument(
        "--drain", type=int, default=10, help="documents OCRed for each OCR rate (default 10)"
    )
    parser.add_argument("--corpus", type=Path, help="keep/reuse the generated scans here")
    args = parser.parse_args()

    corpus = args.corpus or Path(tempfile.mkdtemp(prefix="rk-corpus-"))
    started = time.perf_counter()
    make_corpus(corpus, args.n + args.drain, 2)
    scans = sorted((corpus / "scanned").glob("*.pdf"))[: args.n + args.drain]
    files, backlog = scans[: args.n], scans[args.n :]
    print(
        f"corpus: {len(scans)} scans made in {time.perf_counter() - started:.0f} s", file=sys.stderr
    )
    rows = [*filing_runs(files, backlog)]
    pages, ocr_seconds, first = ocr_bench_rate(files[: args.drain])
    print(f"ocr bench: {pages} pages {ocr_seconds:.1f} s", file=sys.stderr)
    watches: dict[int, dict[str, Any]] = {}
    for jobs in (1, 2):
        watch = watches[jobs] = run_watch(files, jobs, args.drain if jobs == 2 else 0)
        rows.insert(
            jobs + 1,
            (f"`archive watch`, OCR queued, {plural(jobs)}", watch["filing"], watch["cpu"]),
        )
        print(rows[jobs + 1], file=sys.stderr)
    print_report(args, rows, (pages, ocr_seconds, first), watches)
    if not args.corpus:
        shutil.rmtree(corpus, ignore_errors=True)


def plural(jobs: int) -> str:
    return f"{jobs} process{'es' if jobs > 1 else ''}"


def filing_runs(files: list[Path], backlog: list[Path]) -> list[tuple[str, float, float]]:
    """The runs without OCR in this process: OCR off, and OCR competing."""
    rows = []
    for jobs in (1, 2):
        rows.append((f"`archive ingest`, OCR off, {plural(jobs)}", *run_ingest(files, jobs)))
        print(rows[-1], file=sys.stderr)
    label = "`archive ingest`, 2 processes, while `archive ocr` drains (OCR competing)"
    rows.append((label, *run_competing(files, backlog)))
    print(rows[-1], file=sys.stderr)
    return rows


def print_report(args: argparse.Namespace, rows: list[tuple[str, float, float]], bench: tuple[int, float, float],
                 watches: dict[int, dict[str, Any]]) -> None:  # fmt: skip
    watch = watches[2]
    print(f"recordkit ingest + OCR benchmark — {datetime.date.today()} — {platform.platform()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"load average {load_average()}\n")  # fmt: skip
    print(
        "| filing | scans | seconds | files/s | CPU per file | target |\n|---|--:|--:|--:|--:|---|"
    )
    for label, seconds, used in rows:
        rate = args.n / seconds
        target = f"≥ 25 {'✓' if rate >= 25 else '✗'}" if "2 processes" in label else ""
        print(
            f"| {label} | {args.n} | {seconds:.1f} | {rate:.1f} | {used / args.n * 1000:.0f} ms | {target} |"
        )
    pages, seconds, first = bench
    bench_rate = pages / seconds
    drain_rate = watch["drain_pages"] / watch["drain_seconds"]
    print("\n| OCR | documents | pages | seconds | pages/s | vs bench |\n|---|--:|--:|--:|--:|--:|")
    print(f"| OCR bench rate: `read_pdf` alone on the same scans | {args.drain} | {pages} | "
          f"{seconds:.1f} | {bench_rate:.2f} | 1.00× |")  # fmt: skip
    print(f"| backlog drain: `archive watch` idle turns, after filing | {args.drain - 1} | "
          f"{watch['drain_pages']} | {watch['drain_seconds']:.1f} | {drain_rate:.2f} | "
          f"{drain_rate / bench_rate:.2f}× |")  # fmt: skip
    print(
        f"\nfirst OCR call (loads the models): {first:.1f} s alone; "
        f"first idle-turn document after filing: {watch['first_document']:.1f} s"
    )
    print(
        f"`archive watch` start-up (start to the first file filed, in the seconds above): "
        f"{watches[1]['first_filed']:.1f} s with 1 process, {watch['first_filed']:.1f} s with 2"
    )


if __name__ == "__main__":
    main()
