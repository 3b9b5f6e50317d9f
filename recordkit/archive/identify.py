"""Which case and form a signed scan belongs to.

Three ways, most reliable first (CASE-FORMAT.md):
1. the QR payload ``RK1|<case_no>|<form_code>|<version>`` printed on every generated
   form, decoded from the first pages (pypdfium2 renders, zxing-cpp decodes);
2. the file name ``<case_no>_<form_code>[_anything].pdf``;
3. a case number in the text layer (born-digital files, or scans with OCR), with the
   form code from a ``表单编号 F03`` header if there is one.
A file none of them identifies goes to unidentified/ with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from recordkit.archive.pages import qr_payloads, render_document_page
from recordkit.errors import PdfError
from recordkit.forms.qr import QrPayload

CASE_NO_PATTERN = r"[A-Z]{1,6}-\d{4}-\d{3,6}"
FORM_CODE_PATTERN = r"[FR]\d{2}"
QR_PAGES = 2
QR_DPI = 150  # a 25 mm QR is ~150 px here: plenty, and fast to render

# Windows Explorer and browsers add " (1)", " - 副本", "-copy" to copies, so after the
# form code any separator may start the free part, not only "_".
_FILENAME_RE = re.compile(
    rf"^(?P<case>{CASE_NO_PATTERN})_(?P<form>{FORM_CODE_PATTERN})(?:[_\s\-(（.].*)?\.pdf$",
    re.IGNORECASE,
)
_FORM_IN_TEXT_RE = re.compile(rf"表单编号\s*[:：]?\s*({FORM_CODE_PATTERN})\b")
_VERSION_IN_TEXT_RE = re.compile(r"第\s*(\d{1,3})\s*版")
# A case number becomes part of file and folder names: nothing that could leave one.
_SAFE_CASE_NO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Identification:
    case_no: str | None
    form_code: str | None
    version: str | None
    method: str | None  # qr | filename | text | None
    reason: str

    @property
    def identified(self) -> bool:
        return self.case_no is not None


def is_safe_case_no(case_no: str) -> bool:
    return bool(_SAFE_CASE_NO_RE.match(case_no)) and ".." not in case_no


# --- QR -----------------------------------------------------------------------------------


def _page_payloads(doc: Any, index: int, dpi: int, hard: bool = True) -> list[QrPayload]:
    """Our payloads on one page, trying harder each pass.

    Pass 1 is what a clean born-digital page needs. Skewed, noisy scans are decoded by
    zxing-cpp's detector as they are (a few degrees of rotation are fine), but heavy
    noise needs smoothing (``pages.qr_payloads``), and small or blurred codes a higher
    resolution.
    """
    for scale_dpi in (dpi, dpi * 2) if hard else (dpi,):
        ours = qr_payloads(render_document_page(doc, index, scale_dpi).image, hard=True)
        if ours:
            return ours
    return []


def decode_qr_from_pdf(
    path: Path | str, pages: int = QR_PAGES, dpi: int = QR_DPI
) -> list[QrPayload]:
    """Our QR payloads on the first ``pages`` pages, in page order, without repeats.

    QR codes that are not ours (a URL, a WeChat code) are skipped. Raises PdfError if
    the file cannot be opened or rendered.
    """
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except Exception as exc:  # PdfiumError: broken, encrypted, not a PDF
        raise PdfError(f"{path}: 无法渲染 PDF 以读取二维码 ({exc})") from exc
    payloads: list[QrPayload] = []
    index = 0
    try:
        for index in range(min(pages, len(doc))):
            # Once a code was read, later pages get only the cheap passes: they are
            # read to catch another case in a batch scan, not to find a first code,
            # and a page without any code would otherwise cost all four passes.
            ours = _page_payloads(doc, index, dpi, hard=not payloads)
            payloads.extend(p for p in ours if p not in payloads)
    except Exception as exc:  # rendering a hostile page
        raise PdfError(f"{path}: 渲染第 {index + 1} 页失败 ({exc})") from exc
    finally:
        doc.close()
    return payloads


# --- file name and text -------------------------------------------------------------------


def identify_from_filename(name: str | PurePath) -> tuple[str, str] | None:
    """(case_no, form_code) from ``<case_no>_<form_code>[_anything].pdf``, else None."""
    m = _FILENAME_RE.match(PurePath(name).name)
    if not m:
        return None
    return m["case"].upper(), m["form"].upper()


def find_case_nos_in_text(text: str, pattern: str = CASE_NO_PATTERN) -> list[str]:
    """Every distinct case number in the text, in order of first appearance."""
    found: list[str] = []
    for m in re.finditer(rf"(?<![A-Za-z0-9])(?:{pattern})(?![0-9])", text):
        if m.group(0) not in found and is_safe_case_no(m.group(0)):
            found.append(m.group(0))
    return found


def find_case_no_in_text(text: str, pattern: str = CASE_NO_PATTERN) -> str | None:
    """The case number in the text if there is exactly one; several means we cannot tell."""
    found = find_case_nos_in_text(text, pattern)
    return found[0] if len(found) == 1 else None


def find_form_code_in_text(text: str) -> tuple[str | None, str | None]:
    """(form_code, version) from the ``表单编号 F03  第3版`` header of a generated form."""
    form = _FORM_IN_TEXT_RE.search(text)
    version = _VERSION_IN_TEXT_RE.search(text)
    return (form.group(1) if form else None, version.group(1) if version and form else None)


# --- all together -------------------------------------------------------------------------


def _unidentified(reason: str) -> Identification:
    return Identification(None, None, None, None, reason)


def from_qr(payloads: list[QrPayload]) -> Identification:
    """The case and form the QR payloads name, or why they do not settle it."""
    cases = {p.case_no for p in payloads}
    if len(cases) > 1:
        listed = ", ".join(sorted(cases))
        return _unidentified(f"二维码指向多个案件 ({listed}) (QR codes of several cases)")
    first = payloads[0]
    if not is_safe_case_no(first.case_no):
        return _unidentified(f"二维码中的案件编号不合法: {first.case_no!r} (unsafe case number)")
    forms = {p.form_code for p in payloads}
    reason = "二维码 (QR)"
    if len(forms) > 1:
        reason += f"; 文件含多个表单 {', '.join(sorted(forms))}, 取第一页的 {first.form_code}"
    return Identification(first.case_no, first.form_code, first.version, "qr", reason)


def identify(
    path: Path | str,
    text: str = "",
    *,
    pattern: str = CASE_NO_PATTERN,
    qr_pages: int = QR_PAGES,
    qr_dpi: int = QR_DPI,
) -> Identification:
    """Case and form of a PDF: QR first, then the file name, then the text layer."""
    notes: list[str] = []
    try:
        payloads = decode_qr_from_pdf(path, pages=qr_pages, dpi=qr_dpi)
    except PdfError as exc:
        payloads = []
        notes.append(exc.message)
    if payloads:
        found = from_qr(payloads)
        if found.identified:
            return found
        notes.append(found.reason)
    else:
        notes.append(f"前 {qr_pages} 页未找到二维码 (no QR code)")

    by_name = identify_from_filename(Path(path).name)
    if by_name:
        return Identification(by_name[0], by_name[1], None, "filename", "文件名 (file name)")
    notes.append("文件名不是 <案件编号>_<表单编号>.pdf (file name not <case_no>_<form_code>)")

    case_nos = find_case_nos_in_text(text, pattern)
    if len(case_nos) == 1:
        form, version = find_form_code_in_text(text)
        return Identification(case_nos[0], form, version, "text", "文本中的案件编号 (text layer)")
    if case_nos:
        notes.append(f"文本中有多个案件编号 {', '.join(case_nos)} (several case numbers in text)")
    else:
        notes.append("文本中没有案件编号 (no case number in text)")
    return _unidentified("; ".join(notes))
