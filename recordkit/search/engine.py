"""The search index: tantivy (bm25 ranking with block-max WAND) over CJK unigrams and bigrams.

Why tantivy: measured on this kind of machine at 100,000 documents, SQLite FTS5 needs
2–19 s for a bm25-ranked query on a common term because it scores every match, while
tantivy returns the ranked top 20 in 1–2 ms for every query length (docs/performance.md).

The index is derived: records come in plain (``SearchRecord``), hits go out plain
(``Hit``); ``index.sqlite`` stays the source of truth. One process writes at a time
(``write.lock``, taken without waiting by a sync, so a busy writer never blocks a
search); every other process reads the last commit.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import tantivy
from filelock import FileLock, Timeout

from recordkit.errors import SearchIndexError
from recordkit.index.searchstate import SearchState
from recordkit.search.analysis import ANALYZER_NAME, analyzer, grams, query_words

SCHEMA_VERSION = "1"
BATCH = 2000  # documents per commit while syncing: a crash loses at most one batch of work
MARKS = ("【", "】")
META_BOOST = 2.0  # a name or subject match outranks the same word in the running text
EXACT_BOOST = 20.0  # a whole case number or 档号 outranks everything else


@dataclass(frozen=True)
class SearchRecord:
    """One archived document as search sees it (joined with its case data)."""

    archive_no: str
    case_no: str
    form_code: str = ""
    title: str = ""  # the form's title
    kind: str = ""  # the case's 类别
    status: str = ""
    retention: str = ""
    year: int = 0
    date: str = ""  # ISO date the document was filed
    complainant: str = ""
    respondent: str = ""  # the person or department complained about
    subject: str = ""
    content: str = ""  # the case's 投诉内容
    text: str = ""  # OCR or text-layer text of the scan
    stamp: str = ""  # changes whenever the record must be indexed again


@dataclass(frozen=True)
class SearchFilters:
    year: int | None = None
    retention: str | None = None
    form_code: str | None = None
    kind: str | None = None
    status: str | None = None
    date_from: str | None = None  # ISO dates, inclusive
    date_to: str | None = None
    case_no: str | None = None


@dataclass(frozen=True)
class Hit:
    archive_no: str
    score: float
    snippet: str  # the matching passage, each match between the two marks


@dataclass
class SyncReport:
    added: int = 0
    removed: int = 0
    skipped: str = ""  # why nothing was done: "current", "busy"


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in ("archive_no", "case_no", "form_code", "kind", "status", "retention"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw")
    builder.add_text_field("meta", stored=True, tokenizer_name=ANALYZER_NAME, index_option="freq")
    builder.add_text_field("body", stored=True, tokenizer_name=ANALYZER_NAME, index_option="freq")
    builder.add_integer_field("year", indexed=True, fast=True)
    builder.add_integer_field("date", indexed=True, fast=True)  # yyyymmdd
    return builder.build()


def _day(iso: str | None) -> int | None:
    digits = (iso or "")[:10].replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else None


def _document(r: SearchRecord) -> tantivy.Document:
    meta = " ".join(
        v
        for v in (r.title, r.case_no, r.archive_no, r.complainant, r.respondent, r.subject, r.kind)
        if v
    )
    body = "\n".join(v for v in (r.content, r.text) if v)
    doc = tantivy.Document(
        archive_no=r.archive_no,
        case_no=r.case_no.upper(),
        form_code=r.form_code.upper(),
        kind=r.kind,
        status=r.status,
        retention=r.retention.upper(),
        meta=meta,
        body=body,
    )
    doc.add_integer("year", int(r.year))
    doc.add_integer("date", _day(r.date) or 0)
    return doc


class SearchIndex:
    """The search index in ``folder`` (``archive/search/``): tantivy files plus state.sqlite."""

    def __init__(
        self, folder: Path, writer_heap: int = 64_000_000, database_url: str | None = None
    ) -> None:
        """``database_url``: the state in PostgreSQL and one writer across all nodes (a
        session advisory lock) instead of ``state.sqlite`` and ``write.lock``."""
        self.folder = Path(folder)
        self.writer_heap = writer_heap
        self.schema = _schema()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.state = SearchState(self.folder / "state.sqlite", database_url)
            self.index = self._open()
        except (OSError, ValueError) as exc:
            raise SearchIndexError(
                f"{self.folder}: 检索索引无法打开 ({exc}); 可运行 recordkit archive reindex 重建"
            ) from exc
        self.index.register_tokenizer(ANALYZER_NAME, analyzer())

    @property
    def tantivy_dir(self) -> Path:
        return self.folder / "tantivy"

    def _open(self) -> tantivy.Index:
        path = self.tantivy_dir
        if self._current():
            return tantivy.Index.open(str(path))
        with self._lock(timeout=60):  # a new or outdated index: start over, once, under the lock
            if self._current():
                return tantivy.Index.open(str(path))
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir(parents=True)
            self.state.clear()
            index = tantivy.Index(self.schema, path=str(path))
            self.state.set("schema", SCHEMA_VERSION)
            return index

    def _current(self) -> bool:
        path = self.tantivy_dir
        return (
            path.is_dir()
            and tantivy.Index.exists(str(path))
            and self.state.get("schema") == SCHEMA_VERSION
        )

    def close(self) -> None:
        self.state.close()

    @contextmanager
    def _lock(self, timeout: float) -> Iterator[None]:
        lock = (
            self.state.writer_lock(timeout)
            if self.state.shared
            else FileLock(str(self.folder / "write.lock"), timeout=timeout)
        )
        try:
            with lock:
                yield
        except (Timeout, TimeoutError):
            raise SearchIndexError(
                f"{self.folder}: 检索索引正由另一个进程写入, 请稍后重试 (search index busy)"
            ) from None

    # ----- writing
    def sync(self, fingerprint: str, current: Callable[[], dict[str, str]],
             load: Callable[[list[str]], Iterable[SearchRecord]]) -> SyncReport:  # fmt: skip
        """Bring the index up to ``current()`` (档号 -> stamp): add what is missing or
        stale, drop what is gone. ``fingerprint`` summarises the source (e.g. the event
        chain head): when it has not moved since the last sync nothing is read at all.
        A writer already at work means this process just reads what is there."""
        if self.state.get("fingerprint") == fingerprint:
            return SyncReport(skipped="current")
        try:
            with self._lock(timeout=0):
                return self._sync(fingerprint, current(), load)
        except SearchIndexError as exc:
            if "busy" in exc.message:
                return SyncReport(skipped="busy")
            raise

    def rebuild(self, fingerprint: str, current: Callable[[], dict[str, str]],
                load: Callable[[list[str]], Iterable[SearchRecord]]) -> SyncReport:  # fmt: skip
        """Empty the index and index every document again (``archive reindex``).
        Readers see fewer hits until the last batch commits."""
        with self._lock(timeout=60):
            with self._writer() as writer:
                writer.delete_all_documents()
            self.state.clear()
            self.state.set("schema", SCHEMA_VERSION)
            return self._sync(fingerprint, current(), load)

    def _sync(self, fingerprint: str, current: dict[str, str],
              load: Callable[[list[str]], Iterable[SearchRecord]]) -> SyncReport:  # fmt: skip
        indexed = self.state.stamps()
        gone = [a for a in indexed if a not in current]
        stale = [a for a, stamp in current.items() if indexed.get(a) != stamp]
        if gone:
            with self._writer() as writer:
                for archive_no in gone:
                    writer.delete_documents_by_term("archive_no", archive_no)
            self.state.drop(gone)
        added = 0
        for start in range(0, len(stale), BATCH):
            added += self.upsert(load(stale[start : start + BATCH]))
        self.state.set("fingerprint", fingerprint)
        return SyncReport(added=added, removed=len(gone))

    def upsert(self, records: Iterable[SearchRecord]) -> int:
        """Add or replace records (by 档号) in one commit, then record their stamps."""
        stamps = []
        with self._writer() as writer:
            for record in records:
                writer.delete_documents_by_term("archive_no", record.archive_no)
                writer.add_document(_document(record))
                stamps.append((record.archive_no, record.stamp))
        self.state.put(stamps)
        return len(stamps)

    @contextmanager
    def _writer(self) -> Iterator[tantivy.IndexWriter]:
        try:
            writer = self.index.writer(heap_size=self.writer_heap, num_threads=1)
        except ValueError as exc:
            raise SearchIndexError(
                f"{self.folder}: 检索索引正由另一个进程写入, 请稍后重试 (search index busy: {exc})"
            ) from exc
        try:
            yield writer
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        self.index.reload()

    # ----- reading
    def search(self, text: str, filters: SearchFilters = SearchFilters(), limit: int = 20,
               marks: tuple[str, str] = MARKS) -> list[Hit]:  # fmt: skip
        """The best ``limit`` documents for the words of ``text`` (all must match), bm25-ranked."""
        self.index.reload()  # see what another process committed since
        query = self._query(text, filters)
        searcher = self.index.searcher()
        try:
            result = searcher.search(
                query, limit, count=False
            )  # counting every match would defeat WAND
        except ValueError as exc:
            raise SearchIndexError(f"{self.folder}: 检索失败 ({exc})") from exc
        snippets = _Snippets(searcher, query, self.schema, marks)
        hits = []
        for score, address in result.hits:
            doc = searcher.doc(address)
            hits.append(Hit(doc.get_first("archive_no"), float(score), snippets.of(doc)))
        return hits

    def count(self) -> int:
        self.index.reload()
        return int(self.index.searcher().num_docs)

    def _query(self, text: str, filters: SearchFilters) -> tantivy.Query:
        clauses = [(tantivy.Occur.Must, self._word_query(w)) for w in query_words(text)]
        clauses += [
            (tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0))
            for f in self._filters(filters)
        ]
        if not clauses:
            return tantivy.Query.all_query()
        if (
            len(clauses) == 1
        ):  # one word: its union of terms stays at the top, where block-max WAND applies
            return clauses[0][1]
        return tantivy.Query.boolean_query(clauses)

    def _term(self, field: str, value: str, boost: float = 1.0) -> tantivy.Query:
        query = tantivy.Query.term_query(self.schema, field, value)
        return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)

    def _word_query(self, word: str) -> tantivy.Query:
        """One word: all its grams (each in the names and subjects, or in the text),
        or the whole word as a case number or 档号."""
        should = tantivy.Occur.Should
        per_gram = [tantivy.Query.boolean_query([(should, self._term("meta", g, META_BOOST)), (should, self._term("body", g))])
                    for g in grams(word)]  # fmt: skip
        text_query = (
            per_gram[0]
            if len(per_gram) == 1
            else tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in per_gram])
        )
        if not any(c.isascii() and c.isalnum() for c in word):
            return (
                text_query  # cannot be a case number or 档号: keep the query a plain union of terms
            )
        exact = [
            (should, self._term("archive_no", word, EXACT_BOOST)),
            (should, self._term("case_no", word.upper(), EXACT_BOOST)),
        ]
        return tantivy.Query.boolean_query([(should, text_query), *exact])

    def _filters(self, f: SearchFilters) -> list[tantivy.Query]:
        queries = [self._term(field, value) for field, value in (
            ("retention", (f.retention or "").upper()), ("form_code", (f.form_code or "").upper()),
            ("case_no", (f.case_no or "").upper()),
            ("kind", f.kind or ""), ("status", f.status or "")) if value]  # fmt: skip
        if f.year is not None:
            queries.append(
                tantivy.Query.range_query(
                    self.schema, "year", tantivy.FieldType.Integer, f.year, f.year
                )
            )
        low, high = _day(f.date_from), _day(f.date_to)
        if low is not None or high is not None:
            queries.append(
                tantivy.Query.range_query(
                    self.schema,
                    "date",
                    tantivy.FieldType.Integer,
                    low if low is not None else 0,
                    high if high is not None else 99991231,
                )
            )
        return queries


class _Snippets:
    """The passage around the matches: from the text if it matched there, else from the
    names and subjects (a complainant found through the case data)."""

    def __init__(self, searcher: tantivy.Searcher, query: tantivy.Query, schema: tantivy.Schema,
                 marks: tuple[str, str]) -> None:  # fmt: skip
        self.generators = [
            tantivy.SnippetGenerator.create(searcher, query, schema, f) for f in ("body", "meta")
        ]
        for generator in self.generators:
            generator.set_max_num_chars(240)  # bytes in tantivy: about 80 Chinese characters
        self.marks = marks

    def of(self, doc: tantivy.Document) -> str:
        for generator in self.generators:
            snippet = generator.snippet_from_doc(doc)
            if snippet.highlighted():
                return mark(
                    snippet.fragment(),
                    [(r.start, r.end) for r in snippet.highlighted()],
                    self.marks,
                )
        body = doc.get_first("body") or doc.get_first("meta") or ""
        return body[:80]


def mark(fragment: str, ranges: list[tuple[int, int]], marks: tuple[str, str] = MARKS) -> str:
    """``fragment`` with each highlighted range (UTF-8 byte offsets, as tantivy gives
    them) between the marks; overlapping bigram ranges (花生, 生油) merge into one."""
    raw = fragment.encode("utf-8")
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out += [
            raw[pos:start].decode("utf-8", "replace"),
            marks[0],
            raw[start:end].decode("utf-8", "replace"),
            marks[1],
        ]
        pos = end
    out.append(raw[pos:].decode("utf-8", "replace"))
    return " ".join("".join(out).split())  # one line: a table cell, a search result row
