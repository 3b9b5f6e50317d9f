"""First-page images of the form templates (the 表单 page of the web workspace).

A template is filled with a sample record (blank values, the form's first kind), converted
to PDF by LibreOffice and its first page rendered to PNG by pdfium, once: the image is
cached under ``.recordkit/previews/`` by the template's SHA-256, so a revised template gets
a new image and an unchanged one is never rendered again.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import threading
from pathlib import Path

from recordkit.cases.authoring import blank_case
from recordkit.cases.store import Case
from recordkit.errors import LibreOfficeError
from recordkit.files import write_atomic
from recordkit.forms.catalog import Form
from recordkit.forms.context import form_record, register_context
from recordkit.forms.generator import Generator
from recordkit.forms.libreoffice import convert_to_pdf, find_soffice
from recordkit.forms.qr import QrPayload

PREVIEW_DPI = 72
SAMPLE_NO = "样例-0001"
# One LibreOffice run at a time: a catalog page asks for every image at once.
_RENDERING = threading.Lock()
NO_LIBREOFFICE = (
    "未找到 LibreOffice (soffice), 无法生成表单首页图片; 安装 LibreOffice 后刷新本页即可显示。"
)


def previews_available() -> bool:
    """Whether first-page images can be made here (LibreOffice is installed)."""
    return find_soffice() is not None


def preview_path(cache_dir: Path, form: Form) -> Path:
    """The cached image of the template as it is now (named by its content's hash)."""
    digest = hashlib.sha256(form.path.read_bytes()).hexdigest()[:16]
    return Path(cache_dir) / f"{form.code}-{digest}.png"


def sample_case(form: Form) -> Case:
    """A blank record of the form's type and first kind, numbered ``样例-0001``."""
    rtype = form.rtype
    kind = form.kinds[0] if form.kinds else (rtype.kinds[0] if rtype.kinds else "")
    data = blank_case(kind, rtype=rtype)
    data[rtype.number_key] = SAMPLE_NO
    return Case(Path(f"{SAMPLE_NO}.yaml"), data, "", rtype)


def sample_docx(generator: Generator, form: Form) -> bytes:
    """The template filled with the sample record (a register: with no rows)."""
    if not form.is_register:
        return generator.render(form, sample_case(form))
    compiled = form.compiled
    ctx = register_context(
        generator.config,
        form_record(form.code, form.title, compiled.version, form.effective),
        SAMPLE_NO,
        [],
        "样例",
    )
    return compiled.render(ctx, QrPayload(SAMPLE_NO, form.code, compiled.version or "0"))


def first_page_png(pdf: Path, dpi: int = PREVIEW_DPI) -> bytes:
    """Page 1 of a PDF as PNG bytes (pdfium)."""
    import pypdfium2 as pdfium  # heavy native library: loaded only when a preview is made

    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[0]
        try:
            image = page.render(scale=dpi / 72).to_pil()
        finally:
            page.close()
    finally:
        doc.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def form_preview(generator: Generator, form: Form, cache_dir: Path) -> Path:
    """The first-page image of ``form`` (made once, then served from the cache).

    LibreOfficeError when LibreOffice is missing or fails; TemplateError for a broken
    template."""
    target = preview_path(cache_dir, form)
    if target.is_file():
        return target
    if not previews_available():
        raise LibreOfficeError(NO_LIBREOFFICE)
    with _RENDERING:
        if not target.is_file():  # made while this request waited
            _render(generator, form, target)
    return target


def _render(generator: Generator, form: Form, target: Path) -> None:
    data = sample_docx(generator, form)
    with tempfile.TemporaryDirectory(prefix="recordkit-preview-") as tmp:
        docx = Path(tmp) / f"{form.code}.docx"
        docx.write_bytes(data)
        png = first_page_png(convert_to_pdf([docx])[0])
    write_atomic(target, png, durable=False)  # a cache: a lost image is simply made again
