"""`recordkit case …`: case files — new, validate, list, status, import."""

from __future__ import annotations

from pathlib import Path

import click

from recordkit.cases.authoring import new_blank_case, new_case_from_file
from recordkit.cases.spreadsheet import import_cases
from recordkit.cli.output import (
    RecordkitGroup,
    config_of,
    examples,
    optional_config,
    print_import,
    print_json,
    print_table,
    workspace,
)
from recordkit.clock.folder import case_statuses, filter_statuses, list_cases, validate_files
from recordkit.clock.status import render_status

# --------------------------------------------------------------------------- case


@click.group(cls=RecordkitGroup)
def case() -> None:
    """案件文件: 新建、校验、列表、从 Excel 导入。"""


@case.command(
    "new",
    epilog=examples("recordkit case new --kind 申诉", "recordkit case new --from 来访记录.yaml"),
)
@click.option(
    "--kind",
    type=click.Choice(["投诉", "申诉", "争议", "意见建议"]),
    default="投诉",
    show_default=True,
    help="类别",
)
@click.option(
    "--from", "source", type=click.Path(path_type=Path), help="从 YAML/JSON 文件读取案件内容"
)
@click.option(
    "--allow-duplicate", is_flag=True, help="与已有案件相同 (投诉人、接收时间、内容) 时仍然新建"
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果")
@click.pass_context
def case_new(
    ctx: click.Context, kind: str, source: Path | None, allow_duplicate: bool, as_json: bool
) -> None:
    """新建案件并分配下一个编号 (TS-2026-0001 …), 写入 cases/<年>/<编号>.yaml。

    不带 --from 时写入一份待填写的空白案件文件。
    """
    book = workspace(ctx).casebook()
    created = (
        new_case_from_file(book, source, allow_duplicate) if source else new_blank_case(book, kind)
    )
    if as_json:
        print_json({"case_no": created.case_no, "path": str(created.path)})
    else:
        click.echo(f"{created.case_no}  {created.path}")


@case.command(
    "validate",
    epilog=examples(
        "recordkit case validate", "recordkit case validate cases/2026/TS-2026-0007.yaml"
    ),
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def case_validate(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """校验案件文件 (默认全部); 列出每个文件的全部错误。"""
    config = config_of(ctx) if not paths else optional_config(ctx)
    report = validate_files(config, list(paths))
    for problem in report.problems:
        click.echo(problem, err=True)
    for warning in report.warnings:
        click.echo(f"警告: {warning}", err=True)
    warned = f", {len(report.warnings)} 条警告 (未满足办结条件)" if report.warnings else ""
    click.echo(f"已校验 {report.checked} 个文件, {report.bad} 个有错误{warned}。")
    if report.bad:
        ctx.exit(1)


@case.command(
    "list",
    epilog=examples(
        "recordkit case list",
        "recordkit case list --due-within 3d",
        "recordkit case list --overdue --json",
        "recordkit case list --open",
    ),
)
@click.option(
    "--due-within", "within", metavar="3d|12h|2w", help="只列出在此时间内到期的未完成步骤所属案件"
)
@click.option("--overdue", is_flag=True, help="只列出已超期的案件")
@click.option("--open", "open_only", is_flag=True, help="只列出未办结的案件")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def case_list(
    ctx: click.Context, within: str | None, overdue: bool, open_only: bool, as_json: bool
) -> None:
    """列出案件; 可按时限筛选 (按 recordkit.toml 中的程序配置计算)。"""
    config = config_of(ctx)
    keep = None
    if within or overdue or open_only:
        keep = {
            s.case_no
            for s in filter_statuses(case_statuses(config, []), within, overdue, open_only)
        }
    rows = list_cases(config, keep)
    if as_json:
        print_json(rows)
        return
    print_table(
        ["编号", "类别", "接收时间", "投诉人", "状态", "文件"],
        [
            [r["case_no"], r["kind"], r["received_at"], r["complainant"], r["status"], r["path"]]
            for r in rows
        ],
    )


@case.command(
    "status", epilog=examples("recordkit case status", "recordkit case status TS-2026-0001 --json")
)
@click.argument("cases", nargs=-1)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def case_status_cmd(ctx: click.Context, cases: tuple[str, ...], as_json: bool) -> None:
    """每个案件各步骤的期限、是否完成、剩余或超期 (按程序配置和工作日历)。"""
    statuses = case_statuses(config_of(ctx), list(cases))
    if as_json:
        print_json([s.to_dict() for s in statuses])
        return
    for index, status in enumerate(statuses):
        if index:
            click.echo("")
        click.echo(render_status(status))


@case.command(
    "import",
    epilog=examples(
        "recordkit case import 2026年10月投诉台帐.xlsx", "recordkit case import 台帐.csv --skip-bad"
    ),
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--skip-bad", is_flag=True, help="跳过有错误的行, 导入其余行并报告")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def case_import(ctx: click.Context, file: Path, skip_bad: bool, as_json: bool) -> None:
    """从 Excel (.xlsx) 或 CSV 导入案件; 列名可用字段路径或中文标签。"""
    report = import_cases(workspace(ctx).casebook(), file, skip_bad=skip_bad)
    print_import(report, as_json, "案件")
    if report.skipped:
        ctx.exit(1)
