"""Two-person disposal (issue 13 point 4): one person proposes (the 销毁清册 is written
at once, nothing deleted), another approves (then the crash-safe disposal runs) or
rejects. The same person approving is refused; holds still protect."""

from __future__ import annotations

import json
import sqlite3

import pytest
from audit_setup import DUE, run, stored, work_folder

from recordkit.archive.service import Archive


@pytest.fixture
def work(tmp_path, monkeypatch):
    return work_folder(tmp_path, monkeypatch)


def propose(runner, *args):
    return run(runner, "archive", "disposal", "propose", *args)


def kinds(config) -> list[str]:
    with Archive(config) as archive:
        return [e["kind"] for e in archive.index.events()]


def test_propose_writes_the_list_and_deletes_nothing(work, runner):
    result = propose(runner, "--due", "--by", "王芳", "--reason", "保管期满经鉴定无保存价值")
    assert result.exit_code == 0, result.output
    assert (
        "已提交销毁申请 #1: 2 件, 申请人 王芳, 待另一人批准; 销毁清册: disposals/销毁清册-申请0001-"
        in (result.output)
    )
    assert all(stored(work, n).exists() for n in DUE)
    with Archive(work) as archive:
        (proposal,) = archive.disposal_proposals()
        assert proposal["state"] == "pending" and proposal["state_label"] == "待批准"
        assert [i["archive_no"] for i in proposal["items"]] == DUE
        assert (archive.layout.abs(proposal["list_pdf"])).read_bytes().startswith(b"%PDF")
        assert archive.layout.abs(proposal["list_xlsx"]).is_file()
        assert [archive.show(n)["status"] for n in DUE] == ["filed", "filed"]
        assert archive.index.disposals() == []
    assert kinds(work)[-1] == "disposal_proposed"
    listed = run(runner, "archive", "disposal", "list")
    assert "待批准" in listed.output and "共 1 项。" in listed.output


def test_the_proposer_cannot_approve(work, runner):
    propose(runner, "--due", "--by", "王芳", "--reason", "保管期满")
    result = run(runner, "archive", "disposal", "approve", "1", "--by", " 王芳 ")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 批准人不能是申请人本人 (王芳); 销毁须由另一人批准 "
        "(two-person rule: the approver must not be the proposer)\n"
    )
    assert all(stored(work, n).exists() for n in DUE)
    with Archive(work) as archive:
        assert archive.disposal_proposals()[0]["state"] == "pending"


def test_another_person_approves_and_the_records_go(work, runner):
    propose(runner, "--due", "--by", "王芳", "--reason", "保管期满")
    with Archive(work) as archive:
        draft = archive.layout.abs(archive.disposal_proposals()[0]["list_pdf"])
    assert draft.is_file()  # the 销毁清册 exists before anything is deleted
    result = run(runner, "archive", "disposal", "approve", "1", "--by", "陈主任")
    assert result.exit_code == 0, result.output
    assert (
        "已销毁 2 件 (第 1 批, 批准人 陈主任, 执行人 王芳); 销毁清册: disposals/销毁清册-0001-"
        in (result.output)
    )
    assert not any(stored(work, n).exists() for n in DUE)
    with Archive(work) as archive:
        (proposal,) = archive.disposal_proposals()
        assert (proposal["state"], proposal["decided_by"], proposal["disposal_id"]) == (
            "approved",
            "陈主任",
            1,
        )
        assert archive.layout.abs(proposal["disposal_list_pdf"]).is_file() and draft.is_file()
        assert [archive.show(n)["status"] for n in DUE] == ["destroyed", "destroyed"]
        assert archive.verify().ok
    events = kinds(work)
    assert events.index("disposal_proposed") < events.index("disposal_approved")
    assert events.index("disposal_approved") < events.index("destroyed")
    again = run(runner, "archive", "disposal", "approve", "1", "--by", "另一人")
    assert again.exit_code == 1 and "销毁申请 #1 已批准并销毁 (陈主任 " in again.stderr


def test_a_hold_placed_after_the_proposal_still_protects(work, runner):
    propose(runner, "--due", "--by", "王芳", "--reason", "保管期满")
    run(runner, "archive", "hold", "add", DUE[0], "--reason", "诉讼中", "--by", "张律师")
    result = run(runner, "archive", "disposal", "approve", "1", "--by", "陈主任")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: 销毁被拒绝, 未销毁任何档案 (disposal refused, nothing destroyed):"
    assert lines[1].startswith(f"{DUE[0]}: 处于法律保全 #1 (档号 {DUE[0]}): 诉讼中, 张律师 于 ")
    assert all(stored(work, n).exists() for n in DUE)
    with Archive(work) as archive:
        assert archive.disposal_proposals()[0]["state"] == "pending"


def test_reject_needs_a_reason_and_deletes_nothing(work, runner):
    propose(runner, DUE[1], "--by", "王芳", "--reason", "保管期满")
    missing = run(runner, "archive", "disposal", "reject", "1", "--by", "陈主任")
    assert missing.exit_code == 2
    assert missing.stderr == "Error: --reason: 必须写明驳回原因 (reason)\n"
    result = run(
        runner, "archive", "disposal", "reject", "1", "--by", "陈主任", "--reason", "需续存"
    )
    assert result.exit_code == 0, result.output
    assert result.output == "已驳回销毁申请 #1 (陈主任): 需续存\n"
    assert stored(work, DUE[1]).exists()
    assert kinds(work)[-1] == "disposal_rejected"
    approve = run(runner, "archive", "disposal", "approve", "1", "--by", "陈主任")
    assert approve.exit_code == 1 and "销毁申请 #1 已驳回 (陈主任 " in approve.stderr
    # Rejected: the record may be proposed again.
    assert propose(runner, DUE[1], "--by", "王芳", "--reason", "再次鉴定").exit_code == 0


def test_proposals_are_refused_as_dispose_refuses(work, runner):
    not_due = propose(runner, "Z109-WS·2026-D10-0001", "--by", "王芳", "--reason", "保管期满")
    assert not_due.exit_code == 1
    assert "Z109-WS·2026-D10-0001: 保管期限未满, 2037-01-01 到期, 不能销毁" in not_due.stderr
    assert propose(runner, DUE[0], "--by", "王芳", "--reason", "保管期满").exit_code == 0
    twice = propose(runner, "--due", "--by", "李娜", "--reason", "保管期满")
    assert twice.exit_code == 1
    assert twice.stderr.splitlines()[1] == f"{DUE[0]}: 已在待批准的销毁申请 #1 中"
    both = propose(runner, "--due", DUE[0], "--by", "王芳", "--reason", "x")
    assert both.exit_code == 2
    no_by = propose(runner, DUE[1], "--reason", "保管期满")
    assert (
        no_by.exit_code == 2 and no_by.stderr == "Error: --by: 必须写明申请人姓名 (who proposes)\n"
    )


def test_json_of_a_proposal(work, runner):
    result = propose(runner, "--due", "--by", "王芳", "--reason", "保管期满", "--json")
    data = json.loads(result.output)
    assert data["proposal"]["proposer"] == "王芳" and len(data["proposal"]["items"]) == 2
    assert data["proposal"]["list_pdf_sha256"]


@pytest.mark.sqlite_only("an index file from before proposals; PostgreSQL schemas have them")
def test_an_index_from_before_proposals_is_upgraded_in_place(work, runner):
    with Archive(work) as archive:
        index_path = archive.index.path
    conn = sqlite3.connect(index_path)
    conn.executescript("DROP TABLE disposal_proposal_items; DROP TABLE disposal_proposals;")
    conn.close()
    assert "共 0 项。" in run(runner, "archive", "disposal", "list").output
    result = propose(runner, DUE[0], "--by", "王芳", "--reason", "保管期满")
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(index_path)
    assert conn.execute("SELECT proposer, state FROM disposal_proposals").fetchall() == [
        ("王芳", "pending")
    ]
    conn.close()


def test_verify_checks_the_proposal_list(work, runner):
    propose(runner, DUE[0], "--by", "王芳", "--reason", "保管期满")
    with Archive(work) as archive:
        draft = archive.layout.abs(archive.disposal_proposals()[0]["list_xlsx"])
        assert archive.verify().ok
    draft.write_bytes(draft.read_bytes() + b"x")
    with Archive(work) as archive:
        report = archive.verify()
    assert not report.ok
    assert [p.path for p in report.problems] == [f"disposals/{draft.name}"]
    assert "销毁清册已改变 (SHA-256 " in report.problems[0].detail


def test_the_proposer_is_recognised_by_name_or_user_name(work, runner):
    """The web names a user 姓名 (用户名); the CLI takes any --by. Either part is the person."""
    propose(runner, "--due", "--by", "王芳 (wangfang)", "--reason", "保管期满")
    for approver in ("王芳", "wangfang", "王芳（wangfang）"):
        result = run(runner, "archive", "disposal", "approve", "1", "--by", approver)
        assert result.exit_code == 1, approver
        assert "批准人不能是申请人本人" in result.stderr
    assert all(stored(work, n).exists() for n in DUE)
