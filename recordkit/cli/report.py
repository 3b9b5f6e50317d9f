"""`recordkit report …`: monthly and yearly statistics reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from recordkit.cli.output import (
    RecordkitGroup,
    examples,
    print_json,
    workspace,
)
from recordkit.reports.report import report_lines
from recordkit.reports.stats import parse_month, parse_year

# --------------------------------------------------------------------------- reports


@click.group(cls=RecordkitGroup)
def report() -> None:
    """统计报表: 月报、年报 (Word + Excel, 可选 PDF), 含服务目标与图表。"""


def _report_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--pdf and --json, shared by the monthly and yearly reports."""
    command = click.pass_context(command)
    command = click.option(
        "--json", "as_json", is_flag=True, help="以 JSON 输出文件路径和全部统计数字"
    )(command)
    return click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转换为 PDF")(command)


def _print_report(result: Any, as_json: bool) -> None:
    if as_json:
        print_json(result.to_dict())
        return
    for line in report_lines(result):
        click.echo(line)


@report.command(
    "monthly",
    epilog=examples(
        "recordkit report monthly --month 2026-10",
        "recordkit report monthly --month 2026-10 --pdf",
        "recordkit report monthly --month 2026-10 --json",
    ),
)
@click.option("--month", required=True, metavar="YYYY-MM", help="统计月份 (按接收时间), 如 2026-10")
@_report_options
def report_monthly(ctx: click.Context, month: str, pdf: bool, as_json: bool) -> None:
    """投诉处理统计月报: 写入 out/reports/投诉统计月报-YYYY-MM.docx / .xlsx (/ .pdf)。"""
    period = parse_month(month)
    _print_report(workspace(ctx).report(period, pdf=pdf), as_json)


@report.command(
    "yearly",
    epilog=examples(
        "recordkit report yearly --year 2026", "recordkit report yearly --year 2026 --pdf --json"
    ),
)
@click.option("--year", required=True, metavar="YYYY", help="统计年度 (按接收时间), 如 2026")
@_report_options
def report_yearly(ctx: click.Context, year: str, pdf: bool, as_json: bool) -> None:
    """投诉处理统计年报: 写入 out/reports/投诉统计年报-YYYY.docx / .xlsx (/ .pdf)。"""
    period = parse_year(year)
    _print_report(workspace(ctx).report(period, pdf=pdf), as_json)
