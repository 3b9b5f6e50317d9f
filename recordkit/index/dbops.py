"""Database operations over whole stores, for `recordkit db check` and `db migrate` (issue 15).

A *store* is one SQLite file of a working folder (the archive index with its OCR queue,
the output manifest, the case cache, the search state, the web app's tables) and the
PostgreSQL schema it lives in once the folder is switched: ``archive``, ``manifest``,
``casecache``, ``search`` (the namespaces of the index backend), and ``public`` for the
web app, whose tables Django's own migrations create.

Copying is by primary key with ``ON CONFLICT DO NOTHING``, in batches that each commit, so
an interrupted copy is finished by running it again: rows already there are skipped, the
source (SQLite) is only read. A table the target lacks is created from the SQLite table's
own definition in PostgreSQL's words (as the index backend applies its schema), so the
index stores open on the copy as they would on a database they created themselves.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RecordkitError
from . import connect_read_only
from .backend import connect_postgresql, is_postgresql_url, redact, translate_ddl

BATCH = 500
WEB_NAMESPACE = "public"
# FTS5 keeps its index in shadow tables named after the virtual table; they are SQLite's
# machinery, not data.
_FTS_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")


@dataclass(frozen=True)
class Store:
    """One SQLite file of the working folder and the PostgreSQL schema it moves to."""

    key: str  # archive | manifest | casecache | search | web
    label: str  # Chinese, for the tables the commands print
    path: Path
    namespace: str


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[str]
    key: list[str]  # primary key columns ([] = none)
    create_sql: str  # the SQLite definition ("" for a virtual table)
    parents: list[str] = field(default_factory=list)  # tables its foreign keys name
    indexes: list[str] = field(default_factory=list)  # its CREATE INDEX statements


@dataclass(frozen=True)
class Line:
    """One line of the table `db check` and `db migrate` print."""

    item: str
    ok: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item, "ok": self.ok, "detail": self.detail}


class MigrationInterrupted(RecordkitError):
    """The copy stopped before the end (a row limit, or Ctrl+C); run again with --resume."""


def pg_connect(url: str) -> Any:
    """A psycopg connection (autocommit), or a Chinese error naming the server."""
    if not is_postgresql_url(url):
        raise RecordkitError(
            f"目标数据库地址应以 postgresql:// 开头 (target must be a PostgreSQL URL): {redact(url)}"
        )
    return connect_postgresql(url)


def server_version(pg: Any) -> str:
    return str(pg.execute("SHOW server_version").fetchone()[0])


# --------------------------------------------------------------------------- SQLite side


def open_source(store: Store) -> sqlite3.Connection:
    """The store's SQLite file, read-only: a migration never changes its source."""
    return connect_read_only(store.path)


def source_tables(src: sqlite3.Connection) -> list[Table]:
    """The data tables of an SQLite file, parents before children (foreign keys)."""
    rows = src.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    virtual = {r[0] for r in rows if (r[1] or "").upper().startswith("CREATE VIRTUAL")}
    shadows = {v + s for v in virtual for s in _FTS_SHADOWS}
    tables = {}
    for name, sql in rows:
        if name in shadows:
            continue
        info = src.execute(f'PRAGMA table_info("{name}")').fetchall()
        columns = [r[1] for r in info]
        key = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
        if name in virtual:  # an FTS table: its first column identifies the row
            key, sql = columns[:1], ""
        parents = sorted({r[2] for r in src.execute(f'PRAGMA foreign_key_list("{name}")')})
        indexes = [
            r[0]
            for r in src.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                (name,),
            )
        ]
        parents = [p for p in parents if p != name]
        tables[name] = Table(name, columns, key, sql or "", parents, indexes)
    return _parents_first(tables)


def _parents_first(tables: dict[str, Table]) -> list[Table]:
    ordered: list[Table] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name not in tables:
            return
        seen.add(name)
        for parent in tables[name].parents:
            visit(parent)
        ordered.append(tables[name])

    for name in sorted(tables):
        visit(name)
    return ordered


def count_source(src: sqlite3.Connection, table: str) -> int:
    return int(src.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])


def source_rows(src: sqlite3.Connection, table: Table, columns: list[str]) -> Iterator[tuple]:
    order = ", ".join(f'"{c}"' for c in table.key) or "rowid"
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = src.execute(f'SELECT {names} FROM "{table.name}" ORDER BY {order}')
    while batch := cursor.fetchmany(BATCH):
        yield from (tuple(row) for row in batch)


# --------------------------------------------------------------------------- PostgreSQL side


def target_columns(pg: Any, namespace: str, table: str) -> dict[str, str]:
    """{column: data type} of a target table ({} when it does not exist)."""
    rows = pg.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
        (namespace, table),
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def create_target_table(pg: Any, namespace: str, table: Table) -> None:
    """CREATE the table and its indexes in ``namespace`` from their SQLite definitions
    (the names they reference resolve in that schema), if missing."""
    pg.execute(f'CREATE SCHEMA IF NOT EXISTS "{namespace}"')
    pg.execute(f'SET search_path TO "{namespace}"')
    try:
        if table.create_sql:
            pg.execute(translate_ddl(_if_not_exists(table.create_sql, "TABLE")))
        else:
            columns = ", ".join(f'"{c}" TEXT' for c in table.columns)
            key = ", ".join(f'"{c}"' for c in table.key)
            pg.execute(
                f'CREATE TABLE IF NOT EXISTS "{table.name}" ({columns}, PRIMARY KEY ({key}))'
            )
        for sql in table.indexes:
            pg.execute(_if_not_exists(sql, "INDEX"))
    finally:
        pg.execute("SET search_path TO DEFAULT")


def _if_not_exists(sql: str, kind: str) -> str:
    return re.sub(
        rf"^CREATE\s+(UNIQUE\s+)?{kind}\s+(IF NOT EXISTS\s+)?",
        lambda m: f"CREATE {m.group(1) or ''}{kind} IF NOT EXISTS ",
        sql.strip(),
        flags=re.IGNORECASE,
    )


def count_target(pg: Any, namespace: str, table: str) -> int:
    return int(pg.execute(f'SELECT COUNT(*) FROM "{namespace}"."{table}"').fetchone()[0])


def copy_table(
    src: sqlite3.Connection, pg: Any, namespace: str, table: Table, budget: int | None
) -> int:
    """Copy the rows the target lacks; each batch commits. Returns the rows read; stops
    with MigrationInterrupted once ``budget`` rows are read (None: no limit)."""
    types = target_columns(pg, namespace, table.name)
    columns = [c for c in table.columns if c in types]
    flags = [types[c] == "boolean" for c in columns]
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    insert = f'INSERT INTO "{namespace}"."{table.name}" ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING'
    if not table.key and count_target(pg, namespace, table.name):
        return 0  # no key to skip by: a table without one is copied whole, once
    read, batch = 0, []
    for row in source_rows(src, table, columns):
        batch.append(
            tuple(bool(v) if f and v is not None else v for v, f in zip(row, flags, strict=True))
        )
        read += 1
        if len(batch) >= BATCH or read == budget:
            _insert(pg, insert, batch)
            batch = []
        if read == budget:
            raise MigrationInterrupted(f"复制在 {table.name} 的第 {read} 行处中断")
    _insert(pg, insert, batch)
    _advance_identity(pg, namespace, table.name)
    return read


def _insert(pg: Any, sql: str, rows: list[tuple]) -> None:
    if rows:
        with pg.transaction(), pg.cursor() as cursor:
            cursor.executemany(sql, rows)


def _advance_identity(pg: Any, namespace: str, table: str) -> None:
    """Rows came with their ids: move the table's id sequence past them."""
    rows = pg.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
        "AND table_name = %s AND (is_identity = 'YES' OR column_default LIKE 'nextval(%%')",
        (namespace, table),
    ).fetchall()
    for (column,) in rows:
        pg.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), "
            f'COALESCE((SELECT MAX("{column}") FROM "{namespace}"."{table}"), 0) + 1, false)',
            (f'"{namespace}"."{table}"', column),
        )


def occupied_tables(pg: Any, stores: list[Store], tables: dict[str, list[Table]]) -> list[str]:
    """``schema.table`` of the target tables that already hold rows."""
    found = []
    for store in stores:
        for table in tables[store.key]:
            if target_columns(pg, store.namespace, table.name) and count_target(
                pg, store.namespace, table.name
            ):
                found.append(f"{store.namespace}.{table.name}")
    return found


def target_documents(pg: Any, namespace: str) -> list[tuple[int, str, str, int]]:
    """(year, retention, dept_code, 件号) of every document, in 档号 order."""
    if not target_columns(pg, namespace, "documents"):
        return []
    return pg.execute(
        f'SELECT year, retention, dept_code, item_no FROM "{namespace}".documents '
        "ORDER BY year, retention, dept_code, item_no"
    ).fetchall()


def target_events(pg: Any, namespace: str) -> list[dict[str, Any]]:
    """The event log of the target, in order, each row as a dict."""
    if not target_columns(pg, namespace, "events"):
        return []
    cursor = pg.execute(f'SELECT * FROM "{namespace}".events ORDER BY id')
    names = [d.name for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def source_chain_head(src: sqlite3.Connection) -> str | None:
    row = src.execute("SELECT hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else None
