"""Spreadsheet import (issue 10): re-import without duplicates, clear messages, no
tracebacks for damaged or hostile files, and no data lost silently."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile
from datetime import datetime

from test_import import write_xlsx as write_register

from recordkit.cli import cli

BASE_HEADER = ["类别", "接收时间", "投诉内容", "匿名"]
BASE_ROW = ["投诉", datetime(2026, 10, 8, 9, 30), "匿名来电反映报告延误", "是"]
CASE_HEADER = [*BASE_HEADER, "备注"]
CASE_ROW = [*BASE_ROW, "来电未留姓名"]


def write_xlsx(path, header, rows):
    return write_register(path, rows, header=header)


def run_cli_process(*args: str) -> subprocess.CompletedProcess:
    """The real CLI in its own process: object addresses differ from run to run."""
    return subprocess.run(
        [sys.executable, "-c", "from recordkit.cli import main; main()", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


def rewrite_member(path, member, change):
    """Rewrite one part of an xlsx (a damaged or hand-edited file)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def assert_refused(result, book, first_line):
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.splitlines()[0] == first_line
    assert "Traceback" not in result.output
    assert book.files() == []


# --------------------------------------------------------------------------- item 1


def test_reimport_anonymous_complaint_in_new_process_is_duplicate(workdir, runner, tmp_path, book):
    path = write_xlsx(tmp_path / "匿名.xlsx", CASE_HEADER, [CASE_ROW])
    first = run_cli_process("case", "import", str(path))
    assert first.returncode == 0, first.stderr
    second = run_cli_process("case", "import", str(path))
    assert second.returncode == 0, second.stderr
    assert "导入 0 件, 重复 1 件, 跳过 0 处错误。" in second.stdout
    assert len(book.files()) == 1


def test_reimport_incident_without_place_column_is_duplicate(workdir, tmp_path):
    path = write_xlsx(
        tmp_path / "事故.xlsx", ["发生时间", "事故经过"], [["2026-05-08 17:26", "接头脱开漏水"]]
    )
    assert run_cli_process("record", "import", "--type", "质量事故", str(path)).returncode == 0
    second = run_cli_process("record", "import", "--type", "质量事故", str(path))
    assert second.returncode == 0, second.stderr
    assert "导入 0 件, 重复 1 件, 跳过 0 处错误。" in second.stdout
    assert len(list((workdir.root / "records").rglob("SG-*.yaml"))) == 1


# --------------------------------------------------------------------------- item 10


def test_yes_no_cell_asks_for_shi_or_fou(workdir, runner, tmp_path, book):
    path = write_xlsx(tmp_path / "a.xlsx", CASE_HEADER, [[*BASE_ROW[:3], "对", "x"]])
    result = runner.invoke(cli, ["case", "import", str(path)])
    assert_refused(
        result,
        book,
        f"Error: {path}: 第 2 行, 列 匿名: '对' 应为 是 或 否 (yes/no; in a case file: true or false)",
    )


def test_extension_days_reported_once(workdir, runner, tmp_path, book):
    path = write_xlsx(tmp_path / "a.xlsx", [*CASE_HEADER, "延长天数"], [[*CASE_ROW, "十天"]])
    result = runner.invoke(cli, ["case", "import", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {path}: 第 2 行, 列 延长天数: '十天' 应为整数 (must be a whole number)",
        f"{path}: 共 1 处错误, 未导入任何案件 (use --skip-bad to import the good rows)",
    ]


def test_missing_choice_field_lists_allowed_values(workdir, runner, tmp_path):
    path = write_xlsx(
        tmp_path / "capa.xlsx",
        ["提出日期", "措施类型", "不符合事实"],
        [["2026-02-26", None, "记录缺签名"]],
    )
    result = runner.invoke(cli, ["record", "import", "--type", "capa", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"Error: {path}: 第 2 行, 列 措施类型: 必填项为空 (required; allowed: 纠正措施 | 预防措施 | 纠正和预防措施)"
    )


def test_xls_refused_with_save_as_hint(workdir, runner, tmp_path, book):
    path = tmp_path / "台帐.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    result = runner.invoke(cli, ["case", "import", str(path)])
    assert_refused(
        result,
        book,
        f"Error: {path}: 不支持 .xls 格式, 请在 Excel/WPS 中另存为 .xlsx 后再导入 "
        "(old .xls format: save as .xlsx)",
    )


# --------------------------------------------------------------------------- item 21


def test_csv_cell_over_field_limit(workdir, runner, tmp_path, book):
    path = tmp_path / "long.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kind", "received_at", "content"])
        writer.writerow(["投诉", "2026-10-08", "长" * 131_073])
    result = runner.invoke(cli, ["case", "import", str(path)])
    assert_refused(
        result, book, f"Error: {path}: 第 2 行有单元格超过 131072 个字符, 无法导入 (cell too long)"
    )


def test_corrupt_sheet_xml(workdir, runner, tmp_path, book):
    path = write_xlsx(tmp_path / "bad.xlsx", CASE_HEADER, [CASE_ROW])
    rewrite_member(path, "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2])
    result = runner.invoke(cli, ["case", "import", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: 无法读取 Excel 文件, 文件可能已损坏 (")
    assert "Traceback" not in result.output
    assert book.files() == []


def test_xlsx_expanding_too_far_refused_before_reading(workdir, runner, tmp_path, book):
    path = write_xlsx(tmp_path / "bomb.xlsx", CASE_HEADER, [CASE_ROW])
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/padding.xml", "w") as member,
    ):
        chunk = b"a" * (1 << 20)
        for _ in range(257):
            member.write(chunk)
    result = runner.invoke(cli, ["case", "import", str(path)])
    assert_refused(
        result,
        book,
        f"Error: {path}: 解压后超过 256 MB, 拒绝读取 (uncompressed size over limit: "
        "save only the register sheet as a new .xlsx)",
    )


def test_value_and_subkey_columns_conflict(workdir, runner, tmp_path, book):
    for header in (["备注", "备注.说明"], ["备注.说明", "备注"]):
        path = write_xlsx(tmp_path / "c.xlsx", [*BASE_HEADER, *header], [[*BASE_ROW, "甲", "乙"]])
        result = runner.invoke(cli, ["case", "import", str(path)])
        first, second = header
        assert_refused(
            result,
            book,
            f"Error: {path}: 列 {second} 与列 {first} 冲突: 一个字段不能既有值又有子项, "
            "请改列名 (conflicting columns)",
        )


def test_very_deep_dotted_header(workdir, runner, tmp_path, book):
    header = ".".join(["层"] * 5000)
    path = write_xlsx(tmp_path / "deep.xlsx", [*BASE_HEADER, header], [[*BASE_ROW, "甲"]])
    result = runner.invoke(cli, ["case", "import", str(path)])
    assert_refused(
        result,
        book,
        f"Error: {path}: 第 E 列的列名层级过深 (5000 层, 最多 8 层) (header nested too deep)",
    )


# --------------------------------------------------------------------------- item 22


def test_declared_dimension_smaller_than_data(workdir, runner, tmp_path, book):
    rows = [["投诉", f"2026-10-0{n}", f"第 {n} 件", "是", f"备注 {n}"] for n in range(1, 6)]
    path = write_xlsx(tmp_path / "dim.xlsx", CASE_HEADER, rows)
    rewrite_member(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<dimension ref="A1:E6"/>', b'<dimension ref="A1:B2"/>'),
    )
    result = runner.invoke(cli, ["case", "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["created"]) == 5
    assert book.get("TS-2026-0005").data["extra"]["备注"] == "备注 5"


def test_formula_without_cached_value_refused(workdir, runner, tmp_path, book):
    path = write_xlsx(
        tmp_path / "f.xlsx", CASE_HEADER, [CASE_ROW, ["投诉", "2026-10-09", "=C2", "是", "x"]]
    )
    result = runner.invoke(cli, ["case", "import", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"Error: {path}: 第 3 行, 列 投诉内容: 单元格 C3 是公式 (=C2) 但没有保存计算结果, "
        "请在 Excel/WPS 中打开并保存后再导入 (formula without a cached value)"
    )
    assert book.files() == []


def test_duplicate_numbers_in_file_write_nothing(workdir, runner, tmp_path):
    header = ["事故编号", "发生时间", "事故经过"]
    rows = [["SG-2026-0101", "2026-05-08 17:26", "一"], ["SG-2026-0101", "2026-05-09 08:00", "二"]]
    path = write_xlsx(tmp_path / "n.xlsx", header, rows)
    result = runner.invoke(cli, ["record", "import", "--type", "incident", str(path)])
    assert result.exit_code == 1
    assert (
        result.stderr.splitlines()[0]
        == f"Error: {path}: 第 3 行, 列 事故编号: SG-2026-0101 与第 2 行重复 (duplicate number)"
    )
    assert list((workdir.root / "records").rglob("SG-*.yaml")) == []


def test_number_already_taken_reported_before_writing(workdir, runner, tmp_path):
    header = ["事故编号", "发生时间", "事故经过"]
    first = write_xlsx(tmp_path / "one.xlsx", header, [["SG-2026-0101", "2026-05-08 17:26", "一"]])
    assert runner.invoke(cli, ["record", "import", "--type", "incident", str(first)]).exit_code == 0
    rows = [["SG-2026-0102", "2026-05-09 08:00", "二"], ["SG-2026-0101", "2026-05-10 08:00", "三"]]
    path = write_xlsx(tmp_path / "two.xlsx", header, rows)
    result = runner.invoke(cli, ["record", "import", "--type", "incident", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"Error: {path}: 第 3 行, 列 事故编号: SG-2026-0101 已存在 (a record with this number exists)"
    )
    assert len(list((workdir.root / "records").rglob("SG-*.yaml"))) == 1


def test_label_and_key_path_for_one_field_refused(workdir, runner, tmp_path, book):
    path = write_xlsx(
        tmp_path / "d.xlsx", [*BASE_HEADER, "投诉人", "complainant.name"], [[*BASE_ROW, "甲", "乙"]]
    )
    result = runner.invoke(cli, ["case", "import", str(path)])
    assert_refused(
        result,
        book,
        f"Error: {path}: 列 complainant.name 与列 投诉人 是同一字段 complainant.name, "
        "请删去一列 (duplicate column)",
    )


def test_value_in_column_without_header_refused(workdir, runner, tmp_path, book):
    path = write_xlsx(tmp_path / "h.xlsx", BASE_HEADER, [[*BASE_ROW, "无列名的说明"]])
    result = runner.invoke(cli, ["case", "import", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"Error: {path}: 第 2 行, 列 E: 有内容但没有列名, 请填写列名 (value in a column without a header)"
    )
    assert book.files() == []


def test_csv_whole_number_cell_is_an_integer(workdir, runner, tmp_path, book):
    path = tmp_path / "ext.csv"
    path.write_text(
        "kind,received_at,content,complainant.anonymous,extension.days\n投诉,2026-10-08,内容,是,0\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["case", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert book.get("TS-2026-0001").data["extension"]["days"] == 0  # the number, not the text "0"
