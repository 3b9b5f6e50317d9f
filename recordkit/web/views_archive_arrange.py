"""整理编号 in the browser (issue 14 point 8): the preview of ``archive arrange --year``
and the button that gives the final 件号, for 档案员 and 管理员 (``archive.upload``).

Both call the library exactly as the command does (``Archive.arrange``, a dry run for the
preview); the ``year_arranged`` event records the signed-in user. A sealed 年度 asks for
the reason, which the event keeps.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from recordkit.errors import RecordkitError
from recordkit.web.roles import requires
from recordkit.web.views_cases import workspace


def _year(text: str) -> tuple[int | None, str]:
    """The 年度 typed into the form, or the error to show beside the field."""
    text = text.strip()
    if not text.isdigit() or not 1000 <= int(text) <= 9999:
        return None, f"年度应为 4 位数字, 如 2026 (不是 {text!r})" if text else "请填写年度"
    return int(text), ""


def _page(
    request: HttpRequest, year_text: str, errors: dict[str, str], reason: str = ""
) -> HttpResponse:
    """The page: the form, and for a valid 年度 the arrangement it would make."""
    context: dict[str, Any] = {
        "title": "整理编号",
        "year": year_text,
        "reason": reason,
        "errors": errors,
    }
    year, error = _year(year_text) if year_text else (None, "")
    if error and "year" not in errors:
        errors["year"] = error
    if year is not None and not errors.get("year"):
        try:
            with workspace().archive() as archive:
                context["plan"] = archive.arrange(year, dry_run=True)
        except RecordkitError as exc:
            errors.setdefault("year", exc.message)
    return render(request, "web/archive/arrange.html", context, status=400 if errors else 200)


@requires("archive.upload")
def archive_arrange(request: HttpRequest) -> HttpResponse:
    return _page(request, request.GET.get("year", ""), {})


@require_POST
@requires("archive.upload")
def archive_arrange_run(request: HttpRequest) -> HttpResponse:
    year_text, reason = request.POST.get("year", ""), request.POST.get("reason", "").strip()
    year, error = _year(year_text)
    if year is None:
        return _page(request, year_text, {"year": error}, reason)
    try:
        with workspace().archive() as archive:
            sealed = archive.index.sealed_year(year) is not None
            if sealed and not reason:
                return _page(
                    request, year_text, {"reason": "该年度已整理封存, 请写明重新整理的原因"}
                )
            report = archive.arrange(
                year, reopen=sealed, reason=reason or None, by=request.user.get_username()
            )
    except RecordkitError as exc:
        return _page(request, year_text, {"year": exc.message}, reason)
    messages.success(request, f"{year} 年度已整理: 编定 {len(report.moves)} 件, 重新加盖归档章 "
                              f"{len(report.restamped)} 件; 年度已封存。")  # fmt: skip
    for problem in report.errors:
        messages.error(request, f"未能重新加盖归档章: {problem}")
    return redirect(f"{reverse('web:archive_arrange')}?year={year}")


# Included by web/urls.py.
urlpatterns = [
    path("archive/arrange/", archive_arrange, name="archive_arrange"),
    path("archive/arrange/run/", archive_arrange_run, name="archive_arrange_run"),
]
