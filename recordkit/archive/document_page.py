"""What the web's document page shows of one filed document: its access copy page by page
as colour PNG images (rendered once by ``recordkit/pdfpages.py`` and cached by the copy's
SHA-256, so a rebuilt copy gets new images), its events, and the signed original taken
out by a person, which is logged as an ``original_downloaded`` event.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recordkit.errors import ArchiveError, PdfError
from recordkit.files import write_atomic
from recordkit.pdfpages import render_pdf_page

if TYPE_CHECKING:
    from recordkit.archive.service import Archive

PREVIEW_DPI = 100  # an A4 page about 830 × 1170 pixels: readable on a screen, ~150 KB
MAX_PREVIEW_PAGES = 200  # a page page of a 500-page bundle would never finish loading


def access_page_image(archive: Archive, archive_no: str, page: int, cache: Path) -> Path:
    """Page ``page`` (from 1) of the document's access copy as a PNG file in ``cache``."""
    doc = archive.show(archive_no)
    if not 1 <= page <= min(int(doc["pages"] or 0), MAX_PREVIEW_PAGES):
        raise ArchiveError(f"{doc['archive_no']}: 没有第 {page} 页")
    source = access_copy(doc)
    row = archive.index.document(doc["archive_no"]) or {}
    key = (row.get("access_sha256") or doc["sha256"])[:24]
    target = cache / f"{key}-{page:04d}-rgb.png"  # colour: older grayscale images not reused
    if not target.is_file():
        write_atomic(target, _render_png(source, page - 1), durable=False)
    return target


def access_copy(doc: dict[str, Any]) -> Path:
    """The access copy's file, or ArchiveError saying it is missing (archive rebuild-copy)."""
    path = Path(doc["access_path"]) if doc["access_path"] else None
    if path is None or not path.is_file():
        raise ArchiveError(
            f"{doc['archive_no']}: 利用副本缺失, 请运行 recordkit archive rebuild-copy "
            f"{doc['archive_no']} (access copy missing)"
        )
    return path


def _render_png(path: Path, index: int) -> bytes:
    import pypdfium2 as pdfium  # heavy native library: loaded when a page is shown

    try:
        pdf = pdfium.PdfDocument(str(path))
        try:
            image = render_pdf_page(pdf[index], PREVIEW_DPI, colour=True)  # the red 归档章
        finally:
            pdf.close()
    except Exception as exc:  # PdfiumError and friends
        raise PdfError(f"{path}: 无法渲染第 {index + 1} 页 ({type(exc).__name__})") from None
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def take_out_original(archive: Archive, archive_no: str, by: str) -> tuple[dict[str, Any], Path]:
    """The signed original of a document for a person to download, logged with who."""
    doc = archive.show(archive_no)
    path = Path(doc["original_path"])
    if doc["status"] != "filed" or not path.is_file():
        raise ArchiveError(f"{doc['archive_no']}: 原件不在档案库中 (状态 {doc['status']})")
    archive.index.append_event(archive.timestamp(), "original_downloaded", doc["archive_no"], None,
                               {"by": by, "sha256": doc["sha256"]})  # fmt: skip
    return doc, path


def document_events(archive: Archive, archive_no: str) -> list[dict[str, Any]]:
    """The document's events, oldest first, each with its detail decoded."""
    return archive.index.events_of(str(archive.show(archive_no)["archive_no"]))
