"""The other records' pages: 其他记录 list, 新建/编辑记录, 记录页 (issue 12).

质量事故, 整改通知, 纠正和预防措施 and 售后服务 work as cases do: the same form generated
from each type's field table (``case_forms.CaseForm`` with ``rtype``), the same save with
conflict detection (``cases.editing``), the same change log, the same form filling. A
record's URL names its type, so a number is looked up in that type's book only.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from typing import Any

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from recordkit.cases import schema
from recordkit.cases.authoring import blank_case
from recordkit.cases.editing import create_case, open_case
from recordkit.cases.record_list import (
    RecordFilter,
    filter_records,
    other_type,
    record_years,
    sorted_records,
    summary,
)
from recordkit.cases.store import Case, get_path, is_blank
from recordkit.errors import FieldProblem, RecordkitError
from recordkit.web.case_forms import CaseForm, form_fields
from recordkit.web.changes import history
from recordkit.web.roles import allowed, requires
from recordkit.web.views_cases import (
    PAGE_SIZE,
    edit_page,
    generate_form,
    save_form,
    send_form,
    workspace,
)
from recordkit.workspace import Workspace


def _type(name: str) -> schema.RecordType:
    rtype = other_type(name)
    if rtype is None:
        raise Http404(f"未知的记录类型 {name} (unknown record type)")
    return rtype


def _opened(
    ws: Workspace, rtype: schema.RecordType, number: str
) -> tuple[Case, list[FieldProblem]]:
    """The record of a URL and its problems; unknown, malformed or unreadable: a 404 page."""
    try:
        return open_case(ws.book(rtype), number)
    except RecordkitError as exc:
        raise Http404(exc.message) from None


def _filter_of(request: HttpRequest) -> RecordFilter:
    get = request.GET
    year = get.get("year", "")
    return RecordFilter(
        type=get.get("type", ""),
        state=get.get("state", ""),
        year=int(year) if year.isdigit() else None,
        query=get.get("q", ""),
    )


@requires("record.view")
def record_list(request: HttpRequest) -> HttpResponse:
    ws = workspace()
    records: list[Case] = []
    for rtype in schema.OTHER_TYPES:
        records += ws.book(rtype).scan()[0]
    chosen = filter_records(sorted_records(records), _filter_of(request))
    page = Paginator(
        [(r, str(r.data.get(r.rtype.date_field) or ""), summary(r)) for r in chosen], PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/records/list.html",
        {
            "title": "其他记录",
            "page": page,
            "total": len(chosen),
            "types": schema.OTHER_TYPES,
            "years": record_years(records),
            "params": request.GET,
            "query": query.urlencode(),
            "can_edit": allowed(request.user, "record.edit"),
        },
    )


def _form_page(
    request: HttpRequest, form: CaseForm, record: Case | None, status: int = 200
) -> HttpResponse:
    rtype = form.rtype
    title = f"编辑{rtype.label} {record.case_no}" if record else f"新建{rtype.label}"
    return render(
        request,
        "web/records/edit.html",
        {"title": title, "form": form, "record": record, "rtype": rtype},
        status=status,
    )


def _save(
    request: HttpRequest,
    form: CaseForm,
    record: Case | None,
    save: Callable[[], tuple[dict[str, Any], Case]],
    done: str,
) -> HttpResponse:
    return save_form(
        request, form, save, lambda status: _form_page(request, form, record, status=status), done
    )


@requires("record.edit")
def record_new(request: HttpRequest, type_name: str) -> HttpResponse:
    rtype = _type(type_name)
    start = blank_case(
        rtype.kinds[0] if rtype.kinds and request.method == "GET" else "", rtype=rtype
    )
    form = CaseForm(request.POST or None, data_before=start, rtype=rtype)
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, None, status=400 if request.method == "POST" else 200)
    return _save(
        request,
        form,
        None,
        lambda: ({}, create_case(workspace().book(rtype), form.case_data())),
        "新建",
    )


@requires("record.edit")
def record_edit(request: HttpRequest, type_name: str, number: str) -> HttpResponse:
    rtype = _type(type_name)
    ws = workspace()
    record, problems = _opened(ws, rtype, number)
    return edit_page(
        request,
        ws.book(rtype),
        record,
        problems,
        None,
        lambda form, status: _form_page(request, form, record, status=status),
    )


def _shown(value: Any) -> str:
    """A field's value as the record page prints it (lists one item a line)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "\n".join(
            "；".join(f"{v}" for v in item.values()) if isinstance(item, dict) else str(item)
            for item in value
        )
    return str(value)


def _fields(record: Case) -> list[tuple[str, str]]:
    rtype = record.rtype
    return [
        (f.label, _shown(get_path(record.data, f.path)))
        for f in form_fields(rtype)
        if not is_blank(get_path(record.data, f.path))
    ]


@requires("record.view")
def record_detail(request: HttpRequest, type_name: str, number: str) -> HttpResponse:
    rtype = _type(type_name)
    ws = workspace()
    record, problems = _opened(ws, rtype, number)
    with closing(ws.generator()) as generator:
        forms = [
            {
                "form": f,
                "docx": generator.output_path(record.case_no, f).is_file(),
                "pdf": generator.output_path(record.case_no, f).with_suffix(".pdf").is_file(),
            }
            for f in generator.catalog.needed_for(record.data, ws.config.profile, rtype)
            if not f.is_register
        ]
    source = str(record.data.get("source_case") or "").strip()
    return render(
        request,
        "web/records/detail.html",
        {
            "title": f"{rtype.label} {record.case_no}",
            "record": record,
            "rtype": rtype,
            "problems": problems,
            "fields": _fields(record),
            "forms": forms,
            "source_case": source,
            # The record's checks look its source case up (link_check): linked when no problem is named.
            "source_exists": bool(source) and not any(p.path == "source_case" for p in problems),
            "history": [
                (c, schema.label_of(c.field, rtype)) for c in history(rtype.name, record.case_no)
            ],
            "can_generate": allowed(request.user, "form.generate"),
            "can_edit": allowed(request.user, "record.edit"),
        },
    )


@require_POST
@requires("form.generate")
def record_form_generate(
    request: HttpRequest, type_name: str, number: str, code: str
) -> HttpResponse:
    rtype = _type(type_name)
    ws = workspace()
    record = _opened(ws, rtype, number)[0]
    generate_form(request, ws, record, code)
    return redirect("web:record", type_name=rtype.name, number=record.case_no)


@requires("record.view")
def record_form_download(
    request: HttpRequest, type_name: str, number: str, code: str, fmt: str
) -> FileResponse:
    rtype = _type(type_name)
    ws = workspace()
    return send_form(ws, _opened(ws, rtype, number)[0], code, fmt)


# Included by web/urls.py (kept here so the record pages add one line there).
urlpatterns = [
    path("records/", record_list, name="records"),
    path("records/<str:type_name>/new/", record_new, name="record_new"),
    path("records/<str:type_name>/<str:number>/", record_detail, name="record"),
    path("records/<str:type_name>/<str:number>/edit/", record_edit, name="record_edit"),
    path(
        "records/<str:type_name>/<str:number>/forms/<str:code>/generate/",
        record_form_generate,
        name="record_form_generate",
    ),
    path(
        "records/<str:type_name>/<str:number>/forms/<str:code>/<str:fmt>/",
        record_form_download,
        name="record_form_download",
    ),
]
