"""A notice whose required content is empty is written with a warning naming the fields (issue 10, item 15)."""

from __future__ import annotations

import json

import pytest
import yaml

from recordkit.cli import cli
from recordkit.errors import ConfigError
from recordkit.forms.catalog import Catalog

WARNING = (
    "警告: F18 投诉处理结果告知书 TS-2026-0001: 以下必填内容为空, 文件中相应部分将是空白: "
    "investigation.findings (调查情况)、resolution.measures (处理意见) (required content empty)"
)


@pytest.fixture
def bare_case(workdir, book, sample_case):
    del sample_case["investigation"]["findings"]
    sample_case["resolution"]["measures"] = ""
    book.add(sample_case)
    return workdir


def test_fill_warns_about_empty_required_content(bare_case, runner):
    result = runner.invoke(cli, ["fill", "F18", "TS-2026-0001"])
    assert result.exit_code == 0, result.output
    assert WARNING in result.stderr
    assert (bare_case.out_dir / "TS-2026-0001" / "F18-投诉处理结果告知书.docx").is_file()


def test_generate_warns_and_reports_in_json(bare_case, runner):
    result = runner.invoke(cli, ["generate", "--form", "F18", "--jobs", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert WARNING in result.stderr
    assert json.loads(result.stdout)["outputs"][0]["empty_required"] == [
        {"key": "investigation.findings", "label": "调查情况"},
        {"key": "resolution.measures", "label": "处理意见"},
    ]


def test_complete_case_has_no_warning(workdir, book, sample_case, runner):
    book.add(sample_case)
    result = runner.invoke(cli, ["fill", "F18", "TS-2026-0001"])
    assert result.exit_code == 0 and "警告" not in result.stderr


def test_unknown_required_key_is_a_catalog_error(workdir):
    path = workdir.templates_dir / "catalog.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(e for e in raw["forms"] if e["code"] == "F18")
    entry["required"] = ["investigation.findngs"]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Catalog(workdir.templates_dir)
    assert caught.value.message.endswith("(F18): required 中的 investigation.findngs 不是已知字段")
