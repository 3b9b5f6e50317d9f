"""`recordkit archive …` through click: exact error text, exit codes, JSON keys."""

from __future__ import annotations

import json

import pdf_factory as pf
import pytest
from archive_setup import form_pdf, make_workdir

from recordkit.cli import cli

DOC_KEYS = {"archive_no", "case_no", "form_code", "year", "retention", "item_no", "pages", "sha256", "sm3",
            "signed", "disposal_due", "status", "original_path", "access_path", "filed_at", "checks"}  # fmt: skip


@pytest.fixture
def work(tmp_path, monkeypatch):
    config = make_workdir(tmp_path / "w")
    monkeypatch.chdir(config.root)
    return config


def run(runner, *args):
    return runner.invoke(cli, list(args), obj={}, catch_exceptions=False)


def test_ingest_inbox_files_everything_and_exits_0(work, runner):
    inbox = work.archive_dir / "inbox"
    form_pdf(inbox / "a.pdf", serial=1)
    form_pdf(inbox / "b.pdf", case_no="TS-2026-0008", form="F03", serial=2)
    result = run(runner, "archive", "ingest")
    assert result.exit_code == 0, result.output
    assert "已归档  inbox/a.pdf  Z109-WS·2026-D10-0001" in result.output
    assert "已归档  inbox/b.pdf  Z109-WS·2026-D30-0001" in result.output
    assert "输入 2 个文件 (恢复 0 个): 归档 2, 重复 0, 待识别 0, 隔离 0, 出错 0" in result.output


def test_ingest_with_a_quarantined_file_exits_1_and_says_why(work, runner, tmp_path):
    bad = pf.text_renamed(tmp_path / "坏文件.pdf")
    result = run(runner, "archive", "ingest", str(bad))
    assert result.exit_code == 1
    assert "已隔离" in result.output and "quarantine/坏文件.pdf" in result.output
    assert "不是 PDF 文件 (no %PDF- header)" in result.output


def test_ingest_json(work, runner, tmp_path):
    src = form_pdf(tmp_path / "a.pdf", serial=1)
    result = run(runner, "archive", "ingest", str(src), "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert set(data) >= {
        "results",
        "recovered",
        "still_writing",
        "ignored",
        "inputs",
        "counts",
        "balanced",
    }
    (one,) = data["results"]
    assert one["outcome"] == "filed" and one["archive_no"] == "Z109-WS·2026-D10-0001"
    assert one["destination"] == "store/2026/D10/Z109-WS_2026-D10-0001.pdf"
    assert data["counts"]["filed"] == 1 and data["balanced"] is True


def test_ingest_of_a_missing_file_is_a_clear_error(work, runner):
    result = run(runner, "archive", "ingest", "不存在.pdf")
    assert result.exit_code == 1
    assert result.stderr == "Error: 不存在.pdf: 文件不存在 (file not found)\n"


def test_ingest_refuses_files_inside_the_store(work, runner, tmp_path):
    run(runner, "archive", "ingest", str(form_pdf(tmp_path / "a.pdf", serial=1)))
    stored = "archive/store/2026/D10/Z109-WS_2026-D10-0001.pdf"
    result = run(runner, "archive", "ingest", stored)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {stored}: 是档案库 store/ 中的文件, 不能再次接收\n"


def test_ingest_bad_jobs_is_a_bad_value(work, runner):
    result = run(runner, "archive", "ingest", "--jobs", "0")
    assert result.exit_code == 1  # a bad value exits 1 (issue 10 item 11)


def test_show_json_has_every_documented_key(work, runner, tmp_path):
    run(runner, "archive", "ingest", str(form_pdf(tmp_path / "a.pdf", serial=1)))
    result = run(runner, "archive", "show", "Z109-WS·2026-D10-0001", "--json")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert DOC_KEYS <= set(doc)
    assert doc["retention"] in ("Y", "D30", "D10") and doc["signed"] in ("none", "valid", "invalid")
    assert {"category", "name", "result", "detail"} == set(doc["checks"][0])
    text = run(runner, "archive", "show", "Z109-WS_2026-D10-0001")
    assert "档号: Z109-WS·2026-D10-0001" in text.output and "保管期限: 10年" in text.output
    assert "四性检测" in text.output and "通过" in text.output


def test_show_unknown_and_malformed_numbers(work, runner):
    result = run(runner, "archive", "show", "Z109-WS·2026-D10-0009")
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: 找不到档号为 Z109-WS·2026-D10-0009 的档案 (no archived document with this number)\n"
    )
    result = run(runner, "archive", "show", "12345")
    assert result.exit_code == 1
    assert (
        result.stderr == "Error: '12345' 不是有效的档号 (expected e.g. Z109-WS·2026-D10-ZLB-0001)\n"
    )


def test_list_and_search(work, runner, tmp_path):
    run(runner, "archive", "ingest", str(form_pdf(tmp_path / "a.pdf", serial=1)),
        str(form_pdf(tmp_path / "b.pdf", case_no="TS-2025-0003", serial=2)))  # fmt: skip
    listed = run(runner, "archive", "list")
    assert "Z109-WS·2025-D10-0001" in listed.output and "共 2 件。" in listed.output
    year = json.loads(run(runner, "archive", "list", "--year", "2026", "--json").output)
    assert [d["archive_no"] for d in year] == ["Z109-WS·2026-D10-0001"]
    assert DOC_KEYS <= set(year[0])
    found = json.loads(
        run(runner, "archive", "search", "投诉处理", "--case", "TS-2025-0003", "--json").output
    )
    assert [d["case_no"] for d in found] == ["TS-2025-0003"]
    none = run(runner, "archive", "search", "--retention", "Y")
    assert none.exit_code == 0 and "共 0 件。" in none.output
    bad = run(runner, "archive", "search", "--retention", "D99")
    assert bad.exit_code == 1  # a bad value exits 1 (issue 10 item 11)


def test_assign_files_an_unidentified_scan(work, runner, tmp_path):
    src = pf.born_digital(tmp_path / "scan.pdf", payload=None, case_no=None)
    result = run(runner, "archive", "ingest", str(src))
    assert result.exit_code == 1 and "待识别" in result.output
    parked = "archive/unidentified/scan.pdf"
    result = run(
        runner, "archive", "assign", parked, "--case", "TS-2026-0007", "--form", "F03", "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["outcome"] == "filed" and data["archive_no"] == "Z109-WS·2026-D30-0001"


def test_assign_errors(work, runner, tmp_path):
    src = pf.born_digital(tmp_path / "scan.pdf", payload=None, case_no=None)
    result = run(runner, "archive", "assign", str(src), "--case", "TS-2026-0999", "--form", "F01")
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: 找不到案件 TS-2026-0999 (no case file with this number in cases/)\n"
    )
    result = run(runner, "archive", "assign", str(src), "--case", "TS-2026-0007", "--form", "F77")
    assert result.exit_code == 1
    assert result.stderr == "Error: 未知的表单编号 F77 (known: F01, F03, F19)\n"
    result = run(runner, "archive", "assign", str(src), "--case", "TS-2026-0007")
    assert result.exit_code == 2
    assert src.exists()


def test_archive_help_has_examples(runner):
    for command in ("ingest", "watch", "assign", "search", "show", "list"):
        result = runner.invoke(cli, ["archive", command, "--help"])
        assert result.exit_code == 0
        assert "示例 (examples):" in result.output


def test_archive_commands_need_a_working_folder(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(runner, "archive", "list")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 找不到 recordkit.toml")
