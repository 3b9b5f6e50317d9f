"""The bundled sample records (examples/records/<type>/) keep their contract, link to the
sample cases, and exercise what the forms and registers of each type show."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from recordkit.cases import schema
from recordkit.cases.store import validate_case
from recordkit.dates import parse_date

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CASE_NUMBERS = {p.stem for p in (EXAMPLES / "cases").glob("*.yaml")}
FILES = sorted((EXAMPLES / "records").glob("*/*.yaml"))


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def rtype_of(path: Path) -> schema.RecordType:
    return next(t for t in schema.OTHER_TYPES if t.folder == path.parent.name)


def test_every_type_has_samples_some_linked_some_open():
    for rtype in schema.OTHER_TYPES:
        files = [p for p in FILES if p.parent.name == rtype.folder]
        assert len(files) >= 3, rtype.name
        data = [load(p) for p in files]
        assert any(d.get("source_case") for d in data), f"{rtype.name}: no record linked to a case"
        assert any(not d.get("closed_at") for d in data) or rtype is schema.INCIDENT, (
            f"{rtype.name}: none open"
        )


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_record_is_valid_named_by_its_number_and_year(path: Path):
    rtype = rtype_of(path)
    data = load(path)
    assert validate_case(data, path.name, (), rtype) == []
    number = data[rtype.number_key]
    assert number == path.stem
    prefix = rtype.pattern.split("-", 1)[0]
    assert re.fullmatch(rf"{prefix}-(\d{{4}})-\d+", number)
    assert int(number.split("-")[1]) == parse_date(data[rtype.date_field]).year
    unknown = [k for k in data if k not in rtype.by_path and k not in rtype.groups]
    assert not unknown, unknown
    if data.get("source_case"):
        assert data["source_case"] in CASE_NUMBERS


def test_cases_name_the_capas_that_exist():
    capas = {p.stem for p in FILES if p.parent.name == "capa"}
    named = {
        load(p).get("resolution", {}).get("corrective_action_no")
        for p in (EXAMPLES / "cases").glob("*.yaml")
    }
    linked = {load(p).get("source_case") for p in FILES if p.parent.name == "capa"}
    assert capas & named, "some sample case should name its CAPA"
    for path in FILES:
        data = load(path)
        if path.parent.name == "capa" and data.get("source_case"):
            case = load(EXAMPLES / "cases" / f"{data['source_case']}.yaml")
            assert case["resolution"]["corrective_action_no"] == data["record_no"]
    assert linked - {None}


def test_samples_exercise_grades_kinds_parts_and_awkward_text():
    data = {p.stem: load(p) for p in FILES}
    incidents = [d for n, d in data.items() if n.startswith("SG")]
    assert {d["grade"] for d in incidents} == {"一般", "重大"}
    services = [d for n, d in data.items() if n.startswith("FW")]
    assert {"维修", "安装调试", "保养"} <= {d["kind"] for d in services}
    assert any(d.get("parts") for d in services)
    assert any(d.get("customer_signed_at") for d in services)
    text = yaml.safe_dump(list(data.values()), allow_unicode=True)
    raw = "".join(p.read_text(encoding="utf-8") for p in FILES)
    for needle in ("&", "<", ">", '"', "{{", "{%", "\\t"):
        assert needle in raw, needle
    assert any(ord(ch) > 0xFFFF for ch in text), "an emoji somewhere"
