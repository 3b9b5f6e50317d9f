"""The archive index's database itself, for tests that read or tamper with it directly:
the SQLite file, or the ``archive`` schema of the PostgreSQL database the folder uses
(RECORDKIT_TEST_BACKEND=postgresql), through the same sqlite3-like API."""

from __future__ import annotations

import sqlite3
from typing import Any

from pg_server import create_database

from recordkit.config import Config
from recordkit.index.backend import open_database


def connect_index(config: Config) -> Any:
    """A connection to the index: ``execute`` with ``?``, ``commit``, ``close``, ``with``."""
    if config.database_url:
        return open_database(config.database_url, "", "archive")

    return sqlite3.connect(config.archive_dir / "index.sqlite", isolation_level=None)


def clone_database(url: str) -> str:
    """A new PostgreSQL database copied from the one at ``url`` (``CREATE DATABASE …
    TEMPLATE``), for a test's private copy of a prepared archive."""
    from urllib.parse import urlsplit

    return create_database(url, template=urlsplit(url).path.lstrip("/"))


def fresh_database(url: str) -> str:
    """A new, empty PostgreSQL database on the server of ``url``."""
    return create_database(url)
