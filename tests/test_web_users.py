"""`recordkit user add/passwd/list/disable` through the real CLI, and the library behind it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from web_setup import PASSWORD, make_user, web, web_root  # noqa: F401

from recordkit.cli import cli
from recordkit.web.roles import ADMIN, REGISTRAR


def _run(root: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(
        cli, ["--config", str(root / "recordkit.toml"), "user", *args], input=input
    )


def _can_log_in(username: str, password: str) -> bool:
    from django.test import Client

    return Client().post("/login/", {"username": username, "password": password}).status_code == 302


def test_user_add_with_password_stdin(web: Path) -> None:  # noqa: F811
    result = _run(
        web,
        "add",
        "wangfang",
        "--role",
        ADMIN,
        "--full-name",
        "王芳",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output == "已添加用户 wangfang (管理员)\n"
    assert _can_log_in("wangfang", PASSWORD)


def test_user_add_prompts_twice(web: Path) -> None:  # noqa: F811
    result = _run(web, "add", "lina", "--role", REGISTRAR, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert (
        "密码 (password): \n再次输入密码 (repeat password): \n已添加用户 lina (登记员)"
        in result.output
    )
    assert _can_log_in("lina", PASSWORD)


def test_user_add_rejects_a_weak_password_in_chinese(web: Path) -> None:  # noqa: F811
    result = _run(web, "add", "lina", "--role", REGISTRAR, "--password-stdin", input="12345678\n")
    assert result.exit_code == 1
    assert result.output == (
        "Error: 密码不符合要求 (password rejected): 密码太短, 至少需要 10 个字符。；"
        "这个密码太常见了。；密码只包含数字。\n"
    )


def test_user_add_refuses_a_duplicate_and_an_empty_stdin(web: Path) -> None:  # noqa: F811
    make_user("lina", REGISTRAR)
    result = _run(
        web, "add", "lina", "--role", REGISTRAR, "--password-stdin", input=PASSWORD + "\n"
    )
    assert result.exit_code == 1
    assert result.output == "Error: 用户已存在 (user exists): lina\n"
    empty = _run(web, "add", "zhao", "--role", REGISTRAR, "--password-stdin", input="")
    assert empty.exit_code == 2
    assert "标准输入中没有密码 (no password on stdin)" in empty.output


def test_user_add_unknown_role_is_a_bad_value(web: Path) -> None:  # noqa: F811
    result = _run(web, "add", "lina", "--role", "局长", "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 1  # a bad value, not a malformed command line (issue 10 item 11)
    assert "'局长' is not one of '登记员', '经办人', '审批人', '档案员', '管理员'" in result.output


def test_user_passwd(web: Path) -> None:  # noqa: F811
    make_user("lina", REGISTRAR, password=PASSWORD)
    new = "Xiamen-Harbour-77"
    result = _run(web, "passwd", "lina", "--password-stdin", input=new + "\n")
    assert result.exit_code == 0 and result.output == "已修改 lina 的密码\n"
    assert _can_log_in("lina", new)
    missing = _run(web, "passwd", "nobody", "--password-stdin", input=new + "\n")
    assert missing.exit_code == 1 and missing.output == "Error: 用户不存在 (no such user): nobody\n"


def test_user_list_table_and_json(web: Path) -> None:  # noqa: F811
    make_user("wangfang", ADMIN, full_name="王芳")
    make_user("lina", REGISTRAR, full_name="李娜")
    table = _run(web, "list")
    assert table.exit_code == 0
    lines = table.output.splitlines()
    assert lines[0].split() == ["用户名", "姓名", "角色", "状态", "上次登录"]
    assert lines[2].split() == ["lina", "李娜", "登记员", "启用", "从未"]
    assert lines[3].split() == ["wangfang", "王芳", "管理员", "启用", "从未"]
    data = json.loads(_run(web, "list", "--json").output)
    assert [
        (u["username"], u["full_name"], u["roles"], u["active"], u["last_login"]) for u in data
    ] == [("lina", "李娜", ["登记员"], True, None), ("wangfang", "王芳", ["管理员"], True, None)]


def test_user_disable(web: Path) -> None:  # noqa: F811
    make_user("wangfang", ADMIN)
    make_user("lina", REGISTRAR, password=PASSWORD)
    result = _run(web, "disable", "lina")
    assert result.exit_code == 0 and result.output == "已停用用户 lina\n"
    assert not _can_log_in("lina", PASSWORD)
    assert json.loads(_run(web, "list", "--json").output)[0]["active"] is False


def test_the_last_admin_cannot_be_disabled(web: Path) -> None:  # noqa: F811
    make_user("wangfang", ADMIN)
    result = _run(web, "disable", "wangfang")
    assert result.exit_code == 1
    assert (
        result.output
        == "Error: 不能停用最后一位管理员 (cannot disable the last 管理员): wangfang\n"
    )
    make_user("chen", ADMIN)
    assert _run(web, "disable", "wangfang").exit_code == 0


def test_library_checks_role_and_empty_name(web: Path) -> None:  # noqa: F811
    from recordkit.web.users import UserError, add_user

    with pytest.raises(
        UserError,
        match="未知的角色 \\(unknown role\\): 局长；可选: 登记员、经办人、审批人、档案员、管理员",
    ):
        add_user("lina", "局长", PASSWORD)
    with pytest.raises(UserError, match="用户名不能为空"):
        add_user("  ", REGISTRAR, PASSWORD)


def test_password_similar_to_the_name_is_rejected(web: Path) -> None:  # noqa: F811
    from recordkit.web.users import UserError, add_user

    with pytest.raises(UserError, match="密码跟 用户名 太相似了。"):
        add_user("zhangminghua", REGISTRAR, "zhangminghua1")


def test_a_second_working_folder_in_one_process_is_refused(web: Path, tmp_path: Path) -> None:  # noqa: F811
    from recordkit.config import init_workdir
    from recordkit.errors import RecordkitError
    from recordkit.web.boot import configure

    other = tmp_path / "other"
    init_workdir(other)
    with pytest.raises(RecordkitError, match="one working folder per process"):
        configure(other)
    configure(web)  # the same folder again is fine
