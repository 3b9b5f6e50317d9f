"""An invisible text layer over a PDF's OCRed pages, so a PDF viewer can select and find
the text: each line is drawn at its OCR box in text render mode 3 (neither filled nor
stroked), stretched to the box's width."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from recordkit.errors import OcrError
from recordkit.fonts import reportlab_font
from recordkit.ocr.engine import Line, PageText


def layout_json(page: PageText) -> str | None:
    """An OCR page's lines and image size as JSON, kept in the index so a later re-stamp
    of the access copy lays the same text layer again (None: nothing to lay)."""
    if page.source != "ocr" or not page.lines:
        return None
    lines = [
        {"text": ln.text, "box": [list(p) for p in ln.box], "score": ln.score} for ln in page.lines
    ]
    return json.dumps(
        {"width": page.width, "height": page.height, "lines": lines}, ensure_ascii=False
    )


def page_from_layout(page: int, text: str, layout: str) -> PageText:
    """The ``PageText`` that ``layout_json`` stored."""
    data = json.loads(layout)
    lines = [
        Line(ln["text"], tuple(tuple(p) for p in ln["box"]), ln["score"]) for ln in data["lines"]
    ]  # type: ignore[misc]
    return PageText(page, text, "ocr", lines, int(data["width"]), int(data["height"]))


def with_text_layer(pdf: Path, pages: list[PageText]) -> bytes:
    """The bytes of ``pdf`` with the OCR lines of ``pages`` laid invisibly over them."""
    from pypdf import PdfReader, PdfWriter

    try:
        reader = PdfReader(str(pdf), strict=False)
        writer = PdfWriter(clone_from=reader)
        for page_text in pages:
            if (
                page_text.source != "ocr"
                or not page_text.lines
                or page_text.page > len(writer.pages)
            ):
                continue
            page = writer.pages[page_text.page - 1]
            overlay = PdfReader(io.BytesIO(_overlay(page, page_text))).pages[0]
            page.merge_page(overlay)
        out = io.BytesIO()
        writer.write(out)
    except Exception as exc:  # noqa: BLE001 - pypdf/reportlab errors enter here
        raise OcrError(f"{pdf}: 无法加入文本层 ({type(exc).__name__}: {exc})") from exc
    return out.getvalue()


def _overlay(page: Any, page_text: PageText) -> bytes:
    """One page the size of ``page`` with the lines in render mode 3."""
    from reportlab.pdfgen import canvas

    box = page.mediabox
    width, height = float(box.width), float(box.height)
    sx, sy = width / page_text.width, height / page_text.height
    font = reportlab_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height))
    for line in page_text.lines:
        _draw_line(c, font, line, (sx, sy), height)
    c.showPage()
    c.save()
    return buf.getvalue()


def _draw_line(
    c: Any, font: str, line: Line, scale: tuple[float, float], page_height: float
) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    xs = [x * scale[0] for x, _ in line.box]
    ys = [y * scale[1] for _, y in line.box]
    size = max((max(ys) - min(ys)) * 0.85, 1.0)
    natural = stringWidth(line.text, font, size)
    if not line.text.strip() or natural <= 0:
        return
    text = c.beginText()
    text.setTextRenderMode(3)  # invisible: selectable and searchable, the scan shows through
    text.setFont(font, size)
    text.setHorizScale(100 * (max(xs) - min(xs)) / natural)
    text.setTextOrigin(min(xs), page_height - max(ys) + size * 0.15)
    text.textOut(line.text)
    c.drawText(text)
