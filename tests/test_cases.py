"""Case files: validation reports every problem with file, key path and Chinese label."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
import yaml

from recordkit.cases.store import CaseBook, read_case_file, validate_case
from recordkit.config import load_config
from recordkit.errors import CaseFileError, CaseValidationError


def problems(data: dict) -> list[str]:
    return [str(p) for p in validate_case(data, "cases/2026/TS-2026-0007.yaml")]


def test_sample_case_is_valid(sample_case):
    assert problems(sample_case) == []


def test_date_that_does_not_exist_names_file_path_and_label(sample_case):
    sample_case["acceptance"]["decided_at"] = "2026-02-30"
    assert problems(sample_case) == [
        "cases/2026/TS-2026-0007.yaml: acceptance.decided_at (受理日期): 2026-02-30 不是日期 (is not a date)"
    ]


def test_all_problems_reported_at_once(sample_case):
    sample_case["channel"] = "微信"
    sample_case["closed_at"] = "2026-01-01"
    sample_case["investigation"]["valid"] = "maybe"
    del sample_case["content"]
    sample_case["resolution"]["approved_by"] = "刘某"
    found = problems(sample_case)
    assert len(found) == 5
    assert any("channel (投诉方式): 微信 不是允许的值" in p for p in found)
    assert any("content (投诉内容): 必填项为空" in p for p in found)
    assert any(
        "investigation.valid (有效投诉): 'maybe' 应为 是 或 否 (yes/no; in a case file: true or false)"
        in p
        for p in found
    )
    assert any("closed_at (办结日期): 2026-01-01 早于接收时间 2026-03-02" in p for p in found)
    assert any("resolution.approved_by (批准人): 刘某 属于回避人员" in p for p in found)


def test_recused_person_cannot_investigate(sample_case):
    sample_case["assignment"]["investigators"] = ["王芳", "刘某"]
    assert problems(sample_case) == [
        "cases/2026/TS-2026-0007.yaml: assignment.investigators (调查人员): 刘某 属于回避人员 (assignment.recused), 不能担任此角色"
    ]


@pytest.mark.parametrize("bad", ["TS/2026", "..\\x", "TS-..-1", "a:b", " lead"])
def test_case_number_with_path_parts_is_refused(sample_case, bad):
    sample_case["case_no"] = bad
    found = problems(sample_case)
    assert len(found) == 1 and found[0].startswith("cases/2026/TS-2026-0007.yaml: case_no (编号): ")


def test_anonymous_complainant_needs_no_name(sample_case):
    sample_case["complainant"] = {"anonymous": True}
    assert problems(sample_case) == []
    sample_case["complainant"] = {"anonymous": False}
    assert problems(sample_case)[0].endswith(
        "complainant.name (投诉人): 必填项为空 (required unless complainant.anonymous is true)"
    )


def test_phone_as_bare_number_asks_for_quotes(sample_case):
    sample_case["complainant"]["phone"] = 13800000000
    assert "complainant.phone (联系电话): 13800000000 应加引号作为文本" in problems(sample_case)[0]


def test_wrong_group_type(sample_case):
    sample_case["complainant"] = "李强"
    assert problems(sample_case) == [
        "cases/2026/TS-2026-0007.yaml: complainant (投诉人信息): 应为键值映射, 实际为 文本"
    ]


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("kind: 投诉\ncontent: [unclosed\nreceived_at: 2026-01-01\n", encoding="utf-8")
    with pytest.raises(CaseFileError) as err:
        read_case_file(path)
    assert "第 3 行" in err.value.message and "YAML 格式错误" in err.value.message


def test_missing_file(tmp_path):
    with pytest.raises(CaseFileError) as err:
        read_case_file(tmp_path / "nope.yaml")
    assert err.value.message.endswith("nope.yaml: 文件不存在 (file not found)")


def test_json_case_file(tmp_path, sample_case):
    import json

    path = tmp_path / "c.json"
    path.write_text(json.dumps(sample_case, ensure_ascii=False), encoding="utf-8")
    data, _ = read_case_file(path)
    assert data["complainant"]["name"] == "李强"


def test_add_numbers_and_round_trips_unknown_keys(book, sample_case):
    sample_case["our_own_key"] = {"kept": "yes"}
    sample_case["extra"] = {"plate_no": "闽E·12345"}
    first = book.add(sample_case)
    second = book.add(dict(sample_case, kind="申诉"))
    third = book.add(sample_case)
    assert [first.case_no, second.case_no, third.case_no] == [
        "TS-2026-0001",
        "SS-2026-0001",
        "TS-2026-0002",
    ]
    assert first.path == book.root / "2026" / "TS-2026-0001.yaml"
    stored = yaml.safe_load(first.path.read_text(encoding="utf-8"))
    assert list(stored)[0] == "case_no"
    assert stored["our_own_key"] == {"kept": "yes"} and stored["extra"]["plate_no"] == "闽E·12345"


def test_add_refuses_invalid_case_and_writes_nothing(book, sample_case):
    sample_case["received_at"] = "2026-13-01"
    with pytest.raises(CaseValidationError):
        book.add(sample_case)
    assert book.files() == []


def _add_many(args):
    root, count, case = args
    book = CaseBook(load_config(Path(root) / "recordkit.toml"))
    return [book.add(dict(case)).case_no for _ in range(count)]


def test_two_processes_numbering_at_once_never_collide(workdir, sample_case):
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.map(_add_many, [(str(workdir.root), 8, sample_case)] * 2)
    numbers = results[0] + results[1]
    assert len(set(numbers)) == 16
    assert sorted(numbers) == [f"TS-2026-{i:04d}" for i in range(1, 17)]


def test_case_format_doc_lists_every_field():
    from recordkit.cases import schema

    doc = (Path(__file__).resolve().parent.parent / "docs" / "case-format.md").read_text(
        encoding="utf-8"
    )
    for field in schema.FIELDS:
        assert f"| `{field.path}` | {field.label} |" in doc, field.path
