"""`archive rebuild-copy`: an access copy re-stamped from its untouched original (issue 10, item 12)."""

from __future__ import annotations

import json
import stat

import pytest
from audit_setup import run, stored, work_folder
from pypdf import PdfReader

from recordkit.archive.fixity import file_digests
from recordkit.archive.service import Archive

FIRST = "Z109-WS·2026-D10-0001"
SECOND = "Z109-WS·2026-D10-0002"


@pytest.fixture
def work(tmp_path, monkeypatch):
    return work_folder(tmp_path, monkeypatch)


def access_copy(config, archive_no):
    with Archive(config) as archive:
        return config.archive_dir / archive.index.document(archive_no)["access_path"]


def remove(path):
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    path.unlink()


def test_missing_copies_are_rebuilt_from_untouched_originals(work, runner):
    originals = {n: stored(work, n) for n in (FIRST, SECOND)}
    before = {n: (p.read_bytes(), p.stat().st_mtime_ns) for n, p in originals.items()}
    for n in (FIRST, SECOND):
        remove(access_copy(work, n))
    assert "利用副本缺失" in run(runner, "archive", "verify", "--no-log").output
    result = run(runner, "archive", "rebuild-copy", "--missing")
    assert result.exit_code == 0, result.output
    assert (
        f"已重新生成利用副本 {FIRST}: access/2026/D10/Z109-WS_2026-D10-0001.pdf (SHA-256 "
        in result.output
    )
    assert "重新生成 2 件, 失败 0 件。" in result.output
    assert {n: (p.read_bytes(), p.stat().st_mtime_ns) for n, p in originals.items()} == before
    copy = access_copy(work, FIRST)
    assert len(PdfReader(copy).pages) == len(PdfReader(originals[FIRST]).pages)
    with Archive(work) as archive:
        assert archive.index.document(FIRST)["access_sha256"] == file_digests(copy).sha256
        events = [e for e in archive.index.events() if e["kind"] == "access_copy_rebuilt"]
    assert [e["archive_no"] for e in events] == [FIRST, SECOND]
    assert json.loads(events[0]["detail"])["access_sha256"] == file_digests(copy).sha256
    verified = run(runner, "archive", "verify")
    assert verified.exit_code == 0, verified.output
    assert "利用副本缺失" not in verified.output
    assert (
        "重新生成 0 件, 失败 0 件。" in run(runner, "archive", "rebuild-copy", "--missing").output
    )


def test_a_changed_copy_is_rebuilt_by_its_number(work, runner):
    copy = access_copy(work, FIRST)
    copy.chmod(stat.S_IRUSR | stat.S_IWUSR)
    copy.write_bytes(copy.read_bytes() + b"%x\n")
    assert run(runner, "archive", "verify", "--no-log").exit_code == 1
    result = run(runner, "archive", "rebuild-copy", FIRST)
    assert result.exit_code == 0, result.output
    assert run(runner, "archive", "verify").exit_code == 0


def test_a_changed_original_is_never_used(work, runner):
    original = stored(work, FIRST)
    original.chmod(stat.S_IRUSR | stat.S_IWUSR)
    original.write_bytes(original.read_bytes() + b"%x\n")
    remove(access_copy(work, FIRST))
    result = run(runner, "archive", "rebuild-copy", FIRST)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {FIRST}: 原件与索引或事件日志中的校验值不符, 不能据此重新生成利用副本"
    )
    assert not access_copy(work, FIRST).exists()
    missing = run(runner, "archive", "rebuild-copy", "--missing")
    assert missing.exit_code == 1 and f"未能重新生成 {FIRST}: " in missing.output


def test_rebuild_copy_errors(work, runner):
    assert run(runner, "archive", "rebuild-copy").exit_code == 2
    assert run(runner, "archive", "rebuild-copy", FIRST, "--missing").exit_code == 2
    result = run(runner, "archive", "rebuild-copy", "Z109-WS·2026-D10-0099")
    assert result.exit_code == 1 and "Z109-WS·2026-D10-0099" in result.stderr
