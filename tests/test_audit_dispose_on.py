"""`archive dispose --on`: rehearsing a disposal before its day (issue 10, item 12)."""

from __future__ import annotations

import json

import pytest
from audit_setup import DUE, run, stored, work_folder

from recordkit.archive.service import Archive

LATER = [
    "Z109-WS·2015-D10-0001",
    "Z109-WS·2015-D10-0002",
    "Z109-WS·2026-D10-0001",
    "Z109-WS·2026-D10-0002",
]
ARGS = ("archive", "dispose", "--due", "--approver", "陈主任", "--reason", "保管期满")


@pytest.fixture
def work(tmp_path, monkeypatch):
    return work_folder(tmp_path, monkeypatch)


def test_a_future_disposal_can_be_rehearsed(work, runner):
    with Archive(work) as archive:
        events = len(archive.index.events())
    result = run(runner, *ARGS, "--on", "2037-01-01", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["on"] == "2037-01-01" and data["dry_run"] is True
    assert [e["archive_no"] for e in data["items"]] == LATER
    text = run(runner, *ARGS, "--on", "2037-01-01", "--dry-run")
    assert "按 2037-01-01 计算到期。" in text.output
    assert "演练 (dry run): 将销毁 4 件, 批准人 陈主任; 未做任何改动。" in text.output
    with Archive(work) as archive:
        assert len(archive.index.events()) == events
        assert {archive.show(n)["status"] for n in LATER} == {"filed"}


def test_a_real_disposal_on_a_future_day_is_refused(work, runner):
    result = run(runner, *ARGS, "--on", "2037-01-01")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: --on: 2037-01-01 晚于今天 (")
    assert "只能与 --dry-run 一起演练; 到期前不能销毁" in result.stderr
    assert stored(work, LATER[2]).exists()


def test_an_earlier_day_applies_a_stricter_expiry(work, runner):
    result = run(runner, *ARGS, "--on", "2025-12-31")
    assert result.exit_code == 0, result.output
    assert "没有需要销毁的档案。" in result.output
    assert all(stored(work, n).exists() for n in DUE)
    assert run(runner, *ARGS, "--on", "2026-13-01").exit_code == 1  # a bad value (issue 10 item 11)
