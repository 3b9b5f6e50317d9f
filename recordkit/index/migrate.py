"""`recordkit db migrate` and `recordkit db check` (issue 15).

``migrate`` copies the SQLite stores of a working folder into one PostgreSQL database and
then verifies the copy on the target: the row count of every table, the 件号 sequences
(1..n without a gap per year, 保管期限 and 机构代码) and the event chain (every event
re-hashed, and the head equal to the source's). A target whose tables already hold rows is
refused unless ``resume``: the copy skips what is there, so an interrupted run is finished
by running it again. ``check`` says whether each store can be opened and what it holds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from ..errors import RecordkitError
from .archive import GENESIS_HASH, ArchiveIndex, link_problem, pg_schema
from .backend import redact, schema_version
from .casecache import SCHEMA as CASECACHE_SCHEMA
from .casecache import CaseCache
from .dbops import (
    WEB_NAMESPACE,
    Line,
    Store,
    Table,
    copy_table,
    count_source,
    count_target,
    create_target_table,
    occupied_tables,
    open_source,
    pg_connect,
    server_version,
    source_chain_head,
    source_tables,
    target_columns,
    target_documents,
    target_events,
)
from .manifest import SCHEMA as MANIFEST_SCHEMA
from .manifest import Manifest
from .searchstate import SCHEMA as SEARCH_SCHEMA
from .searchstate import SearchState

ARCHIVE = "archive"


@dataclass
class MigrationReport:
    target: str  # the URL without its password
    copied: dict[str, int] = field(default_factory=dict)  # "schema.table": rows read
    lines: list[Line] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(line.ok for line in self.lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "ok": self.ok,
            "copied": self.copied,
            "checks": [line.to_dict() for line in self.lines],
        }


class TargetNotEmpty(RecordkitError):
    pass


def migrate(
    stores: list[Store],
    url: str,
    resume: bool = False,
    prepare: Callable[[], None] | None = None,
    row_limit: int | None = None,
) -> MigrationReport:
    """Copy ``stores`` into ``url`` and verify. ``prepare`` runs once the target is known to
    be acceptable (the web app's migrations); ``row_limit`` stops the copy after that many
    rows with MigrationInterrupted (what Ctrl+C does, at a known place)."""
    import psycopg

    try:
        return _migrate([s for s in stores if s.path.is_file()], url, resume, prepare, row_limit)
    except psycopg.Error as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise RecordkitError(f"迁移失败 (database error) {redact(url)}: {reason}") from None


def _migrate(
    present: list[Store],
    url: str,
    resume: bool,
    prepare: Callable[[], None] | None,
    row_limit: int | None,
) -> MigrationReport:
    report = MigrationReport(redact(url))
    with closing(pg_connect(url)) as pg:
        tables = {s.key: _tables(s) for s in present}
        occupied = occupied_tables(pg, present, tables)
        if occupied and not resume:
            raise TargetNotEmpty(
                f"目标数据库 {redact(url)} 不是空的 (target not empty): {', '.join(occupied[:5])}"
                f"{' …' if len(occupied) > 5 else ''}; 若是继续上次中断的迁移, 请加 --resume"
            )
        if prepare is not None:
            prepare()
        create_schemas(present, url)
        budget = row_limit
        for store in present:
            budget = _copy_store(pg, store, tables[store.key], report, budget)
        report.lines = verify(pg, present, tables)
    return report


# Each index store opened on the target applies its own schema there, exactly as when a
# folder switched to PostgreSQL opens it; a table it does not know (an older file's) is
# then made from the SQLite definition.
OPENERS: dict[str, Callable[[Any, str], Any]] = {
    "archive": ArchiveIndex,
    "manifest": Manifest,
    "casecache": CaseCache,
    "search": SearchState,
}


def create_schemas(stores: list[Store], url: str) -> None:
    for store in stores:
        opener = OPENERS.get(store.key)
        if opener is not None:
            opener(store.path, url).close()


def _tables(store: Store) -> list[Table]:
    with closing(open_source(store)) as src:
        return source_tables(src)


def _copy_store(
    pg: Any, store: Store, tables: list[Table], report: MigrationReport, budget: int | None
) -> int | None:
    with closing(open_source(store)) as src:
        for table in tables:
            if not target_columns(pg, store.namespace, table.name):
                if store.namespace == WEB_NAMESPACE:
                    raise RecordkitError(
                        f"目标数据库缺少网页表 {table.name} (missing web table): 请先应用网页迁移"
                    )
                create_target_table(pg, store.namespace, table)
            read = copy_table(src, pg, store.namespace, table, budget)
            report.copied[f"{store.namespace}.{table.name}"] = read
            budget = None if budget is None else budget - read
    return budget


def verify(pg: Any, stores: list[Store], tables: dict[str, list[Table]]) -> list[Line]:
    """Counts of every table, then the archive's 件号 sequences and event chain."""
    lines = []
    for store in stores:
        lines.append(_count_line(pg, store, tables[store.key]))
    archive = next((s for s in stores if s.key == ARCHIVE), None)
    if archive is not None:
        lines.append(_sequence_line(pg, archive.namespace))
        with closing(open_source(archive)) as src:
            lines.append(_chain_line(pg, archive.namespace, source_chain_head(src)))
    return lines


def _count_line(pg: Any, store: Store, tables: list[Table]) -> Line:
    with closing(open_source(store)) as src:
        counts = [(t.name, count_source(src, t.name), _count(pg, store, t)) for t in tables]
    wrong = [f"{name} {a}→{b}" for name, a, b in counts if a != b]
    total = sum(a for _name, a, _b in counts)
    detail = f"{len(counts)} 张表, {total} 行一致"
    if wrong:
        detail = "行数不一致 (row counts differ): " + ", ".join(wrong)
    return Line(f"行数: {store.label}", not wrong, detail)


def _count(pg: Any, store: Store, table: Table) -> int:
    if not target_columns(pg, store.namespace, table.name):
        return -1
    return count_target(pg, store.namespace, table.name)


def sequence_gaps(rows: list[tuple[int, str, str, int]]) -> list[str]:
    """Each (year, retention, dept) whose 件号 are not exactly 1..n."""
    problems = []
    for (year, retention, dept), group in groupby(rows, key=lambda r: r[:3]):
        numbers = [r[3] for r in group]
        if numbers != list(range(1, len(numbers) + 1)):
            expected = set(range(1, max(numbers) + 1))
            missing = sorted(expected - set(numbers))[:5]
            where = f"{year}-{retention}{'-' + dept if dept else ''}"
            problems.append(f"{where}: 缺 {missing} 或重复" if missing else f"{where}: 重复")
    return problems


def _sequence_line(pg: Any, namespace: str) -> Line:
    rows = target_documents(pg, namespace)
    problems = sequence_gaps(rows)
    series = len({r[:3] for r in rows})
    if problems:
        return Line("件号序列", False, "件号有缺口 (gaps): " + "; ".join(problems))
    return Line("件号序列", True, f"{series} 个序列, {len(rows)} 件, 均为 1..n 连续")


def _chain_line(pg: Any, namespace: str, source_head: str | None) -> Line:
    prev_hash, prev_id, count = GENESIS_HASH, 0, 0
    for row in target_events(pg, namespace):
        count += 1
        problem = link_problem(row, prev_hash, prev_id)
        if problem:
            return Line("事件链", False, problem)
        prev_hash, prev_id = row["hash"], row["id"]
    if (source_head or GENESIS_HASH) != prev_hash:
        return Line("事件链", False, f"链头与源库不同 (head differs): {prev_hash[:16]}…")
    return Line("事件链", True, f"{count} 个事件重新计算哈希无误, 链头 {prev_hash[:16]}…")


# --------------------------------------------------------------------------- db check


def check(stores: list[Store], url: str) -> list[Line]:
    """One line per store (SQLite files, or their schemas in PostgreSQL ``url``)."""
    if not url:
        return [Line("后端", True, "SQLite (内置, embedded)")] + [_sqlite_line(s) for s in stores]
    try:
        pg = pg_connect(url)
    except RecordkitError as exc:
        return [Line("连接", False, str(exc))]
    with closing(pg):
        lines = [Line("后端", True, f"PostgreSQL {server_version(pg)} ({redact(url)})")]
        lines += [_pg_line(pg, s) for s in stores if s.namespace != WEB_NAMESPACE]
    return lines


def _sqlite_line(store: Store) -> Line:
    if not store.path.is_file():
        return Line(store.label, True, f"{store.path.name}: 尚未创建 (created on first use)")
    try:
        with closing(open_source(store)) as src:
            verdict = src.execute("PRAGMA quick_check").fetchone()[0]
            tables = source_tables(src)
            rows = sum(count_source(src, t.name) for t in tables)
    except (RecordkitError, sqlite3.DatabaseError) as exc:
        return Line(store.label, False, f"{store.path}: 无法打开 ({exc})")
    if verdict != "ok":
        return Line(store.label, False, f"{store.path}: 完整性检查失败 (quick_check): {verdict}")
    return Line(store.label, True, f"{store.path.name}: {len(tables)} 张表, {rows} 行")


# The schema text each store applies on PostgreSQL (its digest is the schema version).
PG_SCHEMAS: dict[str, Callable[[], str]] = {
    "archive": pg_schema,
    "manifest": lambda: MANIFEST_SCHEMA,
    "casecache": lambda: CASECACHE_SCHEMA,
    "search": lambda: SEARCH_SCHEMA,
}


def _pg_line(pg: Any, store: Store) -> Line:
    found = pg.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
        (store.namespace,),
    ).fetchall()
    if not found:
        return Line(store.label, True, f"模式 {store.namespace}: 尚未创建 (created on first use)")
    rows = sum(count_target(pg, store.namespace, r[0]) for r in found)
    counts = f"模式 {store.namespace}: {len(found)} 张表, {rows} 行"
    return _version_line(pg, store, counts, {r[0] for r in found})


def _version_line(pg: Any, store: Store, counts: str, tables: set[str]) -> Line:
    """The store's schema version against this recordkit's: current, or waiting to be
    applied (by the next process that opens the store, under the schema lock)."""
    wanted = schema_version(PG_SCHEMAS[store.key]())
    applied: set[str] = set()
    if "schema_applied" in tables:
        rows = pg.execute(f'SELECT digest FROM "{store.namespace}".schema_applied').fetchall()
        applied = {r[0] for r in rows}
    if wanted in applied:
        return Line(store.label, True, f"{counts}; 架构版本 {wanted[:12]} (当前, current)")
    return Line(store.label, True, f"{counts}; 架构版本 {wanted[:12]} 尚未应用, 下次打开时自动升级 "
                "(schema update pending: applied when the store is next opened)")  # fmt: skip
