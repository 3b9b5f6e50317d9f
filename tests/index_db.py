"""The archive index's database itself, for tests that read or tamper with it directly:
the SQLite file, or the ``archive`` schema of the PostgreSQL database the folder uses
(RECORDKIT_TEST_BACKEND=postgresql), through the same sqlite3-like API."""

from __future__ import annotations

import sqlite3
from typing import Any

from recordkit.config import Config
from recordkit.index.backend import open_database


def connect_index(config: Config) -> Any:
    """A connection to the index: ``execute`` with ``?``, ``commit``, ``close``, ``with``."""
    if config.database_url:
        return open_database(config.database_url, "", "archive")

    return sqlite3.connect(config.archive_dir / "index.sqlite", isolation_level=None)


def clone_database(url: str) -> str:
    """A new PostgreSQL database copied from the one at ``url`` (``CREATE DATABASE …
    TEMPLATE``), for a test's private copy of a prepared archive; connections still
    open on the original (a cache nobody closed) are ended first, as the copy needs."""
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    source, name = parts.path.lstrip("/"), f"rk_{uuid.uuid4().hex[:12]}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (source,))  # fmt: skip
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    return urlunsplit(parts._replace(path=f"/{name}"))
