"""The 报表 page (issue 12): a month's or a year's report in the page, its charts, and
the Word, PDF and XLSX downloads.

Viewing computes the figures the report shows (``Workspace.report_figures``, read only);
生成 writes the report with the very call `recordkit report monthly/yearly` makes
(``Workspace.report``). Charts are served only from the report's own chart folder.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from recordkit.errors import RecordkitError
from recordkit.reports.report import ReportFiles
from recordkit.reports.stats import Period, parse_month, parse_year, pct
from recordkit.web.roles import allowed, requires
from recordkit.web.views_cases import workspace

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def period_of(key: str) -> Period:
    """``2026-10`` (a month) or ``2026`` (a year), as the URL and the form carry it."""
    return parse_month(key) if "-" in key else parse_year(key)


def _chosen(request: HttpRequest) -> tuple[Period | None, dict[str, str]]:
    """The period asked for in the query (month= or year=) and any error, by field."""
    for name, parse in (("month", parse_month), ("year", parse_year)):
        text = request.GET.get(name, "").strip()
        if text:
            try:
                return parse(text), {}
            except RecordkitError as exc:
                return None, {name: exc.message.split(": ", 1)[-1]}
    return None, {}


def _report_context(period: Period) -> dict[str, object]:
    ws = workspace()
    stats, problems = ws.report_figures(period)
    files = ws.report_files(period)
    return {
        "period": period,
        "stats": stats,
        "problems": problems,
        "steps": [(step, pct(step.on_time, step.done)) for step in stats.steps],
        "charts": files.chart_names(),
        "downloads": [fmt for fmt in FORMATS if getattr(files, fmt).is_file()],
    }


@requires("report.view")
def reports(request: HttpRequest) -> HttpResponse:
    period, errors = _chosen(request)
    context: dict[str, object] = {
        "title": "报表",
        "errors": errors,
        "params": request.GET,
        "can_generate": allowed(request.user, "report.generate"),
    }
    if period is not None:
        context.update(_report_context(period))
    return render(request, "web/reports/page.html", context, status=400 if errors else 200)


def _back(period: Period) -> HttpResponse:
    query = f"month={period.key}" if period.is_month else f"year={period.key}"
    return redirect(f"{reverse('web:reports')}?{query}")


@require_POST
@requires("report.generate")
def report_generate(request: HttpRequest, key: str) -> HttpResponse:
    try:
        period = period_of(key)
    except RecordkitError as exc:
        raise Http404(exc.message) from None
    try:
        result = workspace().report(period, pdf=bool(request.POST.get("pdf")))
    except (
        RecordkitError
    ) as exc:  # e.g. LibreOffice missing for the PDF: Word and Excel are written
        messages.error(request, exc.message)
    else:
        made = "Word、Excel" + ("、PDF" if result.pdf else "")
        messages.success(
            request, f"已生成{period.report_name} ({made}, 图表 {len(result.charts)} 张)。"
        )
        for problem in result.problems:
            messages.error(request, f"注意: {problem}")
    return _back(period)


def _files(key: str) -> ReportFiles:
    try:
        return workspace().report_files(period_of(key))
    except RecordkitError as exc:
        raise Http404(exc.message) from None


@requires("report.view")
def report_chart(request: HttpRequest, key: str, name: str) -> FileResponse:
    chart = _files(key).chart(name)
    if chart is None:
        raise Http404("没有这张图表, 请先生成报表 (no such chart)")
    return FileResponse(chart.open("rb"), content_type="image/png")


@requires("report.view")
def report_download(request: HttpRequest, key: str, fmt: str) -> FileResponse:
    if fmt not in FORMATS:
        raise Http404("未知的格式 (unknown format)")
    target = getattr(_files(key), fmt)
    if not target.is_file():
        raise Http404("报表尚未生成此格式, 请先点击 生成 (not generated yet)")
    return FileResponse(
        target.open("rb"), as_attachment=True, filename=target.name, content_type=FORMATS[fmt]
    )


# Included by web/urls.py.
urlpatterns = [
    path("reports/", reports, name="reports"),
    path("reports/<str:key>/generate/", report_generate, name="report_generate"),
    path("reports/<str:key>/charts/<str:name>", report_chart, name="report_chart"),
    path("reports/<str:key>/<str:fmt>/", report_download, name="report_download"),
]
