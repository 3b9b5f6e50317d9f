"""`archive verify` flags disposal-proposal events cut off the end of the event log, as
it does for holds and disposal batches: the hash chain of what is left stays intact, so
only the proposals table shows what the log lost."""

from __future__ import annotations

import json

import pytest
from audit_setup import run, work_folder
from index_db import connect_index


@pytest.fixture
def work(tmp_path, monkeypatch):
    return work_folder(tmp_path, monkeypatch)


def cut_tail_from(config, kind: str) -> None:
    """Delete the log from the first ``kind`` event on (a truncated tail)."""
    conn = connect_index(config)  # the SQLite file, or the PostgreSQL schema
    with conn:
        conn.execute(
            "DELETE FROM events WHERE id >= (SELECT MIN(id) FROM events WHERE kind = ?)", (kind,)
        )
    conn.close()


def propose(runner):
    result = run(runner, "archive", "disposal", "propose", "--due", "--by", "王芳",
                 "--reason", "保管期满经鉴定无保存价值")  # fmt: skip
    assert result.exit_code == 0, result.output


def test_a_cut_off_rejection_is_caught(work, runner):
    propose(runner)
    rejected = run(
        runner, "archive", "disposal", "reject", "1", "--by", "陈主任", "--reason", "再议"
    )
    assert rejected.exit_code == 0, rejected.output
    assert run(runner, "archive", "verify").exit_code == 0
    cut_tail_from(work, "disposal_rejected")
    result = run(runner, "archive", "verify", "--no-log")
    assert result.exit_code == 1
    assert "事件日志哈希链完整" in result.output  # what is left chains up: only the tail is gone
    assert "事件日志缺少 销毁申请 #1 的 disposal_rejected 事件 (events deleted from the log?)" in (
        result.output
    )
    assert "销毁申请 #1 的 disposal_proposed" not in result.output


def test_a_cut_off_proposal_is_caught_in_the_json_too(work, runner):
    propose(runner)
    cut_tail_from(work, "disposal_proposed")
    result = run(runner, "archive", "verify", "--no-log")
    assert result.exit_code == 1
    assert "事件日志缺少 销毁申请 #1 的 disposal_proposed 事件" in result.output
    as_json = run(runner, "archive", "verify", "--no-log", "--json")
    assert {"archive_no": "销毁申请 #1", "kind": "disposal_proposed"} in (
        json.loads(as_json.stdout)["chain"]["events_missing"]
    )
