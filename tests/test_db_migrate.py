"""`recordkit db migrate --to URL [--resume]`: an archive filed on SQLite copied into a real
PostgreSQL, refused when the target holds rows, interrupted and resumed, verified by row
counts, 件号 sequences and the re-hashed event chain (issue 15)."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from archive_setup import add_case, form_pdf, make_workdir
from pg_server import PgServer, pg_server, pg_url  # noqa: F401 - fixtures
from web_setup import PASSWORD, recordkit

from recordkit.archive.service import Archive
from recordkit.index.dbops import MigrationInterrupted
from recordkit.index.migrate import migrate, verify
from recordkit.workspace import Workspace

# The source is an archive filed on SQLite, read as SQLite files.
pytestmark = pytest.mark.sqlite_only("migrates SQLite files")


@pytest.fixture(scope="module")
def filed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with five documents filed in two 件号 series, a web user and a case cache."""
    root = tmp_path_factory.mktemp("migrate") / "work"
    scans = root.parent / "scans"
    scans.mkdir()
    config = make_workdir(root)
    for case_no in ("TS-2026-0007", "TS-2026-0008"):
        add_case(root, case_no, 2026)
    files = [form_pdf(scans / f"a{i}.pdf", "TS-2026-0007", "F01", serial=i) for i in range(3)]
    files += [form_pdf(scans / f"b{i}.pdf", "TS-2026-0008", "F03", serial=10 + i) for i in range(2)]
    with Archive(config) as archive:
        report = archive.ingest(files, jobs=1)
    assert [r.outcome for r in report.results] == ["filed"] * 5
    added = recordkit(
        root, "user", "add", "lina", "--role", "登记员", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert added.returncode == 0, added.stderr
    return root


def _sqlite_rows(path: Path, table: str) -> int:
    import sqlite3

    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_migrate_copies_verifies_and_refuses_a_second_copy(
    filed: Path,
    pg_url: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = (filed / "archive" / "index.sqlite").read_bytes()
    result = recordkit(filed, "db", "migrate", "--to", pg_url)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "件号序列" in out and "2 个序列, 5 件, 均为 1..n 连续" in out
    events = _sqlite_rows(filed / "archive" / "index.sqlite", "events")
    assert f"{events} 个事件重新计算哈希无误, 链头" in out
    assert "失败" not in out
    assert (filed / "archive" / "index.sqlite").read_bytes() == before  # the source is only read
    with psycopg.connect(pg_url) as pg:
        assert pg.execute("SELECT COUNT(*) FROM archive.documents").fetchone()[0] == 5
        item_nos = pg.execute(
            "SELECT retention, item_no FROM archive.documents ORDER BY retention, item_no"
        ).fetchall()
        assert item_nos == [("D10", 1), ("D10", 2), ("D10", 3), ("D30", 1), ("D30", 2)]
        assert pg.execute("SELECT username FROM public.auth_user").fetchall() == [("lina",)]
    # The folder opened on the copy: the archive verifies, from PostgreSQL.
    monkeypatch.setenv("RECORDKIT_DATABASE_URL", pg_url)
    verified = recordkit(filed, "archive", "verify", "--no-log")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Z109-WS·2026-D30-0002" in recordkit(filed, "archive", "list").stdout
    checked = recordkit(filed, "db", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "模式 archive: " in checked.stdout
    monkeypatch.delenv("RECORDKIT_DATABASE_URL")
    again = recordkit(filed, "db", "migrate", "--to", pg_url)
    assert again.returncode == 1
    assert "不是空的 (target not empty): archive." in again.stderr
    assert "若是继续上次中断的迁移, 请加 --resume" in again.stderr
    assert "Traceback" not in again.stderr


def test_interrupted_migration_resumes_to_the_same_copy(filed: Path, pg_url: str) -> None:  # noqa: F811
    stores = Workspace.open(filed / "recordkit.toml").database_stores()
    index_stores = [s for s in stores if s.key != "web"]
    with pytest.raises(MigrationInterrupted):
        migrate(index_stores, pg_url, row_limit=30)
    with psycopg.connect(pg_url) as pg:
        copied = pg.execute("SELECT COUNT(*) FROM archive.checks").fetchone()[0]
    assert 0 < copied < _sqlite_rows(filed / "archive" / "index.sqlite", "checks")
    refused = recordkit(filed, "db", "migrate", "--to", pg_url)
    assert refused.returncode == 1 and "请加 --resume" in refused.stderr
    resumed = recordkit(filed, "db", "migrate", "--to", pg_url, "--resume", "--json")
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["ok"] is True
    assert {c["item"]: c["ok"] for c in report["checks"]} == {
        "行数: 档案索引与 OCR 队列": True,
        "行数: 案件缓存": True,
        "行数: 网页 (用户、会话、修改记录)": True,
        "件号序列": True,
        "事件链": True,
    }
    with psycopg.connect(pg_url) as pg:
        assert pg.execute("SELECT COUNT(*) FROM archive.checks").fetchone()[0] == _sqlite_rows(
            filed / "archive" / "index.sqlite", "checks"
        )
        # the id sequence moved past the copied events: the next event gets the next id
        next_id = pg.execute("SELECT nextval(pg_get_serial_sequence('archive.events', 'id'))")
        assert (
            next_id.fetchone()[0] == _sqlite_rows(filed / "archive" / "index.sqlite", "events") + 1
        )


def test_verification_finds_a_gap_and_a_rewritten_event(filed: Path, pg_url: str) -> None:  # noqa: F811
    stores = [
        s for s in Workspace.open(filed / "recordkit.toml").database_stores() if s.key != "web"
    ]
    assert migrate(stores, pg_url).ok
    with psycopg.connect(pg_url, autocommit=True) as pg:
        pg.execute("UPDATE archive.events SET time = '2020-01-01T00:00:00' WHERE id = 2")
        pg.execute("DELETE FROM archive.documents WHERE retention = 'D10' AND item_no = 2")
        tables = {s.key: [] for s in stores}
        lines = {line.item: line for line in verify(pg, [stores[0]], tables)}
    assert not lines["件号序列"].ok
    assert "2026-D10: 缺 [2] 或重复" in lines["件号序列"].detail
    assert not lines["事件链"].ok
    assert "事件 2 的内容与其哈希不符: 该事件被改写" in lines["事件链"].detail


def test_migrate_to_an_unreachable_or_non_postgresql_target(filed: Path, tmp_path: Path) -> None:
    missing = f"postgresql://recordkit@/rk?host={tmp_path}&port=1"
    result = recordkit(filed, "db", "migrate", "--to", missing)
    assert result.returncode == 1
    assert f"Error: 无法连接 PostgreSQL 数据库 {missing} (database unreachable):" in result.stderr
    sqlite = recordkit(filed, "db", "migrate", "--to", "sqlite:///x.db")
    assert sqlite.returncode == 1
    assert "Error: 目标数据库地址应以 postgresql:// 开头" in sqlite.stderr
    usage = recordkit(filed, "db", "migrate")
    assert usage.returncode == 2 and "--to" in usage.stderr


def test_a_folder_already_on_postgresql_is_not_migrated_again(
    filed: Path,
    pg_url: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RECORDKIT_DATABASE_URL", pg_url)
    result = recordkit(filed, "db", "migrate", "--to", pg_url)
    assert result.returncode == 1
    assert "Error: 本工作目录已在使用 PostgreSQL ([database] url 或 RECORDKIT_DATABASE_URL)" in (
        result.stderr
    )
