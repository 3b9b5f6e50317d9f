"""The reports part of ``recordkit demo``: the monthly report of the busiest sample month
and the yearly report."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from recordkit.config import Config, load_config
from recordkit.forms.libreoffice import find_soffice
from recordkit.reports.report import ReportResult, report_lines
from recordkit.reports.stats import Period
from recordkit.workspace import Workspace

DEMO_VOLUME = 120  # illustrative: services the demo office delivered in the report month


def busiest_month(config: Config) -> Period:
    """The month with the most cases received (the latest on a tie); 2026-10 when none."""
    cases, _errors = Workspace(config).casebook().scan()
    months = Counter((c.received.year, c.received.month) for c in cases)
    if not months:
        return Period(2026, 10)
    (year, month), _n = max(months.items(), key=lambda item: (item[1], item[0]))
    return Period(year, month)


def demo_reports(config: Config, echo: Callable[..., None]) -> ReportResult:
    """`recordkit demo` step: the monthly report of the busiest sample month.

    The demo folder gets an illustrative ``[reports] service_volume`` for that month
    (when it has none) so 用户抱怨率 is computed rather than reported as unconfigured.
    """
    period = busiest_month(config)
    if config.path is not None and "service_volume" not in config.section("reports"):
        text = config.path.read_text(encoding="utf-8")
        line = (
            f'service_volume = {{"{period.key}" = {DEMO_VOLUME}}}  '
            "# 演示数值 (illustrative): 本月服务总量, 用户抱怨率的分母\n"
        )
        header = re.search(r"(?m)^\[reports\][^\n]*\n", text)
        if header:
            text = text[: header.end()] + line + text[header.end() :]
        else:
            text += "\n[reports]\n" + line
        config.path.write_text(text, encoding="utf-8")
        config = load_config(config.path)
    result = Workspace(config).report(period, pdf=find_soffice() is not None)
    echo(f"== 统计月报 {period.label} (recordkit report monthly --month {period.key})")
    for line in report_lines(result, config.root):
        echo(f"   {line}")
    chart = result.charts[1]
    echo(f"   {chart.path.name}: {chart.description}")
    yearly = Workspace(config).report(Period(period.year))
    echo(f"== 统计年报 {yearly.stats.period.label} (recordkit report yearly --year {period.year})")
    for line in report_lines(yearly, config.root):
        echo(f"   {line}")
    return result
