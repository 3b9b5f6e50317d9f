"""Fixtures of the web workspace tests (import them: ``from web_setup import web, ...``).

Django's settings are process-wide, so the in-process tests share one working folder
(``web_root``), started once through the real ``recordkit.web.boot.start`` (settings from
the folder, migrations, role groups). Each test then runs inside a transaction that is
rolled back, as Django's own TestCase does, so tests do not see each other's users.
Tests of ``serve`` use their own folders in subprocesses.

With ``RECORDKIT_TEST_BACKEND=postgresql`` the shared folder's ``[database] url`` points at
a fresh database on a PostgreSQL server the suite starts (tests/pg_server.py), so every
test-client test of the web pages runs against PostgreSQL (issue 15).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from recordkit.config import init_workdir
from recordkit.web.roles import ROLES

TEST_BACKEND = os.environ.get("RECORDKIT_TEST_BACKEND", "sqlite")

PASSWORD = "Zhangzhou-2026-rk"
# Each test module imports the fixture, which makes a fixture per module: the folder is
# kept here so every module gets the one folder Django was configured for.
_STARTED: list[Path] = []


def use_database(root: Path, url: str) -> None:
    """Point the working folder ``root`` at the database ``url`` ([database] url)."""
    toml = root / "recordkit.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(f'{text}\n[database]\nurl = "{url}"\n', encoding="utf-8")


def _postgresql_for(root: Path, request: pytest.FixtureRequest) -> None:
    """RECORDKIT_TEST_BACKEND=postgresql: a server for the session, a database for ``root``."""
    import pg_server

    reason = pg_server.missing_reason()
    if reason:
        pytest.skip(reason)
    server = pg_server.start_server()
    request.addfinalizer(lambda: pg_server.stop_server(server))
    use_database(root, server.new_database("web"))


@pytest.fixture(scope="session")
def web_root(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    from django.test.utils import setup_test_environment

    from recordkit.web.boot import start

    if not _STARTED:
        root = tmp_path_factory.mktemp("web") / "work"
        init_workdir(root, org_name="漳州市示例检验检测中心")
        os.environ.pop("RECORDKIT_DATABASE_URL", None)
        if TEST_BACKEND == "postgresql":
            _postgresql_for(root, request)
        start(root)
        setup_test_environment()
        _STARTED.append(root)
    return _STARTED[0]


@pytest.fixture
def web(web_root: Path) -> Iterator[Path]:
    """The shared web folder; everything a test writes to the database is rolled back."""
    from django.db import transaction

    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        yield web_root
    finally:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def make_user(username: str, *roles: str, password: str | None = None, full_name: str = "") -> Any:
    """A user with these roles; without a password it can only be force_login'ed (fast)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=full_name
    )
    user.groups.add(*(Group.objects.get(name=role) for role in roles))
    return user


@pytest.fixture
def role_clients(web: Path) -> dict[str, Any]:
    """A logged-in Django test client per role."""
    from django.test import Client

    clients = {}
    for index, role in enumerate(ROLES):
        client = Client()
        client.force_login(make_user(f"user{index}", role, full_name=f"{role}甲"))
        clients[role] = client
    return clients


# --------------------------------------------------------------------------- subprocesses


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recordkit(root: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run the real command line in a subprocess on the folder ``root``."""
    return subprocess.run(
        [sys.executable, "-m", "recordkit.cli", "--config", str(root / "recordkit.toml"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def add_user(root: Path, name: str, role: str, full_name: str) -> None:
    """`recordkit user add` with the test password, in a subprocess."""
    result = recordkit(
        root,
        "user",
        "add",
        name,
        "--role",
        role,
        "--full-name",
        full_name,
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr


def start_server(root: Path, port: int, host: str = "127.0.0.1") -> subprocess.Popen[str]:
    """`recordkit serve` as a real subprocess; returns once /login/ answers."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "recordkit.cli",
            "--config",
            str(root / "recordkit.toml"),
            "serve",
            "--host",
            host,
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited {proc.returncode}: {proc.stderr.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2):
                return proc
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise AssertionError("serve did not answer within 60 s")


def stop_server(proc: subprocess.Popen[str]) -> str:
    """Stop the server started by this test; returns what it wrote to stderr."""
    proc.terminate()
    try:
        _out, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
    return err


@contextmanager
def serving(root: Path) -> Iterator[str]:
    """`recordkit serve` on ``root`` at a free port for the ``with`` block: its base URL."""
    port = free_port()
    proc = start_server(root, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(proc)
