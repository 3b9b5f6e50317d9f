"""Every command that writes an output keeps a hand-edited one and saves the previous file (issue 10, item 2)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import docx
import pytest
from conftest import soffice_missing

from recordkit.cli import cli

F18 = "F18-投诉处理结果告知书.docx"
F05 = "F05-申诉、投诉登记表.docx"


def hand_edit(path: Path) -> bytes:
    """Add a paragraph in Word, as an admin would; return the edited bytes."""
    document = docx.Document(str(path))
    document.add_paragraph("经办人补充：已电话告知投诉人。")
    document.save(str(path))
    return path.read_bytes()


def history(path: Path) -> list[Path]:
    folder = path.parent / ".history"
    return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def two_cases(workdir, book, sample_case):
    book.add(sample_case)
    book.add(dict(sample_case))
    return workdir


def test_fill_keeps_hand_edited_output_and_force_keeps_history(two_cases, runner):
    assert runner.invoke(cli, ["fill", "F18", "TS-2026-0002"]).exit_code == 0
    output = two_cases.out_dir / "TS-2026-0002" / F18
    edited = hand_edit(output)
    result = runner.invoke(cli, ["fill", "F18", "TS-2026-0002"])
    assert result.exit_code == 0, result.output
    assert output.read_bytes() == edited
    assert f"未覆盖 (手工修改过, 用 --force 覆盖): {output}" in result.stderr
    assert "生成 0 份文件, 失败 0 项, 未覆盖 1 份 (手工修改过)。" in result.stdout
    forced = runner.invoke(cli, ["fill", "F18", "TS-2026-0002", "--force"])
    assert forced.exit_code == 0, forced.output
    assert output.read_bytes() != edited
    kept = history(output)
    assert [p.read_bytes() for p in kept] == [edited] and re.search(
        r"\.v\d+\.", kept[0].name
    )  # the version the edited file was made with


def test_generate_keeps_hand_edited_output(two_cases, runner):
    args = ["generate", "--case", "TS-2026-0002", "--form", "F05", "--jobs", "1", "--json"]
    assert runner.invoke(cli, args).exit_code == 0
    output = two_cases.out_dir / "TS-2026-0002" / F05
    edited = hand_edit(output)
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["outputs"] == [] and report["skipped_edited"][0]["path"] == str(output)
    assert output.read_bytes() == edited and history(output) == []
    assert runner.invoke(cli, [*args, "--force"]).exit_code == 0
    assert output.read_bytes() != edited and [p.read_bytes() for p in history(output)] == [edited]


def test_refilling_unchanged_output_adds_no_history(two_cases, runner):
    assert runner.invoke(cli, ["fill", "F18", "TS-2026-0001"]).exit_code == 0
    assert runner.invoke(cli, ["fill", "F18", "TS-2026-0001"]).exit_code == 0
    assert history(two_cases.out_dir / "TS-2026-0001" / F18) == []


def test_changed_data_refill_keeps_previous_file(two_cases, runner):
    assert runner.invoke(cli, ["fill", "F18", "TS-2026-0001"]).exit_code == 0
    output = two_cases.out_dir / "TS-2026-0001" / F18
    before = output.read_bytes()
    case_file = two_cases.cases_dir / "2026" / "TS-2026-0001.yaml"
    case_file.write_text(
        case_file.read_text(encoding="utf-8").replace("李强", "李强强"), encoding="utf-8"
    )
    assert runner.invoke(cli, ["fill", "F18", "TS-2026-0001"]).exit_code == 0
    assert [p.read_bytes() for p in history(output)] == [before]


def test_bundle_keeps_hand_edited_bundle(two_cases, runner):
    assert runner.invoke(cli, ["fill", "--bundle", "TS-2026-0001"]).exit_code == 0
    bundle = two_cases.out_dir / "TS-2026-0001" / "TS-2026-0001-打印合集.docx"
    edited = hand_edit(bundle)
    result = runner.invoke(cli, ["fill", "--bundle", "TS-2026-0001"])
    assert result.exit_code == 1
    assert (
        f"Error: {bundle}: 输出文件被手工修改过, 未覆盖 (用 --force 覆盖; edited by hand, kept)"
        in result.output
    )
    assert bundle.read_bytes() == edited
    assert runner.invoke(cli, ["fill", "--bundle", "TS-2026-0001", "--force"]).exit_code == 0
    assert [p.read_bytes() for p in history(bundle)] == [edited]


@pytest.mark.skipif(soffice_missing() is not None, reason=soffice_missing() or "")
def test_bundle_with_hand_edited_pdf_writes_neither_file(two_cases, runner):
    assert runner.invoke(cli, ["fill", "--bundle", "TS-2026-0001", "--pdf"]).exit_code == 0
    bundle = two_cases.out_dir / "TS-2026-0001" / "TS-2026-0001-打印合集.docx"
    pdf = bundle.with_suffix(".pdf")
    pdf.write_bytes(pdf.read_bytes() + b"%% annotated by hand\n")
    before = (bundle.read_bytes(), pdf.read_bytes())
    case_file = two_cases.cases_dir / "2026" / "TS-2026-0001.yaml"
    case_file.write_text(
        case_file.read_text(encoding="utf-8").replace("李强", "李强强"), encoding="utf-8"
    )
    result = runner.invoke(cli, ["fill", "--bundle", "TS-2026-0001", "--pdf"])
    assert result.exit_code == 1
    assert f"Error: {pdf}: 输出文件被手工修改过, 未覆盖" in result.output
    assert (bundle.read_bytes(), pdf.read_bytes()) == before
