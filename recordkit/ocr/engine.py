"""Page text from a PDF: its text layer where there is one, else OCR of the rendered page."""

from __future__ import annotations

import math
import statistics
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recordkit.errors import OcrError
from recordkit.pdfpages import render_pdf_page

OCR_DPI = 200  # what a desk scanner writes; the PP-OCR detector is tuned for this size
MIN_LAYER_CHARS = 8  # fewer non-blank characters than this is a stray mark, not a text layer

Box = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]

_ENGINE: Any = None
_ENGINE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Line:
    """One recognised line: its text, its four corners in image pixels, the model's score."""

    text: str
    box: Box
    score: float


@dataclass
class PageText:
    """The text of one page (1-based ``page``) and where it came from."""

    page: int
    text: str
    source: str  # 'ocr' | 'pdf'
    lines: list[Line] = field(default_factory=list)
    width: int = 0  # the rendered image's size in pixels (OCR pages only)
    height: int = 0


def _engine() -> Any:
    """One RapidOCR per process: loading the three ONNX models takes about a second."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            try:
                # Imported here: onnxruntime and OpenCV are heavy and only OCR needs them.
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:  # Python 3.13+, where the package has no wheel yet
                raise OcrError(
                    f"文字识别需要 rapidocr-onnxruntime, 但无法加载 ({exc}); "
                    "请在 Python 3.10–3.12 上安装 recordkit"
                ) from exc

            _ENGINE = RapidOCR()
        return _ENGINE


def ocr_image(image: Any) -> list[Line]:
    """The lines on one page image (PIL image or numpy array), in reading order."""
    import numpy as np

    pixels = np.asarray(image.convert("RGB")) if hasattr(image, "convert") else np.asarray(image)
    engine = _engine()
    try:
        result, _ = engine(pixels)
    except Exception as exc:  # noqa: BLE001 - onnxruntime/OpenCV errors enter here
        raise OcrError(f"文字识别 (OCR) 失败: {type(exc).__name__}: {exc}") from exc
    lines = [Line(str(text), tuple((float(x), float(y)) for x, y in box), float(score))  # type: ignore[misc]
             for box, text, score in (result or [])]  # fmt: skip
    return reading_order(lines)


def reading_order(lines: list[Line]) -> list[Line]:
    """Rows top to bottom, left to right within a row: boxes whose vertical centres are
    closer than half a line height share a row (a label and its value, say). Centres are
    first turned by the page's skew (the median slope of the boxes' top edges), so on a
    page scanned 2° askew a label at the left and its value far to the right, 20 pixels
    lower, still share their row."""
    turn = _skew(lines)
    cos, sin = math.cos(turn), math.sin(turn)

    def centre(line: Line) -> tuple[float, float]:
        x = sum(px for px, _ in line.box) / 4
        y = sum(py for _, py in line.box) / 4
        return x * cos + y * sin, y * cos - x * sin

    def height(line: Line) -> float:
        ys = [y for _, y in line.box]
        return max(ys) - min(ys)

    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda ln: centre(ln)[1]):
        if rows and abs(centre(line)[1] - centre(rows[-1][0])[1]) < max(height(rows[-1][0]), 1) / 2:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda ln: centre(ln)[0])]


def _skew(lines: list[Line]) -> float:
    """The page's skew in radians: the median slope of the top edges of boxes at least
    three times as wide as high (short boxes give noisy slopes); 0 without any."""
    slopes = []
    for line in lines:
        (x0, y0), (x1, y1) = line.box[0], line.box[1]
        ys = [y for _, y in line.box]
        if x1 - x0 > 3 * max(max(ys) - min(ys), 1):
            slopes.append(math.atan2(y1 - y0, x1 - x0))
    return statistics.median(slopes) if slopes else 0.0


def needs_ocr(layer_text: str) -> bool:
    """A page whose text layer is (nearly) empty: a scan."""
    return sum(not ch.isspace() for ch in layer_text) < MIN_LAYER_CHARS


def read_pdf(path: Path, dpi: int = OCR_DPI, ocr: bool = True) -> list[PageText]:
    """Every page's text: from the text layer, or (``ocr``) by OCR of the page rendered at
    ``dpi``; a page without a layer and ``ocr=False`` comes back empty with source 'ocr'."""
    return list(iter_pdf(path, dpi, ocr))


def iter_pdf(path: Path, dpi: int = OCR_DPI, ocr: bool = True) -> Iterator[PageText]:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as exc:
        raise OcrError(f"{path}: 无法打开 PDF 进行文字识别 ({exc})") from exc
    try:
        for index in range(len(doc)):
            page = doc[index]
            layer = _layer_text(page)
            if not needs_ocr(layer):
                yield PageText(index + 1, layer.strip(), "pdf")
                continue
            if not ocr:
                yield PageText(index + 1, "", "ocr")
                continue
            image = _render(page, dpi, path, index)
            lines = ocr_image(image)
            yield PageText(index + 1, "\n".join(ln.text for ln in lines), "ocr", lines, *image.size)
    finally:
        doc.close()


def _layer_text(page: Any) -> str:
    textpage = page.get_textpage()
    try:
        return str(textpage.get_text_range())
    finally:
        textpage.close()


def _render(page: Any, dpi: int, path: Path, index: int) -> Any:
    import pypdfium2 as pdfium

    try:
        return render_pdf_page(page, dpi)
    except pdfium.PdfiumError as exc:
        raise OcrError(f"{path}: 第 {index + 1} 页无法渲染 ({exc})") from exc
