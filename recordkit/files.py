"""File primitives every package shares: the one atomic writer, durable renames (fsync of
a file and of its folder), a move that never replaces an existing file, and the chunked
SHA-256 of a file. Nothing here knows about cases, forms or the archive."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from recordkit.errors import FileWriteError

CHUNK_SIZE = 1024 * 1024  # one read size for every streamed digest (fixity uses it too)


def write_atomic(path: Path, content: bytes, durable: bool = True, tag: str = "") -> None:
    """Write via a temporary file in the same folder and rename, so no half file is ever seen.

    ``durable`` also forces the bytes to disk before the rename (power loss). Outputs that
    can be regenerated from the manifest skip it: it costs about a millisecond per file.
    ``tag`` goes into the temporary file's name (the archive names its work that way).
    The file gets the permissions a plain ``open()`` gives (0666 less the umask), not
    mkstemp's owner-only 0600, so colleagues on a shared machine can open it. Any OSError
    (disk full, no permission) becomes a ``FileWriteError`` naming the file; nothing is
    left half-written.
    """
    tmp = ""
    prefix = f".{path.name}.{tag}." if tag else f".{path.name}."
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~process_umask())
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, FileWriteError):
            raise FileWriteError(path, exc) from exc
        raise


@functools.cache
def process_umask() -> int:
    """The process umask, read once. Linux shows it in /proc without changing it; elsewhere
    it can only be read by setting it, which is done once (at first write) and put back."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX; Windows has no directory handles)."""
    if sys.platform == "win32":  # pragma: no cover
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def move_no_clobber(source: Path, dest: Path) -> None:
    """Move without ever replacing an existing file (two processes may pick one name)."""
    try:
        os.link(source, dest)  # fails with FileExistsError instead of overwriting
    except FileExistsError:
        raise
    except OSError:
        # No hard links here (FAT, some shares): the check-then-rename window is tiny
        # and Windows' rename refuses to overwrite anyway.
        if dest.exists():
            raise FileExistsError(dest) from None
        os.rename(source, dest)
        return
    source.unlink()
    fsync_dir(dest.parent)


def sha256_file(path: Path | str) -> str:
    """SHA-256 of a file's bytes, streamed (raises FileNotFoundError like open)."""
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK_SIZE):
            sha.update(chunk)
    return sha.hexdigest()


# Characters and names no case number may have: it becomes a file name, on Windows too.
_UNSAFE_CASE_NO = re.compile(r"[\\/:*?\"<>|\x00-\x1f]|\.\.|^\s|\s$|^\.")
# Device names Windows reserves with any extension (CON, NUL.txt, COM1 …): such a file cannot be opened.
_WINDOWS_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$", re.IGNORECASE)


def check_case_no(value: Any) -> str | None:
    """Why a case number is unsafe as part of a file name (on Windows too), or None."""
    if not isinstance(value, str):
        kind = {dict: "映射", list: "列表", bool: "布尔值", int: "数字", float: "数字"}.get(
            type(value), type(value).__name__
        )
        return f"应为文本, 实际为 {kind}"
    if not value or not value.strip():
        return "编号不能为空"
    if _UNSAFE_CASE_NO.search(value) or any(
        unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in value
    ):
        return (
            f'{value!r} 含有不允许的字符 (no / \\ .. : * ? " < > | or control/invisible characters)'
        )
    if value.endswith((".", " ")):
        return f"{value!r} 不能以句点或空格结尾 (Windows drops them from file names)"
    if _WINDOWS_RESERVED.match(value):
        return f"{value!r} 是 Windows 保留的设备名, 不能作为文件名 (reserved name on Windows)"
    if len(value) > 64:
        return "编号过长 (at most 64 characters)"
    return None
