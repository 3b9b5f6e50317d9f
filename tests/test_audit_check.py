"""`archive check`: 件号 continuity, the 四性检测 summary, completeness per case, overdue cases."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from audit_setup import run, work_folder, write_case
from index_db import connect_index

from recordkit.archive.audit import default_required, number_ranges, required_forms
from recordkit.archive.service import Archive
from recordkit.config import load_config
from recordkit.errors import ConfigError


@pytest.fixture
def work(tmp_path, monkeypatch):
    return work_folder(tmp_path, monkeypatch)


def sql(config, statement, *args):
    conn = connect_index(config)
    conn.execute(statement, args)
    conn.commit()
    conn.close()


def add_config(config, text):
    config.path.write_text(config.path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")
    return load_config(config.path)


def check(config, now=datetime(2026, 11, 21, 10, 0)):
    with Archive(config, now=lambda: now) as archive:
        return archive.check()


def test_sequences_are_continuous_after_ingest(work):
    report = check(work)
    assert [(s.label, s.count, s.last, s.ok) for s in report.sequences] == [
        ("2015-D10", 2, 2, True), ("2015-D30", 2, 2, True), ("2026-D10", 2, 2, True), ("2026-D30", 1, 1, True),
    ]  # fmt: skip


def test_a_gap_made_by_hand_is_named(work, runner):
    sql(work, "DELETE FROM doc_text WHERE archive_no = ?", "Z109-WS·2026-D10-0001")
    sql(work, "DELETE FROM documents WHERE archive_no = ?", "Z109-WS·2026-D10-0001")
    result = run(runner, "archive", "check")
    assert result.exit_code == 1
    assert "件号不连续 2026-D10: 缺 0001 (共 1 件, 最大件号 0002)" in result.output


def test_a_renumbered_row_shows_as_a_gap_and_a_mismatch(work):
    sql(work, "UPDATE documents SET item_no = 5 WHERE archive_no = ?", "Z109-WS·2026-D10-0002")
    (seq,) = [s for s in check(work).sequences if s.label == "2026-D10"]
    assert seq.gaps == [2, 3, 4]
    assert seq.mismatched == ["Z109-WS·2026-D10-0002"]


def test_number_ranges():
    assert number_ranges([1, 3, 4, 5, 9]) == "0001, 0003–0005, 0009"
    assert number_ranges([]) == ""


def test_four_properties_summary_counts_every_check(work, runner):
    result = run(runner, "archive", "check", "--json")
    data = json.loads(result.output)
    by_name = {(r["category"], r["name"], r["result"]): r["n"] for r in data["checks"]}
    assert by_name[("真实性", "固化信息", "pass")] == 7
    assert by_name[("完整性", "件号连续", "pass")] == 7
    assert data["failed_checks"] == []
    assert data["intake_outcomes"] == {"filed": 7}


def test_failing_checks_list_the_documents(work, runner):
    sql(work, "UPDATE checks SET result = 'fail', detail = '无法生成利用副本' WHERE name = '利用副本' AND intake_id = "
              "(SELECT intake_id FROM documents WHERE archive_no = ?)", "Z109-WS·2026-D30-0001")  # fmt: skip
    result = run(runner, "archive", "check")
    assert result.exit_code == 1
    assert (
        "检测不通过 Z109-WS·2026-D30-0001 (TS-2026-0007 F03): 可用性/利用副本: 无法生成利用副本"
        in result.output
    )
    # issue 14 point 12: the wider 检查项 column (长期保存格式) and the 无 / 未执行 columns
    assert "可用性    利用副本      6     0     1       0   0" in result.output


def test_a_closed_lab_complaint_needs_its_f03_and_f18(work):
    report = check(work)
    assert [(c.case_no, c.missing, c.filed) for c in report.incomplete] == [
        ("TS-2026-0007", ("F18 投诉处理结果告知书",), ("F01", "F03")),
    ]
    assert report.required.to_dict() == {"profile": "lab", "closed": ["F03", "F18", "F19"], "open": [],
                                         "origin": "内置默认"}  # fmt: skip
    # open cases are not held to the closed-case rule; 2015 cases have F03 and F18
    assert report.cases_checked == 4


def test_forms_apply_by_kind_and_when(work):
    # a 意见建议 needs neither F03 nor F18 (the catalog's kinds); an extension needs F19
    write_case(work.root, "YJ-2026-0001", 2026, closed=True, kind="意见建议")
    write_case(
        work.root,
        "TS-2015-0002",
        2015,
        closed=True,
        extension={
            "days": 10,
            "reason": "需补充检测",
            "approved_by": "陈某",
            "notified_at": "2026-03-12",
        },
    )
    report = check(work)
    missing = {c.case_no: c.missing for c in report.incomplete}
    assert "YJ-2026-0001" not in missing
    assert missing["TS-2015-0002"] == ("F19 延期办理告知书",)


def test_rules_are_configurable_per_profile(work):
    report = check(
        add_config(work, '[archive.required]\nlab = ["F01|F03", "F18"]\ndefault = ["F01"]\n')
    )
    assert report.required.origin == "recordkit.toml [archive.required] lab"
    assert [(c.case_no, c.missing) for c in report.incomplete] == [
        ("TS-2026-0007", ("F18 投诉处理结果告知书",))
    ]


def test_open_cases_can_be_required_to_have_forms(work):
    report = check(add_config(work, '[archive.required.lab]\nclosed = ["F18"]\nopen = ["F03"]\n'))
    assert {c.case_no: c.missing for c in report.incomplete} == {
        "TS-2026-0007": ("F18 投诉处理结果告知书",),
        "TS-2026-0008": ("F03 投诉(申诉)登记及处理表",),
    }


def test_an_unknown_form_in_the_rules_is_a_config_error(work, runner):
    add_config(work, '[archive.required]\nlab = ["F03", "F77"]\n')
    result = run(runner, "archive", "check")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "[archive.required] lab: 表单目录中没有 F77 (unknown form code)\n"
    )


def test_default_rules_per_profile():
    assert default_required("certification").closed == (("F08",), ("F09",), ("F18",), ("F19",))
    assert default_required("hospital").closed == (("F01",), ("F18",), ("F19",))
    assert default_required("不存在的").closed == (("F01",), ("F18",), ("F19",))


def test_default_rules_skip_forms_the_catalog_lacks(work):
    with Archive(work) as archive:
        catalog = archive.catalog()
    del catalog.forms["F19"]
    assert required_forms(work, catalog).closed == (("F03",), ("F18",))


def test_overdue_cases_are_listed(work):
    report = check(work, now=datetime(2026, 11, 21, 10, 0))
    assert [(o.case_no, o.step, o.due) for o in report.overdue] == [
        ("TS-2026-0008", "组织分析原因, 处理意见报质量负责人批准", "2026-03-09"),
        # Issue 14 point 5: the lab profile now has a written-reply deadline (10 工作日).
        ("TS-2026-0008", "书面答复客户", "2026-03-16"),
    ]
    early = check(work, now=datetime(2026, 3, 3, 10, 0))
    assert early.overdue == []


def test_without_a_clock_the_due_dates_are_skipped_with_a_note(work, runner):
    text = work.path.read_text(encoding="utf-8")
    work.path.write_text(
        text.replace('profile = "lab"', 'profile = "profiles/没有这个.yaml"'), encoding="utf-8"
    )
    report = check(load_config(work.path))
    assert report.overdue == []
    assert report.clock_note.startswith("未检查办理期限: 程序时限配置无法加载")


def test_year_limits_cases_and_documents(work, runner):
    result = run(runner, "archive", "check", "--year", "2015", "--json")
    data = json.loads(result.output)
    assert [s["label"] for s in data["sequences"]] == ["2015-D10", "2015-D30"]
    assert data["cases_checked"] == 2
    assert data["incomplete_cases"] == [] and data["ok"] is True
    assert result.exit_code == 0


def test_a_malformed_rule_is_a_config_error(work):
    config = add_config(work, '[archive.required]\nlab = "F03"\n')
    with pytest.raises(ConfigError, match="lab: 应为表单编号列表, 或含 closed / open 两个列表的表"):
        required_forms(config, None)


def test_demo_audit_prints_short_summaries(work):
    from recordkit.demo.audit import demo_audit

    lines: list[str] = []
    tables: list[list[str]] = []
    verified, checked = demo_audit(
        work, lambda text="": lines.append(text), lambda headers, rows: tables.append(headers)
    )
    assert verified.ok and not checked.ok
    assert any(line.strip().startswith("校验通过: 7 件原件") for line in lines)
    assert any("案件文件不齐 TS-2026-0007" in line for line in lines)
    assert tables[0][0] == "年度" and tables[1][0] == "四性检测"
