"""Every XLSX recordkit writes types its cells (issue 10 item 7): numbers are numbers and
dates are Excel dates with a date format, so Excel sorts and filters them; text is text,
never a formula; an anonymous complainant shows 匿名 in a register."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from audit_setup import DUE, run, work_folder
from openpyxl import Workbook, load_workbook

from recordkit.cases.spreadsheet import append_typed
from recordkit.cli import cli


def test_append_typed_types_every_kind_of_value():
    sheet = Workbook().active
    append_typed(
        sheet, [3, 2.5, date(2026, 3, 2), datetime(2026, 3, 2, 9, 30), "=1+1", "a\x07b", None]
    )
    a, b, c, d, e, f, g = sheet[1]
    assert (a.value, a.data_type, b.value, b.data_type) == (3, "n", 2.5, "n")
    assert c.is_date and c.number_format == "yyyy-mm-dd"
    assert d.is_date and d.number_format == "yyyy-mm-dd hh:mm"
    assert (e.value, e.data_type) == ("=1+1", "s")  # text, not a formula
    assert (f.value, g.value) == ("a\ufffdb", None)


def test_register_xlsx_has_numbers_dates_and_anonymous(workdir, runner, book, sample_case):
    book.add(sample_case)
    anonymous = copy.deepcopy(sample_case)
    anonymous["complainant"] = {"anonymous": True}
    anonymous["content"] = '=HYPERLINK("http://example.com","点我")'
    book.add(anonymous)
    result = runner.invoke(cli, ["register", "--year", "2026", "--xlsx"])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(next((workdir.out_dir / "registers").glob("R01-*.xlsx"))).active
    header = [c.value for c in sheet[1]]
    column = {
        name: header.index(name) for name in ("序号", "日期", "投诉人", "内容摘要", "办结日期")
    }
    first, second = sheet[2], sheet[3]
    assert [first[column["序号"]].value, second[column["序号"]].value] == [1, 2]
    received = first[column["日期"]]
    assert (
        received.value == datetime(2026, 3, 2, 9, 30)
        and received.number_format == "yyyy-mm-dd hh:mm"
    )
    closed = first[column["办结日期"]]
    assert closed.value == datetime(2026, 3, 21) and closed.number_format == "yyyy-mm-dd"
    assert second[column["投诉人"]].value == "匿名"
    summary = second[column["内容摘要"]]
    assert summary.data_type == "s" and summary.value.startswith("=HYPERLINK(")


def test_report_xlsx_as_of_is_a_date(workdir, runner, book, sample_case):
    book.add(sample_case)
    result = runner.invoke(cli, ["report", "monthly", "--month", "2026-03"])
    assert result.exit_code == 0, result.output
    overview = load_workbook(next((workdir.out_dir / "reports").glob("*.xlsx")))["概况"]
    values = {row[0].value: row[1] for row in overview.iter_rows(min_row=2)}
    assert values["统计截至"].is_date and values["统计截至"].number_format == "yyyy-mm-dd hh:mm"
    assert values["接收件数"].value == 1


@pytest.fixture
def archive_work(tmp_path, monkeypatch):
    return work_folder(tmp_path, monkeypatch)


def test_appraisal_and_disposal_lists_have_numbers_and_dates(archive_work, runner, tmp_path):
    sheet_path = tmp_path / "鉴定表.xlsx"
    run(runner, "archive", "due", "--xlsx", str(sheet_path))
    due = load_workbook(sheet_path).active
    assert [due.cell(row=4, column=n).value for n in (1, 4, 6)] == [1, 2015, 2]  # 序号, 年度, 页数
    due_day = due.cell(row=4, column=7)  # 到期日期
    assert due_day.value == datetime(2026, 1, 1) and due_day.number_format == "yyyy-mm-dd"
    result = run(
        runner,
        "archive",
        "dispose",
        "--due",
        "--approver",
        "陈主任",
        "--reason",
        "保管期满",
        "--json",
    )
    data = json.loads(result.output)
    listed = load_workbook(Path(archive_work.archive_dir) / data["list_xlsx"]).active
    assert listed.cell(row=4, column=2).value == DUE[0]
    day = listed.cell(row=4, column=9)  # 日期
    assert (
        day.is_date
        and day.value == datetime.fromisoformat(data["on"])
        and day.number_format == "yyyy-mm-dd"
    )
