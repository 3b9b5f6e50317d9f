"""The 表单 page (管理员, issue 12): the form catalog with a first-page image of each form;
uploading a revised template (checked as `forms check` does, the previous file kept in
``form_templates/.history/``); the regenerate plan; applying it as a background job whose
progress the page polls with htmx.

Thin views: ``forms.revision`` checks and replaces, ``forms.preview`` makes the images,
``Workspace.regeneration_plan`` / ``Workspace.regenerate`` are the calls `regenerate
--dry-run` and `regenerate` make; ``web.jobs`` only runs the work in a thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from recordkit.cases import schema
from recordkit.errors import RecordkitError
from recordkit.forms.preview import NO_LIBREOFFICE, form_preview, previews_available
from recordkit.forms.revision import MAX_TEMPLATE_BYTES, check_docx_bytes, revise_template
from recordkit.web import jobs
from recordkit.web.roles import requires
from recordkit.web.views_cases import workspace

REGENERATE_WORKERS = 1  # the server's own thread: it shares the machine with its users


class TemplateUploadForm(django_forms.Form):
    """A revised template: which form, and the .docx (type checked from its content)."""

    code = django_forms.ChoiceField(label="表单")
    file = django_forms.FileField(
        label="修订后的模板 (.docx)",
        help_text=f"Word .docx, 不超过 {MAX_TEMPLATE_BYTES // 1024 // 1024} MB; "
        "页眉中的 第N版 应比现有版本大",
    )

    def __init__(self, *args: Any, codes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = codes

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_TEMPLATE_BYTES:
            raise django_forms.ValidationError(
                f"文件太大, 模板不能超过 {MAX_TEMPLATE_BYTES // 1024 // 1024} MB (file too large)"
            )
        data = upload.read()
        try:
            check_docx_bytes(data)  # the content decides; the uploaded name is never used
        except RecordkitError as exc:
            raise django_forms.ValidationError(exc.message) from None
        return data


def _catalog_page(
    request: HttpRequest,
    form: TemplateUploadForm | None = None,
    problems: Any = (),
    status: int = 200,
) -> HttpResponse:
    try:
        rows = workspace().catalog().listing()
    except RecordkitError as exc:  # a template in the folder cannot be read: say which
        rows, messages_now = [], [exc.message]
    else:
        messages_now = []
    for row in rows:
        row["record_label"] = schema.RECORD_TYPES[row["record_type"]].label
    return render(
        request,
        "web/forms/catalog.html",
        {
            "title": "表单",
            "rows": rows,
            "previews": previews_available(),
            "no_previews": NO_LIBREOFFICE,
            "form": form or TemplateUploadForm(codes=_codes()),
            "problems": problems,
            "load_errors": messages_now,
            "job": jobs.current(),
        },
        status=status,
    )


def _codes() -> list[tuple[str, str]]:
    return [(code, f"{code} {form.title}") for code, form in workspace().catalog().forms.items()]


@requires("forms.manage")
def forms_page(request: HttpRequest) -> HttpResponse:
    return _catalog_page(request)


@requires("forms.manage")
def form_preview_image(request: HttpRequest, code: str) -> FileResponse:
    ws = workspace()
    try:
        generator = ws.generator()
        try:
            image = form_preview(
                generator, generator.catalog.get(code), ws.config.lock_dir / "previews"
            )
        finally:
            generator.close()
    except RecordkitError as exc:  # unknown code, LibreOffice missing or failing, broken template
        raise Http404(exc.message) from None
    return FileResponse(image.open("rb"), content_type="image/png")


@require_POST
@requires("forms.manage")
def template_upload(request: HttpRequest) -> HttpResponse:
    """Check the upload as `forms check` does; only a sound one replaces the template."""
    form = TemplateUploadForm(request.POST, request.FILES, codes=_codes())
    if not form.is_valid():
        return _catalog_page(request, form, status=400)
    code = form.cleaned_data["code"]
    try:
        revision = revise_template(workspace().catalog(), code, form.cleaned_data["file"])
    except RecordkitError as exc:
        form.add_error("file", exc.message)
        return _catalog_page(request, form, status=400)
    if not revision.installed:
        form.add_error(
            "file",
            f"模板检查未通过, 共 {len(revision.problems)} 个问题, 模板未替换 (nothing replaced)",
        )
        return _catalog_page(request, form, problems=revision.problems, status=400)
    kept = (
        f"; 旧版本保存在 {revision.kept.parent.name}/{revision.kept.name}" if revision.kept else ""
    )
    messages.success(
        request,
        f"已替换 {code} 模板: 第{revision.old_version}版 → 第{revision.new_version}版{kept}。",
    )
    if revision.version_unchanged:
        messages.error(
            request,
            f"注意: 新模板的版本号仍是 第{revision.new_version}版, 已生成的表单无法按版本区分。",
        )
    return redirect("web:form_plan", code=code)


@requires("forms.manage")
def form_plan(request: HttpRequest, code: str) -> HttpResponse:
    """`regenerate --dry-run --form CODE`: which outputs would be remade, and why."""
    ws = workspace()
    try:
        form = ws.catalog().get(code)
    except RecordkitError as exc:
        raise Http404(exc.message) from None
    plan = ws.regeneration_plan([], [form.code], None)
    return render(
        request,
        "web/forms/plan.html",
        {
            "title": f"重新生成 {form.code}",
            "form": form,
            "plan": plan,
            "stale": plan.to_dict()["stale"],
            "count": plan.count_to_render(False),
            "job": jobs.current(),
        },
    )


@require_POST
@requires("forms.manage")
def form_apply(request: HttpRequest, code: str) -> HttpResponse:
    """Run `regenerate --form CODE` in the background; the job page shows its progress."""
    ws = workspace()
    try:
        form = ws.catalog().get(code)
        job = jobs.start(
            f"重新生成 {form.code} {form.title}",
            request.user.get_username(),
            lambda job: ws.regenerate(
                [], [form.code], None, False, REGENERATE_WORKERS, job.progress
            ),
        )
    except RecordkitError as exc:  # unknown form, or another job still running
        messages.error(request, exc.message)
        return redirect("web:forms")
    return redirect("web:form_job", job_id=job.id)


@requires("forms.manage")
def form_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's progress; htmx polls the partial until the job has finished."""
    job = jobs.get(job_id)
    if job is None:
        raise Http404("没有这个任务 (服务器重启后任务记录不保留)")
    partial = bool(request.headers.get("HX-Request"))
    root = workspace().config.root
    # Paths as the manifest and the CLI show them: relative to the working folder.
    outputs = (
        [(o, _relative(o.path, root)) for o in job.result.outputs] if job.state == jobs.DONE else []
    )
    return render(
        request,
        "web/forms/_job.html" if partial else "web/forms/job.html",
        {"title": job.title, "job": job, "outputs": outputs},
    )


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


# Included by web/urls.py.
urlpatterns = [
    path("forms/", forms_page, name="forms"),
    path("forms/upload/", template_upload, name="form_upload"),
    path("forms/jobs/<int:job_id>/", form_job, name="form_job"),
    path("forms/<str:code>/preview.png", form_preview_image, name="form_preview"),
    path("forms/<str:code>/plan/", form_plan, name="form_plan"),
    path("forms/<str:code>/apply/", form_apply, name="form_apply"),
]
