"""Fixity values of an original file: SHA-256 and SM3 (GB/T 32905) from one read.

Chinese archives record SM3 next to SHA-256 (DA/T 70 真实性). Python's ``hashlib`` has
SM3 only when the OpenSSL it was built against enables it, which differs between
platforms, so SM3 comes from the first backend that proves itself on the GB/T 32905
test vector, in this order:

1. ``cryptography`` (its wheels bundle their own OpenSSL with SM3; pyhanko needs it
   anyway) — ~200 MB/s;
2. ``hashlib.new("sm3")`` when the interpreter's OpenSSL has it — same speed;
3. the pure-Python implementation below — ~1 MB/s, only so that a checksum is never
   missing (measured numbers are in docs/archive-primitives.md).
"""

from __future__ import annotations

import hashlib
import struct
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from recordkit.errors import ArchiveError
from recordkit.files import CHUNK_SIZE

# GB/T 32905-2016 appendix A, example 1.
_SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


class Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


@dataclass(frozen=True)
class Digests:
    sha256: str
    sm3: str
    size: int


# --- pure-Python SM3 ------------------------------------------------------------------

_IV = (
    0x7380166F, 0x4914B2B9, 0x172442D7, 0xDA8A0600,
    0xA96F30BC, 0x163138AA, 0xE38DEE4D, 0xB0FB0E4E,
)  # fmt: skip
_M = 0xFFFFFFFF


def _rotl(x: int, n: int) -> int:
    n %= 32
    return ((x << n) | (x >> (32 - n))) & _M


# T_j rotated left by j, precomputed: the compression function uses only this form.
_TJ = tuple(_rotl(0x79CC4519 if j < 16 else 0x7A879D8A, j) for j in range(64))


def _compress(v: tuple[int, ...], block: bytes) -> tuple[int, ...]:
    w = list(struct.unpack(">16I", block))
    for j in range(16, 68):
        x = w[j - 16] ^ w[j - 9] ^ _rotl(w[j - 3], 15)
        p1 = x ^ _rotl(x, 15) ^ _rotl(x, 23)
        w.append(p1 ^ _rotl(w[j - 13], 7) ^ w[j - 6])
    a, b, c, d, e, f, g, h = v
    for j in range(64):
        a12 = ((a << 12) | (a >> 20)) & _M
        ss1 = (a12 + e + _TJ[j]) & _M
        ss1 = ((ss1 << 7) | (ss1 >> 25)) & _M
        ss2 = ss1 ^ a12
        if j < 16:
            ff = a ^ b ^ c
            gg = e ^ f ^ g
        else:
            ff = (a & b) | (a & c) | (b & c)
            gg = (e & f) | (~e & g)
        tt1 = (ff + d + ss2 + (w[j] ^ w[j + 4])) & _M
        tt2 = (gg + h + ss1 + w[j]) & _M
        d, c, b, a = c, ((b << 9) | (b >> 23)) & _M, a, tt1
        h, g, f = g, ((f << 19) | (f >> 13)) & _M, e
        e = tt2 ^ ((tt2 << 9) | (tt2 >> 23)) & _M ^ ((tt2 << 17) | (tt2 >> 15)) & _M
    return tuple(x ^ y for x, y in zip((a, b, c, d, e, f, g, h), v, strict=True))


class PureSM3:
    """SM3 in plain Python: the fallback when no OpenSSL with SM3 is at hand."""

    def __init__(self) -> None:
        self._v: tuple[int, ...] = _IV
        self._buf = b""
        self._length = 0

    def update(self, data: bytes, /) -> None:
        self._length += len(data)
        buf = self._buf + bytes(data)
        full = len(buf) - len(buf) % 64
        v = self._v
        for i in range(0, full, 64):
            v = _compress(v, buf[i : i + 64])
        self._v = v
        self._buf = buf[full:]

    def hexdigest(self) -> str:
        bits = self._length * 8
        tail = self._buf + b"\x80" + b"\x00" * ((55 - len(self._buf)) % 64)
        tail += struct.pack(">Q", bits)
        v = self._v
        for i in range(0, len(tail), 64):
            v = _compress(v, tail[i : i + 64])
        return struct.pack(">8I", *v).hex()


# --- backends ---------------------------------------------------------------------------


class _CryptographySM3:
    def __init__(self) -> None:
        from cryptography.hazmat.primitives import hashes

        self._h = hashes.Hash(hashes.SM3())

    def update(self, data: bytes, /) -> None:
        self._h.update(data)

    def hexdigest(self) -> str:
        return self._h.finalize().hex()


def _hashlib_sm3() -> Hasher:
    return hashlib.new("sm3")


SM3_BACKENDS: dict[str, Callable[[], Hasher]] = {
    "cryptography": _CryptographySM3,
    "hashlib": _hashlib_sm3,
    "pure-python": PureSM3,
}


def _works(factory: Callable[[], Hasher]) -> bool:
    try:
        h = factory()
        h.update(b"abc")
        return h.hexdigest() == _SM3_ABC
    except Exception:  # any import/unsupported-algorithm error just means "not this one"
        return False


@lru_cache(maxsize=1)
def sm3_backend() -> str:
    """The name of the SM3 backend in use (first that passes the test vector)."""
    for name, factory in SM3_BACKENDS.items():
        if _works(factory):
            return name
    raise ArchiveError("没有可用的 SM3 实现 (no SM3 implementation passed the GB/T 32905 vector)")


def new_sm3() -> Hasher:
    return SM3_BACKENDS[sm3_backend()]()


def sm3_hex(data: bytes) -> str:
    h = new_sm3()
    h.update(data)
    return h.hexdigest()


@dataclass(frozen=True)
class FileDigest:
    """What reading one file gave: its size and digests, or why it could not be read."""

    size: int = 0
    sha256: str | None = None
    sm3: str | None = None
    missing: bool = False
    error: str = ""


ALGORITHMS = ("sha256", "sm3")


def sm3_factory() -> Callable[[], Hasher]:
    """The interpreter's OpenSSL SM3 when it has one (hashlib releases the GIL for the
    whole update), else the first backend that passes the test vector."""
    try:
        if hashlib.new("sm3", b"abc").hexdigest() == _SM3_ABC:
            return _hashlib_sm3
    except ValueError:
        pass
    sm3_backend()
    return new_sm3


_BUFFERS = threading.local()


def _stream(path: Path | str, hashers: list[Hasher], copy_to: Path | None = None) -> int:
    """Feed the file's bytes to every hasher (and to ``copy_to`` if given), one chunk at
    a time, reusing one buffer per thread (memory stays at one chunk); returns the size.
    Raises OSError."""
    buf = getattr(_BUFFERS, "buf", None)
    if buf is None:
        buf = _BUFFERS.buf = bytearray(CHUNK_SIZE)
    view = memoryview(buf)
    size = 0
    with (
        open(path, "rb", buffering=0) as fh,
        open(copy_to, "wb") if copy_to else nullcontext() as out,
    ):
        while n := fh.readinto(buf):
            chunk = view[:n]
            for h in hashers:
                h.update(chunk)
            if out is not None:
                out.write(chunk)
            size += n
    return size


def digest_file(path: Path, algorithms: tuple[str, ...] = ALGORITHMS,
                sm3: Callable[[], Hasher] | None = None) -> FileDigest:  # fmt: skip
    """The algorithms asked for over one file; a missing or unreadable file is reported
    in the result, not raised (an audit goes on to the next file)."""
    hashers: dict[str, Hasher] = {}
    if "sha256" in algorithms:
        hashers["sha256"] = hashlib.sha256()
    if "sm3" in algorithms:
        hashers["sm3"] = (sm3 or sm3_factory())()
    try:
        size = _stream(path, list(hashers.values()))
    except FileNotFoundError:
        return FileDigest(missing=True)
    except OSError as exc:
        return FileDigest(error=str(exc.strerror or exc))
    return FileDigest(size, *(hashers[a].hexdigest() if a in hashers else None for a in ALGORITHMS))


def digest_files(paths: list[Path], algorithms: tuple[str, ...], jobs: int,
                 on_file: Callable[[int, FileDigest], None] | None = None) -> list[FileDigest]:  # fmt: skip
    """Digests of ``paths`` in order, on ``jobs`` threads (hashing releases the GIL)."""
    factory = sm3_factory() if "sm3" in algorithms else None
    tick = on_file or (lambda i, d: None)
    results: list[FileDigest] = []
    if jobs <= 1 or len(paths) < 2:
        for i, path in enumerate(paths):
            results.append(digest_file(path, algorithms, factory))
            tick(i, results[-1])
        return results
    with ThreadPoolExecutor(jobs, thread_name_prefix="verify") as pool:
        for i, digest in enumerate(pool.map(lambda p: digest_file(p, algorithms, factory), paths)):
            results.append(digest)
            tick(i, digest)
    return results


def file_digests(path: Path | str) -> Digests:
    """SHA-256 and SM3 of the file's bytes, streamed; ArchiveError if it cannot be read."""
    sha = hashlib.sha256()
    sm3 = new_sm3()
    try:
        size = _stream(path, [sha, sm3])
    except OSError as exc:
        raise ArchiveError(f"{path}: 无法读取文件以计算校验值 ({exc.strerror or exc})") from exc
    return Digests(sha256=sha.hexdigest(), sm3=sm3.hexdigest(), size=size)


def copy_with_digests(source: Path, dest: Path) -> Digests:
    """Copy ``source`` to ``dest``, hashing the bytes on the way (one read); OSError as
    raised (FileNotFoundError when the source is missing, before ``dest`` is created)."""
    sha = hashlib.sha256()
    sm3 = new_sm3()
    size = _stream(source, [sha, sm3], copy_to=dest)
    return Digests(sha256=sha.hexdigest(), sm3=sm3.hexdigest(), size=size)
