"""The suite's own PostgreSQL server starts, answers and hands out fresh databases."""

from __future__ import annotations

from pg_server import PgServer, pg_server, pg_url  # noqa: F401 - fixtures


def test_a_fresh_database_answers(pg_url: str) -> None:  # noqa: F811
    import psycopg

    with psycopg.connect(pg_url) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        encoding = conn.execute("SHOW server_encoding").fetchone()[0]
    assert int(version.split(".")[0]) >= 13 and encoding == "UTF8"


def test_each_database_is_new(pg_server: PgServer) -> None:  # noqa: F811
    assert pg_server.new_database() != pg_server.new_database()
