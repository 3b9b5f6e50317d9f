"""Fixity: SHA-256 and SM3 (GB/T 32905) of the original bytes, streamed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from recordkit.archive import fixity
from recordkit.archive.fixity import SM3_BACKENDS, PureSM3, file_digests, sm3_hex
from recordkit.errors import ArchiveError

# GB/T 32905-2016 appendix A.
ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
ABCD16 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
EMPTY = "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"


def _available(name: str) -> bool:
    try:
        h = SM3_BACKENDS[name]()
        h.update(b"")
        h.hexdigest()
        return True
    except Exception:
        return False


@pytest.mark.parametrize("name", list(SM3_BACKENDS))
@pytest.mark.parametrize("data,expected", [(b"abc", ABC), (b"abcd" * 16, ABCD16), (b"", EMPTY)])
def test_every_backend_matches_the_standard_vectors(name, data, expected):
    if not _available(name):
        pytest.skip(f"SM3 backend {name} not available on this interpreter")
    h = SM3_BACKENDS[name]()
    h.update(data)
    assert h.hexdigest() == expected


def test_cryptography_backend_is_available_and_chosen():
    # cryptography's wheels bundle OpenSSL with SM3: the fast path must be the one used.
    assert _available("cryptography")
    assert fixity.sm3_backend() == "cryptography"
    assert sm3_hex(b"abc") == ABC


@pytest.mark.parametrize("length", [1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 4099])
def test_pure_python_agrees_with_openssl_at_padding_edges(length):
    data = os.urandom(length)
    reference = SM3_BACKENDS["cryptography"]()
    reference.update(data)
    pure = PureSM3()
    # Feed in uneven pieces: block buffering across update() calls must not matter.
    for start in range(0, length, 37):
        pure.update(data[start : start + 37])
    assert pure.hexdigest() == reference.hexdigest()


def test_file_digests_stream_more_than_one_chunk(tmp_path: Path):
    data = os.urandom(2 * fixity.CHUNK_SIZE + 12345)
    path = tmp_path / "big.pdf"
    path.write_bytes(data)
    d = file_digests(path)
    assert d.size == len(data)
    assert d.sha256 == hashlib.sha256(data).hexdigest()
    assert d.sm3 == sm3_hex(data)


def test_file_digests_of_empty_file(tmp_path: Path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    d = file_digests(path)
    assert (d.size, d.sm3, d.sha256) == (0, EMPTY, hashlib.sha256(b"").hexdigest())


def test_missing_file_is_an_archive_error_naming_it(tmp_path: Path):
    with pytest.raises(ArchiveError, match="nope.pdf"):
        file_digests(tmp_path / "nope.pdf")


def test_falls_back_to_pure_python_when_openssl_lacks_sm3(monkeypatch, tmp_path: Path):
    def unsupported():
        raise ValueError("unsupported hash type sm3")

    monkeypatch.setitem(SM3_BACKENDS, "cryptography", unsupported)
    monkeypatch.setitem(SM3_BACKENDS, "hashlib", unsupported)
    fixity.sm3_backend.cache_clear()
    try:
        assert fixity.sm3_backend() == "pure-python"
        path = tmp_path / "x.pdf"
        path.write_bytes(b"abcd" * 16)
        assert file_digests(path).sm3 == ABCD16
    finally:
        fixity.sm3_backend.cache_clear()


def test_backend_that_computes_wrongly_is_skipped(monkeypatch):
    class Wrong:
        def update(self, data):
            pass

        def hexdigest(self):
            return "0" * 64

    monkeypatch.setitem(SM3_BACKENDS, "cryptography", Wrong)
    fixity.sm3_backend.cache_clear()
    try:
        assert fixity.sm3_backend() in ("hashlib", "pure-python")
    finally:
        fixity.sm3_backend.cache_clear()
