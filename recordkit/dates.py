"""Parsing the dates and times people write in case files and spreadsheets.

Accepted: ``2026-03-02``, ``2026-03-02 09:30``, ``2026-03-02T09:30:00`` (ISO 8601),
``2026/3/2``, ``2026年3月2日`` and YAML's own date/datetime values. A date that does not
exist (``2026-02-30``) raises ``ValueError`` with a Chinese message.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from .errors import BadValueError

MIN_YEAR, MAX_YEAR = 1900, 2199
_OFFSET_RE = re.compile(r"\d[ T]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})\s*$")
_DATE_RE = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2})(?:\.\d+)?)?)?\s*$"
)


def _parse(value: object) -> datetime | date:
    if isinstance(value, datetime) and value.tzinfo is not None:
        raise ValueError(_offset_text(value))
    if isinstance(value, date):
        return _in_range(value, value)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} 不是日期 (is not a date)")
    m = _DATE_RE.match(value)
    if not m and _OFFSET_RE.search(value):
        raise ValueError(_offset_text(value))
    if not m:
        raise ValueError(f"{value} 不是日期 (is not a date; use YYYY-MM-DD or YYYY-MM-DD HH:MM)")
    y, mo, d, hh, mm, ss = m.groups()
    try:
        if hh is None:
            parsed: date = date(int(y), int(mo), int(d))
        else:
            parsed = datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss or 0))
    except ValueError:
        raise ValueError(f"{value} 不是日期 (is not a date)") from None
    return _in_range(parsed, value)


def _in_range(parsed: date, value: object) -> date:
    """Refuse years no office works in (9999-12-31 is a typo): deadlines computed from
    them would overflow the calendar in every later command."""
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(f"{value} 年份超出范围 ({MIN_YEAR}–{MAX_YEAR}) (year out of range)")
    return parsed


def _offset_text(value: object) -> str:
    # A time zone offset would be dropped silently or break the register later: refuse it
    # here, where validation reports it with the file and key.
    return f"{value} 带有时区, 请写本地时间, 如 2026-03-02 09:30 (no time zone offsets)"


def parse_date(value: object) -> date:
    """A date; a datetime value is cut to its date."""
    parsed = _parse(value)
    return parsed.date() if isinstance(parsed, datetime) else parsed


def parse_datetime(value: object) -> datetime | date:
    """A date, or a datetime when a time was given."""
    return _parse(value)


def as_datetime(value: object) -> datetime:
    """A datetime; a bare date means the start of that day."""
    parsed = _parse(value)
    if isinstance(parsed, datetime):
        return parsed
    return datetime(parsed.year, parsed.month, parsed.day)


def format_value(value: date | datetime) -> str:
    """How a date or time prints on a form: ISO, minutes only when a time was given."""
    if isinstance(value, datetime):
        if value.second:
            return value.strftime("%Y-%m-%d %H:%M:%S")
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def parse_day_option(value: str, option: str) -> date:
    """A date typed on the command line (--on, --from, --to …), in any form a case file
    accepts; a bad one is a bad value (exit 1) naming the option."""
    try:
        return parse_date(value)
    except ValueError as exc:
        raise BadValueError(f"{option}: {exc}") from None


def canonical(value: object) -> object:
    """A date written in any accepted form as ISO 8601 text (2026-03-02, 2026-03-02 09:30);
    YAML's own date values and anything that is not a date are returned unchanged."""
    if not isinstance(value, str):
        return value
    try:
        return format_value(_parse(value))
    except ValueError:
        return value


def sort_key(value: object) -> datetime:
    """The moment a date value stands for, for sorting lists by date (not by its text);
    a missing or unreadable value sorts first."""
    try:
        return as_datetime(value)
    except ValueError:
        return datetime.min
