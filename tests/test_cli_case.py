"""CLI: init and case commands, exact messages and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from recordkit.cli import cli


def test_init_creates_working_folder(tmp_path, runner):
    target = tmp_path / "投诉档案"
    result = runner.invoke(cli, ["init", str(target), "--org", "某某检测中心"])
    assert result.exit_code == 0, result.output
    for sub in ("recordkit.toml", "cases", "out", "archive/inbox", "form_templates/catalog.yaml"):
        assert (target / sub).exists(), sub
    assert 'name = "某某检测中心"' in (target / "recordkit.toml").read_text(encoding="utf-8")


def test_init_refuses_to_overwrite(tmp_path, runner):
    runner.invoke(cli, ["init", str(tmp_path)])
    result = runner.invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: {tmp_path / 'recordkit.toml'}: 已存在 (already exists; use --force to overwrite)\n"
    )


def test_commands_find_config_in_parent_folder(workdir, runner, monkeypatch):
    sub = workdir.root / "cases" / "2026"
    sub.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(sub)
    result = runner.invoke(cli, ["case", "list", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


def test_missing_config_is_a_clear_error(tmp_path, runner, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["case", "list"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 找不到 recordkit.toml")


def test_explicit_config_option(workdir, runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        cli, ["--config", str(workdir.root / "recordkit.toml"), "case", "list", "--json"]
    )
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_case_new_from_file_assigns_number(workdir, runner, sample_case, tmp_path):
    source = tmp_path / "in.yaml"
    source.write_text(yaml.safe_dump(sample_case, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(cli, ["case", "new", "--from", str(source), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["case_no"] == "TS-2026-0001"
    assert Path(out["path"]).read_text(encoding="utf-8").startswith("case_no: TS-2026-0001\n")


def test_case_new_blank_writes_skeleton(workdir, runner):
    result = runner.invoke(cli, ["case", "new", "--kind", "申诉"])
    assert result.exit_code == 0, result.output
    case_no, path = result.stdout.split()
    assert case_no.startswith("SS-") and Path(path).is_file()
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    assert data["kind"] == "申诉" and "complainant" in data and data["content"] == ""


def test_case_new_from_invalid_file_lists_every_problem(workdir, runner, sample_case, tmp_path):
    sample_case["received_at"] = "2026-02-30"
    sample_case["channel"] = "微信"
    source = tmp_path / "bad.yaml"
    source.write_text(yaml.safe_dump(sample_case, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(cli, ["case", "new", "--from", str(source)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert (
        lines[0] == f"Error: {source}: received_at (接收时间): 2026-02-30 不是日期 (is not a date)"
    )
    assert (
        lines[1]
        == f"{source}: channel (投诉方式): 微信 不是允许的值 (allowed: 电话 | 来访 | 信函 | 传真 | 电子邮件 | 网上 | 第三方转交 | 满意度调查)"
    )
    assert "Traceback" not in result.output
    assert list((workdir.cases_dir).rglob("*.yaml")) == []


def test_case_new_unknown_kind_is_a_bad_value(workdir, runner):
    result = runner.invoke(cli, ["case", "new", "--kind", "表扬"])
    assert result.exit_code == 1  # a bad value exits 1 (issue 10 item 11)


def test_case_validate_reports_bad_files_and_exit_code(workdir, runner, sample_case, book):
    book.add(sample_case)
    bad = workdir.cases_dir / "2026" / "TS-2026-0099.yaml"
    bad.write_text(
        "kind: 投诉\nreceived_at: 2026-02-30\ncontent: x\ncomplainant: {name: 甲}\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["case", "validate"])
    assert result.exit_code == 1
    assert (
        "cases/2026/TS-2026-0099.yaml: received_at (接收时间): 2026-02-30 不是日期 (is not a date)"
        in result.stderr
    )
    assert result.stdout == "已校验 2 个文件, 1 个有错误。\n"


def test_case_validate_yaml_syntax_error(workdir, runner, tmp_path):
    bad = tmp_path / "x.yaml"
    bad.write_text("kind: 投诉\n  content: : :\n", encoding="utf-8")
    result = runner.invoke(cli, ["case", "validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: 第 2 行" in result.stderr


def test_case_list_table_and_json(workdir, runner, sample_case, book):
    book.add(sample_case)
    result = runner.invoke(cli, ["case", "list"])
    assert result.exit_code == 0
    assert "TS-2026-0001" in result.stdout and "李强" in result.stdout and "已办结" in result.stdout
    rows = json.loads(runner.invoke(cli, ["case", "list", "--json"]).stdout)
    assert rows[0]["case_no"] == "TS-2026-0001" and rows[0]["status"] == "已办结"
