"""`case new` and `init`: duplicates, how cases are written, case numbers, numbering
patterns, full disks (issue 10: items 3, 9, 21, 23)."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
import yaml

from recordkit.cases.store import load_yaml
from recordkit.cli import cli


def _source(tmp_path: Path, data: dict, name: str = "in.yaml") -> Path:
    source = tmp_path / name
    source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return source


def test_same_file_twice_is_refused_as_probable_duplicate(workdir, runner, tmp_path, sample_case):
    source = _source(tmp_path, sample_case)
    assert runner.invoke(cli, ["case", "new", "--from", str(source)]).exit_code == 0
    again = runner.invoke(cli, ["case", "new", "--from", str(source)])
    assert again.exit_code == 1
    assert again.stderr == (
        f"Error: {source}: 可能与已有的案件 TS-2026-0001 重复 (类别、接收时间、投诉人、投诉内容相同), "
        "未新建; 确需新建请加 --allow-duplicate\n"
    )
    forced = runner.invoke(cli, ["case", "new", "--from", str(source), "--allow-duplicate"])
    assert forced.exit_code == 0 and forced.stdout.startswith("TS-2026-0002 ")


def test_record_new_from_same_file_twice_is_refused(workdir, runner, tmp_path):
    from conftest import sample_for

    source = _source(tmp_path, sample_for("capa"))
    assert (
        runner.invoke(cli, ["record", "new", "--type", "capa", "--from", str(source)]).exit_code
        == 0
    )
    again = runner.invoke(cli, ["record", "new", "--type", "capa", "--from", str(source)])
    assert (
        again.exit_code == 1 and "可能与已有的纠正和预防措施记录 CA-2026-001 重复" in again.stderr
    )


def test_multiline_text_keeps_block_style_and_key_order(workdir, runner, tmp_path, sample_case):
    text = (
        "received_at: 2026-03-02 09:30\nkind: 投诉\ncomplainant:\n  name: 李强\n"
        "content: |\n  第一段\n\n  第二段\n"
    )
    source = tmp_path / "in.yaml"
    source.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["case", "new", "--from", str(source), "--json"])
    assert result.exit_code == 0, result.output
    written = Path(json.loads(result.stdout)["path"]).read_text(encoding="utf-8")
    assert written == "case_no: TS-2026-0001\n" + text


def test_blank_case_has_chinese_comments_and_loads_when_filled(workdir, runner, book, sample_case):
    result = runner.invoke(cli, ["case", "new", "--kind", "投诉", "--json"])
    path = Path(json.loads(result.stdout)["path"])
    text = path.read_text(encoding="utf-8")
    assert "null" not in text
    assert "channel:" in text and "# 投诉方式: 电话 | 来访 | 信函" in text
    assert "  name:" in text and "# 投诉人" in text
    filled = text.replace("  name:  ", "  name: 李强", 1).replace(
        "content: ''", "content: 报告数据不符", 1
    )
    path.write_text(filled, encoding="utf-8")
    case = book.load(path)
    assert case.data["complainant"]["name"] == "李强" and case.case_no == "TS-2026-0001"
    assert load_yaml(filled)["content"] == "报告数据不符"


@pytest.mark.parametrize(
    "bad", ["CON", "nul", "AUX.txt", "COM1", "TS-2026-0001.", "TS-2026\u202e0001", "TS-2026-\x7f1"]
)
def test_case_numbers_unsafe_on_windows_are_refused(workdir, runner, tmp_path, sample_case, bad):
    source = _source(tmp_path, {**sample_case, "case_no": bad})
    result = runner.invoke(cli, ["case", "new", "--from", str(source)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {source}: case_no (编号): {bad!r} ")
    assert not list(workdir.cases_dir.rglob("*.yaml"))


def test_case_number_list_or_off_pattern_is_refused(workdir, runner, tmp_path, sample_case):
    listed = runner.invoke(
        cli,
        ["case", "new", "--from", str(_source(tmp_path, {**sample_case, "case_no": ["a", "b"]}))],
    )
    assert listed.exit_code == 1
    assert "case_no (编号): 应为文本, 实际为 列表" in listed.stderr
    source = _source(tmp_path, {**sample_case, "case_no": "X-1"}, "x.yaml")
    other = runner.invoke(cli, ["case", "new", "--from", str(source)])
    assert other.exit_code == 1
    assert other.stderr == (
        f"Error: {source}: case_no (编号): X-1 不符合编号规则 (TS-{{year}}-{{seq:04d}} | "
        "SS-{year}-{seq:04d} | ZY-{year}-{seq:04d} | YJ-{year}-{seq:04d}); "
        "留空即自动编号 (leave it blank to number automatically)\n"
    )
    assert not list(workdir.cases_dir.rglob("*.yaml"))


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("{oops}", "未知的占位符 {oops}, 只能使用 {year} 和 {seq} ({oops})"),
        (
            "TS-{seq}-{seq}",
            "编号规则必须包含且只包含一次 {seq} (pattern needs {seq} once: TS-{seq}-{seq})",
        ),
        (
            "TS-{seq:99999999999d}",
            "编号规则格式错误 (TS-{seq:99999999999d}: 格式 :99999999999d 不可用, 请写成 {seq:04d} 这样)",
        ),
    ],
)
def test_bad_numbering_patterns_are_refused_when_config_loads(workdir, runner, pattern, problem):
    config = workdir.root / "recordkit.toml"
    text = config.read_text(encoding="utf-8").replace(
        '"投诉" = "TS-{year}-{seq:04d}"', f'"投诉" = "{pattern}"'
    )
    config.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["case", "list"])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {config}: [case_numbers] 投诉: {problem}\n"


def _disk_full_on_write(monkeypatch, after: int = 0) -> None:
    """The disk fills up: writing a file raises ENOSPC (a system edge)."""
    real = os.fdopen
    calls = {"n": 0}

    class Full:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    def fdopen(fd, *args, **kwargs):
        calls["n"] += 1
        handle = real(fd, *args, **kwargs)
        return Full(handle) if calls["n"] > after else handle

    monkeypatch.setattr(os, "fdopen", fdopen)


def test_case_new_on_full_disk_writes_nothing(workdir, runner, tmp_path, sample_case, monkeypatch):
    source = _source(tmp_path, sample_case)
    _disk_full_on_write(monkeypatch)
    result = runner.invoke(cli, ["case", "new", "--from", str(source)])
    assert result.exit_code == 1
    target = workdir.cases_dir / "2026" / "TS-2026-0001.yaml"
    assert (
        result.stderr
        == f"Error: {target}: 无法写入, 未保存任何内容 (No space left on device; 磁盘已满或没有权限?)\n"
    )
    assert not [p for p in workdir.cases_dir.rglob("*") if p.is_file()]


def test_init_on_full_disk_writes_no_config(tmp_path, runner, monkeypatch):
    target = tmp_path / "work"
    _disk_full_on_write(monkeypatch, after=3)
    result = runner.invoke(cli, ["init", str(target)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {target}: 无法创建工作目录, 未写入 recordkit.toml "
        "(No space left on device; 磁盘已满或没有权限?)\n"
    )
    assert not (target / "recordkit.toml").exists()
    assert not list(target.rglob("*.tmp"))
    monkeypatch.undo()
    assert runner.invoke(cli, ["init", str(target)]).exit_code == 0
