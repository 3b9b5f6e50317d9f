"""The two database backends behind the index layer: embedded SQLite and PostgreSQL.

``open_database(target, schema, namespace)`` opens either an SQLite file (``target`` a
path: ``connect`` in ``__init__``) or a PostgreSQL database (``target`` a
``postgresql://`` URL) and returns a connection with the sqlite3 API the index modules
use: ``execute`` / ``executemany`` / ``executescript``, cursors with ``fetchone``,
``fetchall``, ``rowcount`` and ``lastrowid``, rows addressable by name and by position,
``in_transaction``, and ``with conn:`` committing. The few dialect differences are
translated here, in one place, so the SQL text of the index modules stays SQLite's:

- ``?`` placeholders become ``%s`` (and a literal ``%`` becomes ``%%``);
- ``INSERT OR IGNORE`` becomes ``ON CONFLICT DO NOTHING``, ``INSERT OR REPLACE``
  ``ON CONFLICT (primary key) DO UPDATE`` of every other column;
- ``INTEGER PRIMARY KEY`` becomes a 64-bit identity column (``INTEGER`` is ``BIGINT``:
  SQLite's integers are 64-bit), and an ``INSERT`` into a table with an identity column
  gets ``RETURNING`` it, which is the cursor's ``lastrowid``;
- ``json_extract(x, '$.key')`` becomes ``(x::jsonb ->> 'key')`` (text: compare as text);
- ``BEGIN IMMEDIATE`` (SQLite's one writer at a time) becomes ``BEGIN`` plus
  ``pg_advisory_xact_lock`` on a key of the namespace: every write transaction of, say,
  the archive index queues on one lock held until it commits or rolls back (or its
  connection dies), so "read MAX(件号) + 1, insert" and "read the chain head, append"
  are serialised across any number of processes and hosts exactly as on SQLite;
- ``PRAGMA`` statements are no-ops (PostgreSQL commits are durable already), except
  ``busy_timeout``, which is ``lock_timeout`` (60 s by default, like sqlite3's timeout).

Each namespace (``archive``, ``manifest``, ``casecache``, ``search``) is a PostgreSQL
schema of the one database, so the workspace's tables never collide; the connection's
``search_path`` is its schema. Introspection that SQLite does with ``PRAGMA`` and
``sqlite_master`` is ``table_columns`` and ``has_table`` here, for both.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import pq
from psycopg.conninfo import conninfo_to_dict

from ..errors import ConfigError, RecordkitError
from . import connect

POSTGRESQL, SQLITE = "postgresql", "sqlite"
# What a caught database error may be, on either backend.
DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, psycopg.Error)

Connection = Any  # sqlite3.Connection or PgConnection: the same API, duck-typed


def is_postgresql_url(target: object) -> bool:
    return isinstance(target, str) and target.split(":", 1)[0] in ("postgresql", "postgres")


def dialect(conn: Any) -> str:
    return POSTGRESQL if isinstance(conn, PgConnection) else SQLITE


def open_database(target: Path | str, schema: str, namespace: str) -> Connection:
    """An SQLite file (a path) or a PostgreSQL database (a URL), with ``schema`` applied."""
    if is_postgresql_url(target):
        return PgConnection.open(str(target), schema, namespace)
    return connect(Path(target), schema)


def redact(url: str) -> str:
    """The URL as a message may show it: without the password."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            netloc = netloc.replace(f":{parts.password}@", ":***@")
        query = re.sub(r"(^|&)password=[^&]*", r"\1password=***", parts.query)
        return urlunsplit(parts._replace(netloc=netloc, query=query))
    except ValueError:
        return "postgresql://…"


def lock_key(name: str) -> int:
    """A stable 64-bit advisory-lock key for a name (the same on every host)."""
    return int.from_bytes(
        hashlib.sha256(f"recordkit:{name}".encode()).digest()[:8], "big", signed=True
    )


def table_columns(conn: Connection, table: str) -> list[str]:
    """The table's columns in order ([] when there is no such table)."""
    if isinstance(conn, PgConnection):
        return conn.columns(table)
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def has_table(conn: Connection, table: str) -> bool:
    return bool(table_columns(conn, table))


def has_index(conn: PgConnection, name: str) -> bool:
    row = conn.raw.execute(
        "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = %s", (name,)
    ).fetchone()
    return row is not None


class Row:
    """A result row like ``sqlite3.Row``: ``row[0]``, ``row["name"]``, ``dict(row)``."""

    __slots__ = ("_values", "_index")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = tuple(values)
        self._index = index

    def __getitem__(self, key: int | str | slice) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._index)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, tuple):  # a test's expected row
            return self._values == other
        return isinstance(other, Row) and self._values == other._values

    def __hash__(self) -> int:
        return hash(self._values)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._index, self._values, strict=True))!r})"


def _row_factory(cursor: Any) -> Any:
    index = {c.name: i for i, c in enumerate(cursor.description or [])}
    return lambda values: Row(values, index)


class PgCursor:
    """What ``execute`` returns: the rows, ``rowcount`` and ``lastrowid``."""

    def __init__(self, cursor: Any = None, lastrowid: int | None = None) -> None:
        self._cursor = cursor
        self.lastrowid = lastrowid
        self.rowcount = cursor.rowcount if cursor is not None else -1

    def fetchone(self) -> Row | None:
        if self._cursor is None or self._cursor.description is None:
            return None
        return self._cursor.fetchone()

    def fetchall(self) -> list[Row]:
        if self._cursor is None or self._cursor.description is None:
            return []
        return self._cursor.fetchall()

    def __iter__(self) -> Iterator[Row]:
        return iter(self.fetchall())


_LITERAL = re.compile(r"('(?:[^']|'')*')")
_INSERT_OR = re.compile(r"^\s*INSERT\s+OR\s+(IGNORE|REPLACE)\s+INTO\s+(\w+)", re.IGNORECASE)
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
_JSON_EXTRACT = re.compile(r"json_extract\(([\w.]+),\s*'\$\.(\w+)'\)", re.IGNORECASE)
_DEFER_FOREIGN_KEYS = re.compile(r"^\s*PRAGMA\s+defer_foreign_keys\s*=\s*(ON|1)\b", re.IGNORECASE)
_BUSY_TIMEOUT = re.compile(r"^\s*PRAGMA\s+busy_timeout\s*=\s*(\d+)", re.IGNORECASE)
_DDL = re.compile(r"^\s*(CREATE|ALTER|DROP)\b", re.IGNORECASE)


def _placeholders(sql: str) -> str:
    """``?`` → ``%s`` outside string literals; ``%`` → ``%%`` (psycopg reads both)."""
    parts = _LITERAL.split(sql.replace("%", "%%"))
    return "".join(p if i % 2 else p.replace("?", "%s") for i, p in enumerate(parts))


def schema_version(schema: str) -> str:
    """A store's schema version on PostgreSQL: the digest of its schema text, recorded in
    its namespace's ``schema_applied`` table once applied."""
    return hashlib.sha256(schema.encode("utf-8")).hexdigest()


def translate_ddl(sql: str) -> str:
    """SQLite's table definitions in PostgreSQL's words."""
    sql = re.sub(r"\bINTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?",
                 "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", sql, flags=re.IGNORECASE)  # fmt: skip
    # Deferrable, as SQLite's are with ``PRAGMA defer_foreign_keys``: ``archive arrange``
    # renames a document's key and its children's in one transaction.
    sql = re.sub(r"\bREFERENCES\s+\w+\s*\(\w+\)", r"\g<0> DEFERRABLE INITIALLY IMMEDIATE", sql,
                 flags=re.IGNORECASE)  # fmt: skip
    return re.sub(r"\bINTEGER\b", "BIGINT", sql, flags=re.IGNORECASE)


def split_script(script: str) -> list[str]:
    """The statements of an SQL script (``--`` comments dropped)."""
    text = re.sub(r"--[^\n]*", "", script)
    return [s.strip() for s in text.split(";") if s.strip()]


class PgConnection:
    """A psycopg connection in autocommit mode (explicit ``BEGIN`` like
    ``isolation_level=None`` in sqlite3), speaking the index modules' SQLite."""

    def __init__(self, raw: psycopg.Connection[Any], namespace: str, url: str) -> None:
        self.raw = raw
        self.namespace = namespace
        self.url = url
        self._tables: dict[str, tuple[list[str], list[str], str | None]] = {}

    @classmethod
    def open(cls, url: str, schema: str, namespace: str) -> PgConnection:
        raw = connect_postgresql(url)
        conn = cls(raw, namespace, url)
        raw.execute(f'SET search_path TO "{namespace}"')
        digest = schema_version(schema)
        if conn.schema_applied(digest):  # the usual case: one look, no DDL, no lock
            return conn
        # Several processes starting at once would race on CREATE … IF NOT EXISTS (a
        # duplicate key in the catalogue): the schema is applied under one lock, once
        # per version of its text (``schema_applied``).
        try:
            with conn:
                conn.begin_schema_change()
                raw.execute(f'CREATE SCHEMA IF NOT EXISTS "{namespace}"')
                conn.executescript(schema)
                raw.execute("CREATE TABLE IF NOT EXISTS schema_applied (digest TEXT PRIMARY KEY)")
                raw.execute(
                    "INSERT INTO schema_applied VALUES (%s) ON CONFLICT DO NOTHING", (digest,)
                )
        except psycopg.Error as exc:
            raw.close()
            raise RecordkitError(f"{redact(url)}: 数据库无法打开 ({namespace}: {exc})") from None
        return conn

    def schema_applied(self, digest: str) -> bool:
        try:
            row = self.raw.execute("SELECT 1 FROM schema_applied WHERE digest = %s", (digest,))
            return row.fetchone() is not None
        except psycopg.errors.UndefinedTable:  # a new database or namespace
            return False

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def close(self) -> None:
        self.raw.close()

    def commit(self) -> None:
        """As sqlite3's: end the open transaction, if any (statements outside one are
        committed as they run)."""
        if self.in_transaction:
            self.raw.execute("COMMIT")

    def __enter__(self) -> PgConnection:
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        if self.in_transaction:
            self.raw.execute("ROLLBACK" if kind else "COMMIT")

    def executescript(self, script: str) -> None:
        for statement in split_script(script):
            self.execute(statement)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> PgCursor:
        head = sql.lstrip()[:16].upper()
        if head.startswith("PRAGMA"):
            busy = _BUSY_TIMEOUT.match(sql)
            if busy:  # how long to wait for another writer, as sqlite3's timeout
                self.raw.execute(f"SET lock_timeout = {int(busy.group(1))}")
            elif _DEFER_FOREIGN_KEYS.match(sql):  # until the commit, as in SQLite
                self.raw.execute("SET CONSTRAINTS ALL DEFERRED")
            return PgCursor()
        if head.startswith("BEGIN"):  # BEGIN IMMEDIATE: one writer of this namespace
            self.raw.execute("BEGIN")
            try:
                self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (self.write_lock(),))
            except psycopg.Error:  # lock_timeout: no transaction is left open, as in SQLite
                self.raw.execute("ROLLBACK")
                raise
            return PgCursor()
        query, returning = self._translate(sql)
        if _DDL.match(sql):
            self._tables.clear()
        cursor = self.raw.execute(query, _params(params) if params is not None else None)
        lastrowid = None
        if returning:
            row = cursor.fetchone()
            lastrowid = row[0] if row else None
        return PgCursor(cursor, lastrowid)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> PgCursor:
        query, returning = self._translate(sql, many=True)
        cursor = self.raw.cursor()
        cursor.executemany(query, [_params(r) for r in rows])
        return PgCursor(cursor)

    def begin_schema_change(self) -> None:
        """``BEGIN`` with the schema lock and then this namespace's write lock: DDL
        (even ``CREATE INDEX IF NOT EXISTS``) locks tables, so it must not run beside a
        writer of the namespace, or each would wait for the other (a deadlock)."""
        self.raw.execute("BEGIN")
        self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key("schema"),))
        self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (self.write_lock(),))

    def write_lock(self) -> int:
        """The key every write transaction of this namespace holds (``BEGIN IMMEDIATE``)."""
        return lock_key(f"{self.namespace}:write")

    def _translate(self, sql: str, many: bool = False) -> tuple[Any, bool]:
        if _DDL.match(sql):
            return translate_ddl(sql), False
        sql = _JSON_EXTRACT.sub(r"(\1::jsonb ->> '\2')", sql)
        sql, returning = self._conflicts(sql, many)
        return _placeholders(sql), returning

    def _conflicts(self, sql: str, many: bool) -> tuple[str, bool]:
        """INSERT OR IGNORE / OR REPLACE, and RETURNING the identity column."""
        match = _INSERT_OR.match(sql)
        table = match.group(2) if match else (m.group(1) if (m := _INSERT.match(sql)) else None)
        if table is None:
            return sql, False
        columns, key, identity = self._table(table)
        if match:
            sql = f"INSERT INTO {table}" + sql[match.end() :]
            if match.group(1).upper() == "IGNORE":
                sql += " ON CONFLICT DO NOTHING"
            else:
                update = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in key)
                sql += f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {update}"
        if identity and not many and "RETURNING" not in sql.upper():
            return f"{sql} RETURNING {identity}", True
        return sql, False

    def _table(self, table: str) -> tuple[list[str], list[str], str | None]:
        """(columns, primary key, identity column) of a table, looked up once."""
        if table not in self._tables:
            rows = self.raw.execute(
                "SELECT column_name, is_identity FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position",
                (table,),
            ).fetchall()
            key = self.raw.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE c.relname = %s AND c.relnamespace = current_schema()::regnamespace "
                "AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)",
                (table,),
            ).fetchall()
            identity = next((r[0] for r in rows if r[1] == "YES"), None)
            self._tables[table] = ([r[0] for r in rows], [r[0] for r in key], identity)
        return self._tables[table]

    def columns(self, table: str) -> list[str]:
        return self._table(table)[0]


def _params(params: Sequence[Any]) -> Sequence[Any]:
    # sqlite3 stores a bool as 0/1 in an INTEGER column; PostgreSQL wants an integer there too.
    return [int(p) if isinstance(p, bool) else p for p in params]


def connect_postgresql(url: str) -> psycopg.Connection[Any]:
    """Connect, turning a malformed URL or an unreachable server into a ConfigError
    that names the URL (never its password)."""
    shown = redact(url)
    try:
        conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise ConfigError(f"数据库地址格式错误 (malformed database URL) {shown}: {exc}") from None
    try:
        # lock_timeout: a writer waits at most 60 s for another, as sqlite3's timeout=60.
        return psycopg.connect(url, autocommit=True, row_factory=_row_factory, connect_timeout=10,
                               options="-c lock_timeout=60000")  # fmt: skip
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"无法连接 PostgreSQL 数据库 {shown} (database unreachable): {reason}"
        ) from None


@contextmanager
def schema_changes(conn: Connection) -> Iterator[None]:
    """Run an index's own schema changes (tables added later, columns, indexes) one
    process at a time: PostgreSQL's catalogue fails a second concurrent ``CREATE … IF
    NOT EXISTS`` with a duplicate key. One transaction under the schema lock; on SQLite
    (one writer anyway, and DDL takes its own write lock) nothing is added."""
    if not isinstance(conn, PgConnection):
        yield
        return
    with conn:
        conn.begin_schema_change()
        yield


def hold_lock(conn: PgConnection, name: str) -> bool:
    """Take a session advisory lock without waiting (held until ``release_lock`` or
    the connection ends); False if another session holds it."""
    return bool(
        conn.raw.execute("SELECT pg_try_advisory_lock(%s)", (lock_key(name),)).fetchone()[0]
    )


def release_lock(conn: PgConnection, name: str) -> None:
    conn.raw.execute("SELECT pg_advisory_unlock(%s)", (lock_key(name),))


def lock_held_elsewhere(conn: PgConnection, name: str) -> bool:
    """Another session (a live process, on any host) holds the lock ``name``."""
    if not hold_lock(conn, name):
        return True
    release_lock(conn, name)
    return False


@contextmanager
def session_lock(conn: PgConnection, name: str, timeout: float) -> Iterator[None]:
    """Hold a session advisory lock (``pg_try_advisory_lock``) on ``name`` across
    transactions, e.g. the one tantivy writer of all nodes; waits up to ``timeout``
    seconds, then raises TimeoutError. Released on exit, or by the server when the
    holder's connection dies (kill -9), so a dead writer never blocks the next."""
    key, deadline = lock_key(name), time.monotonic() + timeout
    while not conn.raw.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]:
        if time.monotonic() >= deadline:
            raise TimeoutError(name)
        time.sleep(0.1)
    try:
        yield
    finally:
        if not conn.raw.closed:
            conn.raw.execute("SELECT pg_advisory_unlock(%s)", (key,))
