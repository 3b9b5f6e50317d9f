"""A hold placed while a disposal batch waits unfinished (issue 10, item 17)."""

from __future__ import annotations

import json

import pytest
from audit_setup import DUE, run, stored, work_folder

from recordkit.archive.service import Archive
from recordkit.index.archive import DisposalItem


@pytest.fixture
def work(tmp_path, monkeypatch):
    return work_folder(tmp_path, monkeypatch)


def interrupted_batch(config) -> None:
    """What a ``dispose`` killed (kill -9) right after marking its batch leaves."""
    with Archive(config) as archive:
        items = [DisposalItem(n, "题名", "保管期满") for n in DUE]
        archive.index.begin_disposal(
            items, "陈主任", "保管期满", "王芳", "2026-11-21", archive.timestamp()
        )


def test_a_hold_placed_after_an_interrupted_disposal_protects(work, runner):
    interrupted_batch(work)
    held = run(
        runner,
        "archive",
        "hold",
        "add",
        "--case",
        "TS-2015-0001",
        "--reason",
        "诉讼中",
        "--by",
        "张律师",
    )
    assert held.exit_code == 0, held.output
    result = run(
        runner, "archive", "dispose", "--due", "--approver", "陈主任", "--reason", "保管期满"
    )
    assert result.exit_code == 0, result.output
    assert "已完成上次中断的第 1 批销毁" in result.output
    assert (f"保留 (法律保全, 已从第 1 批中撤出, 未销毁) {DUE[0]}: 法律保全 #1 (案件 TS-2015-0001): 诉讼中, 张律师 于"
            in result.output)  # fmt: skip
    assert stored(work, DUE[0]).exists()
    assert not stored(work, DUE[1]).exists()
    with Archive(work) as archive:
        assert [archive.show(n)["status"] for n in DUE] == ["filed", "destroyed"]
        assert [i["archive_no"] for i in archive.index.disposal_items(1)] == [DUE[1]]
        event = next(e for e in archive.index.events() if e["kind"] == "disposal_item_held")
        assert event["archive_no"] == DUE[0]
        assert json.loads(event["detail"])["hold_ids"] == [1]
        assert archive.verify().ok
    due = json.loads(run(runner, "archive", "due", "--json").output)
    assert [e["archive_no"] for e in due["held"]] == [DUE[0]]


def test_a_released_hold_lets_the_kept_record_be_disposed_later(work, runner):
    interrupted_batch(work)
    run(runner, "archive", "hold", "add", DUE[0], "--reason", "诉讼中", "--by", "张律师")
    assert (
        run(
            runner, "archive", "dispose", "--due", "--approver", "陈主任", "--reason", "保管期满"
        ).exit_code
        == 0
    )
    run(runner, "archive", "hold", "remove", "1", "--by", "张律师")
    result = run(
        runner, "archive", "dispose", "--due", "--approver", "陈主任", "--reason", "保管期满"
    )
    assert result.exit_code == 0, result.output
    assert "已销毁 1 件 (第 2 批" in result.output
    assert not stored(work, DUE[0]).exists()
