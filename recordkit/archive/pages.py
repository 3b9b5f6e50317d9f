"""Page images of a scanned PDF: render a page (fast path for one-JPEG scanner pages,
pdfium otherwise), find our QR payloads on it, and scale it for the stamp's placement.
Used by the intake steps (page 1 is rendered once and shared)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recordkit.errors import PdfError
from recordkit.forms.qr import QrPayload, parse_payload
from recordkit.pdfpages import render_pdf_page


@dataclass
class PageImage:
    """A page as displayed, grayscale, and its size in millimetres."""

    image: Any
    width_mm: float
    height_mm: float


# --------------------------------------------------------------------------- page images
#
# Rendering dominates ingest time, and most of it is decoding the page's JPEG. A page
# that is exactly one full-page JPEG — what scanners write — is decoded with Pillow
# instead, at reduced size (libjpeg DCT scaling): ~4x faster than a pdfium render. Any
# other page goes through pdfium as usual. The first page is rendered once and shared by
# the QR search and the stamp placement.

RENDER_DPI = 150
FAST_MIN_DPI = 100  # enough for a 25 mm QR code (~4 px per module)
PLACEMENT_DPI = 50
_MM_PER_PT = 25.4 / 72
_FULL_PAGE_IMAGE = re.compile(
    rb"^\s*q\s+([\d.]+)\s+0\s+0\s+([\d.]+)\s+([\d.-]+)\s+([\d.-]+)\s+cm\s+/(\S+)\s+Do\s+Q\s*$"
)


def render_page(path: Path, index: int, dpi: int = RENDER_DPI, reader: Any = None) -> PageImage:
    """Page ``index`` as displayed, grayscale; PdfError if it cannot be rendered.

    ``reader``: a pypdf reader of the file, if the caller has one (saves a parse)."""
    fast = _scan_page_image(path, index, max(FAST_MIN_DPI, dpi * 2 // 3), reader)
    if fast is not None:
        return fast
    return render_with_pdfium(path, index, dpi)


def render_with_pdfium(path: Path, index: int, dpi: int) -> PageImage:
    """Page ``index`` rendered by pdfium (rotation and crop box applied); PdfError if it
    cannot be."""
    import pypdfium2 as pdfium  # heavy native library: loaded when a page is rendered

    try:
        doc = pdfium.PdfDocument(str(path))
        try:
            return render_document_page(doc, index, dpi)
        finally:
            doc.close()
    except Exception as exc:  # PdfiumError and friends on a hostile page
        raise PdfError(f"{path}: 无法渲染第 {index + 1} 页 ({type(exc).__name__}: {exc})") from None


def render_document_page(doc: Any, index: int, dpi: int) -> PageImage:
    """The one pdfium render: page ``index`` of an open ``pypdfium2.PdfDocument``,
    grayscale, as displayed. Raises what pdfium raises (callers word the error)."""
    page = doc[index]
    try:
        image = render_pdf_page(page, dpi).convert("L")
    finally:
        page.close()
    px_per_mm = dpi / 25.4
    return PageImage(image, image.width / px_per_mm, image.height / px_per_mm)


def _scan_page_image(path: Path, index: int, dpi: int, reader: Any = None) -> PageImage | None:
    """The page's JPEG decoded by Pillow, if the page is nothing but that JPEG."""
    try:
        from PIL import Image
        from pypdf import PdfReader

        reader = reader or PdfReader(str(path), strict=False)
        if reader.is_encrypted or index >= len(reader.pages):
            return None
        page = reader.pages[index]
        if int(page.get("/Rotate", 0) or 0) % 360:
            return None
        box = [float(v) for v in page.mediabox]
        if [float(v) for v in page.cropbox] != box:
            return None
        contents = page.get_contents()
        m = _FULL_PAGE_IMAGE.match(contents.get_data() if contents is not None else b"")
        if m is None:
            return None
        w_pt, h_pt, x0, y0 = (float(v) for v in m.groups()[:4])
        page_w, page_h = box[2] - box[0], box[3] - box[1]
        if (
            abs(w_pt - page_w) > 1
            or abs(h_pt - page_h) > 1
            or abs(x0 - box[0]) > 1
            or abs(y0 - box[1]) > 1
        ):
            return None
        xobjects = page["/Resources"]["/XObject"]
        xobj = xobjects[f"/{m.group(5).decode('latin-1')}"].get_object()
        filters = xobj.get("/Filter")
        if (filters != "/DCTDecode" and list(filters or []) != ["/DCTDecode"]) or xobj.get(
            "/Subtype"
        ) != "/Image":
            return None
        if any(k in xobj for k in ("/SMask", "/Mask", "/Decode", "/ImageMask")):
            return None
        if (
            xobj.get("/ColorSpace") not in ("/DeviceGray", "/DeviceRGB")
            or xobj.get("/BitsPerComponent") != 8
        ):
            return None
        image = Image.open(io.BytesIO(xobj.get_data()))
        if image.format != "JPEG" or image.mode not in ("L", "RGB"):
            return None
        w_mm, h_mm = page_w * _MM_PER_PT, page_h * _MM_PER_PT
        image.draft("L", (round(w_mm / 25.4 * dpi), round(h_mm / 25.4 * dpi)))
        image = image.convert("L")
    except Exception:  # anything odd: let pdfium decide
        return None
    return PageImage(image, w_mm, h_mm)


def pdf_reader(path: Path) -> Any:
    """A pypdf reader (it reads the whole file into memory: no handle stays open), or
    None if pypdf cannot read it (pdfium may still render it)."""
    from pypdf import PdfReader

    try:
        return PdfReader(str(path), strict=False)
    except Exception:  # noqa: BLE001 - hostile input; pdfium gets its chance
        return None


def qr_payloads(image: Any, hard: bool) -> list[QrPayload]:
    """Our payloads in one page image; ``hard`` adds a smoothing pass for noisy scans."""
    return [payload for payload, _ in qr_reads(image, hard)]


def qr_reads(image: Any, hard: bool) -> list[tuple[QrPayload, int]]:
    """Our payloads in one page image, each with the clockwise turn (0, 90, 180 or 270
    degrees) that makes the page upright, from the orientation zxing-cpp reports for
    the symbol; ``hard`` adds a smoothing pass for noisy scans."""
    import zxingcpp
    from PIL import ImageFilter

    candidates = (image, image.filter(ImageFilter.BoxBlur(1))) if hard else (image,)
    for candidate in candidates:
        found = zxingcpp.read_barcodes(
            candidate, formats=zxingcpp.BarcodeFormat.QRCode, try_invert=False
        )
        ours = [
            (p, upright_turn(b.orientation))
            for b in found
            if (p := parse_payload(b.text)) is not None
        ]
        if ours:
            return ours
    return []


def upright_turn(orientation: int) -> int:
    """zxing-cpp's symbol orientation (degrees, counter-clockwise turn of the page as
    scanned; a slight skew reads as a few degrees) → the clockwise quarter turn that
    makes the page upright."""
    return (-round(orientation / 90) * 90) % 360


def placement_image(page: PageImage) -> tuple[Any, float, float]:
    """The page at about the resolution the stamp's blank-space search works at."""
    factor = max(1, round(page.image.width / max(1.0, page.width_mm / 25.4 * PLACEMENT_DPI)))
    image = (
        page.image.reduce(factor) if factor > 1 else page.image
    )  # box filter: keeps thin lines as grey
    return image, page.width_mm, page.height_mm
