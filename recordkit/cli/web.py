"""Click commands of the web workspace: ``recordkit user ...`` and ``recordkit serve``.

They only parse options and call ``recordkit.web.users`` / ``recordkit.web.boot``; errors of
the ``RecordkitError`` tree are turned into ``Error: ...`` by the root group in cli.py.
(The lead moves these into recordkit/cli/ after the restructuring of issue 11.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from recordkit.cli.output import print_json, print_table
from recordkit.clock.reminders import start_daily_reminders
from recordkit.config import CONFIG_NAME, Config, load_config
from recordkit.errors import RecordkitError
from recordkit.web.boot import start, wsgi_application
from recordkit.web.demo_users import DEMO_PASSWORD, ensure_demo_users
from recordkit.web.roles import ROLES

ALL_INTERFACES = {"0.0.0.0", "::", "*", ""}
EXAMPLES_USER_ADD = (
    "\b\n示例 (examples):\n  recordkit user add wangfang --role 管理员 --full-name 王芳\n"
    '  echo "$PASSWORD" | recordkit user add lina --role 登记员 --password-stdin'
)
EXAMPLES_SERVE = (
    "\b\n示例 (examples):\n  recordkit serve\n"
    "  recordkit serve --host 0.0.0.0 --port 8080   (局域网; 请配合 HTTPS 反向代理)"
)


def _workdir(ctx: click.Context) -> Path:
    """Start Django for the working folder of --config (or the nearest recordkit.toml)."""
    root = load_config((ctx.obj or {}).get("config_path")).root
    start(root)
    return root


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.UsageError("标准输入中没有密码 (no password on stdin)")
        return password
    return click.prompt(
        "密码 (password)", hide_input=True, confirmation_prompt="再次输入密码 (repeat password)"
    )


@click.group("user")
def user() -> None:
    """网页工作台的用户: 添加、改密码、列出、停用 (web users)。"""


@user.command("add", epilog=EXAMPLES_USER_ADD)
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="角色: " + "、".join(ROLES))
@click.option("--full-name", default="", help="姓名 (shown in the browser)")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取一行作为密码 (for scripts)")
@click.pass_context
def user_add(
    ctx: click.Context, name: str, role: str, full_name: str, password_stdin: bool
) -> None:
    """添加用户并分配角色; 不带 --password-stdin 时提示输入两次密码。"""
    from recordkit.web.users import add_user  # Django models: importable only after django.setup()

    _workdir(ctx)
    add_user(name, role, _read_password(password_stdin), full_name=full_name)
    click.echo(f"已添加用户 {name} ({role})")


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取一行作为新密码")
@click.pass_context
def user_passwd(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """修改用户的密码。"""
    from recordkit.web.users import (
        set_password,  # Django models: importable only after django.setup()
    )

    _workdir(ctx)
    set_password(name, _read_password(password_stdin))
    click.echo(f"已修改 {name} 的密码")


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def user_list(ctx: click.Context, as_json: bool) -> None:
    """列出用户、角色与状态。"""
    from recordkit.web.users import (
        list_users,  # Django models: importable only after django.setup()
    )

    _workdir(ctx)
    users = list_users()
    if as_json:
        print_json([u.as_dict() for u in users])
        return
    print_table(
        ["用户名", "姓名", "角色", "状态", "上次登录"],
        [
            [
                u.username,
                u.full_name,
                "、".join(u.roles),
                "启用" if u.active else "已停用",
                u.last_login.astimezone().strftime("%Y-%m-%d %H:%M") if u.last_login else "从未",
            ]
            for u in users
        ],
    )


@user.command("disable")
@click.argument("name")
@click.pass_context
def user_disable(ctx: click.Context, name: str) -> None:
    """停用用户: 不能再登录, 已登录的会话立即失效。"""
    from recordkit.web.users import (
        disable_user,  # Django models: importable only after django.setup()
    )

    _workdir(ctx)
    disable_user(name)
    click.echo(f"已停用用户 {name}")


def binding_warning(host: str, https: bool) -> str | None:
    """The warning for a server reachable from the whole network over plain HTTP."""
    if host.strip("[]") in ALL_INTERFACES and not https:
        return (
            "警告: 正在所有网络接口上以 HTTP (未加密) 提供服务, 密码和案件内容会明文经过局域网。"
            "请在前面加 HTTPS 反向代理并在 recordkit.toml 的 [web] 中设置 https = true, "
            "或只绑定 127.0.0.1 (warning: serving plain HTTP on all interfaces)"
        )
    return None


@click.command("serve", epilog=EXAMPLES_SERVE)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="监听地址; 0.0.0.0 = 局域网内所有机器可访问",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="端口")
@click.option(
    "--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="工作线程数"
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int) -> None:
    """在浏览器中使用本工作目录 (waitress 服务器; Ctrl+C 停止)。"""
    run_server(load_config((ctx.obj or {}).get("config_path")), host, port, threads)


def run_server(config: Config, host: str, port: int, threads: int = 8) -> None:
    """Serve ``config``'s working folder until Ctrl+C (`serve`, `demo --serve`)."""
    import waitress
    from django.conf import settings

    root = config.root
    app = wsgi_application(root)
    if start_daily_reminders(config):
        at = config.section("mail")["daily_at"]
        click.echo(f"每天 {at} 发送到期提醒邮件 (daily reminders, recordkit remind)", err=True)
    warning = binding_warning(host, settings.RECORDKIT_HTTPS)
    if warning:
        click.echo(warning, err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(
        f"recordkit 网页工作台: http://{shown}:{port}/  (工作目录 {root}; Ctrl+C 停止)", err=True
    )
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="recordkit")
    except OSError as exc:
        raise RecordkitError(f"无法在 {host}:{port} 上启动服务 (cannot listen): {exc}") from None


def serve_demo(root: Path, host: str, port: int, wait: bool = True) -> None:
    """`demo --serve`: the demo users of each role, printed, then the server on the demo folder
    (``wait=False``: the users only, for scripts and tests)."""
    start(root)
    demo_users = ensure_demo_users()
    click.echo(f"== 演示用户 (demo users), 密码均为 (password): {DEMO_PASSWORD}")
    print_table(["用户名", "角色", "姓名"], [[u.username, u.role, u.full_name] for u in demo_users])
    if wait:
        run_server(load_config(root / CONFIG_NAME), host, port)
