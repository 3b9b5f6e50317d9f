"""Monthly and yearly statistics reports: Word (python-docx), Excel and, on request, PDF.

``compute_stats`` is pure: cases, their clock statuses and a period in, a ``Stats`` out,
so every figure can be checked by hand (docs/reports.md gives each formula).
``write_report`` loads a working folder's cases, computes the statistics, draws the
charts with matplotlib (the bundled CJK font, so Chinese labels render on any
machine), writes ``out/reports/投诉统计月报-2026-10.docx`` and ``.xlsx`` with the same
numbers, and converts the Word file to PDF through LibreOffice when asked.

Which cases belong to a period: those *received* in it (``received_at``). Time
figures (on-time rates, overdue counts) are evaluated at the report's ``as of`` moment.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from recordkit.cases import schema
from recordkit.clock.profiles import WINDOW, Profile
from recordkit.clock.status import (
    DONE,
    DONE_LATE,
    NOT_APPLICABLE,
    OVERDUE,
    RUNNING,
    UNRECORDED,
    CaseStatus,
    get_path,
)
from recordkit.config import Config
from recordkit.dates import parse_date
from recordkit.errors import BadValueError, ConfigError, RecordkitError
from recordkit.files import write_atomic

DPI = 200
BLANK = "未填写"
VALID_LABELS = ("有效", "无效", "未认定")
SATISFACTION_LABELS = (*schema.SATISFACTION, "未回访")
NO_DECISION = "未决定"
SATISFIED = ("满意", "基本满意")
NO_VOLUME = "未配置服务总量, 无法计算"
NO_BASE = "无可计算的案件"

# Service targets of seed 004 (3.2.1): 服务及时率 ≥ 90 %, 用户满意程度 ≥ 85 %,
# 用户抱怨率 (确属服务责任的) < 3 %. recordkit.toml [reports] may change the numbers.
TIMELINESS = "timeliness"
SATISFACTION = "satisfaction"
COMPLAINT_RATE = "complaint_rate"
DEFAULT_TARGETS = {TIMELINESS: 90.0, SATISFACTION: 85.0, COMPLAINT_RATE: 3.0}
TARGET_KEYS = {
    TIMELINESS: "timeliness_target",
    SATISFACTION: "satisfaction_target",
    COMPLAINT_RATE: "complaint_rate_limit",
}

_MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_YEAR_RE = re.compile(r"^\s*(\d{4})\s*$")
_MIN_YEAR, _MAX_YEAR = 1900, 2999


# --------------------------------------------------------------------------- period


@dataclass(frozen=True)
class Period:
    """A calendar month (``month`` set) or a calendar year of receipt dates."""

    year: int
    month: int | None = None

    @property
    def is_month(self) -> bool:
        return self.month is not None

    @property
    def key(self) -> str:
        """How the period is written in options and in [reports] service_volume."""
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月" if self.month else f"{self.year}年"

    @property
    def report_name(self) -> str:
        return "投诉处理统计月报" if self.is_month else "投诉处理统计年报"

    @property
    def file_stem(self) -> str:
        return f"投诉统计{'月' if self.is_month else '年'}报-{self.key}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month or 1, 1)

    @property
    def last_day(self) -> date:
        if self.month is None:
            return date(self.year, 12, 31)
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def contains(self, day: date) -> bool:
        return day.year == self.year and (self.month is None or day.month == self.month)

    def trend_months(self) -> list[tuple[int, int]]:
        """The twelve months of the trend: the ones ending with this month, or the year's."""
        last = (self.year, self.month or 12)
        index = last[0] * 12 + last[1] - 1
        return [divmod(i, 12) for i in range(index - 11, index + 1)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "month" if self.is_month else "year",
            "key": self.key,
            "label": self.label,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
        }


def parse_month(text: str) -> Period:
    """``2026-10`` as a Period; anything else is a usage error (exit 2)."""
    match = _MONTH_RE.match(str(text))
    if (
        not match
        or not 1 <= int(match.group(2)) <= 12
        or not _MIN_YEAR <= int(match.group(1)) <= _MAX_YEAR
    ):
        raise BadValueError(f'--month: "{text}" 不是有效的月份 (use YYYY-MM, e.g. 2026-10)')
    return Period(int(match.group(1)), int(match.group(2)))


def parse_year(text: str | int) -> Period:
    match = _YEAR_RE.match(str(text))
    if not match or not _MIN_YEAR <= int(match.group(1)) <= _MAX_YEAR:
        raise BadValueError(f'--year: "{text}" 不是有效的年份 (use YYYY, e.g. 2026)')
    return Period(int(match.group(1)))


def _month_key(year: int, month0: int) -> str:
    return f"{year}-{month0 + 1:02d}"


# --------------------------------------------------------------------------- the figures


@dataclass(frozen=True)
class StepRate:
    """On-time figures of one profile step over the period's cases.

    rate = on_time / (on_time + late); a step done without a start date (``unknown``)
    cannot be judged and is left out of the rate.
    """

    key: str
    name: str
    limit: float
    unit: str
    applicable: int = 0
    on_time: int = 0
    late: int = 0
    unknown: int = 0
    running: int = 0
    overdue: int = 0
    unrecorded: int = 0

    @property
    def done(self) -> int:
        return self.on_time + self.late

    @property
    def rate(self) -> float | None:
        return self.on_time / self.done if self.done else None

    @property
    def limit_text(self) -> str:
        limit = int(self.limit) if self.limit == int(self.limit) else self.limit
        return f"{limit} {self.unit}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "limit": self.limit,
            "unit": self.unit,
            "applicable": self.applicable,
            "done": self.done,
            "on_time": self.on_time,
            "late": self.late,
            "unknown": self.unknown,
            "running": self.running,
            "overdue": self.overdue,
            "unrecorded": self.unrecorded,
            "rate": self.rate,
        }


@dataclass(frozen=True)
class Target:
    """One service target: numerator ÷ denominator against a threshold (in per cent)."""

    key: str
    name: str
    formula: str
    numerator: int
    denominator: int | None
    threshold: float
    at_least: bool  # True: value ≥ threshold passes; False: value < threshold passes
    note: str = ""
    unavailable: str = ""  # why the value cannot be computed (no volume, no cases)

    @property
    def value(self) -> float | None:
        if self.unavailable or not self.denominator:
            return None
        return self.numerator / self.denominator

    @property
    def met(self) -> bool | None:
        if self.value is None or not self.denominator:
            return None
        # Exact fractions: 90 % of 10 cases is 9, not 8.999999 (no float rounding at the edge).
        percent = Fraction(self.numerator * 100, self.denominator)
        limit = Fraction(str(self.threshold))
        return percent >= limit if self.at_least else percent < limit

    @property
    def status(self) -> str:
        return {True: "达标", False: "未达标", None: "无法计算"}[self.met]

    @property
    def threshold_text(self) -> str:
        return f"{'≥' if self.at_least else '<'} {format_number(self.threshold)}%"

    @property
    def value_text(self) -> str:
        return (
            pct(self.numerator, self.denominator)
            if self.value is not None
            else (self.unavailable or NO_BASE)
        )

    @property
    def fraction_text(self) -> str:
        if self.denominator is None:
            return f"{self.numerator} / —"
        return f"{self.numerator} / {self.denominator}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "formula": self.formula,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": self.value,
            "threshold_percent": self.threshold,
            "comparison": ">=" if self.at_least else "<",
            "met": self.met,
            "status": self.status,
            "note": self.note,
            "unavailable": self.unavailable,
        }


@dataclass(frozen=True)
class Stats:
    period: Period
    as_of: datetime | None
    profile: str
    total: int
    closed: int
    open_overdue: int
    by_kind: dict[str, int]
    by_channel: dict[str, int]
    by_category: dict[str, int]
    by_severity: dict[str, int]
    by_department: dict[str, int]
    acceptance: dict[str, int]
    validity: dict[str, int]
    satisfaction: dict[str, int]
    steps: tuple[StepRate, ...]
    targets: tuple[Target, ...]
    trend: tuple[tuple[str, int], ...]
    timeliness_excluded: int = 0

    @property
    def open(self) -> int:
        return self.total - self.closed

    def target(self, key: str) -> Target:
        return next(t for t in self.targets if t.key == key)

    def breakdowns(self) -> list[tuple[str, str, dict[str, int]]]:
        """(sheet/table name, first column header, counts) of every count table."""
        return [
            ("类别", "类别", self.by_kind),
            ("投诉方式", "投诉方式", self.by_channel),
            ("分类", "分类", self.by_category),
            ("严重程度", "严重程度", self.by_severity),
            ("责任部门", "责任部门", self.by_department),
            ("受理情况", "受理意见", self.acceptance),
            ("有效性", "有效性", self.validity),
            ("满意度", "回访满意度", self.satisfaction),
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.to_dict(),
            "as_of": self.as_of.isoformat(timespec="minutes") if self.as_of else None,
            "profile": self.profile,
            "total": self.total,
            "closed": self.closed,
            "open": self.open,
            "open_overdue": self.open_overdue,
            "by_kind": self.by_kind,
            "by_channel": self.by_channel,
            "by_category": self.by_category,
            "by_severity": self.by_severity,
            "by_department": self.by_department,
            "acceptance": self.acceptance,
            "validity": self.validity,
            "satisfaction": self.satisfaction,
            "steps": [s.to_dict() for s in self.steps],
            "targets": [t.to_dict() for t in self.targets],
            "timeliness_excluded": self.timeliness_excluded,
            "trend": [{"month": m, "count": n} for m, n in self.trend],
        }


def pct(numerator: int, denominator: int | None) -> str:
    """numerator ÷ denominator in per cent, one decimal, rounded half up (1/16 = 6.3%)."""
    if not denominator:
        return "—"
    tenths = (numerator * 2000 + denominator) // (2 * denominator)
    return f"{tenths // 10}.{tenths % 10}%"


def format_number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


# --------------------------------------------------------------------------- compute

CaseLike = Any  # a recordkit.cases.Case or the case mapping itself


def _data(case: CaseLike) -> Mapping[str, Any]:
    data = getattr(case, "data", case)
    if not isinstance(data, Mapping):
        raise TypeError(f"not a case: {case!r}")
    return data


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _received(data: Mapping[str, Any]) -> date:
    try:
        return parse_date(data.get("received_at"))
    except ValueError as exc:
        raise RecordkitError(
            f"{data.get('case_no') or '(无编号)'}: received_at (接收时间): {exc}"
        ) from None


def _counts(
    values: Iterable[str], known: Sequence[str] = (), keep_zero: bool = True, by_count: bool = False
) -> dict[str, int]:
    """Counts in a stable order: the known values first (with zeros when ``keep_zero``),
    then the others (most frequent first when ``by_count``, else by name), blanks last."""
    counter = Counter(v or BLANK for v in values)
    keys = [k for k in known if keep_zero or k in counter]
    others = [k for k in counter if k not in known and k != BLANK]
    others.sort(key=(lambda k: (-counter[k], k)) if by_count else None)
    keys += others
    if BLANK in counter:
        keys.append(BLANK)
    return {k: counter.get(k, 0) for k in keys}


def _validity(data: Mapping[str, Any]) -> str:
    valid = get_path(data, "investigation.valid")
    if valid is True:
        return "有效"
    if valid is False:
        return "无效"
    return "未认定"


def _satisfaction(data: Mapping[str, Any]) -> str:
    value = _text(get_path(data, "follow_up.satisfaction"))
    return value if value in schema.SATISFACTION else "未回访"


def _office_steps(status: CaseStatus) -> list:
    """The office's own deadlines (windows are the complainant's limit, not service speed)."""
    return [s for s in status.steps if s.type != WINDOW and s.state != NOT_APPLICABLE]


def _timeliness(status: CaseStatus) -> bool | None:
    """True: every applicable step done on time; False: a step late or overdue; None: open."""
    steps = _office_steps(status)
    if any(s.state in (DONE_LATE, OVERDUE) for s in steps):
        return False
    if steps and all(s.state == DONE and s.due is not None for s in steps):
        return True
    return None


def _step_rates(statuses: Sequence[CaseStatus], profile: Profile | None) -> tuple[StepRate, ...]:
    if profile is not None:
        order = [(s.key, s.name, s.limit, s.unit) for s in profile.steps if s.type != WINDOW]
    else:
        seen: dict[str, tuple[str, str, float, str]] = {}
        for status in statuses:
            for s in status.steps:
                if s.type != WINDOW:
                    seen.setdefault(s.key, (s.key, s.name, s.limit, s.unit))
        order = list(seen.values())
    tallies = {key: Counter() for key, *_ in order}
    for status in statuses:
        for step in _office_steps(status):
            tally = tallies.get(step.key)
            if tally is None:
                continue
            tally["applicable"] += 1
            if step.state == DONE:
                tally["on_time" if step.due is not None else "unknown"] += 1
            elif step.state == DONE_LATE:
                tally["late"] += 1
            elif step.state == OVERDUE:
                tally["overdue"] += 1
            elif step.state == RUNNING:
                tally["running"] += 1
            elif step.state == UNRECORDED:
                tally["unrecorded"] += 1
    return tuple(
        StepRate(key, name, limit, unit, **tallies[key]) for key, name, limit, unit in order
    )


def _thresholds(targets: Mapping[str, float] | None) -> dict[str, float]:
    merged = dict(DEFAULT_TARGETS)
    merged.update(targets or {})
    return merged


def _in_period(
    cases: Sequence[CaseLike], statuses: Sequence[CaseStatus | None], period: Period
) -> tuple[list[tuple[Mapping[str, Any], CaseStatus | None]], tuple[tuple[str, int], ...]]:
    """The cases received in ``period`` (with their clocks), and the month-by-month trend."""
    months = period.trend_months()
    month_keys = {m: _month_key(*m) for m in months}
    trend = Counter()
    chosen: list[tuple[Mapping[str, Any], CaseStatus | None]] = []
    for case, status in zip(cases, statuses, strict=True):
        data = _data(case)
        received = _received(data)
        ym = (received.year, received.month - 1)
        if ym in month_keys:
            trend[month_keys[ym]] += 1
        if period.contains(received):
            chosen.append((data, status))
    return chosen, tuple((month_keys[m], trend.get(month_keys[m], 0)) for m in months)


def _timeliness_target(timeliness: Sequence[bool | None], threshold: float) -> Target:
    timely = sum(1 for t in timeliness if t is True)
    decided = sum(1 for t in timeliness if t is not None)
    return Target(
        TIMELINESS,
        "服务及时率",
        "各适用步骤均按期完成的案件 ÷ 时效已确定的案件 (全部步骤已完成, 或有步骤超期)",
        timely,
        decided,
        threshold,
        True,
        note=f"另有 {len(timeliness) - decided} 件尚在办理期限内, 未计入"
        if len(timeliness) > decided
        else "",
        unavailable="" if decided else NO_BASE,
    )


def _satisfaction_target(satisfaction: Sequence[str], threshold: float) -> Target:
    followed = sum(1 for s in satisfaction if s != "未回访")
    satisfied = sum(1 for s in satisfaction if s in SATISFIED)
    return Target(
        SATISFACTION,
        "用户满意程度",
        "(满意 + 基本满意) ÷ 已回访并记录满意度的案件",
        satisfied,
        followed,
        threshold,
        True,
        unavailable="" if followed else NO_BASE,
    )


def _complaint_target(
    kinds: Sequence[str],
    validity: Sequence[str],
    threshold: float,
    service_volume: int | None,
    volume_note: str,
) -> Target:
    valid_complaints = sum(
        1 for k, v in zip(kinds, validity, strict=True) if k == "投诉" and v == "有效"
    )
    pending_complaints = sum(
        1 for k, v in zip(kinds, validity, strict=True) if k == "投诉" and v == "未认定"
    )
    return Target(
        COMPLAINT_RATE,
        "用户抱怨率",
        "确属服务责任的投诉 (类别为投诉且认定为有效投诉) ÷ 本期服务总量",
        valid_complaints,
        service_volume,
        threshold,
        False,
        note="; ".join(
            x
            for x in (
                "" if service_volume else volume_note,
                f"另有 {pending_complaints} 件投诉尚未认定有效性" if pending_complaints else "",
            )
            if x
        ),
        unavailable="" if service_volume else NO_VOLUME,
    )


def _target_list(
    kinds: Sequence[str],
    validity: Sequence[str],
    satisfaction: Sequence[str],
    timeliness: Sequence[bool | None],
    thresholds: Mapping[str, float],
    service_volume: int | None,
    volume_note: str,
) -> tuple[Target, ...]:
    """The three service targets: timeliness, satisfaction and complaint rate."""
    return (
        _timeliness_target(timeliness, thresholds[TIMELINESS]),
        _satisfaction_target(satisfaction, thresholds[SATISFACTION]),
        _complaint_target(kinds, validity, thresholds[COMPLAINT_RATE], service_volume, volume_note),
    )


def compute_stats(
    cases: Sequence[CaseLike],
    statuses: Sequence[CaseStatus | None],
    period: Period,
    *,
    profile: Profile | None = None,
    service_volume: int | None = None,
    volume_note: str = "",
    targets: Mapping[str, float] | None = None,
    as_of: datetime | None = None,
) -> Stats:
    """Every figure of one period's report.

    ``statuses[i]`` is the clock of ``cases[i]`` (``None`` is allowed for cases received
    outside the period: they only feed the trend). ``service_volume`` is the number of
    services delivered in the period, the base of 用户抱怨率; ``None`` means not
    configured, and ``volume_note`` may say what is missing.
    """
    chosen, trend = _in_period(cases, statuses, period)
    datas = [d for d, _ in chosen]
    clocks = [s for _, s in chosen if s is not None]
    kinds = [_text(d.get("kind")) for d in datas]
    validity = [_validity(d) for d in datas]
    satisfaction = [_satisfaction(d) for d in datas]
    timeliness = [_timeliness(s) for s in clocks]
    decided = sum(1 for t in timeliness if t is not None)
    target_list = _target_list(
        kinds, validity, satisfaction, timeliness, _thresholds(targets), service_volume, volume_note
    )
    return Stats(
        period=period,
        as_of=as_of,
        profile=profile.name if profile else (clocks[0].profile if clocks else ""),
        total=len(datas),
        closed=sum(1 for d in datas if _text(d.get("closed_at"))),
        open_overdue=sum(1 for s in clocks if s.is_open and s.overdue),
        by_kind=_counts(kinds, schema.KINDS),
        by_channel=_counts((_text(d.get("channel")) for d in datas), schema.CHANNELS),
        by_category=_counts((_text(d.get("category")) for d in datas), schema.CATEGORIES),
        by_severity=_counts(
            (_text(d.get("severity")) for d in datas), schema.SEVERITIES, keep_zero=False
        ),
        by_department=_counts(
            (_text(get_path(d, "assignment.department")) for d in datas),
            keep_zero=False,
            by_count=True,
        ),
        acceptance=_counts(
            (_text(get_path(d, "acceptance.decision")) or NO_DECISION for d in datas),
            (*schema.DECISIONS, NO_DECISION),
        ),
        validity=_counts(validity, VALID_LABELS),
        satisfaction=_counts(satisfaction, SATISFACTION_LABELS),
        steps=_step_rates(clocks, profile),
        targets=target_list,
        trend=trend,
        timeliness_excluded=len(timeliness) - decided,
    )


def summary_lines(stats: Stats) -> list[str]:
    """The headline figures, as a person reads them (CLI, demo and report text)."""
    kinds = "、".join(f"{k} {n} 件" for k, n in stats.by_kind.items() if n)
    lines = [
        f"{stats.period.label}: 接收 {stats.total} 件"
        + (f" ({kinds})" if kinds else "")
        + f"; 已办结 {stats.closed} 件, 办理中 {stats.open} 件 (其中已超期 {stats.open_overdue} 件)",
    ]
    for target in stats.targets:
        value = (
            target.value_text
            if target.value is None
            else f"{target.value_text} ({target.fraction_text})"
        )
        lines.append(f"{target.name} {value}, 目标 {target.threshold_text}: {target.status}")
    return lines


# --------------------------------------------------------------------------- configuration


def _positive_int(value: Any) -> int | None:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or value != int(value)
        or value <= 0
    ):
        return None
    return int(value)


def service_volumes(config: Config) -> dict[str, int]:
    """``[reports] service_volume = {"2026-10" = 1200, "2026" = 15000}``, checked."""
    raw = config.section("reports").get("service_volume", {})
    where = f"{config.path or 'recordkit.toml'}: [reports] service_volume"
    if not isinstance(raw, Mapping):
        raise ConfigError(
            f'{where}: 应为 {{"2026-10" = 1200}} 形式的表 (a table of period = number)'
        )
    volumes: dict[str, int] = {}
    for key, value in raw.items():
        text = str(key).strip()
        month = _MONTH_RE.match(text)
        if not (_YEAR_RE.match(text) or (month and 1 <= int(month.group(2)) <= 12)):
            raise ConfigError(f'{where}: "{key}" 不是月份或年份 (use "YYYY-MM" or "YYYY")')
        number = _positive_int(value)
        if number is None:
            raise ConfigError(
                f'{where}: "{key}" = {value!r} 应为正整数 (number of services delivered)'
            )
        period = Period(int(text[:4]), int(month.group(2)) if month else None)
        volumes[period.key] = number
    return volumes


def volume_for(period: Period, volumes: Mapping[str, int]) -> tuple[int | None, str]:
    """(service volume of the period, what is missing when it cannot be known).

    A year uses its own entry, else the sum of its twelve months when all are given.
    """
    if period.key in volumes:
        return volumes[period.key], ""
    if period.is_month:
        return None, f"未登记 {period.key} 的服务总量"
    months = [f"{period.year}-{m:02d}" for m in range(1, 13)]
    missing = [m for m in months if m not in volumes]
    if not missing:
        return sum(volumes[m] for m in months), ""
    shown = "、".join(missing[:3]) + (" 等" if len(missing) > 3 else "")
    return None, f"未登记 {period.year} 年的服务总量, 缺 {shown} 的月度服务总量"


def configured_targets(config: Config) -> dict[str, float]:
    section = config.section("reports")
    result: dict[str, float] = {}
    for key, option in TARGET_KEYS.items():
        if option not in section:
            continue
        value = section[option]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
            raise ConfigError(
                f"{config.path or 'recordkit.toml'}: [reports] {option}: "
                f"{value!r} 应为 0 到 100 之间的百分数"
            )
        result[key] = float(value)
    return result


# --------------------------------------------------------------------------- files


def write_bytes(path: Path, content: bytes) -> None:
    write_atomic(path, content)  # a failed write is a FileWriteError naming the file
