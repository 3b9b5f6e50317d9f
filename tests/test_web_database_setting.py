"""`[database] url` moves the web app's tables too; `[web] database_url` is its deprecated
alias; env RECORDKIT_DATABASE_URL wins over both (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from recordkit.config import init_workdir
from recordkit.errors import ConfigError
from recordkit.web.settings import build_settings, database_url_setting


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "work"
    init_workdir(root)
    return root


def _append(root: Path, text: str) -> None:
    toml = root / "recordkit.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def _db(root: Path, environ: dict[str, str] | None = None) -> dict:
    return build_settings(root, environ=environ or {})["DATABASES"]["default"]


def test_database_url_moves_the_web_tables(folder: Path) -> None:
    _append(folder, '[database]\nurl = "postgresql://rk@db.local:5433/recordkit"')
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
    _append(folder, f'[web]\ndatabase_url = "sqlite:///{old.as_posix()}"')
    assert _db(folder)["NAME"] == str(old)  # the alias still works alone
    assert database_url_setting(folder, {"database_url": "x"}, {})[1] == "[web] database_url"
    _append(folder, '[database]\nurl = "postgresql://rk@db.local/main"')
    assert _db(folder)["NAME"] == "main"
    env = {"RECORDKIT_DATABASE_URL": "postgresql://rk@db.local/fromenv"}
    assert _db(folder, env)["NAME"] == "fromenv"


def test_a_database_url_that_is_not_text_is_a_chinese_error(folder: Path) -> None:
    _append(folder, "[database]\nurl = 5")
    with pytest.raises(ConfigError, match=r"recordkit.toml: \[database\] url: 应为文本"):
        _db(folder)
