"""`archive verify` against the event log: rows, intake journal, access copies,
symlinks, the head anchor and read-only copies (issue 10, items 18 and 23)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from audit_setup import run, stored, work_folder
from index_db import connect_index

from recordkit.archive.fixity import file_digests
from recordkit.archive.service import Archive
from recordkit.index.archive import GENESIS_HASH, canonical_json, event_hash

FIRST = "Z109-WS·2026-D10-0001"
SECOND = "Z109-WS·2026-D10-0002"


@pytest.fixture
def work(tmp_path, monkeypatch):
    return work_folder(tmp_path, monkeypatch)


def sql(config, statement: str, *args) -> None:
    db = connect_index(config)
    db.execute(statement, args)
    db.commit()
    db.close()


def replace_original(config, archive_no: str, donor: str) -> None:
    """Put another PDF's bytes in place of an original and make its row agree."""
    path, other = stored(config, archive_no), stored(config, donor)
    data = other.read_bytes() + b"\n%changed\n"
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    path.write_bytes(data)
    digests = file_digests(path)
    sql(config, "UPDATE documents SET sha256 = ?, sm3 = ?, size = ? WHERE archive_no = ?",
        digests.sha256, digests.sm3, digests.size, archive_no)  # fmt: skip


def problem_lines(output: str, title: str) -> list[str]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    return [line.strip() for line in lines[start + 1 :] if line.startswith("  ")][:5]


def test_a_replaced_original_with_a_matching_row_is_caught(work, runner):
    replace_original(work, FIRST, SECOND)
    result = run(runner, "archive", "verify")
    assert result.exit_code == 1
    assert "索引与事件日志不符 (1):" in result.output
    line = problem_lines(result.output, "索引与事件日志不符")[0]
    assert line.startswith(
        f"{FIRST}  store/2026/D10/Z109-WS_2026-D10-0001.pdf: 索引与事件日志不符: SHA-256 索引为"
    )
    assert "SM3 索引为" in line and "大小 索引为" in line


@pytest.mark.parametrize(("column", "value", "label"), [("case_no", "TS-2026-0099", "案件编号"),
                                                       ("original_name", "别的文件.pdf", "原文件名")])  # fmt: skip
def test_an_edited_row_field_is_caught(work, runner, column, value, label):
    sql(work, f"UPDATE documents SET {column} = ? WHERE archive_no = ?", value, FIRST)
    result = run(runner, "archive", "verify")
    assert result.exit_code == 1
    line = problem_lines(result.output, "索引与事件日志不符")[0]
    assert f"{label} 索引为 '{value}', 事件日志记录为 '" in line


def test_an_edited_intake_row_is_caught(work, runner):
    sql(work, "UPDATE intake SET original_name = '改过的名字.pdf' WHERE archive_no = ?", FIRST)
    result = run(runner, "archive", "verify")
    assert result.exit_code == 1
    assert "接收记录与事件日志不符 (1):" in result.output
    assert "原文件名 索引为 '改过的名字.pdf', 事件日志记录为 '" in result.output


def test_a_modified_access_copy_is_caught_and_the_hash_is_recorded(work, runner):
    with Archive(work) as archive:
        doc = archive.index.document(FIRST)
        filed = next(
            e for e in archive.index.events() if e["kind"] == "filed" and e["archive_no"] == FIRST
        )
    access = work.archive_dir / doc["access_path"]
    assert (
        doc["access_sha256"]
        == file_digests(access).sha256
        == json.loads(filed["detail"])["access_sha256"]
    )
    access.chmod(stat.S_IRUSR | stat.S_IWUSR)
    access.write_bytes(access.read_bytes() + b"%x\n")
    result = run(runner, "archive", "verify")
    assert result.exit_code == 1
    assert "利用副本已改变 (1):" in result.output
    assert f"可重新生成: recordkit archive rebuild-copy {FIRST}" in result.output


def make_pre_020(config) -> None:
    """The index as 0.1 left it: no access_sha256 column, filed events without
    access_sha256 and size (the chain re-hashed, as 0.1 wrote it)."""
    db = connect_index(config)
    db.execute("ALTER TABLE documents DROP COLUMN access_sha256")
    prev = GENESIS_HASH
    for row in db.execute(
        "SELECT id, time, kind, archive_no, intake_id, detail FROM events ORDER BY id"
    ).fetchall():
        detail = {k: v for k, v in json.loads(row[5]).items() if k not in ("access_sha256", "size")}
        event = {
            "id": row[0],
            "time": row[1],
            "kind": row[2],
            "archive_no": row[3],
            "intake_id": row[4],
            "detail": detail,
        }
        new_hash = event_hash(prev, event)
        db.execute("UPDATE events SET detail = ?, prev_hash = ?, hash = ? WHERE id = ?",
                   (canonical_json(detail), prev, new_hash, row[0]))  # fmt: skip
        prev = new_hash
    db.commit()
    db.close()


@pytest.mark.sqlite_only("an index from before 0.2.0; PostgreSQL databases begin with every column")
def test_older_documents_without_an_access_hash_are_named(work, runner):
    make_pre_020(work)
    result = run(runner, "archive", "verify")
    assert result.exit_code == 0, result.output
    assert (
        "注意: 7 件较早归档的档案未记录利用副本校验值, 利用副本未核对: Z109-WS·2015-D10-0001、"
        in result.output
    )
    with Archive(work) as archive:
        assert archive.index.document(FIRST)["access_sha256"] is None  # the column is back, empty


def test_an_original_replaced_by_a_symlink_is_rejected(work, runner, tmp_path):
    path = stored(work, FIRST)
    outside = tmp_path / "outside.pdf"
    shutil.copyfile(path, outside)  # the same bytes: hashes alone would pass
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    path.unlink()
    path.symlink_to(outside)
    result = run(runner, "archive", "verify")
    assert result.exit_code == 1
    assert "符号链接 (1):" in result.output
    assert (
        f"{FIRST}  store/2026/D10/Z109-WS_2026-D10-0001.pdf: 档案库中不允许符号链接 (symlink → {outside})"
        in result.output
    )


def anchor_of(output: str) -> str:
    line = next(x for x in output.splitlines() if x.startswith("链头锚点 (请另行保存"))
    return line.split()[-1]


def test_the_head_anchor_catches_a_truncated_log(work, runner):
    first = run(runner, "archive", "verify")
    assert first.exit_code == 0, first.output
    anchor = anchor_of(first.output)
    with Archive(work) as archive:
        assert archive.index.chain_head()[1] == anchor
    ok = run(runner, "archive", "verify", "--head", anchor)
    assert ok.exit_code == 0 and f"链头锚点 {anchor} 在事件日志中: 事件 #" in ok.output
    sql(work, "DELETE FROM events WHERE id >= (SELECT MAX(id) - 1 FROM events)")  # the tail cut off
    cut = run(runner, "archive", "verify", "--head", anchor, "--no-log")
    assert cut.exit_code == 1
    assert (
        f"链头锚点 {anchor} 不在事件日志中: 事件日志被截断或整体改写 (head anchor not found)"
        in cut.output
    )
    assert (
        run(runner, "archive", "verify", "--head", "abc").exit_code == 1
    )  # a bad value (issue 10 item 11)


def test_a_truncated_hold_event_is_caught_without_an_anchor(work, runner):
    run(runner, "archive", "hold", "add", FIRST, "--reason", "诉讼中", "--by", "张律师")
    sql(work, "DELETE FROM events WHERE kind = 'hold_placed'")
    result = run(runner, "archive", "verify")
    assert result.exit_code == 1
    assert "事件日志缺少 法律保全 #1 的 hold_placed 事件" in result.output


def test_no_log_leaves_the_log_alone(work, runner):
    with Archive(work) as archive:
        before = len(archive.index.events())
    result = run(runner, "archive", "verify", "--no-log")
    assert result.exit_code == 0
    assert "注意: 本次校验未记入事件日志 (档案库只读, 或用了 --no-log)" in result.output
    with Archive(work) as archive:
        assert len(archive.index.events()) == before


def _freeze(root: Path, on: bool) -> bool:
    """Make the whole archive copy read-only as an auditor receives it: chmod for a
    normal user; root ignores modes, so the immutable attribute (skipped if missing)."""
    paths = [root, *root.rglob("*")]
    if os.geteuid() != 0:
        for p in reversed(paths) if on else paths:
            p.chmod((p.stat().st_mode & ~0o222) if on else (p.stat().st_mode | 0o200))
        return True
    if shutil.which("chattr") is None:
        return False
    done = subprocess.run(["chattr", "-R", "+i" if on else "-i", str(root)], capture_output=True)
    return done.returncode == 0


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.sqlite_only("an auditor's read-only copy of the folder, index.sqlite in it")
def test_a_read_only_copy_verifies(work, runner):
    with Archive(work) as archive:
        before = len(archive.index.events())
    if not _freeze(work.archive_dir, True):
        pytest.skip("cannot make a read-only copy here")
    try:
        result = run(runner, "archive", "verify")
    finally:
        _freeze(work.archive_dir, False)
    assert result.exit_code == 0, result.output
    assert "校验通过: 7 件原件" in result.output
    assert "注意: 本次校验未记入事件日志 (档案库只读, 或用了 --no-log)" in result.output
    with Archive(work) as archive:
        assert len(archive.index.events()) == before
