"""Issue 14, points 1, 2 and 4: the process rules an assessor checks, enforced by validation.

1. Impartiality (seeds 000/001 回避, ISO/IEC 17025 §7.9.6): the person complained about
   may not handle, investigate, approve, visit or review the case.
2. No closure while the complainant is dissatisfied (seed 002 第五条 不服 → 重新核实).
3. (point 4) CAPA links: the CAPA named exists; a valid complaint closes only with a
   verified CAPA or a recorded reason for none; the archive then requires F26.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from conftest import SAMPLE_CASE, sample_for

from recordkit.cases.impartiality import names_person
from recordkit.cli import cli

CASE_FILE = "cases/2026/TS-2026-0007.yaml"


def write_case(root: Path, data: dict, case_no: str = "TS-2026-0007") -> Path:
    path = root / "cases" / "2026" / f"{case_no}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        yaml.safe_dump({"case_no": case_no, **data}, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return path


def write_capa(root: Path, number: str = "CA-2026-001", **changes) -> Path:
    data = {"record_no": number, **sample_for("capa"), **changes}
    path = root / "records" / "capa" / "2026" / f"{number}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def validate(runner, *paths: str):
    return runner.invoke(cli, ["case", "validate", *paths])


def status(runner, case_no: str = "TS-2026-0007") -> dict:
    result = runner.invoke(cli, ["case", "status", case_no, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)[0]


# --------------------------------------------------------------------------- point 1


def respondent_acts(case: dict) -> dict:
    case["respondent"] = "检测二室 刘某"
    case["assignment"] = {
        "department": "质量信息管理科",
        "handler": "刘某",
        "investigators": ["刘某", "赵雷"],
    }
    case["resolution"]["approved_by"] = "刘某"
    case["follow_up"]["by"] = "刘某"
    return case


def test_the_person_complained_about_may_not_act(workdir, runner, sample_case):
    write_case(workdir.root, respondent_acts(sample_case))
    result = validate(runner)
    assert result.exit_code == 1
    why = "刘某 是被投诉对象 (respondent 被投诉对象: 检测二室 刘某), 应当回避, 不能担任此角色 (the person complained about must not act on the case)"
    for key, label in (
        ("assignment.handler", "处理人"),
        ("assignment.investigators", "调查人员"),
        ("resolution.approved_by", "批准人"),
        ("follow_up.by", "回访人"),
    ):
        assert f"{CASE_FILE}: {key} ({label}): {why}" in result.stderr, key
    assert "已校验 1 个文件, 1 个有错误。" in result.stdout


def test_the_same_people_listed_as_recused_give_the_same_errors(workdir, runner, sample_case):
    case = respondent_acts(sample_case)
    case["respondent"] = "检测二室"
    case["assignment"]["recused"] = ["刘某"]
    write_case(workdir.root, case)
    result = validate(runner)
    assert result.exit_code == 1
    assert result.stderr.count("刘某 属于回避人员 (assignment.recused), 不能担任此角色") == 4
    assert f"{CASE_FILE}: follow_up.by (回访人): 刘某 属于回避人员" in result.stderr


def test_a_reviewer_complained_about_is_refused(workdir, runner, sample_case):
    sample_case["respondent"] = "检测二室 刘某"
    sample_case["review"] = {
        "method": "复核",
        "by": "刘某",
        "decision": "维持",
        "decided_at": "2026-03-20",
    }
    write_case(workdir.root, sample_case)
    result = validate(runner)
    assert result.exit_code == 1
    assert f"{CASE_FILE}: review.by (复核人): 刘某 是被投诉对象" in result.stderr


def test_case_new_refuses_the_respondent_as_handler(workdir, runner, sample_case, tmp_path):
    source = tmp_path / "new.yaml"
    source.write_text(
        yaml.safe_dump(respondent_acts(sample_case), allow_unicode=True), encoding="utf-8"
    )
    result = runner.invoke(cli, ["case", "new", "--from", str(source)])
    assert result.exit_code == 1
    assert "assignment.handler (处理人): 刘某 是被投诉对象" in result.stderr
    assert not list((workdir.root / "cases").rglob("*.yaml"))


@pytest.mark.parametrize(
    ("respondent", "person", "named"),
    [
        ("检测二室 刘某", "刘某", True),
        ("检测二室刘某", "刘某", True),  # no space: a department in front
        ("销售部（销售顾问叶俊峰）", "叶俊峰", True),  # a title in front, inside brackets
        ("检测二室 刘某等", "刘某", True),  # a plural word after the name
        ("检测二室、刘某、赵某", "赵某", True),
        ("检测二室 刘某某", "刘某", False),  # another, longer name
        ("张明华", "张明", False),
        ("检测二室", "检测二室", True),  # a department acting on itself, named alike
        ("检测二室 刘某", "刘", False),  # one character never matches
        ("", "刘某", False),
    ],
)
def test_how_a_person_is_found_in_the_respondent_text(respondent, person, named):
    assert names_person(respondent, person) is named


def test_the_sample_case_stays_valid(workdir, runner, sample_case):
    write_case(workdir.root, sample_case)
    result = validate(runner)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


# --------------------------------------------------------------------------- point 2


def dissatisfied(case: dict) -> dict:
    case["follow_up"]["satisfaction"] = "不满意"
    case["follow_up"]["opinion"] = "不认可, 要求重新核实"
    return case


REVIEW = {
    "method": "重新核实",
    "requested_at": "2026-03-20",
    "by": "质量负责人 陈某",
    "findings": "留样复检一致。",
    "decision": "维持原处理意见",
    "decided_at": "2026-03-21",
}


def test_a_dissatisfied_closure_without_review_warns_and_stays_open(workdir, runner, sample_case):
    write_case(workdir.root, dissatisfied(sample_case))
    result = validate(runner)
    assert result.exit_code == 0, result.output
    assert (
        f"警告: {CASE_FILE}: closed_at (办结日期): 回访满意度为不满意, 未记录复核或重新核实及其决定 "
        "(缺 review.method (复核方式), review.decision (复核决定), review.decided_at (复核决定日期)), "
        "不算办结 (dissatisfied complainant: record the review and its decision before closing)"
    ) in result.stderr
    assert "已校验 1 个文件, 0 个有错误, 1 条警告 (未满足办结条件)。" in result.stdout
    shown = status(runner)
    assert shown["is_open"] is True and shown["closure_unmet"]
    text = runner.invoke(cli, ["case", "status", "TS-2026-0007"]).stdout
    assert "办理中 (已填办结日期, 但未满足办结条件)" in text
    assert "未满足办结条件: closed_at (办结日期): 回访满意度为不满意" in text
    listed = runner.invoke(cli, ["case", "list", "--open", "--json"])
    assert [(row["case_no"], row["status"]) for row in json.loads(listed.stdout)] == [
        ("TS-2026-0007", "办理中 (未满足办结条件)")
    ]


def test_a_review_and_its_decision_close_the_case(workdir, runner, sample_case):
    case = dissatisfied(sample_case)
    case["review"] = dict(REVIEW)
    write_case(workdir.root, case)
    result = validate(runner)
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert status(runner)["is_open"] is False
    assert (
        "TS-2026-0007  [lab]  已办结"
        in runner.invoke(cli, ["case", "status", "TS-2026-0007"]).stdout
    )


def test_a_review_without_decision_still_warns(workdir, runner, sample_case):
    case = dissatisfied(sample_case)
    case["review"] = {"method": "复核", "requested_at": "2026-03-20"}
    write_case(workdir.root, case)
    result = validate(runner)
    assert "(缺 review.decision (复核决定), review.decided_at (复核决定日期))" in result.stderr
    assert status(runner)["is_open"] is True


def test_review_fields_are_validated(workdir, runner, sample_case):
    case = dissatisfied(sample_case)
    case["review"] = {**REVIEW, "method": "申诉", "decided_at": "2026-03-19"}
    write_case(workdir.root, case)
    result = validate(runner)
    assert result.exit_code == 1
    assert (
        f"{CASE_FILE}: review.method (复核方式): 申诉 不是允许的值 (allowed: 复核 | 重新核实)"
        in result.stderr
    )
    assert (
        f"{CASE_FILE}: review.decided_at (复核决定日期): 2026-03-19 早于复核提出日期 2026-03-20 "
        "(before review.requested_at); 复核决定在提出复核之后"
    ) in result.stderr


# --------------------------------------------------------------------------- point 4


def valid_complaint(case: dict, **resolution) -> dict:
    case["investigation"]["valid"] = True
    case["resolution"].update(resolution)
    return case


def test_a_capa_number_that_does_not_exist_is_an_error(workdir, runner, sample_case):
    write_case(workdir.root, valid_complaint(sample_case, corrective_action_no="CA-2026-999"))
    result = validate(runner)
    assert result.exit_code == 1
    assert (
        f"{CASE_FILE}: resolution.corrective_action_no (纠正措施编号): 找不到纠正和预防措施记录 CA-2026-999 "
        "(no CAPA record with this number; 先用 recordkit record new --type capa 登记)"
    ) in result.stderr
    listed = runner.invoke(cli, ["case", "list", "--json"])
    assert json.loads(listed.stdout)[0]["status"] == "文件有错误"


def test_case_new_refuses_a_missing_capa(workdir, runner, sample_case, tmp_path):
    source = tmp_path / "new.yaml"
    source.write_text(
        yaml.safe_dump(
            valid_complaint(sample_case, corrective_action_no="CA-2026-999"), allow_unicode=True
        ),
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["case", "new", "--from", str(source)])
    assert result.exit_code == 1 and "找不到纠正和预防措施记录 CA-2026-999" in result.stderr


def test_a_verified_capa_closes_a_valid_complaint(workdir, runner, sample_case):
    write_capa(workdir.root, source_case="TS-2026-0007")
    write_case(workdir.root, valid_complaint(sample_case, corrective_action_no="CA-2026-001"))
    result = validate(runner)
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert status(runner)["is_open"] is False


def test_a_capa_of_another_case_is_an_error(workdir, runner, sample_case):
    write_case(workdir.root, copy.deepcopy(SAMPLE_CASE), case_no="TS-2026-0001")
    write_capa(workdir.root, source_case="TS-2026-0001")
    write_case(workdir.root, valid_complaint(sample_case, corrective_action_no="CA-2026-001"))
    result = validate(runner, CASE_FILE)
    assert result.exit_code == 1
    assert (
        f"{CASE_FILE}: resolution.corrective_action_no (纠正措施编号): 纠正和预防措施 CA-2026-001 的投诉编号 "
        "(source_case) 是 TS-2026-0001, 不是本案件 TS-2026-0007"
    ) in result.stderr


def test_an_unverified_capa_leaves_the_case_open(workdir, runner, sample_case):
    capa = sample_for("capa")
    capa["verification"] = {"by": "吴志诚"}
    capa.pop("closed_at")
    write_capa(workdir.root, source_case="TS-2026-0007", verification=capa["verification"])
    write_case(workdir.root, valid_complaint(sample_case, corrective_action_no="CA-2026-001"))
    result = validate(runner)
    assert result.exit_code == 0
    assert (
        f"警告: {CASE_FILE}: resolution.corrective_action_no (纠正措施编号): 纠正措施 CA-2026-001 尚未验证有效 "
        "(verification.result 验证结论: 未填写); 不算办结 (the linked CAPA is not verified yet)"
    ) in result.stderr
    assert status(runner)["is_open"] is True


def test_a_valid_complaint_closed_without_capa_or_reason_warns(workdir, runner, sample_case):
    write_case(workdir.root, valid_complaint(sample_case))
    result = validate(runner)
    assert result.exit_code == 0
    assert (
        f"警告: {CASE_FILE}: resolution.corrective_action_no (纠正措施编号): 有效投诉办结须关联已验证的纠正措施 (F26), "
        "或在 resolution.no_capa_reason (不采取纠正措施理由) 中写明理由; 不算办结"
    ) in result.stderr
    assert status(runner)["is_open"] is True


def test_a_recorded_reason_for_no_capa_closes_the_case(workdir, runner, sample_case):
    write_case(
        workdir.root,
        valid_complaint(sample_case, no_capa_reason="个人差错, 已按奖惩条例处理, 体系无缺陷"),
    )
    result = validate(runner)
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert status(runner)["is_open"] is False


# --------------------------------------------------------------------------- the demo's samples


def test_the_demo_samples_show_each_rule(workdir):
    from recordkit.demo.compliance import SAMPLES, rule_outcome

    outcomes = {p.stem: rule_outcome(workdir, p) for p in sorted(SAMPLES.glob("*.yaml"))}
    assert {name: outcome for name, (outcome, _notes) in outcomes.items()} == {
        "1-被投诉人担任处理人": "拒绝 (校验错误)",
        "2-不满意未复核即办结": "警告 (仍为办理中)",
        "3-不满意已重新核实": "通过 (已办结)",
        "4-纠正措施编号不存在": "拒绝 (校验错误)",
        "5-有效投诉无纠正措施即办结": "警告 (仍为办理中)",
    }
    assert outcomes["1-被投诉人担任处理人"][1][0].startswith(
        "assignment.handler (处理人): 刘某 是被投诉对象"
    )


def test_f01_prints_the_review(workdir, runner, sample_case):
    from docx_text import docx_text

    case = dissatisfied(sample_case)
    case["review"] = {**REVIEW, "decision": "维持原处理意见 & 书面告知 <可向上级申诉>"}
    write_case(workdir.root, case)
    result = runner.invoke(cli, ["fill", "F01", "TS-2026-0007", "--json"])
    assert result.exit_code == 0, result.output
    text = docx_text(Path(json.loads(result.stdout)["outputs"][0]["path"]))
    assert "复核方式" in text and "☑重新核实" in text.replace(" ", "")
    assert "维持原处理意见 & 书面告知 <可向上级申诉>" in text
    assert "质量负责人 陈某" in text and "2026-03-21" in text
