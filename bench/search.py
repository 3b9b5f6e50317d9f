"""Benchmark: full-text search at scale, recordkit's search index against SQLite FTS5.

    .venv/bin/python bench/search.py [--n 1000000] [--fts-n 20000] [--queries 200]

Builds an index of ``--n`` synthetic documents with recordkit's ``SearchIndex`` (the
engine ``archive search`` uses; the batches go through ``upsert``, as a sync does):
synthetic metadata (档号, case number, year, retention, form, kind, a complainant's
name, a department, a subject) and about 2 KB of Chinese text each (about 680
characters), drawn from a 20,000-word vocabulary with Zipf-distributed frequencies
(s = 1.1; words of 1–4 characters over the 3,500 most common characters). The text is
generated batch by batch, so memory stays flat at any ``--n``.

Then it times, for each query type, ``--queries`` queries (top 20, bm25, with snippets
and stored fields, as ``archive search`` shows them):

- Chinese strings of 1, 2, 3 and 6 characters cut from random documents' text (so they
  match; 1-character ones drawn by frequency, so common characters are included);
- an exact case number;
- a 2-character query filtered by year and retention.

The same run builds SQLite FTS5 (``detail=none``, unigram and bigram tokens written out
space-separated, the same AND-of-bigrams queries, ``ORDER BY rank`` = bm25, top 20) on
the first ``--fts-n`` documents of the same data: it scores every match, so at full
size common terms take seconds and its build is three times slower; the table says
which N each engine had. Not part of the test suite (tests/test_search_bench.py only
runs it with ``--n 200``).
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recordkit.search import SearchFilters, SearchIndex, SearchRecord, grams  # noqa: E402

CHARS = [chr(c) for c in range(0x4E00, 0x4E00 + 3500)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
DEPARTMENTS = [
    "检测一室",
    "检测二室",
    "质量信息管理科",
    "计量所",
    "业务受理科",
    "综合办公室",
    "化学室",
    "物理室",
]
KINDS = ["投诉", "申诉", "质量事件"]
RETENTIONS = ["Y", "D30", "D10"]
TEXT_CHARS = 680  # about 2 KB of UTF-8
BATCH = 5000


class Corpus:
    """Deterministic synthetic documents, generated batch by batch from ``seed``."""

    def __init__(self, seed: int, vocabulary: int = 20_000) -> None:
        rng = np.random.default_rng(seed)
        char_p = 1.0 / np.arange(1, len(CHARS) + 1) ** 0.9
        char_p /= char_p.sum()
        lengths = rng.choice([1, 2, 3, 4], size=vocabulary, p=[0.25, 0.5, 0.15, 0.1])
        self.words = np.array(
            ["".join(rng.choice(CHARS, size=n, p=char_p)) for n in lengths], dtype=object
        )
        weights = 1.0 / np.arange(1, vocabulary + 1) ** 1.1
        word_p = weights / weights.sum()
        self.cdf = np.cumsum(word_p)
        self.mean_len = float((lengths * word_p).sum())
        self.seed = seed

    def text(self, rng: np.random.Generator) -> str:
        draws = rng.random(int(TEXT_CHARS / self.mean_len) + 8)
        ids = np.minimum(np.searchsorted(self.cdf, draws), len(self.words) - 1)
        return "".join(self.words[ids])[:TEXT_CHARS]

    def batch(self, start: int, count: int) -> list[SearchRecord]:
        out = []
        for n in range(start, start + count):
            rng = np.random.default_rng([self.seed, n])  # document n is the same in every batch
            year, retention = 2020 + n % 7, RETENTIONS[n % 3]
            name = SURNAMES[rng.integers(len(SURNAMES))] + "".join(rng.choice(CHARS[:800], size=2))
            out.append(SearchRecord(
                archive_no=f"Z109-WS·{year}-{retention}-{n + 1:07d}", case_no=f"TS-{year}-{n + 1:07d}",
                form_code=f"F{1 + n % 20:02d}", title="投诉登记表", kind=KINDS[n % 3], status="filed",
                retention=retention, year=year, date=f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                complainant=name, respondent=DEPARTMENTS[n % len(DEPARTMENTS)], subject=self.text(rng)[:20],
                content=self.text(rng), stamp="1"))  # fmt: skip
        return out

    def batches(self, n: int) -> Iterator[list[SearchRecord]]:
        for start in range(0, n, BATCH):
            yield self.batch(start, min(BATCH, n - start))


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build_tantivy(corpus: Corpus, n: int, folder: Path) -> tuple[SearchIndex, float]:
    index = SearchIndex(folder, writer_heap=400_000_000)
    seconds = 0.0
    for records in corpus.batches(n):  # generating the text is not timed
        started = time.perf_counter()
        index.upsert(records)
        seconds += time.perf_counter() - started
        print(f"  tantivy: {records[-1].archive_no} {seconds:.0f} s", file=sys.stderr)
    return index, seconds


def fts_tokens(text: str) -> str:
    return " ".join(g for i in range(len(text)) for g in (text[i], text[i : i + 2]) if g.strip())


def build_fts(corpus: Corpus, n: int, path: Path) -> tuple[sqlite3.Connection, float]:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(meta, body, tokenize='unicode61', detail='none')"
    )
    conn.execute(
        "CREATE TABLE d (id INTEGER PRIMARY KEY, case_no TEXT, year INTEGER, retention TEXT)"
    )
    seconds = 0.0
    for records in corpus.batches(n):
        started = time.perf_counter()
        with conn:
            for r in records:
                rowid = conn.execute("INSERT INTO d (case_no, year, retention) VALUES (?, ?, ?)",
                                     (r.case_no, r.year, r.retention)).lastrowid  # fmt: skip
                meta = fts_tokens(" ".join((r.complainant, r.respondent, r.subject, r.title)))
                conn.execute(
                    "INSERT INTO t (rowid, meta, body) VALUES (?, ?, ?)",
                    (rowid, meta, fts_tokens(r.content)),
                )
        seconds += time.perf_counter() - started
    started = time.perf_counter()
    conn.execute("CREATE INDEX d_case ON d(case_no)")
    conn.execute("CREATE INDEX d_year ON d(year, retention)")
    conn.commit()
    return conn, seconds + time.perf_counter() - started


def fts_match(word: str) -> str:
    return " AND ".join(f'"{g}"' for g in grams(word))


def sample_queries(
    corpus: Corpus, n: int, count: int, seed: int
) -> dict[str, list[tuple[str, SearchFilters]]]:
    rng = np.random.default_rng(seed)
    docs = [corpus.batch(int(s), 1)[0] for s in rng.integers(0, n, size=count)]
    cut = [d.content for d in docs]

    def substrings(length: int) -> list[str]:
        return [t[(p := int(rng.integers(0, len(t) - length))) : p + length] for t in cut]

    none = SearchFilters()
    return {
        "1 character": [(c[int(rng.integers(len(c)))], none) for c in cut],
        "2 characters": [(q, none) for q in substrings(2)],
        "3 characters": [(q, none) for q in substrings(3)],
        "6 characters": [(q, none) for q in substrings(6)],
        "case number": [(d.case_no, none) for d in docs],
        "2 characters + year + retention": [
            (q, SearchFilters(year=d.year, retention=d.retention))
            for q, d in zip(substrings(2), docs, strict=True)
        ],  # fmt: skip
    }


def timed(
    run: Callable[[str, SearchFilters], int], queries: list[tuple[str, SearchFilters]]
) -> tuple[float, float, float]:
    times, hits = [], 0
    for text, filters in queries:
        started = time.perf_counter()
        hits += run(text, filters) > 0
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], hits / len(queries)


def fts_query(conn: sqlite3.Connection) -> Callable[[str, SearchFilters], int]:
    def run(text: str, filters: SearchFilters) -> int:
        if text.startswith("TS-"):
            return len(conn.execute("SELECT id FROM d WHERE case_no = ?", (text,)).fetchall())
        sql = "SELECT rowid FROM t WHERE t MATCH ?"
        args: list[object] = [fts_match(text)]
        if filters.year is not None:
            sql += " AND rowid IN (SELECT id FROM d WHERE year = ? AND retention = ?)"
            args += [filters.year, filters.retention]
        return len(conn.execute(sql + " ORDER BY rank LIMIT 20", args).fetchall())

    return run


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000, help="documents in the search index")
    parser.add_argument(
        "--fts-n", type=int, default=20_000, help="documents in the FTS5 comparison (0: skip)"
    )
    parser.add_argument("--queries", type=int, default=200, help="queries of each type")
    parser.add_argument("--fts-queries", type=int, default=20, help="queries of each type for FTS5")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--dir", type=Path, help="where to build (default: a temporary folder, removed)"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="build into this folder and keep it; a later run with the same --n and --seed "
        "only queries it (e.g. build while the machine is busy, query when it is quiet)",
    )
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        report(args, args.keep)
        return
    root = Path(tempfile.mkdtemp(prefix="bench-search-", dir=args.dir))
    try:
        report(args, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def kept_or_built(
    args: argparse.Namespace, corpus: Corpus, root: Path
) -> tuple[SearchIndex, float]:
    """The index of an earlier ``--keep`` run of the same corpus (build time as recorded
    then), or a new one."""
    stamp = root / "built.txt"
    wanted = f"{args.n} {args.seed}"
    recorded = stamp.read_text().split() if args.keep and stamp.is_file() else []
    if recorded[:2] == wanted.split():
        return SearchIndex(root / "search"), float(recorded[2])
    shutil.rmtree(root / "search", ignore_errors=True)
    index, build = build_tantivy(corpus, args.n, root / "search")
    if args.keep:
        stamp.write_text(f"{wanted} {build:.1f}\n")
    return index, build


def report(args: argparse.Namespace, root: Path) -> None:
    corpus = Corpus(args.seed)
    index, build = kept_or_built(args, corpus, root)
    rows = [("recordkit search (tantivy)", args.n, folder_size(root / "search"), build)]
    queries = sample_queries(corpus, args.n, args.queries, args.seed + 1)
    results = {
        name: timed(lambda t, f: len(index.search(t, f)), qs) for name, qs in queries.items()
    }
    fts: dict[str, tuple[float, float, float]] = {}
    fts_n = min(args.fts_n, args.n)
    if fts_n:
        conn, fts_build = build_fts(corpus, fts_n, root / "fts.sqlite")
        rows.append(
            (
                "SQLite FTS5 bigrams (detail=none)",
                fts_n,
                (root / "fts.sqlite").stat().st_size,
                fts_build,
            )
        )
        fts_queries = sample_queries(corpus, fts_n, args.fts_queries, args.seed + 1)
        fts = {name: timed(fts_query(conn), qs) for name, qs in fts_queries.items()}
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{args.queries} queries a type (FTS5: {args.fts_queries}), top 20\n")  # fmt: skip
    print("| engine | documents | index size | build time | docs/s |\n|---|---:|---:|---:|---:|")
    for name, n, size, seconds in rows:
        print(
            f"| {name} | {n:,} | {size / 2**20:,.0f} MiB | {seconds:,.0f} s | {n / seconds:,.0f} |"
        )
    print(
        f"\n| query | search p50 ms | search p95 ms | found | FTS5 p50 ms (N={fts_n:,}) | FTS5 p95 ms |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, (p50, p95, found) in results.items():
        f50, f95, _ = fts.get(name, (float("nan"), float("nan"), 0))
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {found:.0%} | {f50:.1f} | {f95:.1f} |")


if __name__ == "__main__":
    main()
