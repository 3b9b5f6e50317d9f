"""What the web workspace lists of the other records (质量事故, 整改, 纠正预防, 售后服务):
records filtered by type, open/closed and year, and searched (issue 12).

Pure functions over loaded records; the 其他记录 page calls them, so the browser shows
what `record list` reads. Newest first, as the 案件列表.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from recordkit.cases import schema
from recordkit.cases.store import Case, get_path
from recordkit.dates import sort_key

# Besides the number and the type's gist (`record list`'s 摘要), what a search looks in.
SEARCHED = ("source_case", "department", "recipient", "customer.organization", "place", "owner")


@dataclass(frozen=True)
class RecordFilter:
    type: str = ""  # a record type's name ("" = every type)
    state: str = ""  # "" | open | closed
    year: int | None = None
    query: str = ""


def summary(record: Case) -> str:
    """The first line of the record's gist (its type's ``summary`` field), as `record list`."""
    lines = str(get_path(record.data, record.rtype.summary) or "").strip().splitlines()
    return lines[0] if lines else ""


def _year(record: Case) -> int | None:
    try:
        return record.year
    except (TypeError, ValueError):  # a date the record's checks already refuse
        return None


def sorted_records(records: Iterable[Case]) -> list[Case]:
    """Newest first by each type's date (发生时间, 签发日期 …), then by number."""
    return sorted(
        records, key=lambda r: (sort_key(r.data.get(r.rtype.date_field)), r.case_no), reverse=True
    )


def _matches(record: Case, query: str) -> bool:
    needle = query.strip().casefold()
    texts = [
        record.case_no,
        *(str(get_path(record.data, p) or "") for p in (record.rtype.summary, *SEARCHED)),
    ]
    return any(needle in text.casefold() for text in texts)


def filter_records(records: Iterable[Case], chosen: RecordFilter) -> list[Case]:
    """The records every filter given holds for."""
    out = []
    for record in records:
        if chosen.type and record.rtype.name != chosen.type:
            continue
        if chosen.state and (chosen.state == "closed") != record.is_closed:
            continue
        if chosen.year and _year(record) != chosen.year:
            continue
        if chosen.query.strip() and not _matches(record, chosen.query):
            continue
        out.append(record)
    return out


def record_years(records: Iterable[Case]) -> list[int]:
    """The choices of the year filter, newest first."""
    return sorted({y for y in (_year(r) for r in records) if y is not None}, reverse=True)


def other_type(name: str) -> schema.RecordType | None:
    """The other record type called ``name`` (not cases: they have their own pages)."""
    rtype = schema.RECORD_TYPES.get(name)
    return rtype if rtype in schema.OTHER_TYPES else None
