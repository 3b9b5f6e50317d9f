"""Statistics reports: every figure of a hand-made fixture checked against a hand count.

The fixture: nine cases received in October 2026 (A–I) and four outside it (J–M), run
through the real `hospital` profile and the real working-day calendar (chinesecalendar:
1–7 October 2026 are the National Day holiday, Saturday 10 October is a make-up
working day). `hospital` has two office steps, both counted from received_at:

* handling — 办理、转办或督办, 2 工作日, done at acceptance.decided_at
* close    — 办结, 书面告知投诉人, 15 工作日, done at reply.replied_at (extension ≤ 30 日)

Working days of October 2026: 8 9 10(Sat) 12–16 19–23 26–30; November: 2–6 9–13 16–20.
The report is taken "as of" Friday 2026-11-13 10:00 (NOW).
"""

from __future__ import annotations

import copy
import json
import warnings
from datetime import date, datetime
from pathlib import Path

import docx
import pytest
from conftest import soffice_missing
from openpyxl import load_workbook
from pypdf import PdfReader

from recordkit.cli import cli
from recordkit.clock.calendar import WorkCalendar
from recordkit.clock.profiles import load_profile
from recordkit.clock.setup import open_casebook
from recordkit.clock.status import case_status
from recordkit.config import init_workdir, load_config
from recordkit.demo.reports import demo_reports
from recordkit.errors import BadValueError, ConfigError
from recordkit.reports.charts import draw_charts
from recordkit.reports.report import write_report
from recordkit.reports.stats import (
    COMPLAINT_RATE,
    NO_VOLUME,
    SATISFACTION,
    TIMELINESS,
    Period,
    Target,
    compute_stats,
    parse_month,
    parse_year,
    pct,
    service_volumes,
    volume_for,
)

NOW = datetime(2026, 11, 13, 10, 0)
OCTOBER = Period(2026, 10)
VOLUME = 80  # [reports] service_volume for 2026-10 in the fixture's recordkit.toml


def _case(case_no: str, kind: str, received: object, **fields: object) -> dict:
    data = {
        "case_no": case_no,
        "kind": kind,
        "received_at": received,
        "complainant": {"name": "测试人"},
        "content": "测试内容",
        "severity": "一般",
    }
    for path, value in fields.items():
        node = data
        *groups, leaf = path.split("__")
        for group in groups:
            node = node.setdefault(group, {})
        node[leaf] = value
    return data


# Dates as YAML gives them (date / datetime objects) and as text: the report takes both.
CASES = [
    # A 投诉, Thu 10-08. handling due 10-10 (9, 10 Sat make-up): decided 10-09 on time.
    #   close due 10-28 (9 10 12 13 14 15 16 19 20 21 22 23 26 27 28): replied 10-20 on time.
    #   -> timely. valid, 满意.
    _case(
        "TS-2026-0101",
        "投诉",
        datetime(2026, 10, 8, 9, 0),
        channel="电话",
        category="质量",
        assignment__department="质量部",
        acceptance__decision="受理",
        acceptance__decided_at="2026-10-09",
        investigation__valid=True,
        reply__replied_at="2026-10-20",
        follow_up__satisfaction="满意",
        closed_at="2026-10-22",
    ),
    # B 投诉, Thu 10-01 (holiday). handling due 10-09 (8, 9): decided 10-09 on time
    #   (Monday–Friday counting would give 10-05 and call it late).
    #   close due 10-27 (8 9 10 12 13 14 15 16 19 20 21 22 23 26 27): replied 10-28 -> 超期完成.
    #   -> not timely. valid, 基本满意.
    _case(
        "TS-2026-0102",
        "投诉",
        "2026-10-01 08:15",
        channel="电子邮件",
        category="服务",
        assignment__department="客户服务部",
        acceptance__decision="受理",
        acceptance__decided_at="2026-10-09",
        investigation__valid=True,
        reply__replied_at="2026-10-28",
        follow_up__satisfaction="基本满意",
        closed_at="2026-10-30",
    ),
    # C 投诉, Fri 10-09, 重大. handling due 10-12 (10 Sat, 12): decided 10-13 -> 超期完成.
    #   close due 10-29: replied 10-23 on time. -> not timely. invalid, 不满意.
    _case(
        "TS-2026-0103",
        "投诉",
        "2026-10-09 15:00",
        channel="电话",
        category="质量",
        severity="重大",
        assignment__department="质量部",
        acceptance__decision="受理",
        acceptance__decided_at="2026-10-13",
        investigation__valid=False,
        reply__replied_at="2026-10-23",
        follow_up__satisfaction="不满意",
        closed_at="2026-10-26",
    ),
    # D 申诉, Mon 10-12. handling due 10-14: decided 10-14 on time. close due 11-02
    #   (13–16 19–23 26–30 2 = 15), extended 10 日 -> 11-12: replied 11-10 on time.
    #   -> timely. valid, 满意.
    _case(
        "SS-2026-0101",
        "申诉",
        date(2026, 10, 12),
        channel="信函",
        category="质量",
        assignment__department="质量部",
        acceptance__decision="受理",
        acceptance__decided_at="2026-10-14",
        extension__days=10,
        investigation__valid=True,
        reply__replied_at="2026-11-10",
        follow_up__satisfaction="满意",
        closed_at="2026-11-12",
    ),
    # E 投诉, Thu 10-15. handling due 10-19: decided 10-16 on time. close due 11-05
    #   (16 19 20 21 22 23 26 27 28 29 30 2 3 4 5): not replied by NOW -> 已超期.
    #   -> not timely. validity not decided, no follow-up.
    _case(
        "TS-2026-0104",
        "投诉",
        "2026-10-15",
        channel="网上",
        category="价格",
        assignment__department="业务部",
        acceptance__decision="受理",
        acceptance__decided_at="2026-10-16",
    ),
    # F 投诉, Mon 10-26. handling due 10-28: decided 10-27 on time. close due 11-16
    #   (27 28 29 30 2 3 4 5 6 9 10 11 12 13 16): not replied, still in time -> 进行中.
    #   -> timeliness not decided yet (left out of 服务及时率).
    _case(
        "TS-2026-0105",
        "投诉",
        "2026-10-26",
        channel="电话",
        category="服务",
        assignment__department="客户服务部",
        acceptance__decision="受理",
        acceptance__decided_at="2026-10-27",
    ),
    # G 意见建议, Tue 10-20, no department. 不予受理 on 10-21 (due 10-22), replied 10-21
    #   (due 11-10): both on time -> timely. validity not decided, no follow-up.
    _case(
        "YJ-2026-0101",
        "意见建议",
        "2026-10-20",
        channel="满意度调查",
        category="其他",
        acceptance__decision="不予受理",
        acceptance__decided_at="2026-10-21",
        reply__replied_at="2026-10-21",
        closed_at="2026-10-21",
    ),
    # H 争议, Fri 10-30, 重大. handling due 11-03: decided 10-30 on time. close due 11-20
    #   (2–6 9–13 16–20): replied 11-12 on time. -> timely. valid, 满意.
    _case(
        "ZY-2026-0101",
        "争议",
        "2026-10-30 11:00",
        channel="来访",
        category="事故",
        severity="重大",
        assignment__department="技术委员会",
        acceptance__decision="受理",
        acceptance__decided_at="2026-10-30",
        investigation__valid=True,
        reply__replied_at="2026-11-12",
        follow_up__satisfaction="满意",
        closed_at="2026-11-12",
    ),
    # I 投诉, Sat 10-31 23:30, nothing recorded yet. handling due 11-03 (2, 3) -> 已超期;
    #   close due 11-20 -> 进行中. -> not timely (a step is already late).
    _case(
        "TS-2026-0106",
        "投诉",
        "2026-10-31 23:30",
        channel="电话",
        category="质量",
        assignment__department="质量部",
    ),
    # Outside October: J (2026-09, a make-up Sunday), K (2025-11, first month of the
    # trend), L (2025-10, just before the trend window), M (2026-11, after the period).
    _case("TS-2026-0100", "投诉", "2026-09-20", channel="电话", category="质量"),
    _case("TS-2025-0101", "投诉", "2025-11-03", channel="电话", category="质量"),
    _case("TS-2025-0100", "投诉", "2025-10-15", channel="电话", category="质量"),
    _case("SS-2026-0102", "申诉", "2026-11-02", channel="信函", category="质量"),
]


def _statuses(cases: list[dict]) -> list:
    profile, calendar = load_profile("hospital"), WorkCalendar()
    return [case_status(c, profile, calendar, NOW) for c in cases]


@pytest.fixture(scope="module")
def october():
    cases = copy.deepcopy(CASES)
    return compute_stats(
        cases,
        _statuses(cases),
        OCTOBER,
        profile=load_profile("hospital"),
        service_volume=VOLUME,
        as_of=NOW,
    )


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A hospital working folder holding the fixture cases, with a service volume for October."""
    root = tmp_path / "office"
    config = init_workdir(root, org_name="漳州市示例医院", profile="hospital")
    text = config.path.read_text(encoding="utf-8")
    text = text.replace(
        "\n[reports]", f'\n[reports]\nservice_volume = {{"2026-10" = {VOLUME}}}\n# ', 1
    )
    config.path.write_text(text, encoding="utf-8")
    config = load_config(config.path)
    book = open_casebook(config)
    for data in copy.deepcopy(CASES):
        book.add(data)
    monkeypatch.chdir(root)
    return config


# --------------------------------------------------------------------------- counts


def test_counts_by_kind_channel_category_severity_department(october):
    assert october.total == 9  # A–I; J, K, L, M are outside October
    assert october.by_kind == {"投诉": 6, "申诉": 1, "争议": 1, "意见建议": 1}  # ABCEFI / D / H / G
    assert october.by_channel == {
        "电话": 4,
        "来访": 1,
        "信函": 1,
        "传真": 0,
        "电子邮件": 1,  # ACFI H D - B
        "网上": 1,
        "第三方转交": 0,
        "满意度调查": 1,
    }  # E - G
    assert october.by_category == {"质量": 4, "服务": 2, "价格": 1, "诚信": 0, "事故": 1, "其他": 1}
    assert october.by_severity == {"一般": 7, "重大": 2}  # C and H are 重大
    # Most frequent first; G has no department.
    assert list(october.by_department.items()) == [
        ("质量部", 4),
        ("客户服务部", 2),
        ("业务部", 1),
        ("技术委员会", 1),
        ("未填写", 1),
    ]
    assert october.acceptance == {
        "受理": 7,
        "不予受理": 1,
        "转办": 0,
        "未决定": 1,
    }  # G 不予受理, I none


def test_closed_open_validity_and_satisfaction(october):
    assert (october.closed, october.open) == (6, 3)  # A B C D G H closed; E F I open
    assert october.open_overdue == 2  # E (close overdue), I (handling overdue); F still in time
    assert october.validity == {"有效": 4, "无效": 1, "未认定": 4}  # ABDH / C / EFGI
    assert october.satisfaction == {
        "满意": 3,
        "基本满意": 1,
        "不满意": 1,
        "未回访": 4,
    }  # ADH / B / C / EFGI


def test_due_dates_follow_the_real_calendar():
    """The dates the on-time figures rest on, as counted by hand in the fixture comments."""
    by_no = {
        s.case_no: {step.key: step for step in s.steps} for s in _statuses(copy.deepcopy(CASES))
    }
    assert by_no["TS-2026-0101"]["handling"].due == date(2026, 10, 10)  # make-up Saturday
    assert by_no["TS-2026-0102"]["handling"].due == date(2026, 10, 9)  # after the holiday
    assert by_no["TS-2026-0102"]["close"].due == date(2026, 10, 27)
    assert by_no["TS-2026-0103"]["handling"].due == date(2026, 10, 12)
    assert by_no["SS-2026-0101"]["close"].original_due == date(2026, 11, 2)
    assert by_no["SS-2026-0101"]["close"].due == date(2026, 11, 12)  # + 10 日 extension
    assert by_no["TS-2026-0104"]["close"].due == date(2026, 11, 5)
    assert by_no["TS-2026-0105"]["close"].due == date(2026, 11, 16)
    assert by_no["TS-2026-0106"]["handling"].due == date(2026, 11, 3)


def test_on_time_rate_per_step(october):
    handling, close = october.steps
    assert handling.key == "handling" and close.key == "close"
    # handling: done A B C D E F G H = 8, on time all but C = 7, late C = 1; I overdue.
    assert (handling.applicable, handling.done, handling.on_time, handling.late) == (9, 8, 7, 1)
    assert (handling.running, handling.overdue) == (0, 1)
    assert handling.rate == 7 / 8 and pct(handling.on_time, handling.done) == "87.5%"
    # close: done A B C D G H = 6, late B = 1; E overdue; F and I running.
    assert (close.applicable, close.done, close.on_time, close.late) == (9, 6, 5, 1)
    assert (close.running, close.overdue) == (2, 1)
    assert pct(close.on_time, close.done) == "83.3%"  # 5/6 = 83.33…


# --------------------------------------------------------------------------- targets


def test_service_targets(october):
    timeliness = october.target(TIMELINESS)
    # timely A D G H = 4; decided: those + B C (done late) + E I (overdue) = 8; F left out.
    assert (timeliness.numerator, timeliness.denominator) == (4, 8)
    assert timeliness.value_text == "50.0%" and timeliness.status == "未达标"
    assert october.timeliness_excluded == 1 and "1 件" in timeliness.note

    satisfaction = october.target(SATISFACTION)
    # (满意 3 + 基本满意 1) ÷ 5 followed up = 80.0% < 85%.
    assert (satisfaction.numerator, satisfaction.denominator) == (4, 5)
    assert satisfaction.value_text == "80.0%" and satisfaction.status == "未达标"

    complaints = october.target(COMPLAINT_RATE)
    # Valid 投诉: A, B = 2 (C is invalid; E F I not decided) ÷ 80 services = 2.5% < 3%.
    assert (complaints.numerator, complaints.denominator) == (2, 80)
    assert complaints.value_text == "2.5%" and complaints.status == "达标"
    assert complaints.note == "另有 3 件投诉尚未认定有效性"


def test_complaint_rate_without_service_volume():
    cases = copy.deepcopy(CASES)
    stats = compute_stats(cases, _statuses(cases), OCTOBER, service_volume=None, volume_note="缺少")
    target = stats.target(COMPLAINT_RATE)
    assert target.value is None and target.status == "无法计算"
    assert target.value_text == NO_VOLUME == "未配置服务总量, 无法计算"


def test_target_edges_are_exact():
    assert Target("t", "x", "", 9, 10, 90.0, True).met is True  # 90.0% ≥ 90%
    assert Target("t", "x", "", 3, 100, 3.0, False).met is False  # 3.0% is not < 3%
    assert Target("t", "x", "", 0, 0, 90.0, True).status == "无法计算"


def test_percentages_round_half_up():
    assert pct(1, 16) == "6.3%"  # 6.25
    assert pct(1, 8) == "12.5%"
    assert pct(2, 3) == "66.7%"
    assert pct(1, 80) == "1.3%"  # 1.25, which float arithmetic would round down
    assert pct(0, 0) == "—"


# --------------------------------------------------------------------------- trend and year


def test_trend_is_the_twelve_months_ending_with_the_period(october):
    expected = {f"2025-{m}": 0 for m in ("11", "12")} | {f"2026-{m:02d}": 0 for m in range(1, 11)}
    expected |= {"2025-11": 1, "2026-09": 1, "2026-10": 9}  # K; J; A–I (L and M fall outside)
    assert dict(october.trend) == expected
    assert [m for m, _ in october.trend] == list(expected)


def test_yearly_statistics():
    cases = copy.deepcopy(CASES)
    volume, note = volume_for(Period(2026), {"2026-10": VOLUME})
    stats = compute_stats(
        cases,
        _statuses(cases),
        Period(2026),
        profile=load_profile("hospital"),
        service_volume=volume,
        volume_note=note,
    )
    assert stats.total == 11  # A–I, J, M
    assert dict(stats.trend) == {
        f"2026-{m:02d}": {9: 1, 10: 9, 11: 1}.get(m, 0) for m in range(1, 13)
    }
    assert stats.by_kind == {"投诉": 7, "申诉": 2, "争议": 1, "意见建议": 1}
    target = stats.target(COMPLAINT_RATE)
    assert target.value_text == "未配置服务总量, 无法计算"
    assert "2026-01" in target.note


def test_service_volume_configuration(office):
    assert service_volumes(office) == {"2026-10": VOLUME}
    assert volume_for(OCTOBER, {"2026-10": 80}) == (80, "")
    months = {f"2026-{m:02d}": 10 for m in range(1, 13)}
    assert volume_for(Period(2026), months) == (120, "")  # a year sums its twelve months
    assert volume_for(Period(2026), {**months, "2026": 150}) == (150, "")
    for bad in ('{"2026-13" = 5}', '{"2026-10" = 0}', '{"2026-10" = "很多"}', "12"):
        text = office.path.read_text(encoding="utf-8").replace(f'{{"2026-10" = {VOLUME}}}', bad)
        office.path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=r"\[reports\] service_volume"):
            service_volumes(load_config(office.path))
        office.path.write_text(text.replace(bad, f'{{"2026-10" = {VOLUME}}}'), encoding="utf-8")


def test_parse_period():
    assert parse_month("2026-10") == Period(2026, 10)
    assert parse_month("2026-1").key == "2026-01"
    assert parse_year("2026") == Period(2026)
    assert Period(2026, 2).last_day == date(2026, 2, 28)
    for bad in ("2026-13", "2026-00", "202610", "10-2026", ""):
        with pytest.raises(BadValueError, match="不是有效的月份"):
            parse_month(bad)
    with pytest.raises(BadValueError, match="不是有效的年份"):
        parse_year("26")


# --------------------------------------------------------------------------- files


def _table_rows(document: docx.document.Document, header: list[str]) -> list[list[str]]:
    for table in document.tables:
        rows = [[c.text for c in row.cells] for row in table.rows]
        if rows[0] == header:
            return rows[1:]
    raise AssertionError(f"no table with header {header}")


def test_word_report(office):
    result = write_report(office, OCTOBER, now=NOW)
    assert result.docx == office.out_dir / "reports" / "投诉统计月报-2026-10.docx"
    assert result.problems == []
    document = docx.Document(str(result.docx))
    texts = [p.text for p in document.paragraphs]
    assert "漳州市示例医院 投诉处理统计月报 (2026年10月)" in texts

    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert (
        fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "宋体"
    )

    assert len(document.inline_shapes) == 4  # channel, category, steps, trend charts
    descriptions = [s._inline.docPr.get("descr") for s in document.inline_shapes]
    assert (
        descriptions[1]
        == "柱状图, 各分类的件数: 质量 4、服务 2、价格 1、诚信 0、事故 1、其他 1 (合计 9 件)"
    )

    assert _table_rows(document, ["指标", "目标", "分子 / 分母", "实际值", "结论"]) == [
        ["服务及时率", "≥ 90%", "4 / 8", "50.0%", "未达标"],
        ["用户满意程度", "≥ 85%", "4 / 5", "80.0%", "未达标"],
        ["用户抱怨率", "< 3%", "2 / 80", "2.5%", "达标"],
    ]
    assert _table_rows(document, ["类别", "件数", "占比"]) == [
        ["投诉", "6", "66.7%"],
        ["申诉", "1", "11.1%"],
        ["争议", "1", "11.1%"],
        ["意见建议", "1", "11.1%"],
        ["合计", "9", "100.0%"],
    ]
    assert _table_rows(document, ["分类", "件数", "占比"])[0] == ["质量", "4", "44.4%"]
    assert _table_rows(document, ["严重程度", "件数", "占比"])[:2] == [
        ["一般", "7", "77.8%"],
        ["重大", "2", "22.2%"],
    ]
    assert _table_rows(document, ["责任部门 (分办)", "件数", "占比"])[0] == ["质量部", "4", "44.4%"]
    assert _table_rows(
        document,
        ["步骤", "时限", "适用", "已完成", "按期", "超期完成", "按期率", "办理中", "已超期"],
    ) == [
        ["办理、转办或督办", "2 工作日", "9", "8", "7", "1", "87.5%", "0", "1"],
        ["办结, 书面告知投诉人", "15 工作日", "9", "6", "5", "1", "83.3%", "2", "1"],
    ]
    assert _table_rows(document, ["认定结果", "件数", "占比"])[:3] == [
        ["有效", "4", "44.4%"],
        ["无效", "1", "11.1%"],
        ["未认定", "4", "44.4%"],
    ]
    assert _table_rows(document, ["回访满意度", "件数", "占比"])[:4] == [
        ["满意", "3", "33.3%"],
        ["基本满意", "1", "11.1%"],
        ["不满意", "1", "11.1%"],
        ["未回访", "4", "44.4%"],
    ]
    trend = _table_rows(document, ["月份", "接收件数"])
    assert (
        trend[0] == ["2025-11", "1"]
        and trend[-2] == ["2026-10", "9"]
        and trend[-1] == ["合计", "11"]
    )


def test_excel_has_the_same_numbers(office):
    result = write_report(office, OCTOBER, now=NOW)
    assert result.xlsx.name == "投诉统计月报-2026-10.xlsx"
    book = load_workbook(result.xlsx)

    def rows(name: str) -> list[tuple]:
        return [tuple(r) for r in book[name].iter_rows(min_row=2, values_only=True)]

    assert rows("类别") == [
        ("投诉", 6, 6 / 9),
        ("申诉", 1, 1 / 9),
        ("争议", 1, 1 / 9),
        ("意见建议", 1, 1 / 9),
        ("合计", 9, 1),
    ]
    assert dict((r[0], r[1]) for r in rows("投诉方式"))["电话"] == 4
    assert dict((r[0], r[1]) for r in rows("责任部门"))["未填写"] == 1
    assert [r[:5] for r in rows("服务目标")] == [
        ("服务及时率", "≥ 90%", 4, 8, 0.5),
        ("用户满意程度", "≥ 85%", 4, 5, 0.8),
        ("用户抱怨率", "< 3%", 2, 80, 0.025),
    ]
    assert [r[5] for r in rows("服务目标")] == ["未达标", "未达标", "达标"]
    assert [r[:9] for r in rows("处理时效")] == [
        ("办理、转办或督办", "2 工作日", 9, 8, 7, 1, 0.875, 0, 1),
        ("办结, 书面告知投诉人", "15 工作日", 9, 6, 5, 1, 5 / 6, 2, 1),
    ]
    assert dict(rows("月度趋势")) == dict(result.stats.trend)
    assert dict((r[0], r[1]) for r in rows("满意度")) == {
        "满意": 3,
        "基本满意": 1,
        "不满意": 1,
        "未回访": 4,
        "合计": 9,
    }
    assert book["处理时效"]["G2"].number_format == "0.0%"


def test_a_broken_case_file_is_reported_not_counted(office):
    bad = office.cases_dir / "2026" / "TS-2026-0199.yaml"
    bad.write_text(
        "case_no: TS-2026-0199\nkind: 投诉\nreceived_at: 2026-10-32\ncontent: x\n", encoding="utf-8"
    )
    result = write_report(office, OCTOBER, now=NOW)
    assert result.stats.total == 9
    assert len(result.problems) == 1 and "TS-2026-0199.yaml" in result.problems[0]
    assert "TS-2026-0199.yaml" in "\n".join(
        p.text for p in docx.Document(str(result.docx)).paragraphs
    )


# --------------------------------------------------------------------------- charts


def test_chart_labels_render_with_cjk_glyphs(tmp_path, october):
    from matplotlib import font_manager
    from matplotlib.figure import Figure
    from matplotlib.ft2font import FT2Font

    from recordkit.fonts import cjk_font_path, matplotlib_font

    family = matplotlib_font()
    resolved = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    assert Path(resolved).resolve() == cjk_font_path().resolve()
    font = FT2Font(str(cjk_font_path()))
    for text in (
        "投诉方式",
        "按分类统计 (2026年10月)",
        "办结, 书面告知投诉人",
        "满意度调查",
        "件数",
    ):
        assert all(font.get_char_index(ord(ch)) != 0 for ch in text if not ch.isspace()), text

    charts, problems = draw_charts(october, tmp_path)
    assert problems == []  # matplotlib found a glyph for every character it drew
    assert [c.path.name for c in charts] == [
        "1-channel.png",
        "2-category.png",
        "3-steps.png",
        "4-trend.png",
    ]
    from PIL import Image

    with Image.open(charts[1].path) as image:
        assert image.info["dpi"][0] == pytest.approx(200, abs=1)

    # Control: without the CJK font, matplotlib warns that the glyphs are missing (tofu),
    # which is exactly what draw_charts checks for.
    figure = Figure()
    figure.text(0.5, 0.5, "投诉", family="DejaVu Sans")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(tmp_path / "tofu.png")
    assert any("missing from font" in str(w.message) for w in caught)


# --------------------------------------------------------------------------- CLI and demo


def test_cli_monthly_json(office, runner):
    result = runner.invoke(cli, ["report", "monthly", "--month", "2026-10", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["docx"].endswith("投诉统计月报-2026-10.docx") and Path(data["xlsx"]).is_file()
    stats = data["stats"]
    # Only figures that do not depend on today's date (the CLI reports as of now).
    assert stats["total"] == 9 and stats["by_kind"]["投诉"] == 6
    assert stats["satisfaction"] == {"满意": 3, "基本满意": 1, "不满意": 1, "未回访": 4}
    rate = next(t for t in stats["targets"] if t["key"] == "complaint_rate")
    assert (rate["numerator"], rate["denominator"], rate["status"]) == (2, 80, "达标")


def test_cli_text_and_yearly(office, runner):
    result = runner.invoke(cli, ["report", "yearly", "--year", "2026"])
    assert result.exit_code == 0, result.output
    assert "out/reports/投诉统计年报-2026.docx" in result.output.replace("\\", "/")
    assert "2026年: 接收 11 件" in result.output
    assert "用户抱怨率 未配置服务总量, 无法计算" in result.output


def test_cli_bad_month_is_a_bad_value(office, runner):
    result = runner.invoke(cli, ["report", "monthly", "--month", "2026-13"])
    assert result.exit_code == 1  # a bad value exits 1 (issue 10 item 11)
    assert (
        result.output.strip()
        == 'Error: --month: "2026-13" 不是有效的月份 (use YYYY-MM, e.g. 2026-10)'
    )
    result = runner.invoke(cli, ["report", "yearly", "--year", "二〇二六"])
    assert result.exit_code == 1 and "不是有效的年份" in result.output


def test_demo_step_writes_the_busiest_month(office, monkeypatch):
    monkeypatch.setenv("RECORDKIT_SOFFICE", str(office.root / "no-soffice"))  # keep it quick
    lines: list[str] = []
    result = demo_reports(office, lines.append)
    assert result.stats.period == OCTOBER  # 9 of the fixture's cases
    assert result.docx.is_file() and result.pdf is None
    output = "\n".join(lines)
    assert "2026年10月: 接收 9 件" in output and "2-category.png: 柱状图" in output


# --------------------------------------------------------------------------- PDF (real LibreOffice)


def _font_dicts(reader: PdfReader):
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font")
        if fonts is None:
            continue
        for ref in fonts.get_object().values():
            yield ref.get_object()


def _embedded(font) -> bool:
    if font["/Subtype"] == "/Type3":
        return True  # glyphs drawn by content streams inside the PDF
    if font["/Subtype"] == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font["/FontDescriptor"].get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


@pytest.mark.skipif(soffice_missing() is not None, reason=soffice_missing() or "")
def test_pdf_has_the_title_and_embeds_every_font(office):
    result = write_report(office, OCTOBER, pdf=True, now=NOW)
    assert result.pdf == office.out_dir / "reports" / "投诉统计月报-2026-10.pdf"
    reader = PdfReader(result.pdf)
    text = "".join(page.extract_text() or "" for page in reader.pages).replace(" ", "")
    assert "投诉处理统计月报(2026年10月)" in text
    assert "服务及时率" in text and "50.0%" in text
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(width - 595) < 3 and abs(height - 842) < 3
    fonts = list(_font_dicts(reader))
    assert fonts
    missing = [str(f.get("/BaseFont")) for f in fonts if not _embedded(f)]
    assert missing == []
