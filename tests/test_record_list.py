"""recordkit.cases.record_list: the 其他记录 page's filters, search, order and years."""

from __future__ import annotations

from pathlib import Path

from recordkit.cases import schema
from recordkit.cases.record_list import (
    RecordFilter,
    filter_records,
    other_type,
    record_years,
    sorted_records,
    summary,
)
from recordkit.cases.store import Case


def record(rtype: schema.RecordType, number: str, **data: object) -> Case:
    return Case(Path(f"{number}.yaml"), {rtype.number_key: number, **data}, "", rtype)


CAPA = record(
    schema.CAPA,
    "CA-2026-001",
    opened_at="2026-03-01",
    nonconformity="未复核\n第二行",
    closed_at="2026-04-01",
)
SERVICE = record(
    schema.SERVICE,
    "FW-2025-0007",
    requested_at="2025-12-30 10:00",
    fault="无法开机",
    customer={"organization": "漳州某厂"},
    source_case="TS-2025-0003",
)
INCIDENT = record(
    schema.INCIDENT, "SG-2026-0002", occurred_at="2026-05-02 08:00", description="漏水"
)
ALL = [CAPA, SERVICE, INCIDENT]


def numbers(records: list[Case]) -> list[str]:
    return [r.case_no for r in records]


def test_newest_first_by_each_types_date() -> None:
    assert numbers(sorted_records(ALL)) == ["SG-2026-0002", "CA-2026-001", "FW-2025-0007"]


def test_filters_and_search() -> None:
    assert numbers(filter_records(ALL, RecordFilter(type="capa"))) == ["CA-2026-001"]
    assert numbers(filter_records(ALL, RecordFilter(state="closed"))) == ["CA-2026-001"]
    assert numbers(filter_records(ALL, RecordFilter(state="open"))) == [
        "FW-2025-0007",
        "SG-2026-0002",
    ]
    assert numbers(filter_records(ALL, RecordFilter(year=2025))) == ["FW-2025-0007"]
    assert numbers(filter_records(ALL, RecordFilter(query="某厂"))) == ["FW-2025-0007"]
    assert numbers(filter_records(ALL, RecordFilter(query="ts-2025-0003"))) == ["FW-2025-0007"]
    assert numbers(filter_records(ALL, RecordFilter(query="sg-2026"))) == ["SG-2026-0002"]
    assert numbers(filter_records(ALL, RecordFilter(query="第二行"))) == ["CA-2026-001"]
    assert filter_records(ALL, RecordFilter(type="capa", state="open")) == []


def test_years_gist_and_types() -> None:
    broken = record(schema.CAPA, "CA-2026-009", opened_at="不是日期", nonconformity="x")
    assert record_years([*ALL, broken]) == [2026, 2025]
    assert filter_records([broken], RecordFilter(year=2026)) == []
    assert summary(CAPA) == "未复核" and summary(broken) == "x"
    assert (
        other_type("capa") is schema.CAPA and other_type("case") is None and other_type("x") is None
    )
