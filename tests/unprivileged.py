"""Permission tests that also run when the suite runs as root (as CI does).

Root reads and writes any folder, so a test about an unreadable or read-only folder
proves nothing when the test process is root. There the command under test runs in a
subprocess (``python -m recordkit.cli``) as the unprivileged user ``nobody``, in a
working folder that user owns, made under a fresh 0o755 folder in /var/tmp (pytest's
tmp root is 0700, so ``nobody`` could not even reach a folder inside it).
Not root: the command runs in-process through click's CliRunner, as everywhere else.
"""

from __future__ import annotations

import functools
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

import recordkit
from recordkit.cli import cli

AS_ROOT = os.name == "posix" and os.geteuid() == 0
USER = "nobody"


@dataclass
class Ran:
    """What a subprocess run left, with the attributes the tests read off click's Result."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def user_ids() -> tuple[int, int]:
    import pwd  # POSIX only; this module is imported on Windows too

    entry = pwd.getpwnam(USER)
    return entry.pw_uid, entry.pw_gid


def unreadable_for_others(path: Path, need: int = stat.S_IROTH) -> Path | None:
    """The first folder on the way to ``path``, or ``path`` itself, that others cannot use."""
    for folder in (*reversed(path.parents), path):
        wanted = need if folder == path else stat.S_IXOTH
        if folder.stat().st_mode & wanted != wanted:
            return folder
    return None


def what_the_user_cannot_read() -> str | None:
    """The first thing ``nobody`` needs to run ``python -m recordkit.cli`` but cannot reach."""
    # The interpreter too: a venv made from a pyenv Python under /root (0700) has one that
    # nobody cannot start, whatever site-packages allows.
    interpreter = Path(sys.executable)
    needed = [
        (interpreter.parent, stat.S_IXOTH),
        (Path(os.path.realpath(interpreter)), stat.S_IXOTH),
    ]
    folders = {Path(sysconfig.get_paths()[k]) for k in ("stdlib", "purelib", "platlib")}
    needed += [
        (folder, stat.S_IROTH | stat.S_IXOTH)
        for folder in sorted({*folders, Path(recordkit.__file__).parent})
    ]
    for path, need in needed:
        blocked = unreadable_for_others(path, need)
        if blocked is not None:
            return f"{USER} cannot read {blocked} (needed for {path})"
    return None


@functools.cache
def why_the_user_cannot_run_recordkit() -> str | None:
    """Why ``nobody`` cannot run ``python -m recordkit.cli`` here, or None if it can."""
    try:
        uid, gid = user_ids()
    except KeyError:
        return f"no user {USER!r} on this machine"
    reason = what_the_user_cannot_read()
    if reason:
        return reason
    probe = [sys.executable, "-c", "import recordkit.cli"]
    try:
        done = subprocess.run(
            probe,
            user=uid,
            group=gid,
            extra_groups=[],
            cwd="/",
            env=user_env(Path("/")),
            capture_output=True,
            text=True,
            timeout=120,
        )
    except OSError as exc:
        return f"{USER} cannot start {sys.executable}: {exc}"
    if done.returncode != 0:
        return f"{USER} cannot import recordkit.cli with {sys.executable}: {done.stderr.strip()[-300:]}"
    return None


def user_env(home: Path) -> dict[str, str]:
    """The test's environment, with HOME moved off root's /root, which the user cannot use."""
    return {**os.environ, "HOME": str(home), "PYTHONIOENCODING": "utf-8"}


@contextmanager
def user_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder to build a working folder in: ``tmp_path``, or as root one ``nobody`` can reach."""
    if not AS_ROOT:
        yield tmp_path
        return
    reason = why_the_user_cannot_run_recordkit()
    if reason:
        pytest.skip(f"running as root and {reason}")
    base = Path(tempfile.mkdtemp(prefix="recordkit-nobody-", dir="/var/tmp"))
    try:
        base.chmod(0o755)
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def give_to_user(folder: Path) -> None:
    """As root: make ``nobody`` the owner of ``folder`` and all inside it."""
    if not AS_ROOT:
        return
    uid, gid = user_ids()
    for path in (folder, *folder.rglob("*")):
        os.chown(path, uid, gid, follow_symlinks=False)


def run_as_user(runner, *args: str):
    """``recordkit ARGS`` in the current folder: in-process, or as root as ``nobody``."""
    if not AS_ROOT:
        return runner.invoke(cli, list(args), obj={}, catch_exceptions=False)
    uid, gid = user_ids()
    cwd = Path.cwd()
    done = subprocess.run(
        [sys.executable, "-m", "recordkit.cli", *args],
        user=uid,
        group=gid,
        extra_groups=[],
        cwd=cwd,
        env=user_env(cwd),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    return Ran(done.returncode, done.stdout, done.stderr)
