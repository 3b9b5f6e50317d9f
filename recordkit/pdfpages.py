"""The one pdfium page render, shared by the archive's page images and OCR."""

from __future__ import annotations

from typing import Any


def render_pdf_page(page: Any, dpi: int) -> Any:
    """An open ``pypdfium2`` page as a grayscale PIL image at ``dpi``, as displayed.
    Raises what pdfium raises (callers word the error)."""
    return page.render(scale=dpi / 72, grayscale=True).to_pil()
