"""档号: format, parse, retention labels, disposal dates and stored file names."""

from __future__ import annotations

from datetime import date

import pytest

from recordkit.archive.numbering import (
    ArchiveNo,
    archive_no_from_stored_name,
    disposal_due,
    format_archive_no,
    parse_archive_no,
    retention_label,
    stored_name,
)
from recordkit.errors import ArchiveError


def test_format_with_and_without_dept():
    assert format_archive_no("Z109", "WS", 2026, "D10", "ZLB", 1) == "Z109-WS·2026-D10-ZLB-0001"
    assert format_archive_no("Z109", "WS", 2026, "D10", "", 1) == "Z109-WS·2026-D10-0001"
    assert format_archive_no("Z109", "WS", 2026, "Y", None, 37) == "Z109-WS·2026-Y-0037"


def test_middle_dot_is_u00b7():
    assert "\u00b7" in format_archive_no("Z109", "WS", 2026, "D30", "", 1)


def test_blank_fonds_until_assigned():
    assert format_archive_no("", "WS", 2026, "D10", "", 5) == "WS·2026-D10-0005"
    assert parse_archive_no("WS·2026-D10-0005").fonds_no == ""


def test_item_number_grows_past_9999_instead_of_failing():
    assert format_archive_no("Z109", "WS", 2026, "D10", "", 10000).endswith("-10000")


@pytest.mark.parametrize(
    "args,part",
    [
        (("Z10", "WS", 2026, "D10", "", 1), "全宗号"),
        (("Z1-9", "WS", 2026, "D10", "", 1), "全宗号"),
        (("Z109", "W", 2026, "D10", "", 1), "门类代码"),
        (("Z109", "ws", 2026, "D10", "", 1), "门类代码"),
        (("Z109", "WS", 26, "D10", "", 1), "年度"),
        (("Z109", "WS", 2026, "D", "", 1), "保管期限"),
        (("Z109", "WS", 2026, "10", "", 1), "保管期限"),
        (("Z109", "WS", 2026, "D10", "Z-LB", 1), "机构"),
        (("Z109", "WS", 2026, "D10", "../x", 1), "机构"),
        (("Z109", "WS", 2026, "D10", "", 0), "件号"),
    ],
)
def test_malformed_parts_are_refused_with_the_part_named(args, part):
    with pytest.raises(ArchiveError, match=part):
        format_archive_no(*args)


@pytest.mark.parametrize(
    "text",
    [
        "Z109-WS·2026-D10-ZLB-0001",
        "Z109-WS·2026-D10-0001",
        "Z109-WS·2026-Y-0123",
        "WS·2027-D30-1234",
    ],
)
def test_parse_round_trips(text):
    parsed = parse_archive_no(text)
    assert str(parsed) == text


def test_parse_gives_the_parts():
    assert parse_archive_no("Z109-WS·2026-D10-ZLB-0001") == ArchiveNo(
        "Z109", "WS", 2026, "D10", "ZLB", 1
    )


@pytest.mark.parametrize(
    "text",
    ["", "Z109-WS-2026-D10-0001", "Z109-WS·2026-D10-001", "Z109-WS·2026-X10-0001",
     "Z109-WS·2026-D10-0000", "../Z109-WS·2026-D10-0001", "Z109-WS·2026-D10-0001/.."],
)  # fmt: skip
def test_parse_refuses_malformed(text):
    with pytest.raises(ArchiveError, match="档号"):
        parse_archive_no(text)


@pytest.mark.parametrize(
    "code,label", [("Y", "永久"), ("D30", "30年"), ("D10", "10年"), ("D15", "15年")]
)
def test_retention_label(code, label):
    assert retention_label(code) == label


def test_retention_label_refuses_unknown_code():
    with pytest.raises(ArchiveError):
        retention_label("永久")


def test_disposal_due_counts_from_1_january_after_the_year():
    assert disposal_due(2026, "D10") == date(2037, 1, 1)
    assert disposal_due(2026, "D30") == date(2057, 1, 1)
    assert disposal_due(2026, "Y") is None


def test_stored_name_is_ascii_and_converts_back():
    name = stored_name("Z109-WS·2026-D10-ZLB-0001")
    assert name == "Z109-WS_2026-D10-ZLB-0001.pdf"
    assert name.isascii()
    assert archive_no_from_stored_name(name) == "Z109-WS·2026-D10-ZLB-0001"
    assert stored_name("Z109-WS·2026-Y-0002", suffix=".stamped.pdf").endswith(".stamped.pdf")


def test_stored_name_refuses_anything_that_is_not_an_archive_number():
    with pytest.raises(ArchiveError):
        stored_name("../../etc/passwd")
