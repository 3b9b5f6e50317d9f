"""`recordkit db check [--json]`: backend, connectivity, each store, the web app's pending
migrations, on SQLite and on a real PostgreSQL (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pg_server import PgServer, pg_server, pg_url  # noqa: F401 - fixtures
from web_setup import recordkit, use_database

from recordkit.config import init_workdir


def _folder(tmp_path: Path) -> Path:
    root = tmp_path / "work"
    init_workdir(root)
    return root


@pytest.mark.sqlite_only("checks the SQLite default")
def test_check_on_sqlite_names_pending_web_migrations_then_passes(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    fresh = recordkit(root, "db", "check")
    assert fresh.returncode == 1
    assert "后端" in fresh.stdout and "SQLite (内置, embedded)" in fresh.stdout
    assert "index.sqlite: 尚未创建" in fresh.stdout
    assert "网页迁移" in fresh.stdout and "待应用 (pending)" in fresh.stdout
    assert "Error: 数据库检查未通过 (database check failed)" in fresh.stderr
    assert recordkit(root, "user", "list").returncode == 0  # applies the migrations
    checked = recordkit(root, "db", "check", "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = json.loads(checked.stdout)
    assert report["ok"] is True
    lines = {c["item"]: c for c in report["checks"]}
    assert lines["网页迁移"]["detail"] == "Django 迁移已全部应用 (all applied)"
    assert lines["网页 (用户、会话、修改记录)"]["detail"].startswith("web.sqlite3: ")


def test_check_on_postgresql(tmp_path: Path, pg_url: str) -> None:  # noqa: F811
    root = _folder(tmp_path)
    use_database(root, pg_url)
    assert recordkit(root, "user", "list").returncode == 0
    checked = recordkit(root, "db", "check", "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = {c["item"]: c for c in json.loads(checked.stdout)["checks"]}
    assert lines["后端"]["detail"].startswith("PostgreSQL 15")
    assert lines["网页迁移"]["ok"] is True
    assert not (root / ".recordkit" / "web.sqlite3").exists()


def test_check_on_an_unreachable_server_fails_in_chinese(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    missing = f"postgresql://recordkit@/rk?host={tmp_path}&port=1"
    use_database(root, missing)
    checked = recordkit(root, "db", "check")
    assert checked.returncode == 1
    assert "连接" in checked.stdout and "失败" in checked.stdout
    assert "无法连接 PostgreSQL 数据库" in checked.stdout
    assert "Error: 数据库检查未通过 (database check failed)" in checked.stderr
    assert "Traceback" not in checked.stderr


@pytest.mark.sqlite_only("the web tables in an SQLite file named by [web] database_url")
def test_check_says_the_web_key_is_deprecated(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    toml = root / "recordkit.toml"
    other = (tmp_path / "web.sqlite3").as_posix()
    toml.write_text(
        toml.read_text(encoding="utf-8") + f'\n[web]\ndatabase_url = "sqlite:///{other}"\n',
        encoding="utf-8",
    )
    assert recordkit(root, "user", "list").returncode == 0
    checked = recordkit(root, "db", "check", "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = {c["item"]: c for c in json.loads(checked.stdout)["checks"]}
    assert lines["网页数据库设置"]["detail"].startswith("[web] database_url 已弃用 (deprecated)")
    assert (tmp_path / "web.sqlite3").is_file()


def test_check_shows_each_stores_schema_version_on_postgresql(
    tmp_path: Path,
    pg_url: str,  # noqa: F811
) -> None:
    import psycopg

    from recordkit.index.archive import pg_schema
    from recordkit.index.backend import schema_version

    root = _folder(tmp_path)
    use_database(root, pg_url)
    assert recordkit(root, "archive", "ingest").returncode == 0  # opens the archive index
    version = schema_version(pg_schema())[:12]
    lines = {
        c["item"]: c for c in json.loads(recordkit(root, "db", "check", "--json").stdout)["checks"]
    }
    assert lines["档案索引与 OCR 队列"]["detail"].endswith(f"架构版本 {version} (当前, current)")

    with psycopg.connect(pg_url, autocommit=True) as conn:  # as if recordkit were upgraded
        conn.execute("DELETE FROM archive.schema_applied")
    lines = {
        c["item"]: c for c in json.loads(recordkit(root, "db", "check", "--json").stdout)["checks"]
    }
    assert (
        f"架构版本 {version} 尚未应用, 下次打开时自动升级" in lines["档案索引与 OCR 队列"]["detail"]
    )
