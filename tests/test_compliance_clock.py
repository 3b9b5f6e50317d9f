"""Issue 14 points 3, 5, 6, 7: written replies, acknowledgement and progress, the seeds'
procedure details, and deadlines that land on a holiday (docs/compliance.md)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from docx_text import docx_text

from recordkit.cli import cli
from recordkit.clock import status as clock
from recordkit.clock.calendar import WorkCalendar
from recordkit.clock.profiles import load_profile, parse_profile
from recordkit.clock.status import case_status, form_deadlines
from recordkit.errors import ProfileError


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


def steps_of(status: clock.CaseStatus) -> dict[str, clock.StepStatus]:
    return {s.key: s for s in status.steps}


def init_with(runner, tmp_path: Path, monkeypatch, profile: str) -> Path:
    root = tmp_path / "work"
    result = runner.invoke(cli, ["init", str(root), "--profile", profile])
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(root)
    return root


def add_case(runner, root: Path, data: dict):
    source = root / "in.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return runner.invoke(cli, ["case", "new", "--from", str(source)])


def status_json(runner, case_no: str = "TS-2026-0001") -> dict:
    result = runner.invoke(cli, ["case", "status", case_no, "--json"])
    assert result.exit_code == 0, result.output
    return {s["key"]: s for s in json.loads(result.stdout)[0]["steps"]}


# -- point 3: 书面 replies -------------------------------------------------------------------


@pytest.mark.parametrize("method", ["电话", "面谈"])
def test_spoken_reply_leaves_the_written_reply_step_open_and_overdue(
    workdir, runner, book, sample_case, method
):
    sample_case["reply"]["method"] = method  # the case is closed on 2026-03-21
    book.add(sample_case)
    step = status_json(runner)["written_reply"]
    assert step["state"] == clock.OVERDUE
    assert step["done"] is False
    assert step["notes"] == [f"答复方式为 {method} (reply.method), 程序要求书面答复, 本步骤未完成"]


def test_written_reply_completes_the_step(workdir, runner, book, sample_case):
    book.add(sample_case)  # 书面, 2026-03-10: 10 工作日 from 2026-03-02 is 2026-03-16
    step = status_json(runner)["written_reply"]
    assert (step["state"], step["due"]) == (clock.DONE, "2026-03-16")


def test_hospital_close_by_phone_is_not_written_notice(cal):
    case = {
        "received_at": "2026-03-02",
        "reply": {"replied_at": "2026-03-05", "method": "电话"},
        "closed_at": "2026-03-06",
    }
    close = steps_of(case_status(case, load_profile("hospital"), cal, datetime(2026, 4, 1)))[
        "close"
    ]
    assert close.state == clock.OVERDUE and close.text == "超期 9 天"
    case["reply"]["method"] = "电子邮件"  # 民法典 §469: e-mail is a written form
    close = steps_of(case_status(case, load_profile("hospital"), cal, datetime(2026, 4, 1)))[
        "close"
    ]
    assert close.state == clock.DONE


# -- point 5: acknowledgement, progress, the lab's reply deadline ---------------------------------


def test_lab_reply_deadline_reaches_f09_and_f13(workdir, runner, book, sample_case):
    assert (
        form_deadlines(sample_case, load_profile("lab"), WorkCalendar())["reply_due"]
        == "2026-03-16"
    )
    book.add(sample_case)
    for code in ("F09", "F13"):
        result = runner.invoke(cli, ["fill", code, "TS-2026-0001"])
        assert result.exit_code == 0, result.output
        text = docx_text(next((workdir.root / "out" / "TS-2026-0001").glob(f"{code}-*.docx")))
        assert "2026-03-16 前" in text
        assert "在规定期限内" not in text


PROGRESS = [
    {"date": "2026-03-04 10:15", "note": "已电话告知复检安排", "method": "电话"},
    {"date": "2026-03-09", "note": "复检完成, 待质量负责人批准"},
]


def test_progress_notes_print_on_f06_and_f18(workdir, runner, book, sample_case):
    sample_case["progress"] = PROGRESS
    book.add(sample_case)
    for code in ("F06", "F18"):
        assert runner.invoke(cli, ["fill", code, "TS-2026-0001"]).exit_code == 0
        text = docx_text(next((workdir.root / "out" / "TS-2026-0001").glob(f"{code}-*.docx")))
        assert "2026-03-04 10:15" in text and "已电话告知复检安排（电话）" in text
        assert "2026-03-09" in text and "复检完成, 待质量负责人批准" in text


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({"date": "3月4日", "note": "已告知"}, "第 1 项 date (日期): 3月4日 不是日期"),
        ({"note": "已告知"}, "第 1 项 缺少 date (日期)"),
        ({"date": "2026-03-04"}, "第 1 项 缺少 note (进展情况)"),
    ],
)
def test_progress_note_needs_a_date_and_text(workdir, runner, sample_case, row, problem):
    sample_case["progress"] = [row]
    result = add_case(runner, workdir.root, sample_case)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: in.yaml: progress (处理进展): {problem}")


# -- point 6: procedure details of the seeds ------------------------------------------------------


def test_dealer_after_hours_clocks_start_when_the_office_opens(cal):
    case = {"received_at": "2026-03-06 19:00", "received_after_hours": True}  # Friday evening
    steps = steps_of(case_status(case, load_profile("dealer"), cal, datetime(2026, 3, 7)))
    assert steps["register"].due == datetime(2026, 3, 9, 9, 0)
    assert steps["contact"].due == datetime(2026, 3, 10, 8, 30)
    assert steps["register"].notes == (
        "非工作时间接到 (2026-03-06 19:00), 自 2026-03-09 08:30 上班起算",
    )
    urgent = {"received_at": "2026-03-06 19:00"}  # judged urgent: handled at once
    assert steps_of(case_status(urgent, load_profile("dealer"), cal, datetime(2026, 3, 7)))[
        "register"
    ].due == datetime(2026, 3, 6, 19, 30)


def test_hospital_transfer_needs_the_signed_hand_over(tmp_path, runner, sample_case, monkeypatch):
    root = init_with(runner, tmp_path, monkeypatch, "hospital")
    sample_case["acceptance"] = {
        "decision": "转办",
        "decided_at": "2026-03-03",
        "transferred_to": "医务科",
    }
    sample_case["handover"] = {"department": "医务科", "person": "林某", "at": "2026-03-03 10:00"}
    result = add_case(runner, root, sample_case)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: in.yaml: handover.signed_by (交接签字): 必填 (acceptance.decision = 转办, "
        "首问负责制, 签字确认交接科室及责任人 (医院 投诉处理工作制度 一、(一)); profile hospital)"
    )
    sample_case["handover"]["signed_by"] = "林某"
    assert add_case(runner, root, sample_case).exit_code == 0


def test_consumer_copy_and_answer_chain(cal):
    case = {
        "received_at": "2026-03-02",
        "acceptance": {"decision": "受理", "decided_at": "2026-03-04"},
        "respondent_answer": {"copy_sent_at": "2026-03-10"},
    }
    steps = steps_of(case_status(case, load_profile("consumer"), cal, datetime(2026, 3, 12)))
    assert steps["copy_to_respondent"].state == clock.DONE
    assert steps["respondent_answer"].due == date(2026, 3, 31)  # 15 工作日 from 03-10
    assert steps["investigation"].missing == "缺少 收到答辩日期 (respondent_answer.received_at)"


def test_health_check_and_government_service_centre_limits(cal):
    case = {"received_at": "2026-03-06 16:00"}
    hc = steps_of(case_status(case, load_profile("health-check"), cal, datetime(2026, 3, 6, 17)))
    assert (hc["investigation"].due, hc["feedback"].due) == (
        datetime(2026, 3, 7, 16),
        datetime(2026, 3, 8, 16),
    )
    gov = steps_of(
        case_status(case, load_profile("gov-service-centre"), cal, datetime(2026, 3, 6, 17))
    )
    assert gov["decision"].due == date(2026, 3, 11)  # 3 工作日 after Friday


def test_employee_appeal_chain(cal):
    case = {
        "received_at": "2026-03-02",
        "reply": {"replied_at": "2026-03-05"},
        "extra": {
            "appealed_at": "2026-03-06",
            "appeal_replied_at": "2026-03-13",
            "gm_appealed_at": "2026-03-25",
        },
    }
    steps = steps_of(case_status(case, load_profile("employee"), cal, datetime(2026, 3, 26)))
    assert (steps["appeal_answer"].due, steps["appeal_answer"].state) == (
        date(2026, 3, 17),
        clock.DONE,
    )
    assert steps["gm_appeal_window"].state == clock.EXPIRED  # 10 天 from 03-13 is 03-23
    assert steps["gm_answer"].due == date(2026, 4, 16)  # 15 工作日, 清明 04-06 off


# -- point 7: a calendar-day deadline on a holiday ----------------------------------------------


def test_government_deadline_on_national_day_rolls_and_says_so(
    tmp_path, runner, sample_case, monkeypatch
):
    root = init_with(runner, tmp_path, monkeypatch, "government")
    for key in ("reply", "closed_at", "follow_up", "resolution"):
        sample_case.pop(key)
    sample_case["received_at"] = "2026-09-02 10:00"  # + 30 日 = 10-02, 国庆
    sample_case["acceptance"]["decided_at"] = "2026-09-03"
    assert add_case(runner, root, sample_case).exit_code == 0
    decision = status_json(runner)["decision"]
    assert (decision["due"], decision["rolled_from"]) == ("2026-10-08", "2026-10-02")
    assert decision["notes"] == ["期限 2026-10-02 为非工作日, 顺延至 2026-10-08"]
    text = runner.invoke(cli, ["case", "status", "TS-2026-0001"]).stdout
    assert "注: 期限 2026-10-02 为非工作日, 顺延至 2026-10-08" in text


def test_profile_without_the_setting_keeps_the_calendar_day(cal):
    case = {"received_at": "2026-09-28"}  # securities: 3 日 = 10-01, not rolled
    feedback = steps_of(case_status(case, load_profile("securities"), cal, datetime(2026, 9, 29)))[
        "feedback"
    ]
    assert (feedback.due, feedback.rolled_from, feedback.notes) == (date(2026, 10, 1), None, ())


def test_profile_settings_are_checked() -> None:
    text = """\
name: x
title: 测试
roll_to_workday: "yes"
business_hours: 18:00-08:00
steps:
  - {key: a, name: 甲, limit: 30, unit: 分钟, start: received_at, end: closed_at, after_hours: true}
  - {key: b, name: 乙, limit: 2, unit: 工作日, start: received_at, end: closed_at, after_hours: true}
"""
    with pytest.raises(ProfileError) as err:
        parse_profile(text, "x.yaml")
    assert err.value.message.splitlines() == [
        "x.yaml: roll_to_workday 必须是 true 或 false",
        "x.yaml: 步骤 2 (b): after_hours 只适用于 小时 和 分钟",
        'x.yaml: business_hours "18:00-08:00": 上班时间必须早于下班时间',
        "x.yaml: 步骤使用 after_hours, 但未设 business_hours (e.g. business_hours: 08:30-17:30)",
    ]
