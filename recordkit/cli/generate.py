"""`recordkit fill`, `generate`, `regenerate`, `register`: filling forms."""

from __future__ import annotations

from typing import Any

import click

from recordkit.cli.output import (
    examples,
    print_json,
    print_table,
    progress_bar,
    workspace,
)
from recordkit.dates import parse_day_option
from recordkit.forms.generator import BatchResult
from recordkit.forms.regenerate import RegenerationPlan

# --------------------------------------------------------------------------- fill / generate


def _progress(label: str):
    """A progress display the library opens once it knows how many steps there are."""
    return lambda total: progress_bar(total, label)


def _day(value: str | None, option: str):
    return parse_day_option(value, option) if value else None


def _report_failures(failures: list[Any]) -> None:
    click.echo(f"失败 {len(failures)} 项:", err=True)
    for failure in failures:
        where = " ".join(x for x in (failure.case, failure.form_code) if x)
        click.echo(f"  {where}: {failure.reason}" if where else f"  {failure.reason}", err=True)


def _report_batch(result: BatchResult, as_json: bool) -> None:
    if as_json:
        print_json(result.to_dict())
    else:
        for output in result.outputs:
            click.echo(f"{output.case_no}  {output.form_code}  {output.path}")
        for pdf in result.pdfs:
            click.echo(f"PDF  {pdf}")
        _report_skipped([s.path for s in result.skipped])
        if result.failures:
            _report_failures(result.failures)
        kept = f", 未覆盖 {len(result.skipped)} 份 (手工修改过)" if result.skipped else ""
        click.echo(f"生成 {len(result.outputs)} 份文件, 失败 {len(result.failures)} 项{kept}。")
    for warning in result.empty_warnings():
        click.echo(warning, err=True)


def _report_skipped(paths: list[str]) -> None:
    for path in paths:
        click.echo(f"未覆盖 (手工修改过, 用 --force 覆盖): {path}", err=True)


def _finish_batch(ctx: click.Context, result: BatchResult, as_json: bool) -> None:
    """The report, and exit 1 when anything failed."""
    _report_batch(result, as_json)
    if result.failures:
        ctx.exit(1)


_FORCE_HELP = "覆盖被手工修改过的输出文件 (旧文件保存在 .history/)"


@click.command(
    epilog=examples(
        "recordkit fill F03 TS-2026-0001",
        "recordkit fill F01 TS-2026-0001 TS-2026-0002 --pdf",
        "recordkit fill F26 CA-2026-005",
        "recordkit fill --bundle TS-2026-0005 --pdf",
    )
)
@click.argument("code", required=False)
@click.argument("cases", nargs=-1)
@click.option(
    "--bundle",
    "bundle_ref",
    metavar="CASE",
    help="打印合集: 该案件需要的全部表单 (含关联记录的表单) 按程序顺序合成一个文件, 每表另起一页",
)
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转换为 PDF")
@click.option("--force", is_flag=True, help=_FORCE_HELP)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def fill(
    ctx: click.Context,
    code: str | None,
    cases: tuple[str, ...],
    bundle_ref: str | None,
    pdf: bool,
    force: bool,
    as_json: bool,
) -> None:
    """用案件 (或记录) 数据填写一个表单, 写入 out/<编号>/<表单>.docx。

    --bundle CASE 写出 out/<编号>/<编号>-打印合集.docx (加 --pdf 同时写出 PDF): 该案件需要的每一张表单
    及其关联记录 (质量事故、整改通知、纠正措施、售后服务) 的表单, 每张另起一页, 各有自己的页眉、二维码
    和页码, 供打印签字。
    """
    if bundle_ref:
        if code or cases:
            raise click.UsageError(
                "--bundle 不能与表单编号和案件编号同时使用 (use either CODE CASE… or --bundle CASE)"
            )
        _fill_bundle(ctx, bundle_ref, pdf, force, as_json)
        return
    if not code or not cases:
        raise click.UsageError("需要表单编号和至少一个案件编号 (CODE CASE…), 或 --bundle CASE")
    _finish_batch(ctx, workspace(ctx).fill(code, list(cases), pdf, force), as_json)


def _fill_bundle(ctx: click.Context, ref: str, pdf: bool, force: bool, as_json: bool) -> None:
    result = workspace(ctx).bundle(ref, pdf=pdf, force=force)
    if as_json:
        print_json(
            {
                "path": str(result.path),
                "pdf": str(result.pdf) if result.pdf else None,
                "forms": [{"form_code": c, "number": n} for c, n in result.contents],
                "pages": result.pages,
            }
        )
        return
    for index, (code, number) in enumerate(result.contents):
        pages = f"  {result.pages[index]} 页" if result.pages else ""
        click.echo(f"{index + 1:>2}. {code}  {number}{pages}")
    click.echo(f"打印合集 {len(result.contents)} 张表单: {result.path}")
    if result.pdf:
        click.echo(f"PDF  {result.pdf}")


@click.command(
    epilog=examples(
        "recordkit generate",
        "recordkit generate --case TS-2026-0001 --case TS-2026-0002",
        "recordkit generate --form F03 --form F18 --pdf",
    )
)
@click.option("--form", "codes", multiple=True, help="只生成这些表单 (可重复)")
@click.option(
    "--case", "case_refs", multiple=True, help="只处理这些案件或记录 (编号或文件路径, 可重复)"
)
@click.option("--jobs", type=click.IntRange(1, 64), help="并行进程数 (default: CPU 核数)")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转换为 PDF")
@click.option("--force", is_flag=True, help=_FORCE_HELP)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def generate(
    ctx: click.Context,
    codes: tuple[str, ...],
    case_refs: tuple[str, ...],
    jobs: int | None,
    pdf: bool,
    force: bool,
    as_json: bool,
) -> None:
    """为案件和记录生成表单: 默认为每个案件 (及每条质量事故、整改、纠正措施、售后服务记录) 生成所需的全部表单。"""
    result = workspace(ctx).generate(
        list(case_refs), list(codes), jobs, pdf, force, _progress("生成表单")
    )
    _finish_batch(ctx, result, as_json)


@click.command(
    epilog=examples(
        "recordkit regenerate --dry-run",
        "recordkit regenerate --form F03",
        "recordkit regenerate --case TS-2026-0001 --force --json",
    )
)
@click.option("--form", "codes", multiple=True, help="只检查这些表单 (可重复)")
@click.option("--case", "case_nos", multiple=True, help="只检查这些案件 (可重复)")
@click.option("--since", help="只检查此日期以后生成的文件 (YYYY-MM-DD)")
@click.option("--dry-run", is_flag=True, help="只列出将要重新生成的文件及原因, 不写入")
@click.option("--force", is_flag=True, help="连同被手工修改过的输出文件一起覆盖")
@click.option("--jobs", type=click.IntRange(1, 64), help="并行进程数 (default: CPU 核数)")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def regenerate(
    ctx: click.Context,
    codes: tuple[str, ...],
    case_nos: tuple[str, ...],
    since: str | None,
    dry_run: bool,
    force: bool,
    jobs: int | None,
    as_json: bool,
) -> None:
    """模板修订或案件数据修改后, 只重新生成受影响的文件 (旧文件保存在 .history/)。"""
    day = _day(since, "--since")
    if dry_run:
        plan = workspace(ctx).regeneration_plan(list(case_nos), list(codes), day)
        _report_plan(plan, force, as_json)
        if plan.failures:
            ctx.exit(1)
        return
    result = workspace(ctx).regenerate(
        list(case_nos), list(codes), day, force, jobs, _progress("重新生成")
    )
    if as_json:
        print_json(result.to_dict())
    else:
        for output in result.outputs:
            click.echo(f"{output.case_no}  {output.form_code}  {output.path}")
        _report_skipped([s.path for s in result.skipped])
        for failure in result.failures:
            click.echo(f"失败 {failure.case} {failure.form_code}: {failure.reason}", err=True)
        click.echo(
            f"重新生成 {len(result.outputs)} 份, 未变化 {result.unchanged} 份, 跳过 {len(result.skipped)} 份, "
            f"失败 {len(result.failures)} 项。"
        )
    if result.failures:
        ctx.exit(1)


def _report_plan(plan: RegenerationPlan, force: bool, as_json: bool) -> None:
    """`regenerate --dry-run`: what would be remade and why."""
    if as_json:
        print_json(plan.to_dict())
        return
    print_table(
        ["编号", "表单", "原因", "文件"],
        [
            [s["case_no"], s["form_code"], s["reason_text"], s["output_path"]]
            for s in plan.to_dict()["stale"]
        ],
    )
    click.echo(
        f"需重新生成 {plan.count_to_render(force)} 份, 未变化 {plan.unchanged} 份, 手工修改 {len(plan.edited)} 份。"
    )


@click.command(
    epilog=examples(
        "recordkit register --year 2026 --xlsx",
        "recordkit register --from 2026-10-01 --to 2026-10-31",
        "recordkit register --year 2026 --status open",
    )
)
@click.option(
    "--form",
    "code",
    default="R01",
    show_default=True,
    help="台帐编号: R01 投诉登记台帐, F10 客户投诉接收登记表, R02 顾客来电来函来访处理记录, "
    "F29 售后服务故障处理记事表, R03 售后服务记录表",
)
@click.option("--year", type=int, help="年度 (按接收时间; 记录按其日期)")
@click.option("--from", "start", help="起始日期 YYYY-MM-DD")
@click.option("--to", "end", help="截止日期 YYYY-MM-DD")
@click.option("--status", type=click.Choice(["open", "closed"]), help="open 未办结 / closed 已办结")
@click.option("--xlsx", is_flag=True, help="同时写出相同列的 Excel 文件")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转换为 PDF")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def register(
    ctx: click.Context,
    code: str,
    year: int | None,
    start: str | None,
    end: str | None,
    status: str | None,
    xlsx: bool,
    pdf: bool,
    as_json: bool,
) -> None:
    """生成台帐 (默认 R01 投诉登记台帐): 按年度、日期范围或状态选取案件或记录, 横向 A4, 每页重复标题行。

    选取为空时也写出台帐, 注明“本期无记录”。--xlsx 同时写出相同列的 Excel 文件。
    """
    result = workspace(ctx).register(
        code, year, _day(start, "--from"), _day(end, "--to"), status, xlsx, pdf
    )
    if as_json:
        print_json(result.to_dict())
        return
    click.echo(f"{result.period}: {result.count} 件  {result.path}")
    for extra in (result.xlsx, result.pdf):
        if extra:
            click.echo(f"  {extra}")
