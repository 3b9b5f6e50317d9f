"""Issue 14 point 10: the 归档文件目录 tells the truth (DA/T 22-2015): 日期 is the date
the document was formed, not the scan date; 题名 says who, about what and which
document; 责任者 is the organisation and the department."""

from __future__ import annotations

import copy
from datetime import datetime

import pytest
from audit_setup import run, work_folder
from conftest import SAMPLE_CASE
from openpyxl import load_workbook

from recordkit.archive.catalogue_list import describe_document
from recordkit.forms.catalog import Form

DOC = {"archive_no": "Z109-WS·2026-D10-0001", "case_no": "TS-2026-0007", "form_code": "F01",
       "filed_at": "2026-11-30T10:00:00.000+08:00", "numbered_at": "2026-11-30T10:00:00.000+08:00"}  # fmt: skip
ORG = "漳州市示例检验检测中心"


@pytest.fixture
def work(tmp_path, monkeypatch):
    return work_folder(tmp_path, monkeypatch)


def catalogue(runner, tmp_path, year: int) -> dict[str, tuple]:
    bag = tmp_path / f"bag{year}"
    result = run(runner, "archive", "export", "--year", str(year), "--to", str(bag))
    assert result.exit_code == 0, result.output
    book = load_workbook(bag / "data" / f"归档文件目录-{year}.xlsx")
    return {row[1]: row for sheet in book for row in sheet.iter_rows(min_row=4, values_only=True)}


def test_the_catalogue_dates_titles_and_authors_come_from_the_case(work, runner, tmp_path):
    rows = catalogue(runner, tmp_path, 2026)
    closed_f01, open_f01, closed_f03 = (rows[n] for n in (
        "Z109-WS·2026-D10-0001", "Z109-WS·2026-D10-0002", "Z109-WS·2026-D30-0001"))  # fmt: skip
    # 序号 档号 文号 责任者 题名 日期 密级 页数 备注
    assert closed_f01[3] == "漳州市示例检验检测中心质量信息管理科"
    assert closed_f01[4] == "关于漳州某某建材有限公司李强对检验报告 No.2026-0311投诉的处理及反馈表"
    assert closed_f01[5] == datetime(2026, 3, 21)  # closed_at: the form records the whole procedure
    assert closed_f03[4] == "关于漳州某某建材有限公司李强对检验报告 No.2026-0311投诉的登记及处理表"
    assert open_f01[5] == datetime(2026, 3, 3)  # an open case: its last step so far (受理)
    assert closed_f01[8] == "案件 TS-2026-0007"


def test_a_notice_is_dated_by_its_decision_and_a_register_by_receipt():
    data = {"case_no": "TS-2026-0007", **copy.deepcopy(SAMPLE_CASE)}
    notice = Form("F18", "投诉处理结果告知书", "F18.docx", type="notice")
    acceptance = Form("F09", "申诉投诉受理通知书", "F09.docx", type="notice", when="acceptance")
    register = Form("R01", "投诉登记台账", "R01.docx", type="register")
    assert describe_document(DOC, data, notice, ORG).date8 == "20260310"
    assert describe_document(DOC, data, acceptance, ORG).date8 == "20260303"
    assert describe_document(DOC, data, register, ORG).date8 == "20260302"
    data["extra"] = {"submitted_at": "2026-03-01"}  # F08's own 提交日期
    assert (
        describe_document(DOC, data, Form("F08", "申诉、投诉和争议申请表", "F08.docx"), ORG).date8
        == "20260301"
    )


def test_an_anonymous_complaint_and_a_missing_case_file():
    data = {"case_no": "TS-2026-0007", **copy.deepcopy(SAMPLE_CASE)}
    data["complainant"] = {"anonymous": True}
    data["assignment"] = {}
    facts = describe_document(
        DOC, data, Form("F18", "投诉处理结果告知书", "F18.docx", type="notice"), ORG
    )
    assert facts.title == "关于匿名投诉人对检验报告 No.2026-0311投诉的处理结果告知书"
    assert facts.author == ORG
    gone = describe_document(DOC, None, Form("F01", "申诉和投诉处理及反馈表", "F01.docx"), ORG)
    assert (gone.title, gone.date8) == ("TS-2026-0007 申诉和投诉处理及反馈表", "20261130")
