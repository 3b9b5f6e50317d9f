"""`recordkit profile …`: procedure profiles (时限配置)."""

from __future__ import annotations

from pathlib import Path

import click

from recordkit.cli.output import (
    RecordkitGroup,
    config_of,
    examples,
    optional_config,
    print_json,
    print_table,
)
from recordkit.clock.profiles import (
    check_profile,
    copy_profile,
    describe_profile,
    list_profiles,
    profile_text,
)

# --------------------------------------------------------------------------- profiles


@click.group(cls=RecordkitGroup)
def profile() -> None:
    """程序时限配置 (procedure profiles): 列表、查看、检查、复制。"""


@profile.command("list", epilog=examples("recordkit profile list"))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def profile_list(ctx: click.Context, as_json: bool) -> None:
    """列出内置和工作目录 profiles/ 中的程序配置。"""
    config = optional_config(ctx)
    entries = list_profiles(config.root if config else None)
    rows = [
        {"name": e.name, "title": e.title, "origin": e.origin, "problem": e.problem}
        for e in entries
    ]
    if as_json:
        print_json(rows)
        return
    current = config.profile if config else None
    print_table(
        ["名称", "说明", "来源", "状态"],
        [
            [
                ("* " if r["name"] == current else "") + r["name"],
                r["title"],
                r["origin"],
                r["problem"] or "正常",
            ]
            for r in rows
        ],
    )


@profile.command("show", epilog=examples("recordkit profile show hospital"))
@click.argument("name")
@click.pass_context
def profile_show(ctx: click.Context, name: str) -> None:
    """显示一个程序配置文件的内容。"""
    config = optional_config(ctx)
    click.echo(profile_text(name, config.root if config else None), nl=False)


@profile.command("check", epilog=examples("recordkit profile check profiles/我的程序.yaml"))
@click.argument("file", type=click.Path(path_type=Path))
def profile_check(file: Path) -> None:
    """检查一个程序配置文件; 有错误时列出文件和步骤, 退出码 1。"""
    click.echo(describe_profile(check_profile(file)))


@profile.command("copy", epilog=examples("recordkit profile copy hospital my-hospital"))
@click.argument("name")
@click.argument("new_name", required=False)
@click.pass_context
def profile_copy(ctx: click.Context, name: str, new_name: str | None) -> None:
    """把内置配置复制到工作目录 profiles/ 以便修改。"""
    config = config_of(ctx)
    path = copy_profile(name, config.root / "profiles", new_name, config.root)
    click.echo(f"已复制到 {path}; 在 recordkit.toml 的 [procedure] profile 中选用它。")
