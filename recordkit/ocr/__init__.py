"""OCR: text with boxes from a rendered page image or a PDF.

A lower layer: it knows pages and images, never the archive, cases or CLI. Pages that
already carry a text layer are read from it (``source='pdf'``); the others are rendered
with pypdfium2 and read by the PP-OCRv4 Chinese models that the ``rapidocr-onnxruntime``
wheel ships (``source='ocr'``). Nothing is downloaded at run time.
"""

from __future__ import annotations

from recordkit.ocr.engine import OCR_DPI, Line, PageText, needs_ocr, ocr_image, read_pdf

__all__ = ["OCR_DPI", "Line", "PageText", "needs_ocr", "ocr_image", "read_pdf"]
