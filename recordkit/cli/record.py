"""`recordkit record …`: other records (质量事故, 整改通知, CAPA, 售后服务)."""

from __future__ import annotations

from pathlib import Path

import click

from recordkit.cases import schema
from recordkit.cases.authoring import new_blank_case, new_case_from_file
from recordkit.cases.records import record_type
from recordkit.cases.spreadsheet import import_cases
from recordkit.cli.output import (
    RecordkitGroup,
    config_of,
    examples,
    print_import,
    print_json,
    print_table,
    workspace,
)
from recordkit.clock.folder import list_records, validate_files

# --------------------------------------------------------------------------- records

RECORD_TYPE_NAMES = [
    "incident",
    "rectification",
    "capa",
    "service",
    "质量事故",
    "整改通知",
    "纠正和预防措施",
    "售后服务",
]
_TYPE_HELP = (
    "记录类型: incident 质量事故 | rectification 整改通知 | capa 纠正和预防措施 | service 售后服务"
)


@click.group(cls=RecordkitGroup)
def record() -> None:
    """其他记录 (不是投诉案件的记录): 质量事故、整改通知、纠正和预防措施、售后服务/安装。

    Each type is its own numbered register, kept as YAML files in records/<type>/<year>/,
    validated and imported like cases; a record may name the complaint case it came from
    (source_case). Its forms are filled with `fill`, `generate` and `register` like a case's.
    """


def _types(name: str | None):
    return [record_type(name)] if name else list(schema.OTHER_TYPES)


@record.command(
    "new",
    epilog=examples(
        "recordkit record new --type capa",
        "recordkit record new --type incident --from 事故.yaml",
        "recordkit record new --type 售后服务 --from 服务单.yaml --json",
    ),
)
@click.option(
    "--type", "type_name", required=True, type=click.Choice(RECORD_TYPE_NAMES), help=_TYPE_HELP
)
@click.option(
    "--kind",
    default="维修",
    show_default=True,
    help="服务类别 (service only): 维修 | 安装调试 | 保养 | 巡检 | 技术培训",
)
@click.option(
    "--from", "source", type=click.Path(path_type=Path), help="从 YAML/JSON 文件读取记录内容"
)
@click.option("--allow-duplicate", is_flag=True, help="与已有记录相同时仍然新建")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果")
@click.pass_context
def record_new(
    ctx: click.Context,
    type_name: str,
    kind: str,
    source: Path | None,
    allow_duplicate: bool,
    as_json: bool,
) -> None:
    """新建记录并分配下一个编号 (SG-/ZG-/CA-/FW-…), 写入 records/<类型>/<年>/<编号>.yaml。

    不带 --from 时写入一份待填写的空白记录文件。
    """
    book = workspace(ctx).book(_types(type_name)[0])
    created = (
        new_case_from_file(book, source, allow_duplicate) if source else new_blank_case(book, kind)
    )
    if as_json:
        print_json(
            {"record_no": created.case_no, "type": book.rtype.name, "path": str(created.path)}
        )
    else:
        click.echo(f"{created.case_no}  {created.path}")


@record.command(
    "validate",
    epilog=examples(
        "recordkit record validate",
        "recordkit record validate --type capa",
        "recordkit record validate records/capa/2026/CA-2026-005.yaml",
    ),
)
@click.option(
    "--type", "type_name", type=click.Choice(RECORD_TYPE_NAMES), help=_TYPE_HELP + " (default: all)"
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def record_validate(ctx: click.Context, type_name: str | None, paths: tuple[Path, ...]) -> None:
    """校验记录文件 (默认全部); 列出每个文件的全部错误。文件的类型按其所在文件夹或 --type 确定。"""
    report = validate_files(config_of(ctx), list(paths), _types(type_name))
    for problem in report.problems:
        click.echo(problem, err=True)
    click.echo(f"已校验 {report.checked} 个文件, {report.bad} 个有错误。")
    if report.bad:
        ctx.exit(1)


@record.command(
    "list",
    epilog=examples(
        "recordkit record list",
        "recordkit record list --type service --open",
        "recordkit record list --type capa --json",
    ),
)
@click.option(
    "--type", "type_name", type=click.Choice(RECORD_TYPE_NAMES), help=_TYPE_HELP + " (default: all)"
)
@click.option("--open", "open_only", is_flag=True, help="只列出未关闭的记录")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def record_list(ctx: click.Context, type_name: str | None, open_only: bool, as_json: bool) -> None:
    """列出记录: 编号、类型、日期、摘要、状态、来源案件。"""
    rows = list_records(config_of(ctx), _types(type_name), open_only)
    if as_json:
        print_json(rows)
        return
    print_table(
        ["编号", "类型", "日期", "摘要", "状态", "来源案件", "文件"],
        [
            [
                r["record_no"],
                r["type_label"],
                r["date"],
                r["summary"],
                r["status"],
                r["source_case"],
                r["path"],
            ]
            for r in rows
        ],
    )


@record.command(
    "import",
    epilog=examples(
        "recordkit record import --type service 2026年售后服务记录.xlsx",
        "recordkit record import --type capa 纠正措施台帐.csv --skip-bad",
    ),
)
@click.option(
    "--type", "type_name", required=True, type=click.Choice(RECORD_TYPE_NAMES), help=_TYPE_HELP
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--skip-bad", is_flag=True, help="跳过有错误的行, 导入其余行并报告")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def record_import(
    ctx: click.Context, type_name: str, file: Path, skip_bad: bool, as_json: bool
) -> None:
    """从 Excel (.xlsx) 或 CSV 导入记录; 列名可用字段路径或中文标签 (同案件导入规则)。"""
    report = import_cases(workspace(ctx).book(_types(type_name)[0]), file, skip_bad=skip_bad)
    print_import(report, as_json, "记录")
    if report.skipped:
        ctx.exit(1)
