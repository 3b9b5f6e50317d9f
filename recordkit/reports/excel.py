"""The report's figures as an Excel workbook (openpyxl)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from recordkit.cases.spreadsheet import append_typed
from recordkit.reports.stats import Stats
from recordkit.reports.word import report_title

# --------------------------------------------------------------------------- Excel


def _header_style(cells: Any) -> None:
    """Bold on pale blue, the look of every header row."""
    from openpyxl.styles import Font, PatternFill

    for cell in cells:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="D9E2F3")


def _sheet(
    workbook: Any,
    name: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    percent_columns: Sequence[int] = (),
    widths: Sequence[int] = (),
) -> None:
    """One table as a sheet: a styled, frozen header row, typed cells, percent columns."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    ws = workbook.create_sheet(name)
    append_typed(ws, headers)
    _header_style(ws[1])
    for cell in ws[1]:
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        append_typed(ws, row)
    for column in percent_columns:
        for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = "0.0%"
    for index, header in enumerate(headers, start=1):
        width = widths[index - 1] if index <= len(widths) else max(10, len(str(header)) * 2 + 4)
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"


def _overview_sheet(workbook: Any, stats: Stats, org: str) -> None:
    """The first sheet: what the report covers and the headline counts."""
    overview = workbook.active
    overview.title = "概况"
    as_of = (
        stats.as_of.replace(second=0, microsecond=0, tzinfo=None) if stats.as_of else ""
    )  # Excel has no zones
    for row in (
        ["项目", "值"],
        ["单位", org],
        ["报表", report_title(org, stats.period)],
        [
            "统计期间",
            f"{stats.period.first_day.isoformat()} 至 {stats.period.last_day.isoformat()}",
        ],
        ["程序配置", stats.profile],
        ["统计截至", as_of],
        ["接收件数", stats.total],
        ["已办结", stats.closed],
        ["办理中", stats.open],
        ["办理中已超期", stats.open_overdue],
    ):
        append_typed(overview, row)
    _header_style(overview[1])
    overview.column_dimensions["A"].width, overview.column_dimensions["B"].width = 16, 48


def _targets_sheet(workbook: Any, stats: Stats) -> None:
    _sheet(
        workbook,
        "服务目标",
        ["指标", "目标", "分子", "分母", "实际值", "结论", "计算方法", "说明"],
        [
            [
                t.name,
                t.threshold_text,
                t.numerator,
                t.denominator,
                t.value,
                t.status,
                t.formula,
                "; ".join(x for x in (t.unavailable, t.note) if x),
            ]
            for t in stats.targets
        ],
        percent_columns=(5,),
        widths=(14, 10, 8, 8, 10, 10, 60, 40),
    )


def _breakdown_sheets(workbook: Any, stats: Stats) -> None:
    """One sheet per count table (类别, 投诉方式 …), with shares and a total."""
    for name, header, counts in stats.breakdowns():
        rows = [[label, n, n / stats.total if stats.total else None] for label, n in counts.items()]
        rows.append(["合计", stats.total, 1 if stats.total else None])
        _sheet(
            workbook,
            name,
            [header, "件数", "占比"],
            rows,
            percent_columns=(3,),
            widths=(24, 10, 10),
        )


def _steps_sheet(workbook: Any, stats: Stats) -> None:
    _sheet(
        workbook,
        "处理时效",
        [
            "步骤",
            "时限",
            "适用",
            "已完成",
            "按期",
            "超期完成",
            "按期率",
            "办理中",
            "已超期",
            "未记录",
            "无法判断",
        ],
        [
            [
                s.name,
                s.limit_text,
                s.applicable,
                s.done,
                s.on_time,
                s.late,
                s.rate,
                s.running,
                s.overdue,
                s.unrecorded,
                s.unknown,
            ]
            for s in stats.steps
        ],
        percent_columns=(7,),
        widths=(30, 10),
    )


def build_xlsx(stats: Stats, org: str) -> bytes:
    """The same numbers as the Word report, one sheet per table."""
    from openpyxl import Workbook

    workbook = Workbook()
    _overview_sheet(workbook, stats, org)
    _targets_sheet(workbook, stats)
    _breakdown_sheets(workbook, stats)
    _steps_sheet(workbook, stats)
    _sheet(
        workbook,
        "月度趋势",
        ["月份", "接收件数"],
        [[m, n] for m, n in stats.trend],
        widths=(12, 12),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
