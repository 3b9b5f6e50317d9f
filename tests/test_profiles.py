"""Procedure profiles as data: built-ins load, user copies override, bad files explain."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from recordkit.clock import profiles
from recordkit.clock.profiles import WINDOW
from recordkit.errors import ProfileError

# Every profile PROFILES.md names, with the limits it gives (step key -> (limit, unit)).
EXPECTED = {
    # Issue 14 points 5 and 6 add the lab's written reply, the employee appeal chain and
    # the 体检中心 / 政务服务中心 profiles.
    "lab": {
        "objection_window": (15, "日"),
        "analysis": (5, "工作日"),
        "written_reply": (10, "工作日"),
        "forwarded_answer": (2, "月"),
    },
    "certification": {
        "appeal_window": (10, "工作日"),
        "acceptance": (5, "工作日"),
        "decision": (30, "日"),
    },
    "accreditation": {
        "appeal_window": (30, "日"),
        "to_committee": (3, "日"),
        "ruling": (2, "月"),
        "carry_out": (10, "工作日"),
    },
    "hospital": {"handling": (2, "工作日"), "close": (15, "工作日")},
    "consumer": {
        "acceptance": (7, "工作日"),
        "copy_to_respondent": (7, "工作日"),
        "respondent_answer": (15, "工作日"),
        "investigation": (15, "工作日"),
        "notify_result": (7, "工作日"),
    },
    "service-centre": {"acceptance": (1, "工作日"), "answer": (7, "工作日")},
    "government": {"decision": (30, "日"), "report": (15, "日")},
    "enterprise-quality": {
        "first_reply": (24, "小时"),
        "investigation": (3, "工作日"),
        "decision": (7, "工作日"),
    },
    "pharma": {
        "investigation": (1, "日"),
        "injury_report": (24, "小时"),
        "serious_report": (3, "日"),
        "written_report": (15, "日"),
    },
    "construction": {
        "general_incident_report": (48, "小时"),
        "serious_incident_report": (24, "小时"),
        "investigation_report": (2, "月"),
    },
    "after-sales": {
        "phone_answer": (1, "小时"),
        "on_site": (24, "小时"),
        "written_answer": (12, "小时"),
    },
    "dealer": {"register": (30, "分钟"), "contact": (24, "小时"), "investigation": (3, "工作日")},
    "securities": {"feedback": (3, "日")},
    "employee": {
        "pass_on": (24, "小时"),
        "answer": (5, "工作日"),
        "appeal_answer": (7, "工作日"),
        "gm_appeal_window": (10, "日"),
        "gm_answer": (15, "工作日"),
    },
    "health-check": {"investigation": (24, "小时"), "feedback": (48, "小时")},
    "gov-service-centre": {"decision": (3, "工作日")},
}

GOOD = """\
name: mine
title: 我的程序
source: test
steps:
  - key: acceptance
    name: 决定是否受理
    limit: 5
    unit: 工作日
    start: received_at
    end: acceptance.decided_at
  - key: reply
    name: 答复
    limit: 15
    unit: 工作日
    start: received_at
    end: reply.replied_at
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_profile_in_profiles_md_is_built_in() -> None:
    assert profiles.builtin_names() == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_builtin_profile_loads_with_the_documented_limits(name: str) -> None:
    profile = profiles.load_profile(name)
    assert profile.name == name
    assert profile.title and profile.source
    got = {step.key: (step.limit, step.unit) for step in profile.steps}
    assert got == EXPECTED[name]
    for step in profile.steps:
        assert step.name and step.start and step.end


def test_extension_rules_match_the_procedures() -> None:
    hospital = profiles.load_profile("hospital").step("close").extension
    assert hospital is not None and (hospital.max, hospital.unit) == (30, "日")
    centre = profiles.load_profile("service-centre").step("answer").extension
    assert centre is not None and (centre.max, centre.unit) == (3, "工作日")
    government = profiles.load_profile("government").step("decision").extension
    assert government is not None and (government.max, government.unit) == (30, "日")


def test_lab_objection_is_a_window_from_the_report() -> None:
    step = profiles.load_profile("lab").step("objection_window")
    assert step.type == WINDOW
    assert step.start == "subject.report_received_at"
    assert step.end == "received_at"


def test_form_deadline_steps() -> None:
    cert = profiles.load_profile("certification")
    assert cert.form_step("acceptance_due").key == "acceptance"  # F09
    assert cert.form_step("reply_due").key == "decision"
    assert profiles.load_profile("service-centre").form_step("reply_due").key == "answer"  # F13


def test_extra_keys_have_chinese_labels() -> None:
    pharma = profiles.load_profile("pharma")
    assert pharma.label("extra.incident_at") == "事故发生时间"
    assert pharma.label("received_at") == "接收时间"


def test_list_profiles_shows_builtins_and_local_override(tmp_path: Path) -> None:
    write(tmp_path / "profiles", "lab", GOOD.replace("name: mine", "name: lab"))
    write(tmp_path / "profiles", "mine", GOOD)
    entries = {e.name: e for e in profiles.list_profiles(tmp_path)}
    assert entries["hospital"].origin == "内置"
    assert entries["lab"].origin.endswith("lab.yaml") and entries["lab"].title == "我的程序"
    assert entries["mine"].title == "我的程序"


def test_local_profile_wins_over_builtin(tmp_path: Path) -> None:
    write(tmp_path / "profiles", "lab", GOOD.replace("name: mine", "name: lab"))
    assert profiles.load_profile("lab", tmp_path).title == "我的程序"
    assert profiles.load_profile("lab").title == "检验检测机构"


def test_list_profiles_reports_a_broken_local_file_without_failing(tmp_path: Path) -> None:
    write(
        tmp_path / "profiles",
        "broken",
        GOOD.replace("name: mine", "name: broken").replace("工作日", "周", 1),
    )
    entries = {e.name: e for e in profiles.list_profiles(tmp_path)}
    assert "未知的时限单位" in entries["broken"].problem


def test_load_by_path_and_check(tmp_path: Path) -> None:
    path = write(tmp_path, "mine", GOOD)
    assert profiles.load_profile(str(path)).name == "mine"
    assert len(profiles.check_profile(path).steps) == 2


def test_show_returns_the_file_text_and_copy_renames(tmp_path: Path) -> None:
    text = profiles.profile_text("hospital")
    assert text.startswith("# 医院")
    copied = profiles.copy_profile("hospital", tmp_path / "profiles", "my-hospital")
    assert profiles.load_profile("my-hospital", tmp_path).title == "医院"
    assert "# 医院" in copied.read_text(encoding="utf-8")  # comments survive the copy
    with pytest.raises(ProfileError, match="文件已存在"):
        profiles.copy_profile("hospital", tmp_path / "profiles", "my-hospital")


def test_unknown_profile_name_lists_the_known_ones() -> None:
    with pytest.raises(ProfileError) as info:
        profiles.load_profile("nosuch")
    assert '未知的程序配置 "nosuch"' in info.value.message
    assert "hospital" in info.value.message


def test_describe_profile_is_readable() -> None:
    text = profiles.describe_profile(profiles.load_profile("hospital"))
    assert "可延长至多 30 日" in text and "答复日期 (reply.replied_at)" in text


# -- bad input -------------------------------------------------------------------------


def check_text(tmp_path: Path, text: str, name: str = "x") -> str:
    path = write(tmp_path / "profiles", name, text)
    with pytest.raises(ProfileError) as info:
        profiles.check_profile(path)
    return info.value.message


def test_unknown_unit_names_file_and_step(tmp_path: Path) -> None:
    message = check_text(
        tmp_path,
        GOOD.replace("name: mine", "name: x").replace(
            "unit: 工作日\n    start: received_at\n    end: reply",
            "unit: 周\n    start: received_at\n    end: reply",
        ),
    )
    path = tmp_path / "profiles" / "x.yaml"
    assert message == (
        f'{path}: 步骤 2 (reply): 未知的时限单位 "周" '
        "(unit must be 工作日, 日, 小时, 分钟 or 月; 天 = 日)"
    )


def test_negative_limit(tmp_path: Path) -> None:
    message = check_text(
        tmp_path, GOOD.replace("name: mine", "name: x").replace("limit: 5", "limit: -5")
    )
    assert message.endswith("步骤 1 (acceptance): 时限不能为负数: -5 (limit must be 0 or more)")


def test_non_numeric_and_fractional_limits(tmp_path: Path) -> None:
    message = check_text(
        tmp_path, GOOD.replace("name: mine", "name: x").replace("limit: 5", 'limit: "五"')
    )
    assert '步骤 1 (acceptance): 时限 "五" 不是数字' in message
    message = check_text(
        tmp_path, GOOD.replace("name: mine", "name: x").replace("limit: 5", "limit: 2.5")
    )
    assert "时限 2.5 工作日 必须是整数" in message


def test_absurd_limit_is_refused(tmp_path: Path) -> None:
    message = check_text(
        tmp_path, GOOD.replace("name: mine", "name: x").replace("limit: 5", "limit: 50000")
    )
    assert "步骤 1 (acceptance): 时限过大: 50000 工作日" in message


def test_unknown_start_key(tmp_path: Path) -> None:
    message = check_text(
        tmp_path,
        GOOD.replace("name: mine", "name: x").replace(
            "start: received_at", "start: received_on", 1
        ),
    )
    assert '步骤 1 (acceptance): start "received_on" 不是案件格式中的日期字段' in message
    # A key that exists but is not a date is just as unusable for a clock.
    message = check_text(
        tmp_path,
        GOOD.replace("name: mine", "name: x").replace(
            "end: reply.replied_at", "end: reply.content"
        ),
    )
    assert '步骤 2 (reply): end "reply.content" 不是案件格式中的日期字段' in message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        GOOD.replace("name: mine", "name: x")
        .replace("unit: 工作日", "unit: 周")
        .replace("limit: 15", "limit: -1")
    )
    lines = check_text(tmp_path, text).splitlines()
    assert len(lines) == 3
    assert all(line.startswith(str(tmp_path / "profiles" / "x.yaml")) for line in lines)


def test_missing_fields(tmp_path: Path) -> None:
    message = check_text(tmp_path, "name: x\nsteps:\n  - key: a\n    name: 甲\n")
    assert "缺少 title" in message
    for missing in ("limit", "unit", "start"):
        assert f"步骤 1 (a): 缺少 {missing}" in message
    assert "步骤 1 (a): 缺少 end" in message
    assert "缺少 steps" in check_text(tmp_path, "name: x\ntitle: 甲\n")


def test_unknown_keys_catch_typos(tmp_path: Path) -> None:
    message = check_text(
        tmp_path, GOOD.replace("name: mine", "name: x").replace("limit: 5", "limt: 5")
    )
    assert "步骤 1 (acceptance): 未知的键 limt" in message


def test_name_must_match_file_name(tmp_path: Path) -> None:
    message = check_text(tmp_path, GOOD, name="other")
    assert 'name "mine" 与文件名 "other" 不一致' in message


def test_bad_extension_and_form_deadline(tmp_path: Path) -> None:
    text = (
        GOOD.replace("name: mine", "name: x")
        + "    extension: {max: 3, unit: 小时}\n    form_deadline: due\n"
    )
    message = check_text(tmp_path, text)
    assert 'extension.unit "小时" 必须是 日 或 工作日' in message
    assert 'form_deadline "due" 必须是 acceptance_due 或 reply_due' in message


def test_yaml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    message = check_text(tmp_path, "name: x\nsteps: [\n  - key: a\n")
    assert message.startswith(f"{tmp_path / 'profiles' / 'x.yaml'}: YAML 语法错误, 第 ")
    assert "行第" in message


def test_duplicate_step_keys(tmp_path: Path) -> None:
    message = check_text(
        tmp_path, GOOD.replace("name: mine", "name: x").replace("key: reply", "key: acceptance")
    )
    assert "步骤 2 (acceptance): 步骤键重复" in message


def test_builtin_files_are_plain_safe_yaml() -> None:
    folder = profiles.builtin_folder()
    for name in profiles.builtin_names():
        data = yaml.safe_load(folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8"))
        assert data["name"] == name
