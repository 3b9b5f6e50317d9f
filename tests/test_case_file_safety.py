"""Case loading refuses files that would break every later command (issue 10: items 10, 19, 20, 21)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from recordkit.cli import cli

BOMB = """\
kind: 投诉
received_at: 2026-03-02 09:30
complainant: {name: 李强}
content: 报告数据不符
extra:
  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
  h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
"""
HEAD = (
    "kind: 投诉\nreceived_at: 2026-03-02 09:30\ncomplainant: {name: 李强}\ncontent: 报告数据不符\n"
)


def _new(runner, tmp_path: Path, text: str, name: str = "in.yaml"):
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    return runner.invoke(cli, ["case", "new", "--from", str(source)]), source


def test_alias_bomb_is_refused_naming_the_file(workdir, runner, tmp_path):
    assert len(BOMB.encode("utf-8")) < 1024
    result, source = _new(runner, tmp_path, BOMB)
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: {source}: 案件文件不安全, 未读取 (YAML 别名 (*引用) 超过 16 个 (too many aliases))\n"
    )
    assert not list(workdir.cases_dir.rglob("*.yaml"))


def test_alias_bomb_placed_in_cases_does_not_take_down_list(workdir, runner):
    folder = workdir.cases_dir / "2026"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "TS-2026-0001.yaml").write_text("case_no: TS-2026-0001\n" + BOMB, encoding="utf-8")
    result = runner.invoke(cli, ["case", "list", "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert row["status"] == "文件有错误" and "too many aliases" in row["path"]


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (
            "extra: {2026-01-01: x}",
            "extra.2026-01-01: 键应为文本, 请加引号 (keys must be text: '2026-01-01')",
        ),
        (
            "extra: {blob: !!binary aGVsbG8=}",
            "extra.blob: 不支持的 YAML 类型 bytes (!!binary, !!set 等; use plain text, lists and mappings)",
        ),
        (
            "extra: {tags: !!set {a, b}}",
            "extra.tags: 不支持的 YAML 类型 set (!!binary, !!set 等; use plain text, lists and mappings)",
        ),
        ("extra: &loop {self: *loop}", "extra.self: 锚点引用了自身 (self-referencing anchor)"),
    ],
)
def test_values_the_case_cache_cannot_store_are_refused(workdir, runner, tmp_path, extra, problem):
    result, source = _new(runner, tmp_path, HEAD + extra + "\n")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {source}: 案件文件不安全, 未读取 ({problem})\n"
    validate = runner.invoke(cli, ["case", "validate", str(source)])
    assert validate.exit_code == 1 and problem in validate.stderr  # validation and loading agree


def test_tab_in_indentation_names_the_line(workdir, runner, tmp_path):
    result, source = _new(runner, tmp_path, HEAD + "complainant:\n\tname: 李强\n")
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: {source}: 第 6 行: 缩进不能使用 Tab 键, 请改用空格 (tab in indentation)\n"
    )


def test_deeply_nested_json_is_a_clear_error(workdir, runner, tmp_path):
    data = (
        json.dumps(yaml.safe_load(HEAD), ensure_ascii=False)[:-1]
        + ', "extra": {"x": '
        + "[" * 50_000
        + "]" * 50_000
        + "}}"
    )
    result, source = _new(runner, tmp_path, data, "in.json")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {source}: 嵌套超过 32 层 (nested too deeply)\n"


@pytest.mark.parametrize("name", ["in.json", "in.yaml"])
def test_integer_over_4300_digits_is_a_clear_error(workdir, runner, tmp_path, name):
    body = (
        json.dumps(yaml.safe_load(HEAD), ensure_ascii=False)[:-1]
        + ', "extra": {"n": '
        + "9" * 5000
        + "}}"
    )
    result, source = _new(runner, tmp_path, body, name)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {source}: 无法读取的值, 数字过长请加引号作为文本 (Exceeds the limit (4300 digits)"
    )
    assert "Traceback" not in result.output


def test_oversized_case_file_is_refused(workdir, runner, tmp_path):
    result, source = _new(runner, tmp_path, HEAD + "extra:\n  note: " + "长" * 1_000_001 + "\n")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {source}: 文件过大 (more than 1 MB); 案件文件不应这么大\n"


def test_nesting_deeper_than_the_limit_is_refused(workdir, runner, tmp_path):
    deep = "extra: " + "{a: " * 40 + "1" + "}" * 40 + "\n"
    result, source = _new(runner, tmp_path, HEAD + deep)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {source}: 案件文件不安全, 未读取 (extra.a.a.")
    assert result.stderr.endswith(": 嵌套超过 32 层 (nested too deeply))\n")
