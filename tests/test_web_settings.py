"""Settings built from the working folder: state in .recordkit/, the database URL, the secret key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from web_setup import web, web_root  # noqa: F401

from recordkit.config import init_workdir
from recordkit.errors import ConfigError
from recordkit.web.settings import build_settings, database_url_setting


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "work"
    init_workdir(root)
    return root


def _add_section(root: Path, text: str) -> None:
    toml = root / "recordkit.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def _add_web_section(root: Path, text: str) -> None:
    _add_section(root, "[web]\n" + text)


def test_defaults(folder: Path) -> None:
    values = build_settings(folder, environ={})
    db = values["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(folder / ".recordkit" / "web.sqlite3")
    assert db["OPTIONS"] == {"transaction_mode": "IMMEDIATE", "timeout": 20}
    assert values["LANGUAGE_CODE"] == "zh-hans" and values["TIME_ZONE"] == "Asia/Shanghai"
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_AGE"] == 8 * 3600 and values["SESSION_EXPIRE_AT_BROWSER_CLOSE"]
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["X_FRAME_OPTIONS"] == "DENY"
    for middleware in (
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
        "axes.middleware.AxesMiddleware",
    ):
        assert middleware in values["MIDDLEWARE"]
    assert values["AXES_FAILURE_LIMIT"] == 5


def test_secret_key_is_made_once_and_owner_only(folder: Path) -> None:
    first = build_settings(folder, environ={})["SECRET_KEY"]
    key_file = folder / ".recordkit" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 50 and key_file.read_text(encoding="ascii") == first
    key_file.chmod(0o644)
    assert build_settings(folder, environ={})["SECRET_KEY"] == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_database_url_from_toml_and_env(folder: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.sqlite3"
    _add_web_section(folder, f'database_url = "sqlite:///{other.as_posix()}"')
    assert build_settings(folder, environ={})["DATABASES"]["default"]["NAME"] == str(other)
    env = {"RECORDKIT_DATABASE_URL": "postgres://rk:secret@db.local:5433/recordkit"}
    db = build_settings(folder, environ=env)["DATABASES"]["default"]
    assert (db["ENGINE"], db["NAME"], db["USER"], db["HOST"], db["PORT"]) == (
        "django.db.backends.postgresql",
        "recordkit",
        "rk",
        "db.local",
        5433,
    )
    assert "OPTIONS" not in db or "transaction_mode" not in db["OPTIONS"]


def test_bad_database_url_is_a_chinese_error(folder: Path) -> None:
    with pytest.raises(
        ConfigError, match="数据库地址无效 \\(invalid database URL\\) 'oracle9://x'"
    ):
        build_settings(folder, environ={"RECORDKIT_DATABASE_URL": "oracle9://x"})


def test_bad_allowed_hosts_is_a_chinese_error(folder: Path) -> None:
    _add_web_section(folder, 'allowed_hosts = "rk.local"')
    with pytest.raises(ConfigError, match="\\[web\\] allowed_hosts: 应为文本列表"):
        build_settings(folder, environ={})


def test_https_behind_a_proxy(folder: Path) -> None:
    _add_web_section(folder, 'https = true\nallowed_hosts = ["rk.example.cn"]')
    values = build_settings(folder, environ={})
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert values["ALLOWED_HOSTS"] == ["rk.example.cn"]


def test_start_applied_the_committed_migrations(web: Path) -> None:  # noqa: F811
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":  # RECORDKIT_TEST_BACKEND=postgresql: no file
        assert (web / ".recordkit" / "web.sqlite3").is_file()
        assert stat.S_IMODE((web / ".recordkit" / "web.sqlite3").stat().st_mode) == 0o600
    assert {"web_change", "auth_user", "django_session", "axes_accessattempt"} <= set(
        connection.introspection.table_names()
    )
    out = StringIO()
    call_command(
        "makemigrations", "web", "--check", "--dry-run", stdout=out
    )  # exits 1 if a model drifted
    assert "No changes detected" in out.getvalue()


# [database] url (issue 15): the web tables follow the workspace's one database setting.


def _db(root: Path, environ: dict[str, str] | None = None) -> dict:
    return build_settings(root, environ=environ or {})["DATABASES"]["default"]


def test_database_url_moves_the_web_tables(folder: Path) -> None:
    _add_section(folder, '[database]\nurl = "postgresql://rk@db.local:5433/recordkit"')
    db = _db(folder)
    assert (db["ENGINE"], db["NAME"], db["HOST"], db["PORT"]) == (
        "django.db.backends.postgresql",
        "recordkit",
        "db.local",
        5433,
    )
    assert db["OPTIONS"]["connect_timeout"] == 10


def test_database_url_wins_over_the_deprecated_web_key(folder: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    _add_section(folder, f'[web]\ndatabase_url = "sqlite:///{old.as_posix()}"')
    assert _db(folder)["NAME"] == str(old)  # the alias still works alone
    assert database_url_setting(folder, {"database_url": "x"}, {})[1] == "[web] database_url"
    _add_section(folder, '[database]\nurl = "postgresql://rk@db.local/main"')
    assert _db(folder)["NAME"] == "main"
    env = {"RECORDKIT_DATABASE_URL": "postgresql://rk@db.local/fromenv"}
    assert _db(folder, env)["NAME"] == "fromenv"


def test_a_database_url_that_is_not_text_is_a_chinese_error(folder: Path) -> None:
    _add_section(folder, "[database]\nurl = 5")
    with pytest.raises(ConfigError, match=r"recordkit.toml: \[database\] url: 应为文本"):
        _db(folder)


def test_web_tables_are_not_migrated_into_the_wrong_database(web: Path, pg_url: str) -> None:  # noqa: F811
    """`db migrate` makes the web tables in its target by Django's migrations; in a process
    whose Django is already on the folder's own database, it refuses instead."""
    from recordkit.errors import RecordkitError
    from recordkit.web.boot import prepare_database

    with pytest.raises(RecordkitError, match="本进程的网页数据库不是迁移目标, 未做任何修改"):
        prepare_database(web, pg_url)
