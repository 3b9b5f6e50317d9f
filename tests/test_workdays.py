"""The working-day calendar: holidays from chinesecalendar, overrides, the fallback."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import chinese_calendar
import pytest

from recordkit.clock.calendar import WorkCalendar
from recordkit.errors import CalendarError

FALLBACK_2027 = (
    "2027 年的节假日安排未知 (chinesecalendar 未覆盖, 无覆盖文件)，按周一至周五计算工作日"
)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


def test_package_data_for_2026_national_day_is_what_the_tests_assume() -> None:
    # The State Council notice for 2026 as chinesecalendar 1.11 carries it:
    # 国庆节 10-01 … 10-07 off (Mid-Autumn is separate, 09-25 … 09-27),
    # make-up working days Sunday 09-20 and Saturday 10-10.
    for day in range(1, 8):
        assert chinese_calendar.is_holiday(date(2026, 10, day))
    assert chinese_calendar.is_workday(date(2026, 9, 20))  # a Sunday
    assert date(2026, 9, 20).weekday() == 6
    assert chinese_calendar.is_workday(date(2026, 10, 10))  # a Saturday
    assert date(2026, 10, 10).weekday() == 5
    assert chinese_calendar.is_holiday(date(2026, 10, 11))  # the Sunday after stays off


def test_workdays_across_national_day_and_its_make_up_saturday(cal: WorkCalendar) -> None:
    # Received Tuesday 2026-09-29 (day 0, not counted). Working days after it:
    # 09-30 (1); 10-01 … 10-07 holiday; 10-08 Thu (2); 10-09 Fri (3);
    # 10-10 Sat make-up day (4); 10-11 Sun off; 10-12 Mon (5).
    # Without the make-up Saturday the answer would be 10-13.
    assert cal.add_workdays(date(2026, 9, 29), 5) == date(2026, 10, 12)
    assert cal.add_workdays(date(2026, 9, 29), 4) == date(2026, 10, 10)
    assert cal.is_workday(date(2026, 10, 10))
    assert not cal.is_workday(date(2026, 10, 5))  # a Monday inside the holiday
    assert cal.warnings == set()


def test_make_up_sunday_before_national_day_counts(cal: WorkCalendar) -> None:
    # Received Friday 2026-09-18: Saturday 09-19 is off, Sunday 09-20 is a make-up day.
    assert cal.add_workdays(date(2026, 9, 18), 1) == date(2026, 9, 20)
    # Tuesday 09-22 + 3: 09-23 (1), 09-24 (2); 09-25 … 09-27 中秋; 09-28 Mon (3).
    assert cal.add_workdays(date(2026, 9, 22), 3) == date(2026, 9, 28)


def test_day_zero_is_not_counted_and_a_weekend_receipt_starts_monday(cal: WorkCalendar) -> None:
    assert cal.add_workdays(date(2026, 3, 2), 0) == date(2026, 3, 2)
    assert cal.add_workdays(date(2026, 3, 2), 1) == date(2026, 3, 3)  # Mon -> Tue
    assert cal.add_workdays(date(2026, 3, 7), 1) == date(2026, 3, 9)  # Sat -> Mon
    assert cal.add_workdays(datetime(2026, 3, 6, 23, 59), 1) == date(2026, 3, 9)


def test_workdays_between_counts_the_end_not_the_start(cal: WorkCalendar) -> None:
    assert cal.workdays_between(date(2026, 9, 29), date(2026, 10, 12)) == 5
    assert cal.workdays_between(date(2026, 3, 2), date(2026, 3, 2)) == 0


def test_hours_are_calendar_hours_across_midnight_and_a_weekend(cal: WorkCalendar) -> None:
    # 2026-03-06 is a Friday: 24 小时 ends Saturday 18:00, working days or not.
    assert date(2026, 3, 6).weekday() == 4
    assert cal.add_hours(datetime(2026, 3, 6, 18, 0), 24) == datetime(2026, 3, 7, 18, 0)
    assert cal.add_hours(datetime(2026, 3, 6, 18, 0), 48) == datetime(2026, 3, 8, 18, 0)
    assert cal.add_hours(datetime(2026, 3, 2, 23, 30), 1) == datetime(2026, 3, 3, 0, 30)
    assert cal.add_minutes(datetime(2026, 12, 31, 23, 45), 30) == datetime(2027, 1, 1, 0, 15)
    assert cal.add_hours(datetime(2026, 3, 2, 9, 0), 0.5) == datetime(2026, 3, 2, 9, 30)
    assert cal.warnings == set()  # hours never ask which days are working days


def test_calendar_days_do_not_skip_holidays(cal: WorkCalendar) -> None:
    assert cal.add_days(date(2026, 9, 29), 3) == date(2026, 10, 2)
    assert cal.add(datetime(2026, 9, 29, 9, 30), 15, "天") == date(2026, 10, 14)


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # 31 January + 1 月: end of February
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 1, 15), 2, date(2026, 3, 15)),
        (date(2026, 11, 30), 2, date(2027, 1, 30)),
    ],
)
def test_months_clamp_to_month_end(cal: WorkCalendar, start: date, months: int, due: date) -> None:
    assert cal.add_months(start, months) == due


def test_2027_falls_back_to_monday_to_friday_with_a_warning(cal: WorkCalendar) -> None:
    # Received Monday 2026-12-28; + 5 工作日: 12-29 (1), 12-30 (2), 12-31 (3),
    # 2027-01-01 Friday (4: New Year is unknown, so Mon–Fri counts it), 01-04 Mon (5).
    assert cal.add_workdays(date(2026, 12, 28), 5) == date(2027, 1, 4)
    assert cal.warnings == {FALLBACK_2027}
    assert cal.year_source(2027) == "fallback"
    assert cal.warnings_between(date(2026, 12, 28), date(2027, 1, 4)) == [FALLBACK_2027]
    assert cal.warnings_between(date(2026, 1, 1), date(2026, 12, 31)) == []


def write_override(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_override_file_for_2027_is_honoured(tmp_path: Path) -> None:
    path = write_override(
        tmp_path,
        "2027:\n  holidays: [2027-01-01]\n  workdays: [2027-01-09]\n",
    )
    cal = WorkCalendar(path)
    # 12-29 (1), 12-30 (2), 12-31 (3); 01-01 now a holiday; 01-04 (4), 01-05 (5).
    assert cal.add_workdays(date(2026, 12, 28), 5) == date(2027, 1, 5)
    assert cal.is_workday(date(2027, 1, 9))  # a Saturday made a working day
    assert cal.warnings == set()
    assert cal.year_source(2027) == "override"


def test_override_ranges_and_string_dates(tmp_path: Path) -> None:
    path = write_override(tmp_path, '2027:\n  holidays: ["2027-02-06..2027-02-12"]\n')
    cal = WorkCalendar(path)
    # Friday 02-05 + 1: the week 02-06 … 02-12 is off, 02-13 Sat off, 02-15 Mon.
    assert cal.add_workdays(date(2027, 2, 5), 1) == date(2027, 2, 15)


def test_override_can_add_a_local_holiday_to_a_covered_year(tmp_path: Path) -> None:
    path = write_override(tmp_path, "2026:\n  holidays: [2026-03-03]\n")
    cal = WorkCalendar(path)
    assert cal.add_workdays(date(2026, 3, 2), 1) == date(2026, 3, 4)
    # Everything else in 2026 still comes from chinesecalendar.
    assert cal.add_workdays(date(2026, 9, 29), 5) == date(2026, 10, 12)


def test_override_without_the_year_still_warns_and_names_the_file(tmp_path: Path) -> None:
    path = write_override(tmp_path, "2030:\n  holidays: [2030-01-01]\n")
    cal = WorkCalendar(path)
    cal.add_workdays(date(2026, 12, 28), 5)
    (warning,) = cal.warnings
    assert warning.startswith("2027 年的节假日安排未知")
    assert str(path) in warning


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027:\n  holidays: [2027-02-30]\n", "2027.holidays: 2027-02-30 不是日期"),
        ("2027:\n  holidays: [2028-01-01]\n", "2028-01-01 不在 2027 年内"),
        ("2027:\n  vacations: [2027-01-01]\n", "未知的键 vacations"),
        ("next:\n  holidays: []\n", "'next' 不是年份"),
        ("2027:\n  holidays: 2027-01-01\n", "必须是日期列表"),
        ("2027:\n  holidays: [2027-01-04]\n  workdays: [2027-01-04]\n", "同时列为节假日和工作日"),
        ("- 2027-01-01\n", "顶层必须是"),
        ("2027: {holidays: [2027-01-01]\n", "YAML 语法错误, 第 2 行"),
    ],
)
def test_bad_override_file_names_file_and_reason(tmp_path: Path, text: str, expected: str) -> None:
    path = write_override(tmp_path, text)
    with pytest.raises(CalendarError) as info:
        WorkCalendar(path)
    assert str(path) in info.value.message
    assert expected in info.value.message


def test_missing_override_file(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="找不到节假日覆盖文件"):
        WorkCalendar(tmp_path / "nope.yaml")


def test_negative_workdays_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_workdays(date(2026, 3, 2), -1)
