"""The case clock: each step's due date, whether it is done, and how much time is left.

Pure functions over a case mapping (as ``yaml.safe_load`` gives it), a ``Profile``, a
``WorkCalendar`` and ``now``. Nothing here reads files or the system clock, so the CLI,
the registers and the form renderer all get the same answer for the same input.

States of a step (``StepStatus.state``):

* 未开始 — the date the step counts from is missing (or not a date); ``missing`` says which.
* 进行中 — started, not done, not yet late.
* 已完成 / 超期完成 — the end date is recorded, on time / after the due date.
* 已超期 — not done and the due date has passed.
* 未记录 — the case is closed but the step's end date was never recorded; shown so the
  record can be completed, not counted as overdue.
* 不适用 — the step's ``when`` condition excludes this case (e.g. 不予受理).
* 期内 / 过期 — window steps (the complainant's own time limit): the case arrived within
  the window / after it (e.g. an objection filed later than 15 日: 过期不予受理).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from recordkit.cases import schema
from recordkit.cases import store as cases
from recordkit.cases.compliance import closure_warnings
from recordkit.clock.calendar import MONTH, TIME_UNITS, WORKDAY, WorkCalendar
from recordkit.clock.profiles import WINDOW, WRITTEN_METHODS, Profile, Step
from recordkit.dates import format_value, parse_datetime

NOT_STARTED = "未开始"
RUNNING = "进行中"
DONE = "已完成"
DONE_LATE = "超期完成"
OVERDUE = "已超期"
UNRECORDED = "未记录"
NOT_APPLICABLE = "不适用"
IN_TIME = "期内"
EXPIRED = "过期"

PENDING_STATES = (RUNNING, OVERDUE)
EXTENSION_PATH = "extension.days"
EXTENSION_LABEL = "延长天数"
AFTER_HOURS_PATH = "received_after_hours"


@dataclass(frozen=True)
class StepStatus:
    key: str
    name: str
    type: str
    limit: float
    unit: str
    start_key: str
    start_label: str
    end_key: str
    end_label: str
    state: str
    start: date | datetime | None = None
    missing: str = ""  # what is missing or wrong, in Chinese, when the clock cannot run
    due: date | datetime | None = None  # a date for day units, a datetime for hours
    original_due: date | datetime | None = None  # before an extension
    extended_by: int = 0  # extension days applied (in the profile's extension unit)
    extension_unit: str = ""
    done: bool = False
    done_at: date | datetime | None = None
    # Time left until the end of the due period (negative: late by that much). For a
    # done step: how early (positive) or late (negative) it was done.
    remaining: timedelta | None = None
    text: str = ""
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    rolled_from: date | None = None  # the due date before a holiday moved it on

    @property
    def overdue(self) -> bool:
        return self.state == OVERDUE

    @property
    def pending(self) -> bool:
        return self.state in PENDING_STATES

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "name": self.name,
            "type": self.type,
            "limit": self.limit,
            "unit": self.unit,
            "start_key": self.start_key,
            "start_label": self.start_label,
            "start": _iso(self.start),
            "end_key": self.end_key,
            "end_label": self.end_label,
            "state": self.state,
            "missing": self.missing,
            "due": _iso(self.due),
            "original_due": _iso(self.original_due),
            "extended_by": self.extended_by,
            "extension_unit": self.extension_unit,
            "done": self.done,
            "done_at": _iso(self.done_at),
            "remaining_seconds": None
            if self.remaining is None
            else int(self.remaining.total_seconds()),
            "text": self.text,
            "warnings": list(self.warnings),
            "notes": list(self.notes),
            "rolled_from": _iso(self.rolled_from),
        }


@dataclass(frozen=True)
class CaseStatus:
    case_no: str
    profile: str
    now: datetime
    is_open: bool
    steps: tuple[StepStatus, ...]
    warnings: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    unmet: tuple[str, ...] = ()  # closure rules unmet although closed_at is recorded

    @property
    def overdue(self) -> bool:
        return any(step.overdue for step in self.steps)

    @property
    def next_due(self) -> StepStatus | None:
        """The earliest deadline still pending (late ones first, since they come earlier)."""
        pending = [s for s in self.steps if s.pending and s.due is not None]
        return min(pending, key=lambda s: _due_end(s.due), default=None)

    def to_dict(self) -> dict[str, object]:
        nxt = self.next_due
        return {
            "case_no": self.case_no,
            "profile": self.profile,
            "now": self.now.isoformat(timespec="minutes"),
            "is_open": self.is_open,
            "overdue": self.overdue,
            "next_due": None
            if nxt is None
            else {"key": nxt.key, "due": _iso(nxt.due), "text": nxt.text},
            "steps": [s.to_dict() for s in self.steps],
            "warnings": list(self.warnings),
            "problems": list(self.problems),
            "closure_unmet": list(self.unmet),
        }


# -- reading the case ------------------------------------------------------------------


def get_path(case: Mapping[str, object], path: str) -> object:
    """The value at a dotted key path, or None when any part is absent."""
    value = cases.get_path(case, path)
    return None if value is cases.MISSING else value


def _present(value: object) -> bool:
    return value is not None and value != "" and value != []


def _read_date(
    case: Mapping[str, object], path: str, label: str
) -> tuple[date | datetime | None, str]:
    """(value, problem): problem names the key and label when missing or not a date."""
    raw = get_path(case, path)
    where = f"{label} ({path})" if label else path
    if not _present(raw):
        return None, f"缺少 {where}"
    try:
        return parse_datetime(raw), ""
    except ValueError as exc:
        return None, f"{where}: {exc}"


# -- one step --------------------------------------------------------------------------


def case_status(
    case: Mapping[str, object],
    profile: Profile,
    calendar: WorkCalendar,
    now: datetime,
    capa_lookup: Callable[[str], dict | None] | None = None,
) -> CaseStatus:
    """Every step of the profile evaluated for one case at the moment `now`.

    A case with ``closed_at`` stays open while a closure rule is unmet (a dissatisfied
    complainant without a recorded review, a valid complaint without a verified CAPA:
    ``compliance.closure_warnings``, which looks CAPA records up with ``capa_lookup``).
    """
    now = now.replace(tzinfo=None)
    closed_at, _ = _read_date(case, "closed_at", "办结日期")
    extension_days = _extension_days(case)
    steps = tuple(
        step_status(case, profile, step, calendar, now, closed_at, extension_days)
        for step in profile.steps
    )
    unmet = [
        f"{path} ({schema.label_of(path)}): {why}"
        for path, why in closure_warnings(case, capa_lookup)
    ]
    warnings = tuple(dict.fromkeys(w for s in steps for w in s.warnings))
    return CaseStatus(
        case_no=str(case.get("case_no") or ""),
        profile=profile.name,
        now=now,
        is_open=closed_at is None or bool(unmet),
        steps=steps,
        warnings=warnings,
        problems=(
            *extension_problems(case, profile),
            *(
                f"{path} ({profile.label(path)}): {msg}"
                for path, msg in required_problems(case, profile)
            ),
        ),
        unmet=tuple(unmet),
    )


def step_status(
    case: Mapping[str, object],
    profile: Profile,
    step: Step,
    calendar: WorkCalendar,
    now: datetime,
    closed_at: date | datetime | None = None,
    extension_days: int = 0,
) -> StepStatus:
    start_label, end_label = profile.label(step.start), profile.label(step.end)
    base = _step_fields(step, start_label, end_label)
    if not applies(case, step):
        return StepStatus(**base, state=NOT_APPLICABLE, text=_when_text(case, step))
    start, missing = _read_date(case, step.start, start_label)
    done_at, end_problem = _read_date(case, step.end, end_label)
    notes: list[str] = []
    if end_problem and _present(get_path(case, step.end)):
        notes.append(end_problem)  # an end value that is not a date does not count as done
    not_written = done_at is not None and _not_written(case, step, notes)
    done_at = None if not_written else done_at
    done = done_at is not None
    if start is not None:
        start = _opening_start(case, step, profile, calendar, start, notes)
    if start is None:
        return _without_start(base, step, missing, done_at, notes)
    if step.unit in TIME_UNITS and not isinstance(start, datetime):
        notes.append(f"{start_label} 只有日期, 按当日 00:00 起算")
    original_due, due, extended_by = _dues(step, start, calendar, extension_days)
    warnings = _calendar_warnings(step, calendar, start, due, None if done else now)
    rolled_from = _rolled_from(step, start, calendar, original_due, notes)
    common = dict(
        base,
        start=start,
        due=due,
        original_due=original_due if extended_by else None,
        extended_by=extended_by,
        extension_unit=step.extension.unit if extended_by else "",
        done=done,
        done_at=done_at,
        warnings=tuple(warnings),
        rolled_from=rolled_from,
    )
    if step.type == WINDOW:
        return _window_status(common, step, due, done_at, now, calendar, notes)
    if done:
        return _done_status(common, due, done_at, notes)
    if (
        closed_at is not None
        and not not_written
        and step.start != "closed_at"
        and _as_date(start) <= _as_date(closed_at)
    ):
        text = f"案件已办结, 但未记录 {end_label} ({step.end})"
        return StepStatus(**common, state=UNRECORDED, text=text, notes=tuple(notes))
    return _running_status(common, step, due, now, calendar, notes)


def _step_fields(step: Step, start_label: str, end_label: str) -> dict:
    """What a step's status says about the step itself, whatever its state."""
    return {
        "key": step.key,
        "name": step.name,
        "type": step.type,
        "limit": step.limit,
        "unit": step.unit,
        "start_key": step.start,
        "start_label": start_label,
        "end_key": step.end,
        "end_label": end_label,
    }


def _without_start(
    base: dict, step: Step, missing: str, done_at: date | datetime | None, notes: list[str]
) -> StepStatus:
    """A step whose start is not recorded: not started, or done without knowing if on time."""
    done = done_at is not None
    if step.type == WINDOW:
        # The complaint has arrived, but whether it arrived in time is unknown.
        text = f"{missing}, 无法判断是否期内提出" if done else missing
        return StepStatus(
            **base,
            state=NOT_STARTED,
            missing=missing,
            done=done,
            done_at=done_at,
            text=text,
            notes=tuple(notes),
        )
    state = DONE if done else NOT_STARTED
    text = f"已完成 ({missing}, 无法判断是否按期)" if done else missing
    return StepStatus(
        **base,
        state=state,
        missing=missing,
        done=done,
        done_at=done_at,
        text=text,
        notes=tuple(notes),
    )


def _done_status(
    common: dict, due: date | datetime, done_at: date | datetime, notes: list[str]
) -> StepStatus:
    """A finished step: on time or late, by how much."""
    remaining = _due_end(due) - _done_moment(done_at, due)
    late = _is_late(done_at, due)
    state = DONE_LATE if late else DONE
    text = f"{_late_text(due, done_at)}完成" if late else f"按期完成 ({format_value(done_at)})"
    return StepStatus(**common, state=state, remaining=remaining, text=text, notes=tuple(notes))


def _running_status(
    common: dict,
    step: Step,
    due: date | datetime,
    now: datetime,
    calendar: WorkCalendar,
    notes: list[str],
) -> StepStatus:
    """A step still open: overdue, or the time left."""
    remaining = _due_end(due) - now
    if _is_late(now, due):
        return StepStatus(
            **common,
            state=OVERDUE,
            remaining=remaining,
            text=_late_text(due, now),
            notes=tuple(notes),
        )
    return StepStatus(
        **common,
        state=RUNNING,
        remaining=remaining,
        text=_left_text(step, due, now, calendar),
        notes=tuple(notes),
    )


def _not_written(case: Mapping[str, object], step: Step, notes: list[str]) -> bool:
    """A 书面 step answered by 电话 or 面谈 is not done (seed 000 书面答复, 002 书面告知)."""
    if not step.written:
        return False
    method = get_path(case, "reply.method")
    if not _present(method):
        notes.append("未记录答复方式 (reply.method), 无法确认已书面答复")
        return False
    if str(method) in WRITTEN_METHODS:
        return False
    notes.append(f"答复方式为 {method} (reply.method), 程序要求书面答复, 本步骤未完成")
    return True


def _opening_start(
    case: Mapping[str, object],
    step: Step,
    profile: Profile,
    calendar: WorkCalendar,
    start: date | datetime,
    notes: list[str],
) -> date | datetime:
    """Received outside business hours: the clock starts when the office next opens.

    Seed 001 (4S 店) 1.4: a complaint received 放假、下班、周末 is judged for urgency by
    whoever takes it; one that is not urgent is registered after work resumes
    (待上班后补派《客户投诉信息反馈单》). The receiver records that judgement as
    ``received_after_hours: true``; without it the clock runs from receipt.
    """
    if (
        not step.after_hours
        or profile.business_hours is None
        or not isinstance(start, datetime)
        or get_path(case, AFTER_HOURS_PATH) is not True
    ):
        return start
    opens, closes = profile.business_hours
    day = start.date()
    if calendar.is_workday(day) and opens <= start.time() < closes:
        return start
    if not (calendar.is_workday(day) and start.time() < opens):
        day = calendar.next_workday(day + timedelta(days=1))
    moved = datetime.combine(day, opens)
    notes.append(f"非工作时间接到 ({format_value(start)}), 自 {format_value(moved)} 上班起算")
    return moved


def _rolled_from(
    step: Step,
    start: date | datetime,
    calendar: WorkCalendar,
    due: date | datetime,
    notes: list[str],
) -> date | None:
    """The calendar due date a holiday moved on (roll_to_workday), with a note saying so."""
    if not step.roll_to_workday or isinstance(due, datetime):
        return None
    raw = calendar.add(start, step.limit, step.unit)
    if raw == due or isinstance(raw, datetime):
        return None
    notes.append(f"期限 {format_value(raw)} 为非工作日, 顺延至 {format_value(due)}")
    return raw


def _window_status(
    common: dict,
    step: Step,
    due: date | datetime,
    filed_at: date | datetime | None,
    now: datetime,
    calendar: WorkCalendar,
    notes: list[str],
) -> StepStatus:
    """A window is the complainant's limit: in time or 过期, never the office's overdue."""
    suffix = f", {step.note}" if step.note else ""
    if filed_at is not None:
        if _is_late(filed_at, due):
            text = f"过期提出 ({_late_text(due, filed_at)}, 期限至 {format_value(due)}{suffix})"
            return StepStatus(**common, state=EXPIRED, text=text, notes=tuple(notes))
        return StepStatus(
            **common,
            state=IN_TIME,
            text=f"期内提出 (期限至 {format_value(due)})",
            notes=tuple(notes),
        )
    if _is_late(now, due):
        text = f"期限已过 ({format_value(due)}{suffix})"
        return StepStatus(**common, state=EXPIRED, text=text, notes=tuple(notes))
    return StepStatus(
        **common,
        state=RUNNING,
        remaining=_due_end(due) - now,
        text=_left_text(step, due, now, calendar),
        notes=tuple(notes),
    )


def applies(case: Mapping[str, object], step: Step) -> bool:
    """A `when` condition excludes a case only once the value is there and differs."""
    for path, allowed in step.when.items():
        value = get_path(case, path)
        if _present(value) and not _matches(value, allowed):
            return False
    return True


def _matches(value: object, allowed: Iterable[object]) -> bool:
    return any(value == a or str(value) == str(a) for a in allowed)


def _when_text(case: Mapping[str, object], step: Step) -> str:
    parts = [
        f"{path} = {get_path(case, path)}" for path in step.when if _present(get_path(case, path))
    ]
    return f"不适用 ({'; '.join(parts)})"


def _dues(
    step: Step, start: date | datetime, calendar: WorkCalendar, extension_days: int
) -> tuple[date | datetime, date | datetime, int]:
    """(original due, due after any extension, extension days applied)."""
    original = calendar.add(start, step.limit, step.unit)
    if step.roll_to_workday and not isinstance(original, datetime):
        original = calendar.next_workday(original)
    if step.extension is None or extension_days <= 0:
        return original, original, 0
    # Beyond the rule's maximum is a validation problem (extension_problems); the clock
    # still runs, with the longest extension the procedure allows.
    applied = min(extension_days, step.extension.max)
    return original, calendar.extend(original, applied, step.extension.unit), applied


def _calendar_warnings(
    step: Step,
    calendar: WorkCalendar,
    start: date | datetime,
    due: date | datetime,
    now: datetime | None,
) -> list[str]:
    """Fallback-year warnings for the span this step's answer depends on.

    `now` is given for a pending step, whose "剩余 N 个工作日" counts up to today.
    """
    uses_workdays = (
        step.unit == WORKDAY
        or step.roll_to_workday
        or (step.extension is not None and step.extension.unit == WORKDAY)
    )
    if not uses_workdays:
        return []
    dates = [_as_date(start), _as_date(due)]
    if now is not None:
        dates.append(now.date())
    return calendar.warnings_between(min(dates), max(dates))


# -- time arithmetic and texts --------------------------------------------------------


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _due_end(due: date | datetime) -> datetime:
    """The last moment a step may be done: a due date lasts until the end of that day."""
    if isinstance(due, datetime):
        return due
    return datetime.combine(due + timedelta(days=1), time.min)


def _done_moment(done_at: date | datetime, due: date | datetime) -> datetime:
    """When a step was done, for measuring how early or late.

    A date-only done_at against an hourly deadline cannot be placed within the day;
    the start of the day gives the office the benefit of the doubt. Against a due
    date, a done date means the whole day, like the due date itself.
    """
    if isinstance(done_at, datetime):
        return done_at
    if isinstance(due, datetime):
        return datetime.combine(done_at, time.min)
    return _due_end(done_at)


def _is_late(moment: date | datetime, due: date | datetime) -> bool:
    if isinstance(due, datetime):
        if isinstance(moment, datetime):
            return moment > due
        return moment > due.date()  # a bare date is late only on a later day
    return _as_date(moment) > due


def _late_text(due: date | datetime, moment: date | datetime) -> str:
    if isinstance(due, datetime) and isinstance(moment, datetime):
        return f"超期 {_hours_text(moment - due)}"
    return f"超期 {(_as_date(moment) - _as_date(due)).days} 天"


def _left_text(step: Step, due: date | datetime, now: datetime, calendar: WorkCalendar) -> str:
    if isinstance(due, datetime):
        return f"剩余 {_hours_text(due - now)}"
    days = (due - now.date()).days
    if days == 0:
        return "今天到期"
    workdays = calendar.workdays_between(now.date(), due) if step.unit == WORKDAY else 0
    # An extension in 日 can land a 工作日 deadline on a weekend: then count days.
    if workdays:
        return f"剩余 {workdays} 个工作日"
    return f"剩余 {days} 天"


def _hours_text(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours >= 24:
        # Past a day, minutes are noise: "超期 9 天 3 小时" reads better than 219 小时.
        days, hours = divmod(hours, 24)
        return f"{days} 天 {hours} 小时" if hours else f"{days} 天"
    if hours and minutes:
        return f"{hours} 小时 {minutes} 分钟"
    if hours:
        return f"{hours} 小时"
    return f"{minutes} 分钟"


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return value.isoformat()


# -- extension -------------------------------------------------------------------------


def _extension_days(case: Mapping[str, object]) -> int:
    raw = get_path(case, EXTENSION_PATH)
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        return 0  # bad values are reported by extension_problems, not guessed at
    return raw


def extension_problems(case: Mapping[str, object], profile: Profile) -> list[str]:
    """Validation messages for `extension.days` against the profile's extension rules."""
    raw = get_path(case, EXTENSION_PATH)
    if not _present(raw):
        return []
    where = f"{EXTENSION_PATH} ({EXTENSION_LABEL})"
    if isinstance(raw, bool) or not isinstance(raw, int):
        return [f"{where}: {raw!r} 不是整数天数 (must be a whole number of days)"]
    if raw < 0:
        return [f"{where}: 延长天数不能为负数: {raw}"]
    if raw == 0:
        return []
    ruled = [s for s in profile.steps if s.extension is not None]
    if not ruled:
        return [
            f"{where}: 程序配置 {profile.name} ({profile.title}) 不允许延期 (no step may be extended)"
        ]
    problems = []
    for step in ruled:
        assert step.extension is not None
        if raw > step.extension.max:
            problems.append(
                f"{where}: 延长 {raw} {step.extension.unit}超过允许的最多 "
                f"{step.extension.max} {step.extension.unit} "
                f"(profile {profile.name}, 步骤 {step.key} {step.name})"
            )
    return problems


def required_problems(case: Mapping[str, object], profile: Profile) -> list[tuple[str, str]]:
    """(key path, message) for each field the profile requires and the case lacks."""
    problems = []
    for rule in profile.required:
        if not all(
            _present(get_path(case, p)) and _matches(get_path(case, p), v)
            for p, v in rule.when.items()
        ):
            continue
        condition = "; ".join(f"{p} = {get_path(case, p)}" for p in rule.when)
        why = f", {rule.why}" if rule.why else ""
        for path in rule.fields:
            if not _present(get_path(case, path)):
                problems.append((path, f"必填 ({condition}{why}; profile {profile.name})"))
    return problems


# -- form deadlines ----------------------------------------------------------------------

FORM_KEYS = (
    "acceptance_due",
    "reply_due",
    "acceptance_limit",
    "reply_limit",
    "original_due",
    "extended_due",
    "extension_days",
    "calendar_warning",
)


def form_deadlines(
    case: Mapping[str, object], profile: Profile, calendar: WorkCalendar
) -> dict[str, str]:
    """Deadlines printed on F09 / F13 / F19, as text; "" where unknown.

    reply_due includes a granted extension; original_due / extended_due describe the
    extended step (the one with an extension rule, else the reply step) for F19.
    calendar_warning is the fallback warning when a printed date relied on Mon–Fri.
    """
    result = dict.fromkeys(FORM_KEYS, "")
    extension_days = _extension_days(case)
    warnings: list[str] = []

    def due_of(step: Step) -> tuple[date | datetime, date | datetime, int] | None:
        if not applies(case, step):
            return None
        start, _ = _read_date(case, step.start, profile.label(step.start))
        if start is None:
            return None
        dues = _dues(step, start, calendar, extension_days)
        warnings.extend(_calendar_warnings(step, calendar, start, dues[1], None))
        return dues

    for which in ("acceptance_due", "reply_due"):
        step = profile.form_step(which)
        if step is not None:  # the rule itself ("5 个工作日"), printed even before a date
            result[which.replace("_due", "_limit")] = limit_text(step.limit, step.unit)
        dues = due_of(step) if step is not None else None
        if dues is not None:
            result[which] = _format_due(dues[1])
    extended = next((s for s in profile.steps if s.extension is not None), None)
    extended = extended or profile.form_step("reply_due")
    dues = due_of(extended) if extended is not None else None
    if extended is not None and dues is not None:
        original, due, applied = dues
        result["original_due"] = _format_due(original)
        if applied:
            assert extended.extension is not None
            result["extended_due"] = _format_due(due)
            result["extension_days"] = f"{applied} {extended.extension.unit}"
    result["calendar_warning"] = "；".join(dict.fromkeys(warnings))
    return result


def limit_text(limit: float, unit: str) -> str:
    """A step's time limit as a notice words it: 5 个工作日, 30 日, 2 个月, 24 小时."""
    return f"{limit:g} 个{unit}" if unit in (WORKDAY, MONTH) else f"{limit:g} {unit}"


def _format_due(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


# -- filters for `case list` -------------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z\u4e00-\u9fff]+)\s*$")
_DURATION_UNITS = {
    "d": timedelta(days=1),
    "天": timedelta(days=1),
    "日": timedelta(days=1),
    "h": timedelta(hours=1),
    "小时": timedelta(hours=1),
    "w": timedelta(weeks=1),
    "周": timedelta(weeks=1),
    "min": timedelta(minutes=1),
    "分钟": timedelta(minutes=1),
}


_LONGEST = timedelta(days=36500)


def parse_duration(text: str) -> timedelta:
    """`3d`, `12h`, `2w`, `30min` (or 3天, 12小时, 2周, 30分钟) as a timedelta."""
    match = _DURATION.match(str(text))
    if not match or match.group(2).lower() not in _DURATION_UNITS:
        raise ValueError(
            f'"{text}" 不是时长 (use a number with d, h, w or min, e.g. 3d, 12h, 2w, 30min)'
        )
    try:
        delta = float(match.group(1)) * _DURATION_UNITS[match.group(2).lower()]
    except OverflowError:
        delta = timedelta.max
    if delta > _LONGEST:
        raise ValueError(f'"{text}" 时长过长 (at most 100 years, e.g. 36500d)')
    return delta


def due_within(status: CaseStatus, delta: timedelta) -> bool:
    """A pending, not yet late step is due within delta of `now`.

    A due date counts in whole days: with 3d on Monday, a step due on Thursday is in.
    Late steps are left to `overdue` so the two lists do not repeat each other.
    """
    return any(_step_due_within(step, status.now, delta) for step in status.steps)


def _step_due_within(step: StepStatus, now: datetime, delta: timedelta) -> bool:
    if step.state != RUNNING or step.due is None or step.type == WINDOW:
        return False
    if isinstance(step.due, datetime):
        return timedelta(0) <= step.due - now <= delta
    return timedelta(days=(step.due - now.date()).days) <= delta


def is_overdue(status: CaseStatus) -> bool:
    return status.overdue


def is_open(status: CaseStatus) -> bool:
    return status.is_open


def select(
    statuses: Iterable[CaseStatus],
    *,
    within: timedelta | None = None,
    overdue: bool = False,
    open_only: bool = False,
) -> list[CaseStatus]:
    """The cases `case list` shows: every given filter must hold."""
    chosen = []
    for status in statuses:
        if within is not None and not due_within(status, within):
            continue
        if overdue and not status.overdue:
            continue
        if open_only and not status.is_open:
            continue
        chosen.append(status)
    return chosen


def fresh_until(status: CaseStatus) -> datetime:
    """Until when ``case_status`` of the same case gives the same states, texts and warnings
    as ``status`` did at ``status.now`` (only ``now`` and ``remaining`` move), so a cache may
    show it from ``status.now`` up to (not including) this moment.

    A step done or not applicable does not look at the time. A step still to do looks at
    today's date (late or not, days left, the calendar years its span reaches), and at the
    minute when its deadline is a moment (hours left): then nothing may be reused.
    """
    until = datetime.max
    for step in status.steps:
        if step.done or step.state == NOT_APPLICABLE:
            continue
        if isinstance(step.due, datetime):
            return status.now
        until = datetime.combine(status.now.date() + timedelta(days=1), time.min)
    return until


def was_late(status: CaseStatus) -> bool:
    """Any step of the office late, now or when it was done (R01 column 是否超期)."""
    return any(step.state in (OVERDUE, DONE_LATE) for step in status.steps)


def register_extras(
    case: Mapping[str, object], profile: Profile, calendar: WorkCalendar, now: datetime
) -> dict[str, str]:
    """Row extras for registers: ``overdue`` is 是 / 否 (generate.RowExtras plugs this in)."""
    return {"overdue": "是" if was_late(case_status(case, profile, calendar, now)) else "否"}


def render_status(status: CaseStatus) -> str:
    """Plain-text status of one case for `case status` (the CLI only prints it)."""
    state = "办理中" if status.is_open else "已办结"
    if status.unmet:
        state = "办理中 (已填办结日期, 但未满足办结条件)"
    head = f"{status.case_no or '(无编号)'}  [{status.profile}]  {state}"
    lines = [head]
    for step in status.steps:
        due = f"期限 {_format_due(step.due)}" if step.due is not None else "期限 —"
        if step.extended_by:
            due += f" (原 {_format_due(step.original_due)}, 延长 {step.extended_by} {step.extension_unit})"
        lines.append(
            f"  {step.state:<4} {step.name} ({step.limit} {step.unit})  {due}  {step.text}"
        )
        lines.extend(f"       注: {note}" for note in step.notes)
    lines.extend(f"  未满足办结条件: {u}" for u in status.unmet)
    lines.extend(f"  问题: {p}" for p in status.problems)
    lines.extend(f"  警告: {w}" for w in status.warnings)
    return "\n".join(lines)
