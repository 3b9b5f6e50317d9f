"""What the web workspace lists: cases with their clock, filtered and searched (issue 12).

Pure functions over loaded cases and their ``CaseStatus``; the 工作台 and the 案件列表
call them, so the browser shows what `case list` and `case status` compute.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from recordkit.cases.store import Case, get_path, is_blank
from recordkit.clock.calendar import WorkCalendar
from recordkit.clock.profiles import Profile
from recordkit.clock.status import RUNNING, CaseStatus, StepStatus, case_status
from recordkit.dates import sort_key

SEARCHED = ("case_no", "complainant.name", "complainant.organization", "content")


@dataclass(frozen=True)
class CaseRow:
    """A case with its clock. What the lists ask of it is worked out once per row (a web
    server keeps rows between requests: ``rowcache``)."""

    case: Case
    status: CaseStatus

    @functools.cached_property
    def department(self) -> str:
        return str(get_path(self.case.data, "assignment.department") or "")

    @functools.cached_property
    def handler(self) -> str:
        return str(get_path(self.case.data, "assignment.handler") or "")

    @functools.cached_property
    def is_closed(self) -> bool:
        return self.case.is_closed

    @functools.cached_property
    def year(self) -> int:
        return self.case.year

    @functools.cached_property
    def pending(self) -> tuple[StepStatus, ...]:
        """The steps still to do (running or overdue)."""
        return tuple(s for s in self.status.steps if s.pending)

    @functools.cached_property
    def received_month(self) -> tuple[int, int] | None:
        return _month(self.case.data.get("received_at"))

    @functools.cached_property
    def closed_month(self) -> tuple[int, int] | None:
        return _month(self.case.data.get("closed_at"))


def _month(value: object) -> tuple[int, int] | None:
    """(year, month) of a date value; None when blank."""
    if is_blank(value):
        return None
    moment = sort_key(value)
    return moment.year, moment.month


@dataclass(frozen=True)
class CaseFilter:
    kind: str = ""
    state: str = ""  # "" | open | closed
    year: int | None = None
    department: str = ""
    overdue: bool = False
    query: str = ""


def case_rows(
    cases: Iterable[Case], profile: Profile, calendar: WorkCalendar, now: datetime
) -> list[CaseRow]:
    """Each case with its clock, newest received first."""
    rows = [CaseRow(c, case_status(c.data, profile, calendar, now)) for c in cases]
    return sorted(
        rows, key=lambda r: (sort_key(r.case.data.get("received_at")), r.case.case_no), reverse=True
    )


def _matches(row: CaseRow, query: str) -> bool:
    """The query in the number, complainant or content (case-insensitive)."""
    needle = query.strip().casefold()
    return any(needle in str(get_path(row.case.data, path) or "").casefold() for path in SEARCHED)


def filter_rows(rows: Iterable[CaseRow], chosen: CaseFilter) -> list[CaseRow]:
    """The rows every filter given holds for."""
    out = []
    for row in rows:
        if chosen.kind and row.case.kind != chosen.kind:
            continue
        if chosen.state and (chosen.state == "closed") != row.is_closed:
            continue
        if chosen.year and row.year != chosen.year:
            continue
        if chosen.department and row.department != chosen.department:
            continue
        if chosen.overdue and not row.status.overdue:
            continue
        if chosen.query.strip() and not _matches(row, chosen.query):
            continue
        out.append(row)
    return out


def assigned_to(rows: Iterable[CaseRow], names: Iterable[str]) -> list[CaseRow]:
    """Open cases whose handler (处理人) is one of ``names`` (a user's full name, user name)."""
    wanted = {n.strip() for n in names if n and n.strip()}
    return [r for r in rows if not r.is_closed and r.handler.strip() in wanted]


def due_soon(
    rows: Iterable[CaseRow], calendar: WorkCalendar, today: date, workdays: int = 3
) -> list[tuple[CaseRow, StepStatus]]:
    """Running (not yet late) steps due within ``workdays`` working days of ``today``."""
    limit = calendar.add_workdays(today, workdays)
    found = [
        (r, s)
        for r in rows
        for s in r.pending
        if s.state == RUNNING and s.due is not None and _day(s.due) <= limit
    ]
    return sorted(found, key=lambda pair: _due_key(pair[1].due))


def overdue_steps(rows: Iterable[CaseRow]) -> list[tuple[CaseRow, StepStatus]]:
    found = [(r, s) for r in rows for s in r.pending if s.overdue]
    return sorted(found, key=lambda pair: _due_key(pair[1].due))


# Thousands of open steps share a few hundred due dates: each is turned into a sort key once.
_due_key = functools.lru_cache(maxsize=4096)(sort_key)


def month_counts(rows: Iterable[CaseRow], today: date) -> dict[str, int]:
    """This month: cases received, closed, and all still open."""
    rows = list(rows)
    month = (today.year, today.month)
    return {
        "received": sum(r.received_month == month for r in rows),
        "closed": sum(r.closed_month == month for r in rows),
        "open": sum(not r.is_closed for r in rows),
    }


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def years_and_departments(rows: Iterable[CaseRow]) -> tuple[list[int], list[str]]:
    """The choices of the list's year and department filters."""
    rows = list(rows)
    return (
        sorted({r.year for r in rows}, reverse=True),
        sorted({r.department for r in rows if r.department}),
    )
