"""The archive's governance in the browser: holds, the due list, two-person disposal,
export and the results of verify and check (issue 13, point 4).

Thin views over ``Archive`` (recordkit/archive/service.py): the rules (who may approve,
what a hold protects, what is due) are the library's, the same the CLI applies. Every
action is recorded in the archive's event log under the web user's name (``who``).
Long work (export, verify, check) runs as a background job (``web.jobs``) whose page
htmx polls.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from recordkit.archive.audit import (
    CHECK_COUNT_HEADERS,
    check_count_rows,
    check_lines,
    sequence_rows,
)
from recordkit.archive.export import verify_export
from recordkit.archive.service import Archive
from recordkit.errors import DisposalRefusedError, RecordkitError
from recordkit.web import jobs
from recordkit.web.archive_forms import (
    ExportForm,
    HoldForm,
    ProposeForm,
    ReleaseForm,
    page_message,
)
from recordkit.web.roles import requires
from recordkit.web.users import actor
from recordkit.web.views_cases import workspace

EXPORTS = "exports"  # audit packages made from the web, in the working folder
_EXPORT_NAME = re.compile(r"^审计包-\d{4}-\d{8}-\d{6}\.zip$")
FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _archive() -> Archive:
    return workspace().archive()


# --------------------------------------------------------------------------- disposal


def _disposal_context(archive: Archive, request: HttpRequest) -> dict[str, Any]:
    report = archive.due()
    proposals = archive.disposal_proposals()
    pending = [p for p in proposals if p["state"] == "pending"]
    proposed = {i["archive_no"]: p["id"] for p in pending for i in p["items"]}
    free = [e for e in report.due if e["archive_no"] not in proposed]
    return {
        "title": "档案销毁鉴定",
        "due": report,
        "due_rows": [{**e, "proposal": proposed.get(e["archive_no"])} for e in report.due],
        "choices": [(e["archive_no"], e["archive_no"]) for e in free],
        "pending": pending,
        "decided": [p for p in proposals if p["state"] != "pending"],
        "batches": archive.index.disposals(),
        "me": actor(request.user),
    }


def _page(request: HttpRequest, template: str, context_of: Callable[[Archive], dict[str, Any]],
          status: int = 200) -> HttpResponse:  # fmt: skip
    """A page built from the archive; an archive that cannot be opened is said on it."""
    try:
        with _archive() as archive:
            context = context_of(archive)
    except RecordkitError as exc:
        return render(
            request, "web/archive_admin/error.html", {"title": "档案", "error": exc.message}
        )
    return render(request, f"web/archive_admin/{template}", context, status=status)


def _disposal_page(request: HttpRequest, form: ProposeForm | None = None,
                   errors: dict[int, str] | None = None, status: int = 200) -> HttpResponse:  # fmt: skip
    def context_of(archive: Archive) -> dict[str, Any]:
        context = _disposal_context(archive, request)
        context["form"] = form or ProposeForm(choices=context["choices"])
        return {**context, "errors": errors or {}}

    return _page(request, "disposal.html", context_of, status)


@requires("archive.disposal")
def archive_disposal(request: HttpRequest) -> HttpResponse:
    return _disposal_page(request)


@require_POST
@requires("archive.disposal")
def disposal_propose(request: HttpRequest) -> HttpResponse:
    """First person: the chosen due records, with a reason; the 销毁清册 is written now."""
    with _archive() as archive:
        choices = _disposal_context(archive, request)["choices"]
    form = ProposeForm(request.POST, choices=choices)
    if not form.is_valid():
        return _disposal_page(request, form, status=400)
    try:
        with _archive() as archive:
            report = archive.propose_disposal(
                form.cleaned_data["items"], actor(request.user), form.cleaned_data["reason"]
            )
    except DisposalRefusedError as exc:
        for line in exc.problems:
            form.add_error("items", line)
        return _disposal_page(request, form, status=400)
    except RecordkitError as exc:
        form.add_error("reason", page_message(exc.message))
        return _disposal_page(request, form, status=400)
    proposal = report.proposal
    messages.success(
        request, f"已提交销毁申请 #{proposal['id']} ({len(proposal['items'])} 件), 须由另一人批准。"
    )
    return redirect("web:archive_disposal")


@require_POST
@requires("archive.disposal")
def disposal_approve(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """Second person: approve and destroy; the proposer is refused (beside the form)."""
    try:
        with _archive() as archive:
            report = archive.approve_disposal(proposal_id, actor(request.user))
    except RecordkitError as exc:
        return _disposal_page(request, errors={proposal_id: exc.message}, status=400)
    messages.success(
        request,
        f"已批准销毁申请 #{proposal_id}: 已销毁 {len(report.items)} 件 (第 {report.disposal_id} 批)。",
    )
    return redirect("web:archive_disposal")


@require_POST
@requires("archive.disposal")
def disposal_reject(request: HttpRequest, proposal_id: int) -> HttpResponse:
    reason = request.POST.get("reason", "")  # blank: the library's error, beside the proposal
    try:
        with _archive() as archive:
            archive.reject_disposal(proposal_id, actor(request.user), reason)
    except RecordkitError as exc:
        return _disposal_page(request, errors={proposal_id: page_message(exc.message)}, status=400)
    messages.success(request, f"已驳回销毁申请 #{proposal_id}, 未销毁任何档案。")
    return redirect("web:archive_disposal")


@requires("archive.disposal")
def disposal_list_file(request: HttpRequest, kind: str, number: int, fmt: str) -> FileResponse:
    """A 销毁清册 as written: of a proposal, or of a disposal batch."""
    if kind not in ("proposal", "batch") or fmt not in FORMATS:
        raise Http404("未知的销毁清册 (unknown list)")
    try:
        with _archive() as archive:
            file = archive.disposal_list(kind, number, fmt)
    except RecordkitError as exc:
        raise Http404(exc.message) from None
    return FileResponse(
        file.open("rb"), as_attachment=True, filename=file.name, content_type=FORMATS[fmt]
    )


@requires("archive.disposal")
def due_xlsx(request: HttpRequest) -> FileResponse:
    """The due list as the appraisal spreadsheet ``archive due --xlsx`` writes."""
    folder = Path(tempfile.mkdtemp(prefix="recordkit-due-"))
    sheet = folder / f"到期档案鉴定表-{datetime.now():%Y%m%d}.xlsx"
    with _archive() as archive:
        archive.due(xlsx=sheet)
    data = sheet.read_bytes()
    sheet.unlink()
    folder.rmdir()
    response = HttpResponse(data, content_type=FORMATS["xlsx"])
    response["Content-Disposition"] = content_disposition_header(True, sheet.name)
    return response


# --------------------------------------------------------------------------- holds


def _holds_page(request: HttpRequest, form: HoldForm | None = None,
                errors: dict[int, str] | None = None, status: int = 200) -> HttpResponse:  # fmt: skip
    def context_of(archive: Archive) -> dict[str, Any]:
        holds = archive.holds(include_released=True)
        return {"title": "法律保全", "active": [h for h in holds if h["active"]],
                "released": [h for h in holds if not h["active"]], "form": form or HoldForm(),
                "errors": errors or {}}  # fmt: skip

    return _page(request, "holds.html", context_of, status)


@requires("archive.hold")
def archive_holds(request: HttpRequest) -> HttpResponse:
    return _holds_page(request)


@require_POST
@requires("archive.hold")
def hold_add(request: HttpRequest) -> HttpResponse:
    form = HoldForm(request.POST)
    if not form.is_valid():
        return _holds_page(request, form, status=400)
    data = form.cleaned_data
    try:
        with _archive() as archive:
            hold = archive.add_hold(
                data["archive_no"] or None,
                data["case_no"] or None,
                data["year"],
                data["reason"],
                actor(request.user),
            )
    except RecordkitError as exc:
        form.add_error(form.target_field(), page_message(exc.message))
        return _holds_page(request, form, status=400)
    messages.success(
        request, f"已设置法律保全 #{hold['id']} ({hold['scope_label']} {hold['target']})。"
    )
    return redirect("web:archive_holds")


@require_POST
@requires("archive.hold")
def hold_release(request: HttpRequest, hold_id: int) -> HttpResponse:
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        return _holds_page(request, errors={hold_id: form.errors["reason"][0]}, status=400)
    try:
        with _archive() as archive:
            archive.remove_hold(hold_id, actor(request.user), form.cleaned_data["reason"])
    except RecordkitError as exc:
        return _holds_page(request, errors={hold_id: page_message(exc.message)}, status=400)
    messages.success(request, f"已解除法律保全 #{hold_id}。")
    return redirect("web:archive_holds")


# --------------------------------------------------------------------------- export


def _exports_dir() -> Path:
    return workspace().config.root / EXPORTS


def _exports() -> list[dict[str, Any]]:
    folder = _exports_dir()
    files = sorted(folder.glob("审计包-*.zip"), reverse=True) if folder.is_dir() else []
    return [{"name": f.name, "size": f.stat().st_size} for f in files if _EXPORT_NAME.match(f.name)]


def _export_page(
    request: HttpRequest, form: ExportForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "title": "导出审计包",
        "form": form or ExportForm(),
        "exports": _exports(),
        "job": jobs.current(),
    }
    return render(request, "web/archive_admin/export.html", context, status=status)


@requires("archive.export")
def archive_export(request: HttpRequest) -> HttpResponse:
    """The form; a valid POST runs ``archive export --zip`` and ``verify-export`` as a job."""
    if request.method != "POST":
        return _export_page(request)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _export_page(request, form, status=400)
    year, cases, by = form.cleaned_data["year"], form.cleaned_data["cases"], actor(request.user)
    target = _exports_dir() / f"审计包-{year}-{datetime.now():%Y%m%d-%H%M%S}.zip"
    ws = workspace()

    def work(job: jobs.Job) -> dict[str, Any]:
        with ws.archive() as archive:
            report = archive.export(target, year, cases, as_zip=True, by=by)
        bag = verify_export(Path(report.path))
        return {
            "kind": "export",
            "export": report.to_dict(),
            "name": Path(report.path).name,
            "bag": bag.to_dict(),
        }

    title = f"导出审计包 {year} 年度" + (f" ({'、'.join(cases)})" if cases else "")
    return _start(request, title, work, "web:archive_export")


@requires("archive.export")
def export_download(request: HttpRequest, name: str) -> FileResponse:
    file = _exports_dir() / name
    if not _EXPORT_NAME.match(name) or not file.is_file():
        raise Http404("没有这个审计包 (no such package)")
    return FileResponse(
        file.open("rb"), as_attachment=True, filename=name, content_type="application/zip"
    )


# --------------------------------------------------------------------------- verify and check


@requires("archive.view")
def archive_checks(request: HttpRequest) -> HttpResponse:
    return render(
        request, "web/archive_admin/checks.html", {"title": "校验与检查", "job": jobs.current()}
    )


@require_POST
@requires("archive.view")
def checks_verify(request: HttpRequest) -> HttpResponse:
    """``archive verify``: every original re-hashed, the event chain walked (logged)."""
    ws, by = workspace(), actor(request.user)

    def work(job: jobs.Job) -> dict[str, Any]:
        def started(total: int) -> None:
            with job.lock:
                job.total, job.done = total, 0

        def advanced(steps: int) -> None:
            with job.lock:
                job.done = min(job.total, job.done + steps)

        with ws.archive() as archive:
            report = archive.verify(on_start=started, on_progress=advanced, by=by)
        return {"kind": "verify", "verify": report.to_dict()}

    return _start(request, "完整性校验 (verify)", work, "web:archive_checks")


@require_POST
@requires("archive.view")
def checks_check(request: HttpRequest) -> HttpResponse:
    """``archive check``: 件号 continuity, 四性检测 results, completeness, overdue steps."""
    ws = workspace()

    def work(job: jobs.Job) -> dict[str, Any]:
        with ws.archive() as archive:
            report = archive.check()
        return {"kind": "check", "check": report.to_dict(), "lines": check_lines(report),
                "counts": check_count_rows(report), "sequences": sequence_rows(report)}  # fmt: skip

    return _start(request, "归档检查 (check)", work, "web:archive_checks")


def _start(request: HttpRequest, title: str, work: Any, back: str) -> HttpResponse:
    try:
        job = jobs.start(title, actor(request.user), work)
    except RecordkitError as exc:  # another job still running
        messages.error(request, exc.message)
        return redirect(back)
    return redirect("web:archive_job", job_id=job.id)


@requires("archive.view")
def archive_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """An archive job's progress, then its results; htmx polls the partial."""
    job = jobs.get(job_id)
    if job is None or (job.finished and not (isinstance(job.result, dict) or job.error)):
        raise Http404("没有这个任务 (服务器重启后任务记录不保留)")
    partial = bool(request.headers.get("HX-Request"))
    context = {
        "title": job.title,
        "job": job,
        "r": job.result or {},
        "count_headers": CHECK_COUNT_HEADERS,
    }
    return render(
        request, "web/archive_admin/_job.html" if partial else "web/archive_admin/job.html", context
    )


# Included by web/urls.py.
urlpatterns = [
    path("archive/disposal/", archive_disposal, name="archive_disposal"),
    path("archive/disposal/propose/", disposal_propose, name="archive_propose"),
    path("archive/disposal/<int:proposal_id>/approve/", disposal_approve, name="archive_approve"),
    path("archive/disposal/<int:proposal_id>/reject/", disposal_reject, name="archive_reject"),
    path(
        "archive/disposal/<str:kind>/<int:number>.<str:fmt>",
        disposal_list_file,
        name="archive_disposal_list",
    ),
    path("archive/due.xlsx", due_xlsx, name="archive_due_xlsx"),
    path("archive/holds/", archive_holds, name="archive_holds"),
    path("archive/holds/add/", hold_add, name="archive_hold_add"),
    path("archive/holds/<int:hold_id>/release/", hold_release, name="archive_hold_release"),
    path("archive/export/", archive_export, name="archive_export"),
    path("archive/export/<str:name>", export_download, name="archive_export_download"),
    path("archive/checks/", archive_checks, name="archive_checks"),
    path("archive/checks/verify/", checks_verify, name="archive_verify"),
    path("archive/checks/check/", checks_check, name="archive_check"),
    path("archive/jobs/<int:job_id>/", archive_job, name="archive_job"),
]
