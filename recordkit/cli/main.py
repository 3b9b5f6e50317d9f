"""The root `recordkit` command: options, `init`, `demo`, and every command group."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from recordkit import __version__
from recordkit.cli.archive import archive
from recordkit.cli.case import case
from recordkit.cli.db import db
from recordkit.cli.forms import forms
from recordkit.cli.generate import fill, generate, regenerate, register
from recordkit.cli.output import (
    RecordkitGroup,
    examples,
    print_table,
)
from recordkit.cli.profile import profile
from recordkit.cli.record import record
from recordkit.cli.remind import remind
from recordkit.cli.report import report
from recordkit.cli.web import serve, serve_demo, user
from recordkit.config import init_workdir
from recordkit.demo.run import run_demo


@click.group(
    cls=RecordkitGroup,
    epilog=examples(
        "recordkit init 我的工作目录 --org 漳州市检验检测中心",
        "recordkit case new --from 投诉.yaml",
        "recordkit generate --case TS-2026-0001",
        "recordkit register --year 2026 --xlsx",
        "recordkit demo",
    ),
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="recordkit.toml 的路径 (default: found in this folder or its parents)",
)
@click.version_option(__version__, prog_name="recordkit")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """recordkit — 投诉、申诉处理表单的生成、归档与审计工具。

    Forms, archive and audit for complaint, appeal and quality-incident files.
    """
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path


# --------------------------------------------------------------------------- init


@cli.command(
    epilog=examples(
        "recordkit init",
        "recordkit init D:\\投诉档案 --org 某某检测中心 --fonds-no Z109 --profile lab",
    )
)
@click.argument("directory", type=click.Path(path_type=Path), default=".")
@click.option(
    "--org",
    "org_name",
    default="示例检验检测中心",
    show_default=True,
    help="单位名称 (organisation name)",
)
@click.option("--fonds-no", default="Z109", show_default=True, help="全宗号")
@click.option(
    "--profile", default="lab", show_default=True, help="程序时限配置名 (procedure profile)"
)
@click.option("--force", is_flag=True, help="覆盖已有的 recordkit.toml")
def init(directory: Path, org_name: str, fonds_no: str, profile: str, force: bool) -> None:
    """创建工作目录: recordkit.toml, cases/, records/, out/, archive/inbox/, form_templates/。"""
    config = init_workdir(
        directory, org_name=org_name, fonds_no=fonds_no, profile=profile, force=force
    )
    click.echo(
        f"已创建工作目录 {config.root} (recordkit.toml, cases/, records/, out/, archive/inbox/, form_templates/)"
    )


# --------------------------------------------------------------------------- demo


@cli.command(
    epilog=examples(
        "recordkit demo",
        "recordkit demo --dir /tmp/recordkit-demo",
        "recordkit demo --serve --port 8000",
    )
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    help="演示工作目录 (default: a new temporary folder)",
)
@click.option(
    "--serve",
    "then_serve",
    is_flag=True,
    help="然后创建各角色的演示用户并启动网页工作台 (then serve it)",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="--serve 的监听地址")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="--serve 的端口"
)
@click.option("--no-wait", is_flag=True, help="--serve: 只创建演示用户, 不启动服务 (for scripts)")
def demo(directory: Path | None, then_serve: bool, host: str, port: int, no_wait: bool) -> None:
    """演示: 用自带的示例案件走一遍完整流程 (what `make demo` runs)。"""
    root = run_demo(directory, echo=click.echo, table=print_table)
    if then_serve:
        serve_demo(root, host, port, wait=not no_wait)
    else:
        click.echo(
            f"== 在浏览器中打开演示工作目录 (open it in a browser): recordkit demo --serve --dir {root}\n"
            "   (再运行一遍演示, 创建各角色的演示用户并打印密码, 然后打开 http://127.0.0.1:8000/)"
        )


for group in (case, record, profile, forms, archive, report, user, db):
    cli.add_command(group)
for command in (fill, generate, regenerate, register, remind, serve):
    cli.add_command(command)


def main() -> None:
    # Windows consoles default to a legacy code page; Chinese output needs UTF-8.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() not in (
            "utf-8",
            "utf8",
        ):
            stream.reconfigure(encoding="utf-8", errors="replace")
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    cli(obj={})
