"""The bundled sample data keeps the case file contract (CASE-FORMAT.md).

Only recordkit.schema and recordkit.dates are used here, so a broken loader elsewhere
cannot hide a broken sample, and a broken sample shows up here first.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook

from recordkit.cases import schema
from recordkit.dates import as_datetime, parse_date, parse_datetime

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CASES_DIR = EXAMPLES / "cases"
IMPORT_DIR = EXAMPLES / "import"
CASE_FILES = sorted(CASES_DIR.glob("*.yaml"))

PREFIX = {"投诉": "TS", "申诉": "SS", "争议": "ZY", "意见建议": "YJ"}
CASE_NO_RE = re.compile(r"^(TS|SS|ZY|YJ)-(\d{4})-(\d{4})$")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: top level must be a mapping"
    return data


def get(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def leaf_paths(data: dict[str, Any], prefix: str = "") -> list[str]:
    paths = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and path != "extra":
            paths.extend(leaf_paths(value, path + "."))
        else:
            paths.append(path)
    return paths


def all_text(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in all_text(v)]
    if isinstance(value, list):
        return [t for v in value for t in all_text(v)]
    return []


@pytest.fixture(scope="module")
def cases() -> dict[str, dict[str, Any]]:
    return {p.stem: load(p) for p in CASE_FILES}


# --------------------------------------------------------------------------- per file


def test_there_are_enough_sample_cases():
    assert len(CASE_FILES) >= 14


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_file_name_is_case_no_and_matches_kind_and_year(path: Path):
    data = load(path)
    assert data["case_no"] == path.stem
    m = CASE_NO_RE.match(data["case_no"])
    assert m, data["case_no"]
    assert m.group(1) == PREFIX[data["kind"]]
    assert int(m.group(2)) == parse_date(data["received_at"]).year


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_keys_are_contract_fields_or_extra(path: Path):
    # The contract keeps unknown keys, but a sample with one is most likely a typo.
    data = load(path)
    unknown = [p for p in leaf_paths(data) if p not in schema.BY_PATH and p != "extra"]
    assert not unknown, unknown


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_values_have_the_contract_types(path: Path):
    data = load(path)
    for field in schema.FIELDS:
        value = get(data, field.path)
        if not present(value):
            assert not field.required, f"{field.path} ({field.label}) is required"
            continue
        where = f"{field.path} ({field.label}) = {value!r}"
        if field.choices:
            assert value in field.choices, where
        if field.type == schema.DATE:
            parse_date(value)
            assert not isinstance(value, str) or ":" not in value, where
        elif field.type == schema.DATETIME:
            parse_datetime(value)
        elif field.type == schema.BOOL:
            assert isinstance(value, bool), where
        elif field.type == schema.NUMBER:
            assert isinstance(value, (int, float)) and not isinstance(value, bool), where
        elif field.type == schema.INTEGER:
            assert isinstance(value, int) and not isinstance(value, bool), where
        elif field.type == schema.LIST:
            assert isinstance(value, list) and all(isinstance(v, str) for v in value), where
        else:
            # Phone numbers, report and batch numbers must be quoted in YAML.
            assert isinstance(value, str), where


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_complainant_named_unless_anonymous(path: Path):
    data = load(path)
    if get(data, "complainant.anonymous") is True:
        assert not present(get(data, "complainant.name"))
    else:
        assert present(get(data, "complainant.name"))


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_dates_are_in_order(path: Path):
    data = load(path)

    def when(key: str) -> datetime | None:
        value = get(data, key)
        return as_datetime(value) if present(value) else None

    received = as_datetime(data["received_at"])
    decided = when("acceptance.decided_at")
    approved = when("resolution.approved_at")
    replied = when("reply.replied_at")
    granted = when("extension.granted_at")
    visited = when("follow_up.visited_at")
    closed = when("closed_at")
    report = when("subject.report_received_at")
    day = received.replace(hour=0, minute=0, second=0)

    for key in schema.AFTER_RECEIPT:
        moment = when(key)
        assert moment is None or moment >= day, f"{key} before received_at"
    if report:
        assert report <= received, "report received after the objection"
    chain = [
        ("acceptance.decided_at", decided),
        ("resolution.approved_at", approved),
        ("reply.replied_at", replied),
        ("closed_at", closed),
    ]
    known = [(k, v) for k, v in chain if v is not None]
    for (k1, v1), (k2, v2) in zip(known, known[1:], strict=False):
        assert v1 <= v2, f"{k1} {v1:%Y-%m-%d} after {k2} {v2:%Y-%m-%d}"
    if replied or closed or approved:
        assert decided, "handled without an acceptance decision"
    if granted:
        assert decided and granted >= decided
        assert replied is None or granted <= replied
    if visited:
        assert replied and visited > replied, "follow-up must come after the reply"
        assert closed is None or closed >= visited


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_outcome_fields_fit_the_decision(path: Path):
    data = load(path)
    decision = get(data, "acceptance.decision")
    if decision == "不予受理":
        assert present(get(data, "acceptance.reason"))
        assert not present(get(data, "investigation"))
    if decision == "转办":
        assert present(get(data, "acceptance.reason"))
        assert present(get(data, "acceptance.transferred_to"))
    if present(get(data, "extension")):
        assert 0 < data["extension"]["days"] <= 30
        assert present(get(data, "extension.reason"))
    if present(get(data, "closed_at")):
        assert present(get(data, "reply.content")), "closed without a written reply"


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_recused_people_do_not_act(path: Path):
    data = load(path)
    recused = set(get(data, "assignment.recused") or [])
    acting = set()
    for key in schema.ACTING_PEOPLE:
        value = get(data, key)
        if isinstance(value, list):
            acting.update(value)
        elif present(value):
            acting.add(value)
    assert not recused & acting


# --------------------------------------------------------------------------- the set


def test_numbers_are_consecutive_per_kind_and_year_in_order_of_receipt(cases):
    series: dict[tuple[str, int], list[tuple[int, datetime]]] = defaultdict(list)
    for case_no, data in cases.items():
        prefix, year, seq = CASE_NO_RE.match(case_no).groups()
        series[(prefix, int(year))].append((int(seq), as_datetime(data["received_at"])))
    for key, items in series.items():
        items.sort()
        assert [s for s, _ in items] == list(range(1, len(items) + 1)), key
        times = [t for _, t in items]
        assert times == sorted(times), f"{key}: numbers not in order of receipt"


def test_the_set_covers_kinds_channels_and_outcomes(cases):
    def values(key: str) -> set[Any]:
        return {get(d, key) for d in cases.values()} - {None}

    assert values("kind") == set(schema.KINDS)
    assert values("channel") == set(schema.CHANNELS)
    assert len(values("source")) >= 5
    assert values("category") == set(schema.CATEGORIES)
    assert {"一般", "重大"} <= values("severity")
    assert values("acceptance.decision") == set(schema.DECISIONS)
    assert values("investigation.valid") == {True, False}
    assert len({parse_date(d["received_at"]).year for d in cases.values()}) >= 2

    def some(test) -> bool:
        return any(test(d) for d in cases.values())

    assert some(lambda d: present(get(d, "extension")))
    assert some(lambda d: get(d, "complainant.anonymous") is True)
    assert some(lambda d: (get(d, "resolution.compensation") or 0) > 0)
    assert some(lambda d: present(get(d, "assignment.recused")))
    assert some(
        lambda d: (
            present(get(d, "subject.report_no")) and present(get(d, "subject.report_received_at"))
        )
    )
    assert some(
        lambda d: all(
            present(get(d, f"subject.{k}")) for k in ("batch_no", "quantity", "purchase_place")
        )
    )
    assert some(lambda d: present(get(d, "extra.plate_no")))
    assert some(lambda d: not present(get(d, "acceptance")))  # only just received
    assert some(lambda d: present(get(d, "acceptance")) and not present(get(d, "reply")))
    assert some(lambda d: present(get(d, "follow_up")) and present(get(d, "closed_at")))
    assert some(lambda d: str(get(d, "complainant.phone")).startswith("0"))  # landline
    assert some(lambda d: isinstance(d["received_at"], date))  # date only, no time


def test_awkward_text_is_present(cases):
    text = "\n".join(t for d in cases.values() for t in all_text(d))
    for needle in ("\x0b", "\r\n", "\t", "&", "<", ">", '"', "'", "{{", "{%"):
        assert needle in text, repr(needle)
    assert any(ord(ch) > 0xFFFF for ch in text), "no emoji"
    assert max(len(d["content"]) for d in cases.values()) >= 1500


# --------------------------------------------------------------------------- registers

REGISTER_XLSX = IMPORT_DIR / "2026年10月投诉台帐.xlsx"
REGISTER_CSV = IMPORT_DIR / "2026年10月投诉台帐.csv"
BAD_XLSX = IMPORT_DIR / "bad-register.xlsx"


def xlsx_rows(path: Path) -> list[list[Any]]:
    book = load_workbook(path, read_only=True, data_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return rows


def as_csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.hour or value.minute:
            return value.strftime("%Y-%m-%d %H:%M")
        return value.date().isoformat()
    return str(value)


def test_register_headers_are_schema_labels_plus_one_remark():
    header = xlsx_rows(REGISTER_XLSX)[0]
    assert [h for h in header if h not in schema.BY_LABEL] == ["备注"]
    assert "编号" not in header  # numbers are assigned on import
    for label in (
        "类别",
        "接收时间",
        "投诉方式",
        "投诉人",
        "联系电话",
        "投诉内容",
        "分类",
        "责任部门",
    ):
        assert label in header


def test_register_xlsx_and_csv_hold_the_same_eight_rows():
    rows = xlsx_rows(REGISTER_XLSX)
    raw = REGISTER_CSV.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with REGISTER_CSV.open(encoding="utf-8-sig", newline="") as handle:
        csv_rows = list(csv.reader(handle))
    assert len(rows) == len(csv_rows) == 9
    assert [[as_csv_text(v) for v in r] for r in rows] == csv_rows
    header = rows[0]
    for row in rows[1:]:
        record = dict(zip(header, row, strict=True))
        assert record["类别"] in schema.KINDS
        assert record["投诉方式"] in schema.CHANNELS
        assert isinstance(record["接收时间"], datetime)
        assert record["接收时间"].strftime("%Y-%m") == "2026-10"
        assert record["联系电话"] is None or isinstance(record["联系电话"], str)


def test_bad_register_has_exactly_the_two_planned_errors():
    rows = xlsx_rows(BAD_XLSX)
    assert len(rows) == 5  # header + 4
    header = rows[0]
    problems = []
    for number, row in enumerate(rows[1:], start=2):  # sheet row numbers
        record = dict(zip(header, row, strict=True))
        try:
            parse_datetime(record["接收时间"])
        except ValueError:
            problems.append((number, "接收时间", record["接收时间"]))
        if record["投诉方式"] not in schema.CHANNELS:
            problems.append((number, "投诉方式", record["投诉方式"]))
    assert problems == [(3, "接收时间", "2026-02-30"), (5, "投诉方式", "微信")]


def test_make_register_rebuilds_the_committed_files(tmp_path: Path):
    spec = importlib.util.spec_from_file_location("make_register", IMPORT_DIR / "make_register.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.build(tmp_path)
    assert [p.name for p in written] == [REGISTER_XLSX.name, REGISTER_CSV.name, BAD_XLSX.name]
    assert xlsx_rows(written[0]) == xlsx_rows(REGISTER_XLSX)
    assert written[1].read_bytes() == REGISTER_CSV.read_bytes()
    assert xlsx_rows(written[2]) == xlsx_rows(BAD_XLSX)
