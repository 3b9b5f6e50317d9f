"""The archive in the browser: search, inbox, document pages (issue 13, point 4).

Thin views over the ``Archive`` of the working folder, the same calls the `archive`
commands make: ``search_service.search_documents`` (`archive search`), ``save_upload`` +
``ingest`` (a few uploads are filed in the request, more in a background job of
``web.jobs`` whose progress the page polls; OCR is its own queue, so nothing waits on it), ``inbox_status`` / ``assign`` / ``retry`` /
``discard`` (`archive inbox|assign|retry|discard`), ``show`` and ``events_of`` (`archive
show`), ``access_page`` (page images, cached) and ``take_out_original`` (logged).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from recordkit.archive.document_page import MAX_PREVIEW_PAGES
from recordkit.archive.numbering import retention_label
from recordkit.archive.search_service import SearchPage, filters, search_documents
from recordkit.archive.service import Archive
from recordkit.cases.schema import KINDS
from recordkit.errors import CaseNotFoundError, LockedError, RecordkitError, UnknownFormError
from recordkit.web import jobs
from recordkit.web.roles import allowed, requires
from recordkit.web.users import actor
from recordkit.web.views_cases import workspace

RESULTS = 50
SYNC_FILES = 3  # more uploads than this are filed in a background job (about 0.1–0.5 s a scan)
UPLOAD_JOB = "归档上传的扫描件"
HIT_START, HIT_END = "\x02", "\x03"  # snippet marks no document text contains
RETENTIONS = ("Y", "D30", "D10")
STATUS_CHOICES = [("", "全部状态"), ("filed", "已归档"), ("filing", "归档中")]
DOC_LABELS = [("档号", "archive_no"), ("案件", "case_no"), ("表单", "form_code"), ("年度", "year"),
              ("保管期限", "retention_period_label"), ("件号", "item_no"), ("页数", "pages"),
              ("签名", "signed"), ("到期鉴定", "disposal_due"), ("状态", "status"),
              ("原文件名", "original_name"), ("来源", "source"), ("SHA-256", "sha256"), ("SM3", "sm3"),
              ("归档时间", "filed_at")]  # fmt: skip
WORDS = {"signed": {"none": "无", "valid": "有效", "invalid": "无效"},
         "status": {"filed": "已归档", "filing": "归档中", "destroying": "销毁中", "destroyed": "已销毁"}}  # fmt: skip
CHECK_WORDS = {"pass": "通过", "warn": "警告", "fail": "未通过", "skip": "跳过"}


def _archive() -> Archive:
    return workspace().archive()


def _form_choices(empty: str) -> list[tuple[str, str]]:
    titles = _archive().form_titles()
    return [("", empty)] + [(code, f"{code} {title}") for code, title in sorted(titles.items())]


# --------------------------------------------------------------------------- search


class SearchForm(forms.Form):
    q = forms.CharField(label="检索", required=False, max_length=200)
    year = forms.IntegerField(label="年度", required=False, min_value=1900, max_value=2999,
                              error_messages={"invalid": "年度应为四位数字, 如 2026",
                                              "min_value": "年度应为四位数字, 如 2026",
                                              "max_value": "年度应为四位数字, 如 2026"})  # fmt: skip
    retention = forms.ChoiceField(label="保管期限", required=False,
                                  choices=[("", "全部期限")] + [(c, retention_label(c)) for c in RETENTIONS],
                                  error_messages={"invalid_choice": "未知的保管期限"})  # fmt: skip
    form = forms.ChoiceField(label="表单", required=False,
                             error_messages={"invalid_choice": "未知的表单"})  # fmt: skip
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别")] + [(k, k) for k in KINDS],
                             error_messages={"invalid_choice": "未知的类别"})  # fmt: skip
    status = forms.ChoiceField(label="状态", required=False, choices=STATUS_CHOICES,
                               error_messages={"invalid_choice": "未知的状态"})  # fmt: skip
    date_from = forms.DateField(label="归档日期起", required=False,
                                error_messages={"invalid": "日期格式应为 YYYY-MM-DD"})  # fmt: skip
    date_to = forms.DateField(label="归档日期止", required=False,
                              error_messages={"invalid": "日期格式应为 YYYY-MM-DD"})  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = _form_choices("全部表单")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "截止日期早于起始日期")
        return data


def marked(snippet: str) -> list[tuple[str, bool]]:
    """A snippet as (text, is a match) parts; the template escapes each and wraps the
    matches in <mark>, so nothing of a document's text becomes markup."""
    parts: list[tuple[str, bool]] = []
    for n, piece in enumerate(snippet.split(HIT_START)):
        hit, _, rest = piece.partition(HIT_END) if n else ("", "", piece)
        parts += [(t, m) for t, m in ((hit, True), (rest, False)) if t]
    return parts


def _search(data: dict[str, Any]) -> SearchPage:
    found = filters(None, data["form"] or None, data["year"], data["retention"] or None,
                    data["kind"] or None, data["status"] or None,
                    data["date_from"].isoformat() if data["date_from"] else None,
                    data["date_to"].isoformat() if data["date_to"] else None)  # fmt: skip
    with _archive() as archive:
        page = search_documents(archive, data["q"], found, RESULTS, (HIT_START, HIT_END))
        titles = archive.form_titles()
    for hit in page.documents:
        hit["parts"] = marked(hit.get("snippet") or "")
        hit["form_title"] = titles.get(hit["form_code"], "")
    return page


@requires("archive.view")
def archive_search(request: HttpRequest) -> HttpResponse:
    """检索: one query box and the filters of `archive search`; ranked, snippets marked."""
    form = SearchForm(request.GET or None)
    context: dict[str, Any] = {"title": "档案检索", "form": form, "results": None, "limit": RESULTS}
    if request.GET and form.is_valid() and any(form.cleaned_data.values()):
        try:
            page = _search(form.cleaned_data)
            context["results"], context["note"] = page.documents, page.note()
        except RecordkitError as exc:
            form.add_error(None, exc.message)
    status = 400 if request.GET and form.errors else 200
    return render(request, "web/archive/search.html", context, status=status)


# --------------------------------------------------------------------------- inbox


class AssignForm(forms.Form):
    file = forms.CharField(widget=forms.HiddenInput)
    case_no = forms.CharField(label="案件编号", max_length=40,
                              error_messages={"required": "请填写案件编号"})  # fmt: skip
    form_code = forms.ChoiceField(label="表单", error_messages={"required": "请选择表单",
                                                                 "invalid_choice": "未知的表单"})  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form_code"].choices = _form_choices("请选择表单")


class DiscardForm(forms.Form):
    file = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label="作废原因", max_length=500,
                             error_messages={"required": "请写明作废原因"})  # fmt: skip


def _rows(entries: list[Any], bound: dict[str, forms.Form]) -> list[dict[str, Any]]:
    """Each inbox entry with its own assign and discard forms (a bound one keeps its errors)."""
    rows = []
    for n, entry in enumerate(entries):
        row: dict[str, Any] = {"entry": entry, "n": n}
        if entry.actionable:
            initial = {"file": entry.file}
            ids = f"id_%s_{n}"
            row["assign"] = bound.get(f"assign:{entry.file}") or AssignForm(
                initial=initial, auto_id=ids
            )
            row["discard"] = bound.get(f"discard:{entry.file}") or DiscardForm(initial=initial, auto_id=ids)  # fmt: skip
        rows.append(row)
    return rows


def _inbox_page(request: HttpRequest, bound: dict[str, forms.Form] | None = None,
                uploaded: list[dict[str, Any]] | None = None, upload_errors: list[str] | None = None,
                status: int = 200, job: jobs.Job | None = None) -> HttpResponse:  # fmt: skip
    errors = list(upload_errors or [])
    try:
        with _archive() as archive:
            limit_mb = archive.settings.max_file_bytes / 1024 / 1024
            entries = archive.inbox_status()
    except RecordkitError as exc:  # a bad [archive] section, a lost index: said, not a 500
        entries, limit_mb = [], 0.0
        errors.append(exc.message)
    bound = bound or {}
    shown = {f"{kind}:{e.file}" for e in entries for kind in ("assign", "discard")}
    # A form about a file no longer listed (moved meanwhile, or a made-up name): its
    # errors go above the table instead of beside a row.
    lost = [
        err
        for key, form in bound.items()
        if key not in shown
        for errs in form.errors.values()
        for err in errs
    ]
    context = {
        "title": "收件箱",
        "rows": _rows(entries, bound),
        "action_errors": lost,
        "uploaded": uploaded or [],
        "upload_errors": errors,
        "max_mb": limit_mb,
        "can_act": allowed(request.user, "archive.upload"),
        "job": job,
    }
    return render(request, "web/archive/inbox.html", context, status=status)


@requires("archive.view")
def archive_inbox(request: HttpRequest) -> HttpResponse:
    return _inbox_page(request)


def _save_uploads(files: list[Any], by: str) -> tuple[list[Path], list[str]]:
    """Save each upload into inbox/; (saved paths, errors of the refused ones)."""
    saved, errors = [], []
    with _archive() as archive:
        for upload in files:
            try:
                saved.append(archive.save_upload(upload.name, upload.chunks(), by=by))
            except RecordkitError as exc:
                errors.append(exc.message)
    return saved, errors


def _file_saved(
    saved: list[Path], step: Callable[[int], None] = lambda n: None
) -> list[dict[str, Any]]:
    """`archive ingest FILE…` on the saved uploads: each one's outcome, for the page."""
    with _archive() as archive:
        report = archive.ingest(saved, on_result=lambda r: step(1))
    results = [r.to_dict() | {"label": r.label} for r in report.recovered + report.results]
    results += [{"source": s, "label": "由监视进程处理", "outcome": "elsewhere"}
                for s in report.taken_elsewhere]  # fmt: skip
    return results


def _filing_job(saved: list[Path], user: str) -> jobs.Job:
    """File many uploads in the background (the page polls the job); LockedError while
    another job runs — the files then wait in inbox/ for the watcher or 重试."""

    def work(job: jobs.Job) -> list[dict[str, Any]]:
        with job.progress(len(saved)) as step:
            return _file_saved(saved, step)

    return jobs.start(f"{UPLOAD_JOB} ({len(saved)} 个)", user, work)


@require_POST
@requires("archive.upload")
def archive_upload(request: HttpRequest) -> HttpResponse:
    """Drag-and-drop (or the file input): several scans into inbox/, then filed — a few
    at once in the request, more in a background job whose progress the page shows."""
    files = request.FILES.getlist("files")
    if not files:
        return _inbox_page(request, upload_errors=["请选择要上传的扫描件"], status=400)
    user = actor(request.user)
    try:
        saved, errors = _save_uploads(files, user)
        if len(saved) > SYNC_FILES:
            return _start_filing(request, saved, errors, user)
        results = _file_saved(saved) if saved else []
    except RecordkitError as exc:  # the archive cannot be opened; another job is running
        return _inbox_page(request, upload_errors=[exc.message], status=400)
    return _inbox_page(request, uploaded=results, upload_errors=errors,
                       status=400 if errors and not results else 200)  # fmt: skip


def _start_filing(
    request: HttpRequest, saved: list[Path], errors: list[str], user: str
) -> HttpResponse:
    try:
        job = _filing_job(saved, user)
    except LockedError as exc:  # the uploads are safe in inbox/: say where they wait
        waiting = f"已保存 {len(saved)} 个文件到收件箱, 但{exc.message}; 文件在收件箱中等待归档, 可稍后点“重试”"
        return _inbox_page(request, upload_errors=[*errors, waiting])
    return _inbox_page(request, upload_errors=errors, job=job)


@requires("archive.view")
def archive_upload_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """The filing job's progress and, once done, each file's outcome (htmx polls it)."""
    job = jobs.get(job_id)
    if job is None or not job.title.startswith(UPLOAD_JOB):
        raise Http404("没有这个任务 (服务器重启后任务记录不保留)")
    return render(request, "web/archive/_job.html", {"job": job})


@require_POST
@requires("archive.upload")
def archive_assign(request: HttpRequest) -> HttpResponse:
    form = AssignForm(request.POST, auto_id="id_%s_err")
    if form.is_valid():
        data = form.cleaned_data
        try:
            with _archive() as archive:
                result = archive.assign(archive.inbox_file(data["file"]), data["case_no"].strip(),
                                        data["form_code"], by=actor(request.user))  # fmt: skip
        except CaseNotFoundError as exc:
            form.add_error("case_no", exc.message)
        except UnknownFormError as exc:
            form.add_error("form_code", exc.message)
        except RecordkitError as exc:
            form.add_error(None, exc.message)
        else:
            return _done(request, result)
    return _inbox_page(request, {f"assign:{form.data.get('file', '')}": form}, status=400)


def _done(request: HttpRequest, result: Any) -> HttpResponse:
    """After assign or retry: say where the file went, back to the inbox."""
    where = result.archive_no if result.outcome == "filed" else result.destination
    text = f"{result.original_name}: {result.label} {where or ''}".strip()
    if result.outcome == "filed":
        messages.success(request, text)
    else:
        messages.error(request, f"{text} — {result.reason}")
    return redirect("web:archive_inbox")


@require_POST
@requires("archive.upload")
def archive_retry(request: HttpRequest) -> HttpResponse:
    try:
        with _archive() as archive:
            result = archive.retry(request.POST.get("file", ""), by=actor(request.user))
    except RecordkitError as exc:
        messages.error(request, exc.message)
        return redirect("web:archive_inbox")
    return _done(request, result)


@require_POST
@requires("archive.upload")
def archive_discard(request: HttpRequest) -> HttpResponse:
    form = DiscardForm(request.POST, auto_id="id_%s_err")
    if form.is_valid():
        try:
            with _archive() as archive:
                done = archive.discard(form.cleaned_data["file"], form.cleaned_data["reason"],
                                       by=actor(request.user))  # fmt: skip
        except RecordkitError as exc:
            form.add_error("reason" if "原因" in exc.message else None, exc.message)
        else:
            messages.success(
                request, f"已作废 {done.file}, 移到 {done.destination} (原因: {done.reason})"
            )
            return redirect("web:archive_inbox")
    return _inbox_page(request, {f"discard:{form.data.get('file', '')}": form}, status=400)


# --------------------------------------------------------------------------- document


def _shown(doc: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(label, WORDS.get(key, {}).get(doc[key], doc[key])) for label, key in DOC_LABELS]


@requires("archive.view")
def archive_document(request: HttpRequest, archive_no: str) -> HttpResponse:
    """The access copy page by page, its metadata, 四性检测 and events; downloads."""
    try:
        with _archive() as archive:
            doc = archive.show(archive_no)
            events = archive.events_of(doc["archive_no"])
            title = archive.form_titles().get(doc["form_code"], "")
    except RecordkitError as exc:
        raise Http404(exc.message) from None
    for check in doc["checks"]:
        check["word"] = CHECK_WORDS.get(check["result"], check["result"])
    context = {
        "title": f"档案 {doc['archive_no']}",
        "doc": doc,
        "form_title": title,
        "fields": _shown(doc),
        "events": events,
        "pages": range(1, min(int(doc["pages"] or 0), MAX_PREVIEW_PAGES) + 1),
        "can_original": allowed(request.user, "archive.original"),
    }
    return render(request, "web/archive/document.html", context)


@requires("archive.access_copy")
def archive_page_image(request: HttpRequest, archive_no: str, page: int) -> FileResponse:
    try:
        with _archive() as archive:
            image = archive.access_page(archive_no, page, archive.config.lock_dir / "archive-pages")
    except RecordkitError as exc:
        raise Http404(exc.message) from None
    return FileResponse(image.open("rb"), content_type="image/png")


@requires("archive.access_copy")
def archive_access_copy(request: HttpRequest, archive_no: str) -> FileResponse:
    """The stamped access copy (利用副本), for every role."""
    try:
        with _archive() as archive:
            doc = archive.show(archive_no)
    except RecordkitError as exc:
        raise Http404(exc.message) from None
    copy = Path(doc["access_path"] or "")
    if not doc["access_path"] or not copy.is_file():
        raise Http404(f"{doc['archive_no']}: 利用副本缺失 (access copy missing)")
    return FileResponse(copy.open("rb"), as_attachment=True, filename=f"{doc['archive_no']} 利用副本.pdf",
                        content_type="application/pdf")  # fmt: skip


@requires("archive.original")
def archive_original(request: HttpRequest, archive_no: str) -> FileResponse:
    """The signed original (原件), for a 档案员 only; logged with who took it."""
    try:
        with _archive() as archive:
            doc, original = archive.take_out_original(archive_no, actor(request.user))
    except RecordkitError as exc:
        raise Http404(exc.message) from None
    suffix = original.suffix or ".pdf"
    return FileResponse(
        original.open("rb"), as_attachment=True, filename=f"{doc['archive_no']} 原件{suffix}"
    )


urlpatterns = [
    path("archive/", archive_search, name="archive"),
    path("archive/inbox/", archive_inbox, name="archive_inbox"),
    path("archive/inbox/upload/", archive_upload, name="archive_upload"),
    path("archive/inbox/jobs/<int:job_id>/", archive_upload_job, name="archive_upload_job"),
    path("archive/inbox/assign/", archive_assign, name="archive_assign"),
    path("archive/inbox/retry/", archive_retry, name="archive_retry"),
    path("archive/inbox/discard/", archive_discard, name="archive_discard"),
    path("archive/doc/<str:archive_no>/", archive_document, name="archive_document"),
    path(
        "archive/doc/<str:archive_no>/page/<int:page>.png", archive_page_image, name="archive_page"
    ),
    path("archive/doc/<str:archive_no>/access/", archive_access_copy, name="archive_access"),
    path("archive/doc/<str:archive_no>/original/", archive_original, name="archive_original"),
]
