"""The 导入 page: upload an XLSX/CSV register of cases or of a record type (issue 12).

The import is the library call of `case import` / `record import`, through
``cases.upload.import_upload`` (size limit, type from content, a private temporary file
deleted afterwards). All-or-nothing as in the CLI: a register with bad rows writes
nothing and its problems are shown as a table (行, 列, 问题).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from recordkit.cases import schema
from recordkit.cases.upload import import_upload, upload_name
from recordkit.errors import ImportRowsError, RecordkitError
from recordkit.web.roles import requires
from recordkit.web.settings import upload_limit
from recordkit.web.views_cases import workspace

TARGETS = [(t.name, t.label) for t in schema.RECORD_TYPES.values()]


class ImportForm(forms.Form):
    target = forms.ChoiceField(
        label="导入到",
        choices=TARGETS,
        initial="case",
        error_messages={"required": "请选择导入到哪一类记录", "invalid_choice": "未知的记录类型"},
    )
    file = forms.FileField(
        label="台帐文件 (.xlsx 或 .csv)",
        allow_empty_file=True,
        error_messages={"required": "请选择要上传的文件"},
    )


def max_upload_bytes() -> int:
    return upload_limit(Path(settings.RECORDKIT_WORKDIR))


def _too_large(request: HttpRequest) -> bool:
    """A request larger than the limit (plus room for the form) is refused before Django
    reads its body into a temporary file."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    return (
        request.method == "POST"
        and length.isdigit()
        and int(length) > max_upload_bytes() + 64 * 1024
    )


class MemoryUpload(MemoryFileUploadHandler):
    """Keeps the uploaded register in memory (its size was checked first, ``_too_large``):
    Django writes no temporary file of its own, with a name ending in the user's file
    extension, so the one copy on disk is ``import_upload``'s private temporary file."""

    def handle_raw_input(self, *args: Any, **kwargs: Any) -> None:
        self.activated = True


# CSRF is checked by _import: the upload handler must be set before anything reads the body.
@csrf_exempt
@requires("import.run")
def import_page(request: HttpRequest) -> HttpResponse:
    limit_mb = max_upload_bytes() / 1024 / 1024
    if _too_large(request):
        form = ImportForm(data={"target": "case"})  # the body is never read
        form.errors["file"] = form.error_class(
            [f"文件超过 {limit_mb:g} MB, 未导入 (file over the size limit)"]
        )
        return render(
            request,
            "web/import.html",
            {"title": "导入", "form": form, "max_mb": limit_mb},
            status=413,
        )
    request.upload_handlers = [MemoryUpload(request)]
    return _import(request, limit_mb)


@csrf_protect
def _import(request: HttpRequest, limit_mb: float) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"title": "导入", "form": form, "max_mb": limit_mb}
    if request.method != "POST" or not form.is_valid():
        return render(
            request, "web/import.html", context, status=400 if request.method == "POST" else 200
        )
    rtype = schema.RECORD_TYPES[form.cleaned_data["target"]]
    upload = form.cleaned_data["file"]
    name = upload_name(upload.name)
    try:
        report = import_upload(workspace().book(rtype), upload.chunks(), name, max_upload_bytes())
    except ImportRowsError as exc:
        context.update(rows=exc.problems, file=name, rtype=rtype)
        return render(request, "web/import.html", context, status=400)
    except RecordkitError as exc:
        form.add_error("file", exc.message)
        return render(request, "web/import.html", context, status=400)
    return render(
        request,
        "web/import_done.html",
        {"title": "导入完成", "report": report, "file": name, "rtype": rtype},
    )


urlpatterns = [path("import/", import_page, name="import")]
