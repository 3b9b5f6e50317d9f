"""Benchmark: recordkit on PostgreSQL against SQLite (issue 15, docs/scale.md).

    .venv/bin/python bench/scale.py [--n 120] [--search-n 1000000] [--queries 200]
                                    [--alloc 200] [--url postgresql://…] [--corpus DIR]

Measures in one run:

(a) scanned files/s through ``archive ingest`` (claim, 四性检测, 档号, verified copy,
    stamped access copy, index, event chain) with 1, 2 and 4 ingest processes on
    PostgreSQL, and with 1 and 2 on SQLite; the same ``--n`` scanned 2-page PDFs
    (bench/ingest.py's corpus: rendered, skewed, noisy, JPEG pages, signed);
(b) search p95 with the search source in PostgreSQL: ``--search-n`` synthetic documents
    (bench/search.py's corpus) written to a table, the tantivy index derived from it by
    reading it back, then ``--queries`` queries of each type; compare with the SQLite
    figure in docs/performance.md (Search);
(c) the cost of one 件号 allocation under contention: 1, 2 and 4 processes each number
    ``--alloc`` documents in the same (年度, 保管期限) series through
    ``ArchiveIndex.number`` (the transaction filing uses), on each backend.

Without ``--url`` a throwaway PostgreSQL server is started (initdb/pg_ctl, as the tests
do: tests/pg_server.py) on a Unix socket, with fsync on (durable commits, as a real
server). Every run gets a fresh database.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE), str(HERE.parent / "tests")]

import ingest as ingest_bench  # noqa: E402
import psycopg  # noqa: E402
import search as search_bench  # noqa: E402

from recordkit.index.archive import ArchiveIndex, CheckRow, IntakeRef, NewDocument  # noqa: E402
from recordkit.search import SearchIndex, SearchRecord  # noqa: E402

DATABASE_ENV = "RECORDKIT_DATABASE_URL"


# --------------------------------------------------------------------------- PostgreSQL


@contextmanager
def postgresql(url: str | None) -> Any:
    """A function making fresh databases: on ``url``'s server, or a throwaway one."""
    if url:
        yield lambda: _new_database(url)
        return
    import pg_server

    server = pg_server.start_server()
    try:
        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute("ALTER SYSTEM SET fsync = on")
            conn.execute("SELECT pg_reload_conf()")
        yield server.new_database
    finally:
        pg_server.stop_server(server)


def _new_database(url: str) -> str:
    name = f"rk_bench_{os.getpid()}_{time.monotonic_ns()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _sep, query = url.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")


@contextmanager
def backend(url: str | None) -> Any:
    """Run the enclosed code with every store in ``url`` (None: SQLite files)."""
    old = os.environ.pop(DATABASE_ENV, None)
    if url:
        os.environ[DATABASE_ENV] = url
    try:
        yield
    finally:
        os.environ.pop(DATABASE_ENV, None)
        if old is not None:
            os.environ[DATABASE_ENV] = old


# --------------------------------------------------------------------------- (a) ingest


def ingest_rows(files: list[Path], new_db: Any) -> list[tuple[str, int, int, float]]:
    rows = []
    for name, jobs_list in (("PostgreSQL", (1, 2, 4)), ("SQLite", (1, 2))):
        for jobs in jobs_list:
            with backend(new_db() if name == "PostgreSQL" else None):
                elapsed, counts = ingest_bench.run_ingest(files, jobs, number_every_scan=True)
            assert counts.get("filed", 0) == len(files), counts
            rows.append((name, jobs, len(files), elapsed))
            print(f"  ingest {name} x{jobs}: {len(files) / elapsed:.1f} files/s", file=sys.stderr)
    return rows


# --------------------------------------------------------------------------- (b) search


def search_row(n: int, queries: int, seed: int, url: str, folder: Path) -> dict[str, Any]:
    """Documents into PostgreSQL, the tantivy index rebuilt from there, queries timed."""
    corpus = search_bench.Corpus(seed)
    fields = list(SearchRecord.__dataclass_fields__)
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute(f"CREATE TABLE source ({', '.join(f'{f} TEXT' for f in fields)})")
        started = time.perf_counter()
        for batch in corpus.batches(n):
            with pg.cursor().copy(f"COPY source ({', '.join(fields)}) FROM STDIN") as copy:
                for record in batch:
                    copy.write_row([str(getattr(record, f)) for f in fields])
        loaded = time.perf_counter() - started
        index = SearchIndex(folder, writer_heap=400_000_000, database_url=url)
        started = time.perf_counter()
        with pg.cursor(name="rebuild") as cursor, pg.transaction():
            cursor.itersize = search_bench.BATCH
            cursor.execute(f"SELECT {', '.join(fields)} FROM source")
            while rows := cursor.fetchmany(search_bench.BATCH):
                index.upsert(
                    SearchRecord(**_typed(dict(zip(fields, r, strict=True)))) for r in rows
                )
                print(f"  search rebuild: {rows[-1][0]}", file=sys.stderr)
        built = time.perf_counter() - started
    sampled = search_bench.sample_queries(corpus, n, queries, seed + 1)
    timed = {
        name: search_bench.timed(lambda t, f: len(index.search(t, f)), qs)
        for name, qs in sampled.items()
    }
    return {"n": n, "loaded": loaded, "built": built, "timed": timed}


def _typed(values: dict[str, str]) -> dict[str, Any]:
    values["year"] = int(values["year"])
    return values


# --------------------------------------------------------------------------- (c) 件号


def _open(target: str) -> ArchiveIndex:
    if target.startswith("postgres"):
        return ArchiveIndex(Path("index.sqlite"), target)
    return ArchiveIndex(Path(target))


def _allocate(args: tuple[str, int, int]) -> list[float]:
    """One process numbering ``count`` documents of one series; seconds per allocation."""
    target, worker, count = args
    index = _open(target)
    times = []
    for i in range(count):
        key = f"{worker}-{i}"
        doc = NewDocument(
            fonds_no="Z109", category_code="WS", year=2026, retention="D10", dept_code="",
            case_no="TS-2026-0001", form_code="F01", form_version="1", identified_by="qr",
            pages=2, size=1000, sha256=f"{key:0>64}"[-64:], sm3=f"{key:0>64}"[-64:],
            pdf_version="1.7", signed="no", signatures=[], disposal_due=None,
            original_name=f"{key}.pdf", source=f"{key}.pdf", intake_id=key,
        )  # fmt: skip
        started = time.perf_counter()
        index.number(
            IntakeRef(key, f"{key}.pdf", f"{key}.pdf", "2026-12-01T00:00:00"),
            doc,
            lambda n: f"Z109-WS·2026-D10-{n:04d}",
            lambda no: (f"store/{no}.pdf", f"access/{no}.pdf"),
            "2026-12-01T00:00:00",
            [CheckRow("真实性", "固定信息", "pass", "")],
            "",
        )
        times.append(time.perf_counter() - started)
    index.close()
    return times


def allocation_rows(
    count: int, new_db: Any, folder: Path
) -> list[tuple[str, int, float, float, float]]:
    rows = []
    for name in ("PostgreSQL", "SQLite"):
        for procs in (1, 2, 4):
            target = new_db() if name == "PostgreSQL" else str(folder / f"alloc-{procs}.sqlite")
            # The tables are made before timing: the race measured is numbering, not start-up.
            _open(target).close()
            started = time.perf_counter()
            with ProcessPoolExecutor(procs) as pool:
                times = [
                    t
                    for ts in pool.map(_allocate, [(target, w, count) for w in range(procs)])
                    for t in ts
                ]
            wall = time.perf_counter() - started
            times.sort()
            p50 = statistics.median(times) * 1000
            p95 = times[max(0, int(len(times) * 0.95) - 1)] * 1000
            rows.append((name, procs, p50, p95, len(times) / wall))
            print(f"  件号 {name} x{procs}: p50 {p50:.2f} ms", file=sys.stderr)
    return rows


# --------------------------------------------------------------------------- report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=120, help="scanned files per ingest run")
    parser.add_argument("--search-n", type=int, default=1_000_000, help="documents searched")
    parser.add_argument("--queries", type=int, default=200, help="queries of each type")
    parser.add_argument("--alloc", type=int, default=200, help="件号 per allocating process")
    parser.add_argument("--url", help="an existing PostgreSQL server (a database is created)")
    parser.add_argument("--corpus", type=Path, help="keep/reuse the scanned PDFs here")
    parser.add_argument("--skip-search", action="store_true", help="ingest and 件号 only")
    parser.add_argument("--search-only", action="store_true", help="the search part only")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rk-scale-"))
    corpus = args.corpus or work / "corpus"
    try:
        ingest, alloc = [], []
        if not args.search_only:
            ingest_bench.make_corpus(corpus, args.n, os.cpu_count() or 1)
        files = sorted((corpus / "scanned").glob("SCAN_*.pdf"))[: args.n]
        with postgresql(args.url) as new_db:
            if not args.search_only:
                ingest = ingest_rows(files, new_db)
                alloc = allocation_rows(args.alloc, new_db, work)
            search = None
            if not args.skip_search:
                search = search_row(
                    args.search_n, args.queries, args.seed, new_db(), work / "search"
                )
        version = psycopg.pq.version()
        print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, libpq {version}\n")  # fmt: skip
        print_tables(ingest, alloc, search)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def print_tables(ingest: list, alloc: list, search: dict[str, Any] | None) -> None:
    print("| ingest (scanned, 2 pages) | processes | files | seconds | files/s |")
    print("|---|---:|---:|---:|---:|")
    for name, jobs, n, seconds in ingest:
        print(f"| {name} | {jobs} | {n} | {seconds:.1f} | {n / seconds:.1f} |")
    print("\n| 件号 allocation | processes | p50 ms | p95 ms | allocations/s (all processes) |")
    print("|---|---:|---:|---:|---:|")
    for name, procs, p50, p95, rate in alloc:
        print(f"| {name} | {procs} | {p50:.2f} | {p95:.2f} | {rate:,.0f} |")
    if search is None:
        return
    print(
        f"\n| search, PostgreSQL source, {search['n']:,} documents "
        f"(loaded {search['loaded']:.0f} s, tantivy built from it {search['built']:.0f} s) "
        "| p50 ms | p95 ms | found |"
    )
    print("|---|---:|---:|---:|")
    for name, (p50, p95, found) in search["timed"].items():
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {found:.0%} |")


if __name__ == "__main__":
    main()
