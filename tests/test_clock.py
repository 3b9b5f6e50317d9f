"""The case clock over real profiles and the real calendar (chinesecalendar data)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from recordkit.clock import status as clock
from recordkit.clock.calendar import WorkCalendar
from recordkit.clock.profiles import load_profile
from recordkit.clock.status import case_status, extension_problems, form_deadlines

FALLBACK_2027 = (
    "2027 年的节假日安排未知 (chinesecalendar 未覆盖, 无覆盖文件)，按周一至周五计算工作日"
)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


def steps_of(status: clock.CaseStatus) -> dict[str, clock.StepStatus]:
    return {s.key: s for s in status.steps}


def load_case(text: str) -> dict:
    """Cases arrive as yaml.safe_load gives them: dates as date/datetime objects."""
    return yaml.safe_load(text)


# -- working days, hours, months ----------------------------------------------------------


def test_hospital_deadlines_across_national_day(cal: WorkCalendar) -> None:
    case = load_case("case_no: TS-2026-0101\nreceived_at: 2026-09-29 09:30\n")
    status = case_status(case, load_profile("hospital"), cal, datetime(2026, 9, 30, 8, 0))
    steps = steps_of(status)
    # 2 工作日 from Tue 09-29: 09-30 (1), then 10-01 … 10-07 off, 10-08 (2).
    assert steps["handling"].due == date(2026, 10, 8)
    assert steps["handling"].state == clock.RUNNING
    # Like day 0, today is not counted: after Wednesday 09-30 only 10-08 is left.
    assert steps["handling"].text == "剩余 1 个工作日"
    # 15 工作日: 09-30, 10-08, 10-09, 10-10 (Saturday make-up day), 10-12 … 10-16 (9),
    # 10-19 … 10-23 (14), 10-26 (15).
    assert steps["close"].due == date(2026, 10, 26)
    assert status.warnings == ()
    assert status.is_open and not status.overdue
    assert status.next_due is not None and status.next_due.key == "handling"


def test_overdue_working_day_step(cal: WorkCalendar) -> None:
    case = load_case("case_no: A\nreceived_at: 2026-09-29\n")
    status = case_status(case, load_profile("hospital"), cal, datetime(2026, 10, 11, 9, 0))
    handling = steps_of(status)["handling"]
    assert handling.state == clock.OVERDUE
    assert handling.text == "超期 3 天"
    assert handling.remaining == datetime(2026, 10, 9) - datetime(2026, 10, 11, 9, 0)
    assert status.overdue


def test_done_on_time_and_done_late(cal: WorkCalendar) -> None:
    case = load_case(
        "received_at: 2026-09-29\nacceptance: {decided_at: 2026-10-08}\nreply: {replied_at: 2026-10-28}\n"
    )
    steps = steps_of(case_status(case, load_profile("hospital"), cal, datetime(2026, 11, 1)))
    assert steps["handling"].state == clock.DONE
    assert steps["handling"].text == "按期完成 (2026-10-08)"
    assert steps["close"].state == clock.DONE_LATE
    assert steps["close"].text == "超期 2 天完成"
    assert steps["close"].remaining == timedelta(days=-2)


def test_hours_across_midnight_and_weekend(cal: WorkCalendar) -> None:
    # Friday 2026-03-06 18:00: 24 小时 are calendar hours, so Saturday 18:00.
    case = load_case("received_at: 2026-03-06 18:00\n")
    status = case_status(case, load_profile("enterprise-quality"), cal, datetime(2026, 3, 7, 13, 0))
    first = steps_of(status)["first_reply"]
    assert first.due == datetime(2026, 3, 7, 18, 0)
    assert first.state == clock.RUNNING
    assert first.text == "剩余 5 小时"
    # 3 工作日 from the same Friday: Mon 03-09, Tue 03-10, Wed 03-11.
    assert steps_of(status)["investigation"].due == date(2026, 3, 11)


def test_minutes_across_midnight_and_hour_overdue_text(cal: WorkCalendar) -> None:
    case = load_case("received_at: 2026-03-06 23:50\nextra: {registered_at: 2026-03-07 00:15}\n")
    steps = steps_of(case_status(case, load_profile("dealer"), cal, datetime(2026, 3, 8, 1, 0)))
    assert steps["register"].due == datetime(2026, 3, 7, 0, 20)
    assert steps["register"].state == clock.DONE
    assert steps["contact"].due == datetime(2026, 3, 7, 23, 50)
    assert steps["contact"].state == clock.OVERDUE
    assert steps["contact"].text == "超期 1 小时 10 分钟"


def test_hour_limit_from_a_date_only_start_is_noted(cal: WorkCalendar) -> None:
    case = load_case("received_at: 2026-03-06\n")
    first = steps_of(
        case_status(case, load_profile("enterprise-quality"), cal, datetime(2026, 3, 6, 9))
    )["first_reply"]
    assert first.due == datetime(2026, 3, 7, 0, 0)
    assert first.notes == ("接收时间 只有日期, 按当日 00:00 起算",)


def test_month_limit_at_month_end(cal: WorkCalendar) -> None:
    # 31 January + 1 月 is the last day of February; the lab's forwarded complaint has 2 月.
    case = load_case("received_at: 2026-01-31\nsource: 主管部门转交\n")
    steps = steps_of(case_status(case, load_profile("lab"), cal, datetime(2026, 2, 1)))
    assert steps["forwarded_answer"].due == date(2026, 3, 31)
    case = load_case("received_at: 2025-12-31\n")
    steps = steps_of(case_status(case, load_profile("accreditation"), cal, datetime(2026, 1, 2)))
    assert steps["ruling"].due == date(2026, 2, 28)  # 31 December + 2 月


# -- the 2027 fallback and the override file -----------------------------------------------


def test_2027_fallback_warning_on_status_and_forms(cal: WorkCalendar) -> None:
    case = load_case("case_no: B\nreceived_at: 2026-12-28\n")
    profile = load_profile("employee")
    status = case_status(case, profile, cal, datetime(2026, 12, 28, 10, 0))
    answer = steps_of(status)["answer"]
    # Mon 12-28 + 5: 12-29, 12-30, 12-31, 2027-01-01 (Friday, unknown: counted), 01-04.
    assert answer.due == date(2027, 1, 4)
    assert answer.warnings == (FALLBACK_2027,)
    assert status.warnings == (FALLBACK_2027,)
    assert status.to_dict()["warnings"] == [FALLBACK_2027]
    assert FALLBACK_2027 in clock.render_status(status)
    deadlines = form_deadlines(case, profile, cal)
    assert deadlines["reply_due"] == "2027-01-04"
    assert deadlines["calendar_warning"] == FALLBACK_2027


def test_steps_inside_a_known_year_carry_no_warning(cal: WorkCalendar) -> None:
    case = load_case("received_at: 2026-12-28\nreply: {replied_at: 2026-12-30}\n")
    status = case_status(case, load_profile("employee"), cal, datetime(2027, 3, 1))
    # Done inside 2026 and due 2027-01-04: the due date itself still used 2027.
    assert steps_of(status)["answer"].warnings == (FALLBACK_2027,)
    # Hours never depend on holidays.
    assert steps_of(status)["pass_on"].warnings == ()


def test_override_file_for_2027_moves_the_due_date(tmp_path: Path) -> None:
    override = tmp_path / "holidays.yaml"
    override.write_text("2027:\n  holidays: [2027-01-01]\n", encoding="utf-8")
    cal = WorkCalendar(override)
    case = load_case("received_at: 2026-12-28\n")
    status = case_status(case, load_profile("employee"), cal, datetime(2026, 12, 28, 10, 0))
    assert steps_of(status)["answer"].due == date(2027, 1, 5)
    assert status.warnings == ()
    assert form_deadlines(case, load_profile("employee"), cal)["calendar_warning"] == ""


# -- missing and bad dates -------------------------------------------------------------------


def test_missing_start_date_says_which(cal: WorkCalendar) -> None:
    case = load_case("case_no: C\nreceived_at: 2026-03-02\n")
    steps = steps_of(case_status(case, load_profile("lab"), cal, datetime(2026, 3, 3)))
    window = steps["objection_window"]
    assert window.state == clock.NOT_STARTED
    assert window.missing == "缺少 收到报告日期 (subject.report_received_at)"
    assert window.due is None


def test_chained_step_waits_for_its_start(cal: WorkCalendar) -> None:
    case = load_case("received_at: 2026-03-02\n")
    steps = steps_of(
        case_status(case, load_profile("service-centre"), cal, datetime(2026, 3, 2, 9))
    )
    assert steps["answer"].state == clock.NOT_STARTED
    assert steps["answer"].text == "缺少 受理日期 (acceptance.decided_at)"
    assert steps["acceptance"].due == date(2026, 3, 3)


def test_extra_start_with_profile_label_and_bad_value(cal: WorkCalendar) -> None:
    case = load_case(
        "received_at: 2026-03-02\nseverity: 重大\nextra: {incident_at: 2026-02-30 10:00}\n"
    )
    steps = steps_of(case_status(case, load_profile("pharma"), cal, datetime(2026, 3, 3)))
    assert steps["injury_report"].state == clock.NOT_STARTED
    assert steps["injury_report"].missing.startswith(
        "事故发生时间 (extra.incident_at): 2026-02-30 10:00"
    )
    case["extra"] = {}
    steps = steps_of(case_status(case, load_profile("pharma"), cal, datetime(2026, 3, 3)))
    assert steps["injury_report"].missing == "缺少 事故发生时间 (extra.incident_at)"


def test_string_dates_are_parsed(cal: WorkCalendar) -> None:
    case = {"received_at": "2026年9月29日", "acceptance": {"decided_at": "2026/10/8"}}
    steps = steps_of(case_status(case, load_profile("hospital"), cal, datetime(2026, 10, 9)))
    assert steps["handling"].state == clock.DONE


# -- windows, conditions, closed cases ----------------------------------------------------


def test_objection_window_in_time_and_expired(cal: WorkCalendar) -> None:
    profile = load_profile("lab")
    on_time = load_case("received_at: 2026-03-07\nsubject: {report_received_at: 2026-02-20}\n")
    window = steps_of(case_status(on_time, profile, cal, datetime(2026, 3, 8)))["objection_window"]
    assert window.due == date(2026, 3, 7)
    assert window.state == clock.IN_TIME
    late = load_case("received_at: 2026-03-09\nsubject: {report_received_at: 2026-02-20}\n")
    status = case_status(late, profile, cal, datetime(2026, 3, 9))
    window = steps_of(status)["objection_window"]
    assert window.state == clock.EXPIRED
    assert window.text == "过期提出 (超期 2 天, 期限至 2026-03-07, 过期不予受理)"
    assert not status.overdue  # the complainant's lateness is not the office's


def test_when_condition_excludes_steps(cal: WorkCalendar) -> None:
    case = load_case(
        "received_at: 2026-03-02\nacceptance: {decision: 不予受理, decided_at: 2026-03-03}\n"
    )
    steps = steps_of(case_status(case, load_profile("service-centre"), cal, datetime(2026, 4, 1)))
    assert steps["answer"].state == clock.NOT_APPLICABLE
    assert steps["answer"].text == "不适用 (acceptance.decision = 不予受理)"
    # Not decided yet: the step still shows, so no deadline hides.
    case = load_case("received_at: 2026-03-02\n")
    steps = steps_of(case_status(case, load_profile("lab"), cal, datetime(2026, 3, 3)))
    assert steps["analysis"].state == clock.RUNNING
    assert steps["forwarded_answer"].state == clock.RUNNING


def test_closed_case_without_end_date_is_unrecorded_not_overdue(cal: WorkCalendar) -> None:
    case = load_case(
        "received_at: 2026-03-02\nreply: {replied_at: 2026-03-05}\nclosed_at: 2026-03-06\n"
    )
    status = case_status(case, load_profile("employee"), cal, datetime(2026, 6, 1))
    steps = steps_of(status)
    assert steps["pass_on"].state == clock.UNRECORDED
    assert steps["answer"].state == clock.DONE
    assert not status.is_open and not status.overdue


def test_step_counting_from_closing_runs_after_closing(cal: WorkCalendar) -> None:
    case = load_case(
        "received_at: 2026-03-02\nreply: {replied_at: 2026-03-20}\nclosed_at: 2026-03-21\n"
    )
    status = case_status(case, load_profile("government"), cal, datetime(2026, 4, 10))
    report = steps_of(status)["report"]
    # 03-21 + 15 日 = 04-05 (清明, Sunday): the government profile rolls a calendar-day
    # deadline on a holiday to the next working day (issue 14 point 7), 04-07.
    assert (report.rolled_from, report.due) == (date(2026, 4, 5), date(2026, 4, 7))
    assert report.state == clock.OVERDUE
    assert status.overdue and not status.is_open


# -- extension -----------------------------------------------------------------------------


def test_extension_moves_due_date_within_limit(cal: WorkCalendar) -> None:
    case = load_case(
        "received_at: 2026-03-02\nacceptance: {decided_at: 2026-03-02}\n"
        "extension: {granted_at: 2026-03-10, days: 3, reason: 情况复杂}\n"
    )
    profile = load_profile("service-centre")
    answer = steps_of(case_status(case, profile, cal, datetime(2026, 3, 10)))["answer"]
    # 7 工作日 from Mon 03-02: Wed 03-11; + 3 工作日: Mon 03-16.
    assert answer.original_due == date(2026, 3, 11)
    assert answer.due == date(2026, 3, 16)
    assert answer.extended_by == 3
    assert extension_problems(case, profile) == []
    deadlines = form_deadlines(case, profile, cal)
    assert deadlines["original_due"] == "2026-03-11"
    assert deadlines["extended_due"] == "2026-03-16"
    assert deadlines["reply_due"] == "2026-03-16"
    assert deadlines["acceptance_due"] == "2026-03-03"
    assert deadlines["extension_days"] == "3 工作日"


def test_extension_beyond_the_limit_is_a_validation_problem(cal: WorkCalendar) -> None:
    case = load_case("received_at: 2026-03-02\nextension: {days: 40}\n")
    profile = load_profile("hospital")
    problems = extension_problems(case, profile)
    assert problems == [
        "extension.days (延长天数): 延长 40 日超过允许的最多 30 日 (profile hospital, 步骤 close 办结, 书面告知投诉人)"
    ]
    status = case_status(case, profile, cal, datetime(2026, 3, 3))
    assert status.problems == tuple(problems)
    # The clock still runs with the longest extension allowed.
    assert steps_of(status)["close"].extended_by == 30


def test_extension_where_the_procedure_allows_none(cal: WorkCalendar) -> None:
    case = load_case("received_at: 2026-03-02\nextension: {days: 2}\n")
    (problem,) = extension_problems(case, load_profile("securities"))
    assert problem.startswith("extension.days (延长天数): 程序配置 securities")
    assert extension_problems({"extension": {"days": -1}}, load_profile("hospital")) == [
        "extension.days (延长天数): 延长天数不能为负数: -1"
    ]


def test_form_deadlines_with_hours_and_unknowns(cal: WorkCalendar) -> None:
    case = load_case("received_at: 2026-03-02 09:30\n")
    deadlines = form_deadlines(case, load_profile("securities"), cal)
    assert deadlines["reply_due"] == "2026-03-05"
    assert deadlines["acceptance_due"] == ""
    assert set(deadlines) >= {"acceptance_due", "reply_due", "original_due", "extended_due"}
    assert form_deadlines({}, load_profile("hospital"), cal)["reply_due"] == ""


# -- filters, JSON ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3d", timedelta(days=3)),
        ("12h", timedelta(hours=12)),
        ("2w", timedelta(weeks=2)),
        ("30min", timedelta(minutes=30)),
        ("3天", timedelta(days=3)),
        ("1.5d", timedelta(hours=36)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert clock.parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "3", "d", "3x", "-3d", "3 months"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="不是时长"):
        clock.parse_duration(text)


def test_list_filters(cal: WorkCalendar) -> None:
    profile = load_profile("hospital")
    now = datetime(2026, 3, 2, 10, 0)  # Monday
    soon = case_status(load_case("case_no: S\nreceived_at: 2026-03-02\n"), profile, cal, now)
    late = case_status(load_case("case_no: L\nreceived_at: 2026-02-02\n"), profile, cal, now)
    closed = case_status(
        load_case(
            "case_no: C\nreceived_at: 2026-02-02\nacceptance: {decided_at: 2026-02-03}\n"
            "reply: {replied_at: 2026-02-10}\nclosed_at: 2026-02-10\n"
        ),
        profile,
        cal,
        now,
    )
    # Due Wednesday 03-04: within 3d, not within 1d.
    assert clock.due_within(soon, timedelta(days=3))
    assert not clock.due_within(soon, timedelta(days=1))
    assert not clock.due_within(late, timedelta(days=3))  # late is --overdue's business
    assert [s.case_no for s in clock.select([soon, late, closed], overdue=True)] == ["L"]
    assert [s.case_no for s in clock.select([soon, late, closed], open_only=True)] == ["S", "L"]
    assert [s.case_no for s in clock.select([soon, late, closed], within=timedelta(days=3))] == [
        "S"
    ]


def test_due_within_hours(cal: WorkCalendar) -> None:
    status = case_status(
        load_case("received_at: 2026-03-06 18:00\n"),
        load_profile("employee"),
        cal,
        datetime(2026, 3, 7, 10, 0),
    )
    assert clock.due_within(status, clock.parse_duration("12h"))  # pass_on at Sat 18:00
    assert not clock.due_within(status, clock.parse_duration("6h"))


def test_to_dict_is_json_with_iso_dates(cal: WorkCalendar) -> None:
    case = load_case("case_no: J\nreceived_at: 2026-03-06 18:00\n")
    status = case_status(case, load_profile("dealer"), cal, datetime(2026, 3, 6, 18, 10))
    data = json.loads(json.dumps(status.to_dict(), ensure_ascii=False))
    register = data["steps"][0]
    assert register["due"] == "2026-03-06T18:30"
    assert register["state"] == "进行中"
    assert register["remaining_seconds"] == 20 * 60
    assert data["next_due"]["key"] == "register"
    assert data["steps"][2]["due"] == "2026-03-11"


def test_register_overdue_column(cal: WorkCalendar) -> None:
    profile = load_profile("hospital")
    late_done = load_case(
        "received_at: 2026-09-29\nacceptance: {decided_at: 2026-10-09}\n"
        "reply: {replied_at: 2026-10-20}\nclosed_at: 2026-10-20\n"
    )
    on_time = load_case(
        "received_at: 2026-09-29\nacceptance: {decided_at: 2026-10-08}\n"
        "reply: {replied_at: 2026-10-20}\nclosed_at: 2026-10-20\n"
    )
    now = datetime(2026, 11, 1)
    assert clock.register_extras(late_done, profile, cal, now) == {"overdue": "是"}
    assert clock.register_extras(on_time, profile, cal, now) == {"overdue": "否"}
