"""The working-day calendar and date arithmetic for the case clock.

Counting rules (see docs/clock.md):

* Day 0 is the day the clock starts (e.g. the day of receipt); it is never counted.
  ``N 工作日`` ends on the N-th working day *after* that day, ``N 日`` on the N-th
  calendar day after it, ``N 月`` on the same day N months later (clamped to the last
  day of a shorter month: 31 January + 1 月 = 28/29 February).
* ``小时`` and ``分钟`` are calendar hours and minutes: 24 小时 from Friday 18:00 ends
  on Saturday 18:00. The procedures say "24 小时内", not "24 working hours".
* Working days: Chinese public holidays and 调休 make-up working days from the
  ``chinesecalendar`` package. An override file adds or corrects days (and is the only
  source for years the package does not cover). A year known to neither falls back to
  Monday–Friday, and a warning is recorded so every output that used it can say so.
"""

from __future__ import annotations

import calendar as _stdcal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import yaml

from recordkit.dates import parse_date
from recordkit.errors import CalendarError

WORKDAY = "工作日"
DAY = "日"
HOUR = "小时"
MINUTE = "分钟"
MONTH = "月"
UNITS: tuple[str, ...] = (WORKDAY, DAY, HOUR, MINUTE, MONTH)
# Units whose due value is a whole day (a date); the others give a date and time.
DAY_UNITS: tuple[str, ...] = (WORKDAY, DAY, MONTH)
TIME_UNITS: tuple[str, ...] = (HOUR, MINUTE)
# PROFILES.md writes calendar days as 日/天; both mean the same.
UNIT_ALIASES: dict[str, str] = {"天": DAY}

# Guard against a typo such as 50000 工作日 looping over a century of days.
MAX_WORKDAYS = 3660


def normalize_unit(unit: str) -> str:
    return UNIT_ALIASES.get(unit, unit)


@dataclass(frozen=True)
class YearOverride:
    """Days of one year listed in the override file; they win over everything else."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()


@dataclass
class WorkCalendar:
    """Which days are working days, and adding limits in each unit.

    ``warnings`` collects one Chinese message per year whose holidays were unknown
    (Monday–Friday fallback), across every computation made with this calendar;
    ``warnings_between`` gives the ones that matter for one span of dates.
    """

    override_file: Path | None = None
    warnings: set[str] = field(default_factory=set)
    _overrides: dict[int, YearOverride] = field(default_factory=dict, repr=False)
    _package_covers: dict[int, bool] = field(default_factory=dict, repr=False)
    # The clock asks about the same days thousands of times in a register or report.
    _days: dict[date, bool] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.override_file is not None:
            self.override_file = Path(self.override_file)
            self._overrides = load_override_file(self.override_file)

    # -- which days work ---------------------------------------------------------

    def is_workday(self, day: date) -> bool:
        day = _as_date(day)
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._compute_workday(day)
        return known

    def _compute_workday(self, day: date) -> bool:
        listed = self._overrides.get(day.year)
        if listed is not None:
            if day in listed.holidays:
                return False
            if day in listed.workdays:
                return True
        if self.package_covers(day.year):
            return bool(chinese_calendar.is_workday(day))
        if listed is None:
            self.warnings.add(self.fallback_warning(day.year))
        return day.weekday() < 5

    def package_covers(self, year: int) -> bool:
        """chinesecalendar raises NotImplementedError for years it has no data for."""
        if year not in self._package_covers:
            try:
                chinese_calendar.is_workday(date(year, 6, 1))
                self._package_covers[year] = True
            except NotImplementedError:
                self._package_covers[year] = False
        return self._package_covers[year]

    def year_source(self, year: int) -> str:
        """Where the holidays of a year come from: chinesecalendar, override or fallback."""
        if self.package_covers(year):
            return "chinesecalendar+override" if year in self._overrides else "chinesecalendar"
        return "override" if year in self._overrides else "fallback"

    def fallback_warning(self, year: int) -> str:
        if self.override_file is None:
            why = "chinesecalendar 未覆盖, 无覆盖文件"
        else:
            why = f"chinesecalendar 未覆盖, 覆盖文件 {self.override_file} 中也没有该年"
        return f"{year} 年的节假日安排未知 ({why})，按周一至周五计算工作日"

    def warnings_between(self, start: date, end: date) -> list[str]:
        """Fallback warnings for the years a computation from start to end relied on."""
        first, last = sorted((_as_date(start).year, _as_date(end).year))
        return [
            self.fallback_warning(year)
            for year in range(first, last + 1)
            if self.year_source(year) == "fallback"
        ]

    def next_workday(self, day: date) -> date:
        """The day itself when it is a working day, else the first working day after."""
        day = _as_date(day)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many are left from start until end."""
        start, end = _as_date(start), _as_date(end)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count

    # -- adding limits -------------------------------------------------------------

    def add_workdays(self, start: date | datetime, n: int) -> date:
        """The n-th working day after start (the start day itself is day 0, not counted)."""
        if n < 0:
            raise ValueError(f"工作日数不能为负数: {n}")
        if n > MAX_WORKDAYS:
            raise ValueError(f"工作日数过大: {n} (at most {MAX_WORKDAYS})")
        day = _as_date(start)
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return day

    def add_days(self, start: date | datetime, n: int) -> date:
        return _as_date(start) + timedelta(days=n)

    def add_hours(self, start: date | datetime, n: float) -> datetime:
        return _as_datetime(start) + timedelta(hours=n)

    def add_minutes(self, start: date | datetime, n: float) -> datetime:
        return _as_datetime(start) + timedelta(minutes=n)

    def add_months(self, start: date | datetime, n: int) -> date:
        """Same day n months later; a day the target month lacks becomes its last day."""
        day = _as_date(start)
        month_index = day.year * 12 + (day.month - 1) + n
        year, month = divmod(month_index, 12)
        month += 1
        last = _stdcal.monthrange(year, month)[1]
        return date(year, month, min(day.day, last))

    def add(self, start: date | datetime, n: float, unit: str) -> date | datetime:
        """Add a limit in any unit: a date for day units, a datetime for hours/minutes."""
        unit = normalize_unit(unit)
        if unit == WORKDAY:
            return self.add_workdays(start, int(n))
        if unit == DAY:
            return self.add_days(start, int(n))
        if unit == MONTH:
            return self.add_months(start, int(n))
        if unit == HOUR:
            return self.add_hours(start, n)
        if unit == MINUTE:
            return self.add_minutes(start, n)
        raise ValueError(f'未知的时限单位 "{unit}"')

    def extend(self, due: date | datetime, n: int, unit: str) -> date | datetime:
        """Move a due date by an extension of n days (日 or 工作日), keeping a time of day."""
        moved = self.add(due, n, unit)
        if isinstance(due, datetime):
            return datetime.combine(_as_date(moved), due.time())
        return moved


# -- the override file ---------------------------------------------------------------

OVERRIDE_KEYS = ("holidays", "workdays")


class _DatesAsTextLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so 2027-02-30 gets our message, not a crash.

    PyYAML's own date constructor raises a bare ValueError for a day that does not
    exist; parse_date says which value is wrong, in Chinese.
    """


_DatesAsTextLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def load_override_file(path: Path) -> dict[int, YearOverride]:
    """Read ``{2027: {holidays: [...], workdays: [...]}}``; CalendarError names the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CalendarError(
            f"{path}: 找不到节假日覆盖文件 (calendar override file not found)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarError(f"{path}: 无法读取节假日覆盖文件: {exc}") from None
    try:
        data = yaml.load(text, Loader=_DatesAsTextLoader)  # SafeLoader subclass: still safe
    except yaml.MarkedYAMLError as exc:
        raise CalendarError(f"{path}: YAML 语法错误{_mark_text(exc)}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise CalendarError(f"{path}: YAML 语法错误: {exc}") from None
    return parse_overrides(data, str(path))


def parse_overrides(data: object, where: str) -> dict[int, YearOverride]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise CalendarError(
            f"{where}: 顶层必须是 年份: {{holidays: [...], workdays: [...]}} 的映射"
        )
    result: dict[int, YearOverride] = {}
    for raw_year, entry in data.items():
        year = _parse_year(raw_year, where)
        result[year] = _parse_year_entry(year, entry, where)
    return result


def _parse_year(raw: object, where: str) -> int:
    text = str(raw).strip()
    if isinstance(raw, bool) or not text.isdigit() or not 1900 <= int(text) <= 2999:
        raise CalendarError(f"{where}: {raw!r} 不是年份 (top-level keys are years such as 2027)")
    return int(text)


def _parse_year_entry(year: int, entry: object, where: str) -> YearOverride:
    if entry is None:
        entry = {}
    if not isinstance(entry, Mapping):
        raise CalendarError(f"{where}: {year}: 必须是含 holidays / workdays 列表的映射")
    unknown = [str(k) for k in entry if k not in OVERRIDE_KEYS]
    if unknown:
        raise CalendarError(
            f"{where}: {year}: 未知的键 {', '.join(unknown)} (allowed: holidays, workdays)"
        )
    holidays = _parse_days(year, "holidays", entry.get("holidays"), where)
    workdays = _parse_days(year, "workdays", entry.get("workdays"), where)
    both = sorted(holidays & workdays)
    if both:
        listed = ", ".join(d.isoformat() for d in both)
        raise CalendarError(f"{where}: {year}: {listed} 同时列为节假日和工作日")
    return YearOverride(frozenset(holidays), frozenset(workdays))


def _parse_days(year: int, key: str, values: object, where: str) -> set[date]:
    if values is None:
        return set()
    if not isinstance(values, list):
        raise CalendarError(f"{where}: {year}.{key}: 必须是日期列表 (a list of dates)")
    days: set[date] = set()
    for value in values:
        try:
            span = _parse_span(value)
        except ValueError as exc:
            raise CalendarError(f"{where}: {year}.{key}: {exc}") from None
        for day in span:
            if day.year != year:
                raise CalendarError(f"{where}: {year}.{key}: {day.isoformat()} 不在 {year} 年内")
            days.add(day)
    return days


def _parse_span(value: object) -> Iterable[date]:
    """One date, or a range ``2027-02-06..2027-02-12`` (both ends included).

    Ranges exist because a Spring Festival week is easier to type and check as one line.
    """
    if isinstance(value, str) and ".." in value:
        first_text, last_text = value.split("..", 1)
        first, last = parse_date(first_text.strip()), parse_date(last_text.strip())
        if last < first:
            raise ValueError(f"{value}: 结束日期早于开始日期")
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [parse_date(value)]


def _mark_text(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark
    if mark is None:
        return ""
    return f", 第 {mark.line + 1} 行第 {mark.column + 1} 列"


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _as_datetime(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day)
