"""The one pdfium page render, shared by the archive's page images, OCR and the scanner."""

from __future__ import annotations

from typing import Any


def render_pdf_page(page: Any, dpi: int, colour: bool = False) -> Any:
    """An open ``pypdfium2`` page as a PIL image at ``dpi``, as displayed: grayscale (OCR,
    QR reading, the demo's scanner), or in colour for a person to look at (the red 归档章
    of a page preview). Raises what pdfium raises (callers word the error)."""
    return page.render(scale=dpi / 72, grayscale=not colour).to_pil()
