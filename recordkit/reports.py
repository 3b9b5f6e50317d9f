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
import io
import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from . import schema
from .clock import (
    DONE,
    DONE_LATE,
    NOT_APPLICABLE,
    OVERDUE,
    RUNNING,
    UNRECORDED,
    CaseStatus,
    get_path,
)
from .config import Config
from .dates import parse_date
from .errors import BadValueError, ConfigError, RecordkitError
from .profiles import WINDOW, Profile

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
TARGET_KEYS = {TIMELINESS: "timeliness_target", SATISFACTION: "satisfaction_target",
               COMPLAINT_RATE: "complaint_rate_limit"}

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
        return {"kind": "month" if self.is_month else "year", "key": self.key, "label": self.label,
                "first_day": self.first_day.isoformat(), "last_day": self.last_day.isoformat()}


def parse_month(text: str) -> Period:
    """``2026-10`` as a Period; anything else is a usage error (exit 2)."""
    match = _MONTH_RE.match(str(text))
    if not match or not 1 <= int(match.group(2)) <= 12 or not _MIN_YEAR <= int(match.group(1)) <= _MAX_YEAR:
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
        return {"key": self.key, "name": self.name, "limit": self.limit, "unit": self.unit,
                "applicable": self.applicable, "done": self.done, "on_time": self.on_time,
                "late": self.late, "unknown": self.unknown, "running": self.running,
                "overdue": self.overdue, "unrecorded": self.unrecorded, "rate": self.rate}


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
        return f"{'≥' if self.at_least else '<'} {_number(self.threshold)}%"

    @property
    def value_text(self) -> str:
        return pct(self.numerator, self.denominator) if self.value is not None else (self.unavailable or NO_BASE)

    @property
    def fraction_text(self) -> str:
        if self.denominator is None:
            return f"{self.numerator} / —"
        return f"{self.numerator} / {self.denominator}"

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "formula": self.formula,
                "numerator": self.numerator, "denominator": self.denominator, "value": self.value,
                "threshold_percent": self.threshold, "comparison": ">=" if self.at_least else "<",
                "met": self.met, "status": self.status, "note": self.note,
                "unavailable": self.unavailable}


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
            "total": self.total, "closed": self.closed, "open": self.open,
            "open_overdue": self.open_overdue,
            "by_kind": self.by_kind, "by_channel": self.by_channel,
            "by_category": self.by_category, "by_severity": self.by_severity,
            "by_department": self.by_department, "acceptance": self.acceptance,
            "validity": self.validity, "satisfaction": self.satisfaction,
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


def _number(value: float) -> str:
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
        raise RecordkitError(f"{data.get('case_no') or '(无编号)'}: received_at (接收时间): {exc}") from None


def _counts(values: Iterable[str], known: Sequence[str] = (), keep_zero: bool = True,
            by_count: bool = False) -> dict[str, int]:
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
    return tuple(StepRate(key, name, limit, unit, **tallies[key]) for key, name, limit, unit in order)


def _thresholds(targets: Mapping[str, float] | None) -> dict[str, float]:
    merged = dict(DEFAULT_TARGETS)
    merged.update(targets or {})
    return merged


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

    datas = [d for d, _ in chosen]
    clocks = [s for _, s in chosen if s is not None]
    kinds = [_text(d.get("kind")) for d in datas]
    validity = [_validity(d) for d in datas]
    satisfaction = [_satisfaction(d) for d in datas]
    timeliness = [_timeliness(s) for s in clocks]
    thresholds = _thresholds(targets)

    timely = sum(1 for t in timeliness if t is True)
    decided = sum(1 for t in timeliness if t is not None)
    followed = sum(1 for s in satisfaction if s != "未回访")
    satisfied = sum(1 for s in satisfaction if s in SATISFIED)
    valid_complaints = sum(1 for k, v in zip(kinds, validity, strict=True) if k == "投诉" and v == "有效")
    pending_complaints = sum(1 for k, v in zip(kinds, validity, strict=True) if k == "投诉" and v == "未认定")

    target_list = (
        Target(TIMELINESS, "服务及时率",
               "各适用步骤均按期完成的案件 ÷ 时效已确定的案件 (全部步骤已完成, 或有步骤超期)",
               timely, decided, thresholds[TIMELINESS], True,
               note=f"另有 {len(timeliness) - decided} 件尚在办理期限内, 未计入" if len(timeliness) > decided else "",
               unavailable="" if decided else NO_BASE),
        Target(SATISFACTION, "用户满意程度", "(满意 + 基本满意) ÷ 已回访并记录满意度的案件",
               satisfied, followed, thresholds[SATISFACTION], True,
               unavailable="" if followed else NO_BASE),
        Target(COMPLAINT_RATE, "用户抱怨率",
               "确属服务责任的投诉 (类别为投诉且认定为有效投诉) ÷ 本期服务总量",
               valid_complaints, service_volume, thresholds[COMPLAINT_RATE], False,
               note="; ".join(x for x in (
                   "" if service_volume else volume_note,
                   f"另有 {pending_complaints} 件投诉尚未认定有效性" if pending_complaints else "") if x),
               unavailable="" if service_volume else NO_VOLUME),
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
        by_severity=_counts((_text(d.get("severity")) for d in datas), schema.SEVERITIES, keep_zero=False),
        by_department=_counts((_text(get_path(d, "assignment.department")) for d in datas),
                              keep_zero=False, by_count=True),
        acceptance=_counts((_text(get_path(d, "acceptance.decision")) or NO_DECISION for d in datas),
                           (*schema.DECISIONS, NO_DECISION)),
        validity=_counts(validity, VALID_LABELS),
        satisfaction=_counts(satisfaction, SATISFACTION_LABELS),
        steps=_step_rates(clocks, profile),
        targets=target_list,
        trend=tuple((month_keys[m], trend.get(month_keys[m], 0)) for m in months),
        timeliness_excluded=len(timeliness) - decided,
    )


def summary_lines(stats: Stats) -> list[str]:
    """The headline figures, as a person reads them (CLI, demo and report text)."""
    kinds = "、".join(f"{k} {n} 件" for k, n in stats.by_kind.items() if n)
    lines = [
        f"{stats.period.label}: 接收 {stats.total} 件" + (f" ({kinds})" if kinds else "")
        + f"; 已办结 {stats.closed} 件, 办理中 {stats.open} 件 (其中已超期 {stats.open_overdue} 件)",
    ]
    for target in stats.targets:
        value = target.value_text if target.value is None else f"{target.value_text} ({target.fraction_text})"
        lines.append(f"{target.name} {value}, 目标 {target.threshold_text}: {target.status}")
    return lines


# --------------------------------------------------------------------------- configuration

def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value <= 0:
        return None
    return int(value)


def service_volumes(config: Config) -> dict[str, int]:
    """``[reports] service_volume = {"2026-10" = 1200, "2026" = 15000}``, checked."""
    raw = config.section("reports").get("service_volume", {})
    where = f"{config.path or 'recordkit.toml'}: [reports] service_volume"
    if not isinstance(raw, Mapping):
        raise ConfigError(f'{where}: 应为 {{"2026-10" = 1200}} 形式的表 (a table of period = number)')
    volumes: dict[str, int] = {}
    for key, value in raw.items():
        text = str(key).strip()
        month = _MONTH_RE.match(text)
        if not (_YEAR_RE.match(text) or (month and 1 <= int(month.group(2)) <= 12)):
            raise ConfigError(f'{where}: "{key}" 不是月份或年份 (use "YYYY-MM" or "YYYY")')
        number = _positive_int(value)
        if number is None:
            raise ConfigError(f'{where}: "{key}" = {value!r} 应为正整数 (number of services delivered)')
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
            raise ConfigError(f"{config.path or 'recordkit.toml'}: [reports] {option}: "
                              f"{value!r} 应为 0 到 100 之间的百分数")
        result[key] = float(value)
    return result


# --------------------------------------------------------------------------- charts

BLUE = "#4472C4"
ORANGE = "#ED7D31"
GREY = "#7F7F7F"
RED = "#C00000"


@dataclass(frozen=True)
class Chart:
    path: Path
    title: str
    description: str  # what the chart shows, with its numbers (alt text and notes)


def _chart_context() -> Any:
    import matplotlib

    from .fonts import matplotlib_font

    family = matplotlib_font()
    return matplotlib.rc_context({
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "font.size": 9,
        "axes.titlesize": 11,
        "axes.spines.top": False,
        "axes.spines.right": False,
    })


def _save(figure: Any, path: Path) -> list[str]:
    """Write a PNG; returns matplotlib's complaints about characters without a glyph."""
    buffer = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    _write_bytes(path, buffer.getvalue())
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def _bar_labels(ax: Any, bars: Any, texts: Sequence[str], horizontal: bool) -> None:
    for bar, text in zip(bars, texts, strict=True):
        if horizontal:
            # White backing: the target line may run through the label.
            ax.annotate(text, (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                        xytext=(3, 0), textcoords="offset points", va="center", ha="left",
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1}, zorder=5)
        else:
            ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        xytext=(0, 2), textcoords="offset points", ha="center", va="bottom")


def _count_chart(counts: Mapping[str, int], title: str, horizontal: bool) -> Any:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels, values = list(counts), list(counts.values())
    top = max(values, default=0) or 1
    if horizontal:
        figure = Figure(figsize=(6.3, 0.32 * len(labels) + 1.0))
        ax = figure.add_subplot()
        bars = ax.barh(range(len(labels)), values, color=BLUE, height=0.6)
        ax.set_yticks(range(len(labels)), labels)
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.15)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("件数")
    else:
        figure = Figure(figsize=(6.3, 2.9))
        ax = figure.add_subplot()
        bars = ax.bar(range(len(labels)), values, color=BLUE, width=0.6)
        ax.set_xticks(range(len(labels)), labels)
        ax.set_ylim(0, top * 1.18)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("件数")
    _bar_labels(ax, bars, [str(v) for v in values], horizontal)
    ax.set_title(title)
    return figure


def _wrap(text: str, width: int = 12) -> str:
    return "\n".join(text[i:i + width] for i in range(0, len(text), width))


def _steps_chart(stats: Stats, title: str) -> Any:
    from matplotlib.figure import Figure

    steps = list(stats.steps)
    threshold = stats.target(TIMELINESS).threshold
    figure = Figure(figsize=(6.3, 0.55 * max(len(steps), 1) + 1.3))
    ax = figure.add_subplot()
    values = [(s.rate or 0) * 100 for s in steps]
    colors = [BLUE if s.done and s.on_time * 100 >= threshold * s.done else ORANGE for s in steps]
    bars = ax.barh(range(len(steps)), values, color=colors, height=0.55)
    ax.set_yticks(range(len(steps)), [f"{_wrap(s.name, 14)}\n({s.limit_text})" for s in steps])
    # Inverted y with a free band above the first bar, where the target line is labelled.
    ax.set_ylim(max(len(steps), 1) - 0.5, -1.0)
    ax.set_xlim(0, 118)
    ax.set_xticks([0, 20, 40, 60, 80, 100], ["0", "20%", "40%", "60%", "80%", "100%"])
    ax.axvline(threshold, color=RED, linestyle="--", linewidth=1)
    ax.annotate(f"目标 {_number(threshold)}%", (threshold, -0.75), xytext=(-3, 0),
                textcoords="offset points", color=RED, fontsize=8, va="center", ha="right")
    texts = [f"{pct(s.on_time, s.done)} ({s.on_time}/{s.done})" if s.done else "无已完成" for s in steps]
    _bar_labels(ax, bars, texts, horizontal=True)
    ax.set_xlabel("按期完成率 (按期完成 ÷ 已完成)")
    ax.set_title(title)
    return figure


def _trend_label(month: str, first: bool) -> str:
    year, number = month.split("-")
    return f"{year}年\n{int(number)}月" if first or number == "01" else f"{int(number)}月"


def _trend_chart(stats: Stats, title: str) -> Any:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    months = [m for m, _ in stats.trend]
    values = [n for _, n in stats.trend]
    figure = Figure(figsize=(6.3, 2.9))
    ax = figure.add_subplot()
    ax.plot(range(len(values)), values, color=BLUE, marker="o", linewidth=1.8, markersize=4)
    for x, value in enumerate(values):
        ax.annotate(str(value), (x, value), xytext=(0, 5), textcoords="offset points", ha="center")
    ax.set_xticks(range(len(months)), [_trend_label(m, i == 0) for i, m in enumerate(months)])
    ax.set_ylim(0, (max(values, default=0) or 1) * 1.25)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("接收件数")
    ax.grid(axis="y", color="#D9D9D9", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_title(title)
    return figure


def _listing(counts: Mapping[str, int]) -> str:
    return "、".join(f"{k} {v}" for k, v in counts.items())


def draw_charts(stats: Stats, folder: Path) -> tuple[list[Chart], list[str]]:
    """The report's four charts as PNG files (dpi 200); second item: glyph problems."""
    label = stats.period.label
    trend_title = "近12个月接收件数" if stats.period.is_month else f"{stats.period.year}年各月接收件数"
    plans: list[tuple[str, str, Callable[[], Any], str]] = [
        ("1-channel.png", f"按投诉方式统计 ({label})",
         lambda: _count_chart(stats.by_channel, f"按投诉方式统计 ({label})", horizontal=True),
         f"横向柱状图, 各投诉方式的件数: {_listing(stats.by_channel)} (合计 {stats.total} 件)"),
        ("2-category.png", f"按分类统计 ({label})",
         lambda: _count_chart(stats.by_category, f"按分类统计 ({label})", horizontal=False),
         f"柱状图, 各分类的件数: {_listing(stats.by_category)} (合计 {stats.total} 件)"),
        ("3-steps.png", f"各步骤按期完成率 ({label})",
         lambda: _steps_chart(stats, f"各步骤按期完成率 ({label})"),
         "横向柱状图, 各步骤按期完成率 (按期完成/已完成), 红色虚线为服务及时率目标 "
         f"{_number(stats.target(TIMELINESS).threshold)}%: "
         + "; ".join(f"{s.name} {pct(s.on_time, s.done)} ({s.on_time}/{s.done})" for s in stats.steps)),
        ("4-trend.png", trend_title,
         lambda: _trend_chart(stats, trend_title),
         f"折线图, {trend_title}: " + "、".join(f"{m} {n}" for m, n in stats.trend)),
    ]
    charts: list[Chart] = []
    problems: list[str] = []
    with _chart_context():
        for name, title, draw, description in plans:
            path = folder / name
            problems += _save(draw(), path)
            charts.append(Chart(path, title, description))
    return charts, list(dict.fromkeys(problems))


# --------------------------------------------------------------------------- Word

def _set_fonts(rpr_parent: Any, latin: str, east_asia: str) -> None:
    """Name the Latin and East Asian fonts explicitly, dropping theme fonts that override them."""
    from docx.oxml.ns import qn

    fonts = rpr_parent.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


def _style_document(document: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    styles = document.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10.5)
    _set_fonts(normal.element, "Times New Roman", "宋体")
    rpr = normal.element.get_or_add_rPr()
    lang = rpr.makeelement(qn("w:lang"), {qn("w:val"): "en-US", qn("w:eastAsia"): "zh-CN"})
    rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.2
    for name, size, before, after in (("Title", 18, 0, 6), ("Heading 1", 14, 14, 6),
                                      ("Heading 2", 12, 10, 4)):
        style = styles[name]
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(style.element, "黑体", "黑体")
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.keep_with_next = True
    title = styles["Title"]
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # The default template draws a blue rule under the title; an office report has none.
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    caption = styles["Caption"]
    caption.font.size = Pt(9)
    caption.font.bold = False
    caption.font.italic = False
    caption.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(caption.element, "Times New Roman", "宋体")
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _page_setup(document: Any) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.3)
    section.left_margin, section.right_margin = Cm(2.6), Cm(2.4)
    section.header_distance = section.footer_distance = Cm(1.3)


def _field(paragraph: Any, instruction: str, placeholder: str) -> None:
    from docx.oxml.ns import qn

    def fld_char(kind: str) -> Any:
        run = paragraph.add_run()
        element = run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
        run._r.append(element)
        return run

    fld_char("begin")
    run = paragraph.add_run()
    instr = run._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld_char("separate")
    paragraph.add_run(placeholder)
    fld_char("end")


def _header_footer(document: Any, header_text: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.text = header_text
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for run in header.runs:
        run.font.size = Pt(9)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    _field(footer, "PAGE", "1")
    footer.add_run(" 页 共 ")
    _field(footer, "NUMPAGES", "1")
    footer.add_run(" 页")
    for run in footer.runs:
        run.font.size = Pt(9)


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml.ns import qn

    tcpr = cell._tc.get_or_add_tcPr()
    shd = tcpr.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): fill})
    tcpr.insert_element_before(shd, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText",
                               "w:vAlign", "w:hideMark")


def _cant_split(row: Any) -> None:
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    trpr.insert(0, trpr.makeelement(qn("w:cantSplit"), {}))


def _repeat_header(row: Any) -> None:
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))


def _add_table(document: Any, headers: Sequence[str], rows: Sequence[Sequence[Any]],
               widths_cm: Sequence[float], total: Sequence[Any] | None = None,
               font_pt: float = 9.5) -> Any:
    """A bordered table: grey bold header repeated on each page, first column left, rest centred."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    body = [list(r) for r in rows] + ([list(total)] if total is not None else [])
    table = document.add_table(rows=1 + len(body), cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)  # the grid LibreOffice lays out from
    keep_together = len(body) <= 20
    for r, values in enumerate([list(headers), *body]):
        row = table.rows[r]
        for c, value in enumerate(values):
            cell = row.cells[c]
            cell.width = Cm(widths_cm[c])
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.space_before = Pt(0)
            paragraph.paragraph_format.keep_with_next = keep_together and r < len(body)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if c == 0 and r else WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(str(value))
            run.font.size = Pt(font_pt)
            if r == 0 or (total is not None and r == len(body)):
                run.bold = True
        _cant_split(row)
        if r == 0:
            _repeat_header(row)
            for cell in row.cells:
                _shade(cell, "D9E2F3")
    document.add_paragraph().paragraph_format.space_after = Pt(2)
    return table


def _caption(document: Any, text: str) -> None:
    document.add_paragraph(text, style="Caption")


def _count_rows(counts: Mapping[str, int], total: int) -> list[list[Any]]:
    return [[label, n, pct(n, total)] for label, n in counts.items()]


def _picture(document: Any, chart: Chart) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    document.add_picture(str(chart.path), width=Cm(15.5))
    paragraph = document.paragraphs[-1]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    inline = document.inline_shapes[-1]._inline
    inline.docPr.set("descr", chart.description)
    inline.docPr.set("title", chart.title)


def report_title(org: str, period: Period) -> str:
    return f"{org} {period.report_name} ({period.label})".strip()


def build_docx(stats: Stats, charts: Sequence[Chart], org: str, profile_title: str,
               problems: Sequence[str] = ()) -> bytes:
    """The Word report (python-docx, A4 portrait) as bytes."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    period = stats.period
    document = docx.Document()
    _style_document(document)
    _page_setup(document)
    title = report_title(org, period)
    _header_footer(document, title)
    props = document.core_properties
    props.title, props.author, props.subject = title, org or "recordkit", period.report_name
    props.keywords, props.comments = "投诉 统计 recordkit", "由 recordkit 生成"

    document.add_paragraph(title, style="Title")
    meta = document.add_paragraph()
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    as_of = stats.as_of.strftime("%Y-%m-%d %H:%M") if stats.as_of else "—"
    run = meta.add_run(f"统计范围: {period.first_day.isoformat()} 至 {period.last_day.isoformat()} 接收的案件    "
                       f"程序配置: {profile_title}    统计截至: {as_of}")
    run.font.size = Pt(9)

    chart = {c.path.name.split("-", 1)[1].removesuffix(".png"): c for c in charts}
    table_no = iter(range(1, 100))
    figure_no = iter(range(1, 100))

    def table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
              widths: Sequence[float], total: Sequence[Any] | None = None, font_pt: float = 9.5) -> None:
        paragraph = document.add_paragraph(f"表{next(table_no)} {caption}", style="Caption")
        paragraph.paragraph_format.keep_with_next = True
        _add_table(document, headers, rows, widths, total, font_pt)

    def picture(key: str) -> None:
        if key in chart:
            _picture(document, chart[key])
            _caption(document, f"图{next(figure_no)} {chart[key].title}")

    def counts(name: str, header: str, values: Mapping[str, int]) -> None:
        rows = _count_rows(values, stats.total) or [["(无)", 0, "—"]]
        table(f"按{name}统计", [header, "件数", "占比"], rows, (5.5, 2.5, 2.5),
              total=["合计", stats.total, "100.0%" if stats.total else "—"])

    document.add_heading("一、总体情况", level=1)
    for line in _overview(stats):
        document.add_paragraph(line)
    targets = [[t.name, t.threshold_text, t.fraction_text, t.value_text, t.status] for t in stats.targets]
    table("服务目标达成情况", ["指标", "目标", "分子 / 分母", "实际值", "结论"], targets,
          (3.2, 2.2, 3.0, 4.6, 2.4))
    for target in stats.targets:
        note = f"; {target.note}" if target.note else ""
        document.add_paragraph(f"{target.name} = {target.formula}{note}。").runs[0].font.size = Pt(9)

    document.add_heading("二、分类统计", level=1)
    counts("类别", "类别", stats.by_kind)
    counts("投诉方式", "投诉方式", stats.by_channel)
    picture("channel")
    counts("分类", "分类", stats.by_category)
    picture("category")
    counts("严重程度", "严重程度", stats.by_severity)
    counts("责任部门", "责任部门 (分办)", stats.by_department)

    document.add_heading("三、处理时效", level=1)
    document.add_paragraph(
        "按本单位程序配置的各步骤时限 (工作日按国家法定节假日和调休计算) 统计。按期率 = 按期完成 ÷ 已完成; "
        f"“办理中”和“已超期”为截至 {as_of} 尚未完成的件数。")
    step_rows = [[s.name, s.limit_text, s.applicable, s.done, s.on_time, s.late, pct(s.on_time, s.done),
                  s.running, s.overdue] for s in stats.steps]
    table("各步骤按期完成情况", ["步骤", "时限", "适用", "已完成", "按期", "超期完成", "按期率", "办理中",
                         "已超期"], step_rows or [["(无时限步骤)", "", "", "", "", "", "", "", ""]],
          (3.8, 1.9, 1.1, 1.5, 1.2, 1.9, 1.6, 1.5, 1.5), font_pt=9)
    picture("steps")
    table("受理情况", ["受理意见", "件数", "占比"], _count_rows(stats.acceptance, stats.total),
          (5.5, 2.5, 2.5), total=["合计", stats.total, "100.0%" if stats.total else "—"])

    document.add_heading("四、有效性与满意度", level=1)
    table("有效投诉认定情况", ["认定结果", "件数", "占比"], _count_rows(stats.validity, stats.total),
          (5.5, 2.5, 2.5), total=["合计", stats.total, "100.0%" if stats.total else "—"])
    table("回访满意度", ["回访满意度", "件数", "占比"], _count_rows(stats.satisfaction, stats.total),
          (5.5, 2.5, 2.5), total=["合计", stats.total, "100.0%" if stats.total else "—"])

    trend_name = "近12个月接收趋势" if period.is_month else f"{period.year}年各月接收情况"
    document.add_heading(f"五、{trend_name}", level=1)
    picture("trend")
    table(trend_name, ["月份", "接收件数"], [[m, n] for m, n in stats.trend], (5.5, 3.0),
          total=["合计", sum(n for _, n in stats.trend)])

    document.add_heading("六、说明", level=1)
    for line in _explanations(stats, problems):
        document.add_paragraph(line).runs[0].font.size = Pt(9)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _overview(stats: Stats) -> list[str]:
    kinds = "、".join(f"{k} {n} 件" for k, n in stats.by_kind.items() if n) or "无"
    valid = stats.validity
    sat = stats.satisfaction
    return [
        f"{stats.period.label}共接收案件 {stats.total} 件 ({kinds}); 已办结 {stats.closed} 件, "
        f"办理中 {stats.open} 件, 其中已超期 {stats.open_overdue} 件。",
        f"调查认定有效 {valid['有效']} 件、无效 {valid['无效']} 件、尚未认定 {valid['未认定']} 件; "
        f"回访满意 {sat['满意']} 件、基本满意 {sat['基本满意']} 件、不满意 {sat['不满意']} 件、"
        f"未回访 {sat['未回访']} 件。",
    ]


def _explanations(stats: Stats, problems: Sequence[str]) -> list[str]:
    lines = [
        "1. 统计口径: 按接收时间 (received_at) 归入统计期间; 时效按截至统计时间的状态计算。",
        "2. 服务及时率: 分母为时效已确定的案件, 即全部适用步骤已完成, 或至少一个步骤超期 (超期完成或办理中已超期); "
        "尚在期限内办理的案件不计入。",
        "3. 用户满意程度: 以回访记录的满意度为准, 未回访的案件不计入分母。",
        "4. 用户抱怨率: 分子为类别为“投诉”且调查认定为有效投诉 (确属服务责任) 的件数, 分母为本期登记的"
        "服务 (产品) 总量。",
        "5. 各表“未填写”指案件文件中该项为空; 详细定义见 docs/reports.md。",
    ]
    if problems:
        lines.append(f"6. 以下 {len(problems)} 项问题 (有错误的案件文件未计入统计):")
        lines += [f"   {p}" for p in problems]
    return lines


# --------------------------------------------------------------------------- Excel

def build_xlsx(stats: Stats, org: str) -> bytes:
    """The same numbers as the Word report, one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from .spreadsheet import append_typed

    workbook = Workbook()
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="D9E2F3")

    def sheet(name: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
              percent_columns: Sequence[int] = (), widths: Sequence[int] = ()) -> None:
        ws = workbook.create_sheet(name)
        append_typed(ws, headers)
        for cell in ws[1]:
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(horizontal="center")
        for row in rows:
            append_typed(ws, row)
        for column in percent_columns:
            for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = "0.0%"
        for index, header in enumerate(headers, start=1):
            width = widths[index - 1] if index <= len(widths) else max(10, len(str(header)) * 2 + 4)
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A2"

    overview = workbook.active
    overview.title = "概况"
    as_of = stats.as_of.replace(second=0, microsecond=0, tzinfo=None) if stats.as_of else ""  # Excel has no zones
    for row in (["项目", "值"], ["单位", org], ["报表", report_title(org, stats.period)],
                ["统计期间", f"{stats.period.first_day.isoformat()} 至 {stats.period.last_day.isoformat()}"],
                ["程序配置", stats.profile], ["统计截至", as_of], ["接收件数", stats.total],
                ["已办结", stats.closed], ["办理中", stats.open], ["办理中已超期", stats.open_overdue]):
        append_typed(overview, row)
    for cell in overview[1]:
        cell.font, cell.fill = header_font, header_fill
    overview.column_dimensions["A"].width, overview.column_dimensions["B"].width = 16, 48

    sheet("服务目标", ["指标", "目标", "分子", "分母", "实际值", "结论", "计算方法", "说明"],
          [[t.name, t.threshold_text, t.numerator, t.denominator, t.value, t.status, t.formula,
            "; ".join(x for x in (t.unavailable, t.note) if x)] for t in stats.targets],
          percent_columns=(5,), widths=(14, 10, 8, 8, 10, 10, 60, 40))
    for name, header, counts in stats.breakdowns():
        rows = [[label, n, n / stats.total if stats.total else None] for label, n in counts.items()]
        rows.append(["合计", stats.total, 1 if stats.total else None])
        sheet(name, [header, "件数", "占比"], rows, percent_columns=(3,), widths=(24, 10, 10))
    sheet("处理时效", ["步骤", "时限", "适用", "已完成", "按期", "超期完成", "按期率", "办理中", "已超期",
                   "未记录", "无法判断"],
          [[s.name, s.limit_text, s.applicable, s.done, s.on_time, s.late, s.rate, s.running, s.overdue,
            s.unrecorded, s.unknown] for s in stats.steps],
          percent_columns=(7,), widths=(30, 10))
    sheet("月度趋势", ["月份", "接收件数"], [[m, n] for m, n in stats.trend], widths=(12, 12))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- writing

@dataclass
class ReportResult:
    docx: Path
    xlsx: Path
    pdf: Path | None
    charts: list[Chart]
    stats: Stats
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "docx": str(self.docx), "xlsx": str(self.xlsx),
            "pdf": str(self.pdf) if self.pdf else None,
            "charts": [{"path": str(c.path), "title": c.title, "description": c.description}
                       for c in self.charts],
            "problems": self.problems,
            "stats": self.stats.to_dict(),
        }


def _write_bytes(path: Path, content: bytes) -> None:
    from .cases import write_atomic

    write_atomic(path, content)  # a failed write is a FileWriteError naming the file


def write_report(config: Config, period: Period, out_dir: Path | None = None, pdf: bool = False,
                 now: datetime | None = None) -> ReportResult:
    """Compute one period's statistics and write the Word, Excel (and PDF) report.

    Files: ``<out>/reports/投诉统计月报-2026-10.docx`` / ``.xlsx`` / ``.pdf`` and the
    charts in ``<out>/reports/投诉统计月报-2026-10-charts/``. Case files with errors are
    left out and listed in ``problems`` (and in the report's notes).
    """
    from .casework import clock_for, open_casebook
    from .clock import case_status

    now = (now or datetime.now()).replace(second=0, microsecond=0)
    out_dir = Path(out_dir) if out_dir else config.out_dir / "reports"
    clock = clock_for(config)
    cases, errors = open_casebook(config, clock).scan()
    statuses = [
        case_status(c.data, clock.profile, clock.calendar, now) if period.contains(c.received) else None
        for c in cases
    ]
    volume, volume_note = volume_for(period, service_volumes(config))
    stats = compute_stats(cases, statuses, period, profile=clock.profile, service_volume=volume,
                          volume_note=volume_note, targets=configured_targets(config), as_of=now)
    problems = [e.message.splitlines()[0] for e in errors]
    charts, glyph_problems = draw_charts(stats, out_dir / f"{period.file_stem}-charts")
    problems += [f"图表字体缺字: {p}" for p in glyph_problems]
    org = config.organization.name
    profile_title = f"{clock.profile.title} ({clock.profile.name})"
    docx_path = out_dir / f"{period.file_stem}.docx"
    xlsx_path = out_dir / f"{period.file_stem}.xlsx"
    _write_bytes(docx_path, build_docx(stats, charts, org, profile_title, problems))
    _write_bytes(xlsx_path, build_xlsx(stats, org))
    pdf_path = None
    if pdf:
        from .office import convert_to_pdf

        pdf_path = convert_to_pdf([docx_path])[0]
    return ReportResult(docx_path, xlsx_path, pdf_path, charts, stats, problems)


def report_lines(result: ReportResult, root: Path | None = None) -> list[str]:
    """What `recordkit report …` prints: the files, the headline figures, any problems."""
    def shown(path: Path) -> str:
        if root is not None:
            try:
                return str(Path(path).relative_to(root))
            except ValueError:
                pass
        from .cases import display_path

        return display_path(path)

    lines = [f"Word   {shown(result.docx)}", f"Excel  {shown(result.xlsx)}"]
    if result.pdf:
        lines.append(f"PDF    {shown(result.pdf)}")
    lines.append(f"图表   {shown(result.charts[0].path.parent)} ({len(result.charts)} 张)")
    lines += summary_lines(result.stats)
    lines += [f"注意: {p}" for p in result.problems]
    return lines


# --------------------------------------------------------------------------- demo

DEMO_VOLUME = 120  # illustrative: services the demo office delivered in the report month


def busiest_month(config: Config) -> Period:
    """The month with the most cases received (the latest on a tie); 2026-10 when none."""
    from .casework import open_casebook

    cases, _errors = open_casebook(config).scan()
    months = Counter((c.received.year, c.received.month) for c in cases)
    if not months:
        return Period(2026, 10)
    (year, month), _n = max(months.items(), key=lambda item: (item[1], item[0]))
    return Period(year, month)


def demo_reports(config: Config, echo: Callable[..., None]) -> ReportResult:
    """`recordkit demo` step: the monthly report of the busiest sample month.

    The demo folder gets an illustrative ``[reports] service_volume`` for that month
    (when it has none) so 用户抱怨率 is computed rather than reported as unconfigured.
    """
    from .config import load_config

    period = busiest_month(config)
    if config.path is not None and "service_volume" not in config.section("reports"):
        text = config.path.read_text(encoding="utf-8")
        line = (f'service_volume = {{"{period.key}" = {DEMO_VOLUME}}}  '
                "# 演示数值 (illustrative): 本月服务总量, 用户抱怨率的分母\n")
        header = re.search(r"(?m)^\[reports\][^\n]*\n", text)
        if header:
            text = text[: header.end()] + line + text[header.end():]
        else:
            text += "\n[reports]\n" + line
        config.path.write_text(text, encoding="utf-8")
        config = load_config(config.path)
    from .office import find_soffice

    result = write_report(config, period, pdf=find_soffice() is not None)
    echo(f"== 统计月报 {period.label} (recordkit report monthly --month {period.key})")
    for line in report_lines(result, config.root):
        echo(f"   {line}")
    chart = result.charts[1]
    echo(f"   {chart.path.name}: {chart.description}")
    yearly = write_report(config, Period(period.year))
    echo(f"== 统计年报 {yearly.stats.period.label} (recordkit report yearly --year {period.year})")
    for line in report_lines(yearly, config.root):
        echo(f"   {line}")
    return result
