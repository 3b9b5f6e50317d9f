"""A real PostgreSQL server for the tests, started by the suite itself (issue 15).

``initdb`` makes a cluster in a fresh temporary folder, ``pg_ctl`` starts it listening only
on a Unix socket in that folder (no TCP port is opened), and the session fixture stops it
and removes the folder afterwards. PostgreSQL refuses to run as root, so when the suite
runs as root (as CI does) the server runs as the ``postgres`` user that Debian's package
creates (or ``nobody``). Where the binaries are missing the tests skip with the reason;
`.ci/run` installs Debian's ``postgresql`` when it is root.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER = "recordkit"


def pg_bin_dir() -> Path | None:
    """Where initdb and pg_ctl are: on PATH, or Debian's versioned folder (newest first)."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def missing_reason() -> str | None:
    if os.name != "posix":
        return "the PostgreSQL tests start a server on a Unix socket (POSIX only)"
    if pg_bin_dir() is None:
        return "initdb/pg_ctl are absent; CI installs Debian's postgresql as root (.ci/run)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    return None


def _server_user() -> str | None:
    """None: run as ourselves. As root, a user PostgreSQL accepts to run as."""
    if os.geteuid() != 0:
        return None
    import pwd

    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    pytest.skip("running as root and neither a postgres nor a nobody user exists")


@dataclass
class PgServer:
    """A running cluster: ``url(db)`` for a database on it, ``new_database()`` for a fresh one."""

    folder: Path
    port: int

    @property
    def socket_dir(self) -> Path:
        return self.folder

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@/{database}?host={self.socket_dir}&port={self.port}"

    def new_database(self, prefix: str = "rk") -> str:
        """Create an empty database and return its URL."""
        return create_database(self.url(), prefix=prefix)


def create_database(url: str, template: str = "template0", prefix: str = "rk") -> str:
    """A new database on the server of ``url``, copied from ``template`` (an empty one by
    default); returns its URL. Connections still open on a template that is a test's own
    database (a cache nobody closed) are ended first, as the copy needs."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if template != "template0":
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = %s AND pid <> pg_backend_pid()", (template,))  # fmt: skip
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" ENCODING \'UTF8\'')
    return urlunsplit(parts._replace(path=f"/{name}"))


def _run(args: list[str], user: str | None) -> None:
    # cwd "/": the server user may not be allowed into the folder the suite runs from.
    result = subprocess.run(args, capture_output=True, text=True, user=user, timeout=120, cwd="/")
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {result.stdout}\n{result.stderr}")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server() -> PgServer:
    bin_dir = pg_bin_dir()
    assert bin_dir is not None
    user = _server_user()
    folder = Path(tempfile.mkdtemp(prefix="recordkit-pg-", dir="/var/tmp"))
    folder.chmod(0o755)
    if user is not None:
        shutil.chown(folder, user=user)
    data = folder / "data"
    _run(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ],
        user,
    )
    # The port only names the socket file (.s.PGSQL.<port>); listen_addresses='' opens no
    # TCP port. fsync=off: a test cluster is thrown away, durability is not under test.
    port = _free_port()
    options = f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off -c max_connections=200"
    _run(
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        user,
    )
    return PgServer(folder, port)


def stop_server(server: PgServer) -> None:
    bin_dir = pg_bin_dir()
    assert bin_dir is not None
    try:
        _run(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(server.folder / "data"),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
            _server_user(),
        )
    finally:
        shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    server = start_server()
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """A fresh, empty database on the session's server."""
    return pg_server.new_database()
