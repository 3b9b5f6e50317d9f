"""`recordkit forms …`: the form catalog — list, show, check."""

from __future__ import annotations

import click

from recordkit.cli.output import (
    RecordkitGroup,
    examples,
    print_json,
    print_table,
    workspace,
)
from recordkit.forms.details import form_details

# --------------------------------------------------------------------------- forms


@click.group(cls=RecordkitGroup)
def forms() -> None:
    """表单模板: 列表、详情、检查。"""


def _catalog(ctx: click.Context):
    return workspace(ctx).catalog()


@forms.command("list", epilog=examples("recordkit forms list", "recordkit forms list --json"))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def forms_list(ctx: click.Context, as_json: bool) -> None:
    """列出全部表单和台帐。"""
    rows = _catalog(ctx).listing()
    if as_json:
        print_json(rows)
        return
    print_table(
        ["编号", "名称", "版本", "类型", "记录", "纸张", "保管期限", "适用类别", "适用程序"],
        [
            [
                r["code"],
                r["title"],
                r["version"],
                r["type"],
                r["record_type"],
                r["paper"],
                r["retention"],
                "、".join(r["kinds"]) or "全部",
                "、".join(r["profiles"]) or "全部",
            ]
            for r in rows
        ],
    )
    f_codes = sum(1 for r in rows if r["code"].startswith("F"))
    ledgers = sum(1 for r in rows if r["type"] == "register")
    click.echo(
        f"共 {len(rows)} 种: 表单 {f_codes} 种 (F 编号), 台帐 {len(rows) - f_codes} 种 (R 编号); "
        f"其中 {ledgers} 种为横向登记簿 (按年度/期间选取记录)。"
    )


@forms.command("show", epilog=examples("recordkit forms show F03"))
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def forms_show(ctx: click.Context, code: str, as_json: bool) -> None:
    """显示一个表单的目录信息和它使用的字段。"""
    details = form_details(_catalog(ctx), code)
    if as_json:
        print_json(details)
        return
    for key, value in details.items():
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        click.echo(f"{key}: {value}")


@forms.command("check", epilog=examples("recordkit forms check", "recordkit forms check F03"))
@click.argument("codes", nargs=-1)
@click.pass_context
def forms_check(ctx: click.Context, codes: tuple[str, ...]) -> None:
    """检查模板: 标签语法、未知字段、二维码占位图、版本号。有问题时退出码为 1。"""
    checked = _catalog(ctx).check_all(list(codes))
    for form, problems in checked:
        for problem in problems:
            click.echo(str(problem), err=True)
        if not problems:
            click.echo(f"{form.code} {form.title} 第{form.version}版: 正常")
    bad = sum(1 for _, problems in checked if problems)
    if bad:
        click.echo(f"Error: {bad} 个模板有问题", err=True)
        ctx.exit(1)
