"""Benchmark: ``archive verify`` against ``sha256sum`` over the same files, in one run.

    .venv/bin/python bench/verify.py [--files 1000] [--mean-kib 980] [--jobs N] [--rounds 5]

Builds (not timed) an archive of ``--files`` originals with sizes spread around
``--mean-kib`` (log-normal, 40 KiB to 8 MiB; 980 KiB is what a 2-page 200 dpi scan
weighs, see the ingest benchmark), each with a real index row, intake and ``filed``
event, so ``verify`` sees a consistent archive. Then every run reads the same files
with the page cache warm (one untimed pass first); the runs are repeated ``--rounds``
times round-robin and the best time is kept (the median is printed too: on a shared
machine a neighbour's work only ever makes a run slower):

- ``sha256sum`` (coreutils, one process) over all files — the obvious alternative;
- ``sha256sum`` on ``--jobs`` processes (the files split evenly) — the strongest
  obvious alternative;
- hashing only (recordkit's per-file function, no index) on ``--jobs`` threads and on
  ``--jobs`` processes, SHA-256 + SM3 — why verify uses threads;
- ``archive verify`` end to end (index, unknown-file scan, event chain, logged run):
  1 thread and ``--jobs`` threads with SHA-256 + SM3 (the default), and ``--jobs``
  threads with ``verify_algorithms = ["sha256"]``;
- the single-core speed of each algorithm alone, on one 64 MiB buffer in memory (the
  ceiling the table is explained by).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from recordkit.archive.fixity import digest_file, digest_files, file_digests, sm3_factory
from recordkit.archive.numbering import format_archive_no
from recordkit.archive.service import Archive
from recordkit.archive.settings import Layout
from recordkit.config import init_workdir, load_config
from recordkit.index.archive import ArchiveIndex, IntakeRef, NewDocument

YEAR = 2026


# --------------------------------------------------------------------------- the archive


def build(root: Path, files: int, mean_kib: int, seed: int = 7) -> tuple[Path, list[Path]]:
    config = init_workdir(root, org_name="漳州市示例检验检测中心", fonds_no="Z109")
    layout = Layout(config.archive_dir)
    layout.ensure()
    index = ArchiveIndex(layout.index_path)
    rnd = random.Random(seed)
    pool = os.urandom(
        16 * 1024 * 1024
    )  # incompressible bytes; hashing speed does not depend on them
    paths = []
    stamp = "2026-11-21T09:00:00.000+08:00"
    for n in range(1, files + 1):
        size = int(
            min(8 * 2**20, max(40 * 1024, rnd.lognormvariate(0, 0.6) * mean_kib * 1024 * 0.84))
        )
        start = rnd.randrange(0, len(pool) - size)
        body = b"%PDF-1.7\n%" + n.to_bytes(4, "big") + pool[start : start + size] + b"\n%%EOF\n"
        archive_no = format_archive_no("Z109", "WS", YEAR, "D10", "", n)
        original, access = layout.plan_paths(archive_no)
        path = layout.abs(original)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        digests = file_digests(path)
        intake = f"bench-{n:06d}"
        ref = IntakeRef(intake, f"SCAN_{n:06d}.pdf", f"inbox/SCAN_{n:06d}.pdf", stamp)
        doc = NewDocument("Z109", "WS", YEAR, "D10", "", f"TS-{YEAR}-{n % 500 + 1:04d}", "F01", "1", "qr", 2,
                          digests.size, digests.sha256, digests.sm3, "1.7", "none", [], "2037-01-01",
                          ref.original_name, ref.source, intake)  # fmt: skip
        index.number(
            ref, doc, lambda i, a=archive_no: a, lambda a, p=(original, access): p, stamp, [], ""
        )
        index.mark_filed(archive_no, intake, stamp, None, [])
        index.finish_filing(
            archive_no, intake, stamp, {"sha256": digests.sha256, "sm3": digests.sm3}
        )
        paths.append(path)
    index.close()
    return config.path, paths


# --------------------------------------------------------------------------- runs


def sha256sum(paths: list[Path], jobs: int) -> None:
    """coreutils sha256sum over the files, on ``jobs`` processes (each a slice)."""
    slices = [paths[i::jobs] for i in range(jobs)]
    procs = [
        subprocess.Popen(["sha256sum", "--", *map(str, s)], stdout=subprocess.DEVNULL)
        for s in slices
        if s
    ]
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit("sha256sum failed")


def _digest_in_process(path: str) -> tuple[int, str | None, str | None]:
    d = digest_file(Path(path))
    return d.size, d.sha256, d.sm3


def hash_processes(paths: list[Path], jobs: int) -> None:
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_digest_in_process, map(str, paths), chunksize=16))


def verify_run(config_path: Path, jobs: int, algorithms: list[str] | None = None) -> None:
    if algorithms:
        text = config_path.read_text(encoding="utf-8")
        config_path.write_text(text.replace("[archive]\n", f"[archive]\nverify_algorithms = {algorithms!r}\n".replace("'", '"'), 1),
                               encoding="utf-8")  # fmt: skip
    try:
        with Archive(load_config(config_path)) as archive:
            report = archive.verify(jobs=jobs)
        assert report.ok, report.to_dict()
    finally:
        if algorithms:
            config_path.write_text(text, encoding="utf-8")


def timed(runs: list[tuple[str, object]], rounds: int) -> list[tuple[str, float, float]]:
    """(label, best, median) seconds per run; rounds go round-robin over the runs, so a
    neighbour's burst of work on a shared machine hits them all alike."""
    times: dict[str, list[float]] = {label: [] for label, _fn in runs}
    for _ in range(rounds):
        for label, fn in runs:
            started = time.perf_counter()
            fn()  # type: ignore[operator]
            times[label].append(time.perf_counter() - started)
    return [(label, min(t), statistics.median(t)) for label, t in times.items()]


def single_core_rates() -> dict[str, float]:
    data = os.urandom(64 * 2**20)
    rates = {}
    for name, make in (
        ("SHA-256 (hashlib)", hashlib.sha256),
        ("SM3 (verify's backend)", sm3_factory()),
    ):
        best = float("inf")
        for _ in range(3):
            h = make()
            started = time.perf_counter()
            for offset in range(0, len(data), 4 * 2**20):
                h.update(memoryview(data)[offset : offset + 4 * 2**20])
            h.hexdigest()
            best = min(best, time.perf_counter() - started)
        rates[name] = len(data) / best / 1e6
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--mean-kib", type=int, default=980)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("sha256sum") is None:
        raise SystemExit("sha256sum (coreutils) is needed for the comparison")

    root = Path(tempfile.mkdtemp(prefix="rk-verify-bench-"))
    try:
        started = time.perf_counter()
        config_path, paths = build(root / "w", args.files, args.mean_kib)
        total = sum(p.stat().st_size for p in paths)
        print(f"archive: {len(paths)} originals, {total / 1e6:.0f} MB, built in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)  # fmt: skip
        sha256sum(paths, 1)  # warm the page cache: every run below reads from memory
        jobs, rounds = args.jobs, args.rounds
        runs = [
            ("sha256sum, 1 process (coreutils)", lambda: sha256sum(paths, 1)),
            (f"sha256sum, {jobs} processes", lambda: sha256sum(paths, jobs)),
            (
                f"hashing only, SHA-256 + SM3, {jobs} threads",
                lambda: digest_files(paths, ("sha256", "sm3"), jobs),
            ),
            (f"hashing only, SHA-256 + SM3, {jobs} processes", lambda: hash_processes(paths, jobs)),
            ("archive verify, SHA-256 + SM3, 1 thread", lambda: verify_run(config_path, 1)),
            (
                f"archive verify, SHA-256 + SM3, {jobs} threads (default)",
                lambda: verify_run(config_path, jobs),
            ),
            (
                f"archive verify, SHA-256 only, {jobs} threads",
                lambda: verify_run(config_path, jobs, ["sha256"]),
            ),
        ]
        results = timed(runs, rounds)
        rates = single_core_rates()
    finally:
        shutil.rmtree(root, ignore_errors=True)

    base = total / results[0][1]
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
          f"{ssl.OPENSSL_VERSION}; {len(paths)} files, {total / 1e6:.0f} MB, page cache warm, best of {rounds}")  # fmt: skip
    print()
    print("| run | seconds (best) | MB/s | vs sha256sum | median s |")
    print("|---|---:|---:|---:|---:|")
    for label, best, median in results:
        rate = total / best
        print(f"| {label} | {best:.2f} | {rate / 1e6:.0f} | {rate / base:.2f}× | {median:.2f} |")
    print()
    print("| one core, in memory | MB/s |")
    print("|---|---:|")
    for name, rate in rates.items():
        print(f"| {name} | {rate:.0f} |")
    both = 1 / sum(1 / r for r in rates.values())
    print(f"| both in turn (what one core can verify) | {both:.0f} |")


if __name__ == "__main__":
    main()
