"""The case pages: 工作台, 案件列表, 新建/编辑案件, 案件页 (issue 12).

Thin views: each gets its services from the working folder's ``Workspace`` and calls the
library (``cases.editing`` saves, ``clock.worklist`` lists, the ``Generator`` fills forms).
Every view is wrapped by ``roles.requires``; editing adds the object-level check of who
may change which fields of this case (``edit_scope``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from recordkit.archive.audit import CaseFiling
from recordkit.cases import schema
from recordkit.cases.authoring import blank_case
from recordkit.cases.editing import create_case, open_case, replace_case
from recordkit.cases.store import Case, CaseBook
from recordkit.clock import worklist
from recordkit.clock.rowcache import CaseRowCache
from recordkit.clock.status import case_status
from recordkit.errors import (
    CaseValidationError,
    EditConflictError,
    FieldProblem,
    RecordkitError,
)
from recordkit.web.case_forms import HANDLER_PATHS, CaseForm
from recordkit.web.changes import history, record_change_set
from recordkit.web.roles import allowed, requires
from recordkit.workspace import Workspace

# The case rows of this server process, kept between requests (only changed files are
# read again): what makes the 工作台 and 案件列表 fast with 10,000 cases.
CASE_ROWS = CaseRowCache()
PAGE_SIZE = 50
DASHBOARD_ROWS = 50  # rows of each list on the 工作台
FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def workspace() -> Workspace:
    """The working folder this server was started on."""
    return Workspace.open(Path(settings.RECORDKIT_WORKDIR) / "recordkit.toml")


def user_names(user: Any) -> list[str]:
    """The names a case may give its handler by: full name and user name."""
    return [n for n in (user.first_name, user.get_username()) if n]


def _rows(ws: Workspace, now: datetime) -> list[worklist.CaseRow]:
    return CASE_ROWS.rows(ws.casebook(), ws.clock, now)


def _opened(ws: Workspace, case_no: str) -> tuple[Case, list[FieldProblem]]:
    """The case of a URL and its problems (a file with problems still opens, to be
    corrected); an unknown or malformed number, or an unreadable file, is a 404 page."""
    try:
        return open_case(ws.casebook(), case_no)
    except RecordkitError as exc:
        raise Http404(exc.message) from None


def _case(ws: Workspace, case_no: str) -> Case:
    return _opened(ws, case_no)[0]


@requires("dashboard.view")
def dashboard(request: HttpRequest) -> HttpResponse:
    ws, now = workspace(), datetime.now()
    rows = _rows(ws, now)
    today = now.date()
    due_soon, overdue = (
        worklist.due_soon(rows, ws.clock.calendar, today),
        worklist.overdue_steps(rows),
    )
    # The first rows of each list; the 案件列表 (filter 只看超期) has them all.
    return render(
        request,
        "web/cases/dashboard.html",
        {
            "title": "工作台",
            "shown": DASHBOARD_ROWS,
            "mine": worklist.assigned_to(rows, user_names(request.user)),
            "due_soon": due_soon[:DASHBOARD_ROWS],
            "due_soon_total": len(due_soon),
            "overdue": overdue[:DASHBOARD_ROWS],
            "overdue_total": len(overdue),
            "counts": worklist.month_counts(rows, today),
        },
    )


def _filter_of(request: HttpRequest) -> worklist.CaseFilter:
    get = request.GET
    year = get.get("year", "")
    return worklist.CaseFilter(
        kind=get.get("kind", ""),
        state=get.get("state", ""),
        year=int(year) if year.isdigit() else None,
        department=get.get("department", ""),
        overdue=get.get("overdue") == "1",
        query=get.get("q", ""),
    )


@requires("case.view")
def case_list(request: HttpRequest) -> HttpResponse:
    rows = _rows(workspace(), datetime.now())
    years, departments = worklist.years_and_departments(rows)
    chosen = worklist.filter_rows(rows, _filter_of(request))
    page = Paginator(chosen, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/cases/list.html",
        {
            "title": "案件",
            "page": page,
            "total": len(chosen),
            "kinds": schema.KINDS,
            "years": years,
            "departments": departments,
            "params": request.GET,
            "query": query.urlencode(),
            "can_edit": allowed(request.user, "case.edit"),
        },
    )


def edit_scope(user: Any, case: Case | None) -> tuple[str, ...] | None:
    """What ``user`` may change: None = every field (登记员); the handler's paths for the
    经办人 the case is assigned to; anyone else is refused (403)."""
    if allowed(user, "case.edit"):
        return None
    handler = str((case.data.get("assignment") or {}).get("handler") or "").strip() if case else ""
    if (
        case is not None
        and allowed(user, "case.handle")
        and handler
        and handler in user_names(user)
    ):
        return HANDLER_PATHS
    raise PermissionDenied("您的角色无权编辑此案件 (case.edit, 或经办人只能办理分配给自己的案件)")


def _form_page(
    request: HttpRequest, form: CaseForm, case: Case | None, status: int = 200
) -> HttpResponse:
    title = f"编辑案件 {case.case_no}" if case else "新建案件"
    return render(
        request, "web/cases/edit.html", {"title": title, "form": form, "case": case}, status=status
    )


def save_form(
    request: HttpRequest,
    form: CaseForm,
    save: Callable[[], tuple[dict[str, Any], Case]],
    page: Callable[[int], HttpResponse],
    done: str,
) -> HttpResponse:
    """Run ``save`` (of a case, or of a record of ``form.rtype``): its problems go beside
    their fields, a conflict above the form (409), and everything typed stays in the form
    (``page`` renders it with a status); a save is recorded as one change set under the
    type's name and the saved case's or record's page follows."""
    try:
        before, saved = save()
    except CaseValidationError as exc:
        form.add_problems(exc.problems)
        return page(400)
    except RecordkitError as exc:  # EditConflictError: nothing typed is lost
        form.add_error(None, exc.message)
        return page(409 if isinstance(exc, EditConflictError) else 400)
    rtype = form.rtype
    record_change_set(request.user, rtype.name, saved.case_no, before, saved.data)
    messages.success(request, f"已{done}{rtype.label} {saved.case_no}。")
    if rtype is schema.CASE:
        return redirect("web:case", case_no=saved.case_no)
    return redirect("web:record", type_name=rtype.name, number=saved.case_no)


def _save(
    request: HttpRequest,
    form: CaseForm,
    case: Case | None,
    save: Callable[[], tuple[dict[str, Any], Case]],
    done: str,
) -> HttpResponse:
    return save_form(
        request, form, save, lambda status: _form_page(request, form, case, status=status), done
    )


@requires("case.edit")
def case_new(request: HttpRequest) -> HttpResponse:
    start = blank_case(request.GET.get("kind", schema.KINDS[0]) if request.method == "GET" else "")
    form = CaseForm(request.POST or None, data_before=start)
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, None, status=400 if request.method == "POST" else 200)
    return _save(
        request,
        form,
        None,
        lambda: ({}, create_case(workspace().casebook(), form.case_data())),
        "新建",
    )


def edit_page(
    request: HttpRequest,
    book: CaseBook,
    opened: Case,
    problems: list[FieldProblem],
    scope: tuple[str, ...] | None,
    page: Callable[[CaseForm, int], HttpResponse],
) -> HttpResponse:
    """Editing a case or record of ``book``: GET shows the form with the file's values and
    its problems; POST saves it in place (``replace_case``, refused if the file changed)."""
    rtype = book.rtype
    if request.method != "POST":
        form = CaseForm(data_before=opened.data, editable=scope, rtype=rtype)
        form.initial["sha256"] = opened.data_sha256
        form.add_problems(problems)  # a file edited by hand with mistakes: shown beside each field
        return page(form, 200)
    form = CaseForm(request.POST, data_before=opened.data, editable=scope, rtype=rtype)
    if not form.is_valid():
        return page(form, 400)
    return save_form(
        request,
        form,
        lambda: replace_case(book, opened.case_no, form.case_data(), form.cleaned_data["sha256"]),
        lambda status: page(form, status),
        "保存",
    )


@requires("case.view")
def case_edit(request: HttpRequest, case_no: str) -> HttpResponse:
    ws = workspace()
    case, problems = _opened(ws, case_no)
    scope = edit_scope(request.user, case)
    return edit_page(
        request,
        ws.casebook(),
        case,
        problems,
        scope,
        lambda form, status: _form_page(request, form, case, status=status),
    )


def _filing(ws: Workspace, case: Case) -> tuple[CaseFiling | None, str]:
    """The archive status of the case's required forms, or why it cannot be read."""
    with ws.archive() as archive:
        try:
            return archive.case_filing(case), ""
        except RecordkitError as exc:  # e.g. a lost index or a wrong [archive.required]
            return None, exc.message


@requires("case.view")
def case_detail(request: HttpRequest, case_no: str) -> HttpResponse:
    ws = workspace()
    case, problems = _opened(ws, case_no)
    generator = ws.generator()
    try:
        forms = [
            {
                "form": f,
                "docx": generator.output_path(case.case_no, f).is_file(),
                "pdf": generator.output_path(case.case_no, f).with_suffix(".pdf").is_file(),
            }
            for f in generator.catalog.needed_for(case.data, ws.config.profile)
            if not f.is_register
        ]
        bundle = generator.bundle_path(case.case_no)
    finally:
        generator.close()
    user = request.user
    filing, filing_error = _filing(ws, case)
    return render(
        request,
        "web/cases/detail.html",
        {
            "filing": filing,
            "filing_error": filing_error,
            "title": f"案件 {case.case_no}",
            "case": case,
            "problems": problems,
            "status": case_status(case.data, ws.clock.profile, ws.clock.calendar, datetime.now()),
            "forms": forms,
            "bundle_docx": bundle.is_file(),
            "bundle_pdf": bundle.with_suffix(".pdf").is_file(),
            "history": [(c, schema.label_of(c.field)) for c in history("case", case.case_no)],
            "can_generate": allowed(user, "form.generate"),
            "can_edit": allowed(user, "case.edit") or allowed(user, "case.handle"),
        },
    )


def generate_form(request: HttpRequest, ws: Workspace, record: Case, code: str) -> None:
    """Fill form ``code`` for a case or record as `generate` does (a file with problems is
    refused with them; an output edited by hand is kept), its PDF too if asked; the
    outcome becomes the page's messages."""
    with closing(ws.generator()) as generator:
        try:
            form = generator.catalog.get(code)
            result = generator.run(
                [(form, generator.casebook.book(record.rtype.name).get(record.case_no))]
            )
            if request.POST.get("pdf") and result.outputs:
                generator.to_pdf(result)
        except RecordkitError as exc:
            messages.error(request, exc.message)
            return
    for failure in result.failures:
        messages.error(request, f"{code}: {failure.reason}")
    for skipped in result.skipped:
        messages.error(
            request, f"{code}: {skipped.path} 已被手工修改, 未覆盖 (hand-edited output kept)"
        )
    if result.outputs:
        messages.success(request, f"已生成 {code} {form.title}。")


@require_POST
@requires("form.generate")
def form_generate(request: HttpRequest, case_no: str, code: str) -> HttpResponse:
    ws = workspace()
    case = _case(ws, case_no)
    generate_form(request, ws, case, code)
    return redirect("web:case", case_no=case.case_no)


@require_POST
@requires("form.generate")
def bundle_generate(request: HttpRequest, case_no: str) -> HttpResponse:
    ws = workspace()
    case = _case(ws, case_no)
    generator = ws.generator()
    try:
        generator.bundle(case.case_no, pdf=bool(request.POST.get("pdf")))
    except RecordkitError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已生成 {case.case_no} 的打印合集。")
    finally:
        generator.close()
    return redirect("web:case", case_no=case.case_no)


def _send(path: Path, fmt: str) -> FileResponse:
    if not path.is_file():
        raise Http404("文件尚未生成, 请先点击 生成 (not generated yet)")
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type=FORMATS[fmt]
    )


def send_form(ws: Workspace, record: Case, code: str, fmt: str) -> FileResponse:
    """Form ``code`` of a case or record as a download, Word or PDF (404 until generated)."""
    if fmt not in FORMATS:
        raise Http404("未知的格式 (unknown format)")
    try:
        form = ws.catalog().get(code)
    except RecordkitError as exc:
        raise Http404(exc.message) from None
    with closing(ws.generator()) as generator:
        path = generator.output_path(record.case_no, form)
    return _send(path.with_suffix(f".{fmt}"), fmt)


@requires("case.view")
def form_download(request: HttpRequest, case_no: str, code: str, fmt: str) -> FileResponse:
    ws = workspace()
    return send_form(ws, _case(ws, case_no), code, fmt)


@requires("case.view")
def bundle_download(request: HttpRequest, case_no: str, fmt: str) -> FileResponse:
    ws = workspace()
    case = _case(ws, case_no)
    if fmt not in FORMATS:
        raise Http404("未知的格式 (unknown format)")
    return _send(ws.generator().bundle_path(case.case_no).with_suffix(f".{fmt}"), fmt)


# Included by web/urls.py (kept here so the case pages add one line there).
urlpatterns = [
    path("cases/new/", case_new, name="case_new"),
    path("cases/<str:case_no>/", case_detail, name="case"),
    path("cases/<str:case_no>/edit/", case_edit, name="case_edit"),
    path("cases/<str:case_no>/forms/<str:code>/generate/", form_generate, name="form_generate"),
    path("cases/<str:case_no>/forms/<str:code>/<str:fmt>/", form_download, name="form_download"),
    path("cases/<str:case_no>/bundle/generate/", bundle_generate, name="bundle_generate"),
    path("cases/<str:case_no>/bundle/<str:fmt>/", bundle_download, name="bundle_download"),
]
