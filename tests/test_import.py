"""Spreadsheet import: columns by key path or label, every bad row named, no duplicates."""

from __future__ import annotations

import csv
import json
from datetime import datetime

from openpyxl import Workbook

from recordkit.cli import cli

HEADER = [
    "类别",
    "接收时间",
    "投诉方式",
    "投诉人",
    "联系电话",
    "投诉内容",
    "调查人员",
    "complainant.address",
    "备注",
]
GOOD = [
    [
        "投诉",
        datetime(2026, 10, 8, 9, 30),
        "电话",
        "王小明",
        13800000000,
        "快递盒破损 & 样品<受潮>",
        "王芳、赵雷",
        "漳州市",
        "老客户",
    ],
    ["申诉", "2026-10-09", "来访", "陈红", "0596-2345678", "对报告结论有异议", "", "厦门市", ""],
]


def write_xlsx(path, rows, header=HEADER):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_import_xlsx_creates_cases(workdir, runner, tmp_path, book):
    path = write_xlsx(tmp_path / "台帐.xlsx", GOOD)
    result = runner.invoke(cli, ["case", "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["created"] == ["TS-2026-0001", "SS-2026-0001"]
    assert out["extra_columns"] == ["备注"]
    first = book.get("TS-2026-0001").data
    assert first["received_at"] == "2026-10-08 09:30"
    assert first["complainant"] == {"name": "王小明", "phone": "13800000000", "address": "漳州市"}
    assert first["content"] == "快递盒破损 & 样品<受潮>"
    assert first["assignment"]["investigators"] == ["王芳", "赵雷"]
    assert first["extra"]["备注"] == "老客户"


def test_import_twice_does_not_duplicate(workdir, runner, tmp_path, book):
    path = write_xlsx(tmp_path / "台帐.xlsx", GOOD)
    runner.invoke(cli, ["case", "import", str(path)])
    result = runner.invoke(cli, ["case", "import", str(path)])
    assert result.exit_code == 0
    assert "导入 0 件, 重复 2 件, 跳过 0 处错误。" in result.stdout
    assert len(book.files()) == 2


def test_bad_rows_reported_and_nothing_written(workdir, runner, tmp_path, book):
    rows = GOOD + [
        ["投诉", "2026-02-30", "电话", "甲", "1", "x", "", "", ""],
        ["投诉", "2026-10-10", "微信", "乙", "2", "y", "", "", ""],
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    result = runner.invoke(cli, ["case", "import", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {path}: 第 4 行, 列 接收时间: 2026-02-30 不是日期 (is not a date)",
        f"{path}: 第 5 行, 列 投诉方式: 微信 不是允许的值 (allowed: 电话 | 来访 | 信函 | 传真 | 电子邮件 | 网上 | 第三方转交 | 满意度调查)",
        f"{path}: 共 2 处错误, 未导入任何案件 (use --skip-bad to import the good rows)",
    ]
    assert book.files() == []


def test_skip_bad_imports_good_rows_and_reports(workdir, runner, tmp_path, book):
    rows = GOOD + [["投诉", "2026-02-30", "电话", "甲", "1", "x", "", "", ""]]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    result = runner.invoke(cli, ["case", "import", str(path), "--skip-bad"])
    assert result.exit_code == 1
    assert "跳过 第 4 行, 列 接收时间: 2026-02-30 不是日期 (is not a date)" in result.stderr
    assert len(book.files()) == 2


def test_missing_required_column(workdir, runner, tmp_path):
    path = write_xlsx(
        tmp_path / "m.xlsx", [["投诉", "电话", "甲"]], header=["类别", "投诉方式", "投诉人"]
    )
    result = runner.invoke(cli, ["case", "import", str(path)])
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: {path}: 缺少必需的列: 接收时间 (received_at)、投诉内容 (content) (missing required column)\n"
    )


def test_csv_saved_by_chinese_excel_in_gbk(workdir, runner, tmp_path, book):
    path = tmp_path / "台帐.csv"
    with open(path, "w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kind", "received_at", "complainant.name", "content"])
        writer.writerow(["意见建议", "2026/10/3", "林芳", "建议增加网上查询"])
    result = runner.invoke(cli, ["case", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert book.get("YJ-2026-0001").data["content"] == "建议增加网上查询"


def test_unsupported_file_type(workdir, runner, tmp_path):
    path = tmp_path / "a.ods"  # .xls now gets its own hint (issue 10, test_import_safety.py)
    path.write_bytes(b"x")
    result = runner.invoke(cli, ["case", "import", str(path)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: 只支持 .xlsx 和 .csv 文件 (only .xlsx and .csv)\n"
