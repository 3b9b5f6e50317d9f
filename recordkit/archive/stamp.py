"""The filing stamp (归档章) on an access copy of an archived PDF.

The stamp is a 45 mm × 16 mm box of 2 rows × 3 cells (15 × 8 mm), in the usual style
where each cell holds the value and the layout says what it is::

    | 全宗号 Z109   | 年度 2026     | 件号 0001 |
    | 机构  ZLB     | 保管期限 10年 | 页数 2    |

It goes top centre of page 1 in blank space, right of centre when there is room (see
``find_placement``). The original file is only read: the stamp is drawn with reportlab
on an overlay page and merged with pypdf onto page 1 of a rewritten copy, so a signed
original keeps its signature and its fixity value.

The text is set in recordkit's one CJK TrueType font (``recordkit.fonts``: WenQuanYi
Micro Hei from PyPI), embedded, so the stamp shows the same on a machine without
Chinese fonts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from recordkit import fonts
from recordkit.archive.numbering import item_label, parse_archive_no, retention_label
from recordkit.archive.pages import PLACEMENT_DPI, render_with_pdfium
from recordkit.errors import FileWriteError, PdfError
from recordkit.files import write_atomic

FONT_NAME = fonts.FONT_NAME

STAMP_W_MM = 45.0
STAMP_H_MM = 16.0
CELL_W_MM = STAMP_W_MM / 3
CELL_H_MM = STAMP_H_MM / 2
LABELS = ("全宗号", "年度", "件号", "机构(问题)", "保管期限", "页数")

# Placement search (all in mm of the displayed page): keep this far from the paper's
# edge, this far from any ink, look this far down from the top, move in these steps.
EDGE_MM = 5.0
CLEARANCE_MM = 2.0
TOP_MM = 6.0
SEARCH_DEPTH_MM = 45.0
STEP_MM = 1.0

INK_LEVEL = 200  # grey below this is ink; paper and scanner noise at 50 dpi stay above
MAX_INK_FRACTION = 0.002  # a few specks of dust do not make a spot "used"

_MM = 72 / 25.4


@dataclass(frozen=True)
class StampFields:
    fonds_no: str
    year: int
    item_no: int
    retention_code: str  # Y | D30 | D10 …
    pages: int
    dept_code: str = ""

    @classmethod
    def from_archive_no(cls, archive_no: str, pages: int) -> StampFields:
        parts = parse_archive_no(archive_no)
        return cls(
            fonds_no=parts.fonds_no,
            year=parts.year,
            item_no=parts.item_no,
            retention_code=parts.retention_code,
            pages=pages,
            dept_code=parts.dept_code,
        )

    def cells(self) -> tuple[str, str, str, str, str, str]:
        """The six values row-wise, in the order of ``LABELS``."""
        return (
            self.fonds_no,
            str(self.year),
            item_label(int(self.item_no)),  # 预0003 on a provisional (预归档) copy
            self.dept_code,
            retention_label(self.retention_code),
            str(self.pages),
        )


@dataclass(frozen=True)
class StampStyle:
    color: str = "red"  # red | black
    line_width_pt: float = 0.75
    font_size_pt: float = 9.0
    show_labels: bool = False  # small labels above the values, for readers new to 归档章


@dataclass(frozen=True)
class Placement:
    """Top-left corner of the stamp, in mm from the top-left of the page as displayed."""

    x_mm: float
    y_mm: float
    rule: str  # blank-right | blank-centre | blank-left | fallback


# --- placement --------------------------------------------------------------------------------


def _integral(mask: list[list[int]]) -> list[list[int]]:
    """Summed-area table: the ink in any rectangle in four look-ups."""
    h, w = len(mask), len(mask[0]) if mask else 0
    table = [[0] * (w + 1) for _ in range(h + 1)]
    for y in range(h):
        run = 0
        row, above, out = mask[y], table[y], table[y + 1]
        for x in range(w):
            run += row[x]
            out[x + 1] = above[x + 1] + run
    return table


def _ink(table: list[list[int]], x0: int, y0: int, x1: int, y1: int) -> int:
    return table[y1][x1] - table[y0][x1] - table[y1][x0] + table[y0][x0]


def _candidates(page_w_mm: float, depth_mm: float) -> list[tuple[str, float, float]]:
    """(rule, x, y) in order of preference: right of centre, top first, near centre first.

    Then the same moving left from the centre line: first straddling it, then wholly
    left of it.
    """
    centre = page_w_mm / 2
    ys = _steps(TOP_MM, depth_mm - STAMP_H_MM)
    right = _steps(centre, page_w_mm - EDGE_MM - STAMP_W_MM)
    left = [centre - d for d in _steps(STEP_MM, centre - EDGE_MM)]
    out = [("blank-right", x, y) for y in ys for x in right]
    for y in ys:
        for x in left:
            out.append(("blank-left" if x + STAMP_W_MM <= centre else "blank-centre", x, y))
    return out


def _steps(start: float, stop: float) -> list[float]:
    out, v = [], start
    while v <= stop + 1e-9:
        out.append(round(v, 3))
        v += STEP_MM
    return out


def find_placement(image: Any, page_w_mm: float, page_h_mm: float) -> Placement:
    """Where the stamp goes on a page rendered as ``image`` (PIL, any mode).

    The rule: the first spot where the stamp plus 2 mm of clearance covers no ink,
    trying right of centre first (top to bottom from 6 mm to 45 mm, each row from the
    centre line outwards), then moving left from the centre line; if the whole top band
    is used, right of centre 6 mm from the top (``fallback``): the stamp must go
    somewhere, and a person can still read both.
    """
    grey = image.convert("L")
    px_per_mm = grey.width / page_w_mm
    depth_mm = min(SEARCH_DEPTH_MM, page_h_mm)
    band_h = max(1, min(grey.height, round(depth_mm * px_per_mm)))
    band = grey.crop((0, 0, grey.width, band_h))
    data = band.tobytes()
    mask = [
        [1 if v < INK_LEVEL else 0 for v in data[y * band.width : (y + 1) * band.width]]
        for y in range(band_h)
    ]
    table = _integral(mask)

    def px(v_mm: float, limit: int) -> int:
        return max(0, min(limit, round(v_mm * px_per_mm)))

    for rule, x, y in _candidates(page_w_mm, depth_mm):
        x0, x1 = px(x - CLEARANCE_MM, band.width), px(x + STAMP_W_MM + CLEARANCE_MM, band.width)
        y0, y1 = px(y - CLEARANCE_MM, band_h), px(y + STAMP_H_MM + CLEARANCE_MM, band_h)
        area = max(1, (x1 - x0) * (y1 - y0))
        if _ink(table, x0, y0, x1, y1) / area <= MAX_INK_FRACTION:
            return Placement(x, y, rule)
    return fallback_placement(page_w_mm)


def _render_first_page(original: Path) -> tuple[Any, float, float] | None:
    """Page 1 as displayed (rotation and crop box applied), with its size in mm."""
    try:
        page = render_with_pdfium(original, 0, PLACEMENT_DPI)
    except PdfError:  # unrenderable page: the stamp still goes on, at the fallback spot
        return None
    return page.image, page.width_mm, page.height_mm


# --- drawing ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _font() -> Any:
    from reportlab.pdfbase import pdfmetrics

    return pdfmetrics.getFont(fonts.reportlab_font())


def _check_glyphs(values: tuple[str, ...]) -> None:
    cmap = _font().face.charToGlyph
    missing = sorted({ch for value in values for ch in value if ord(ch) not in cmap})
    if missing:
        raise PdfError(
            f"归档章字体不含字符 {''.join(missing)!r} (stamp values must be letters, digits, 永久/年)"
        )


def _fit_size(text: str, max_width: float, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    width = stringWidth(text, FONT_NAME, size)
    return size if width <= max_width else size * max_width / width


def draw_overlay(page_w_pt: float, page_h_pt: float, placement: Placement,
                 fields: StampFields, style: StampStyle) -> bytes:  # fmt: skip
    """A one-page PDF of the displayed page's size holding only the stamp."""
    from reportlab.lib import colors
    from reportlab.pdfgen import canvas

    values = fields.cells()
    labels = LABELS if style.show_labels else ()
    _check_glyphs(values + tuple(labels))
    _font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(page_w_pt, page_h_pt))
    color = colors.red if style.color == "red" else colors.black
    c.setStrokeColor(color)
    c.setFillColor(color)
    c.setLineWidth(style.line_width_pt)
    left = placement.x_mm * _MM
    top = page_h_pt - placement.y_mm * _MM
    cell_w, cell_h = CELL_W_MM * _MM, CELL_H_MM * _MM
    c.rect(left, top - 2 * cell_h, 3 * cell_w, 2 * cell_h, stroke=1, fill=0)
    c.line(left, top - cell_h, left + 3 * cell_w, top - cell_h)
    for col in (1, 2):
        c.line(left + col * cell_w, top, left + col * cell_w, top - 2 * cell_h)
    for i, value in enumerate(values):
        row, col = divmod(i, 3)
        cx = left + (col + 0.5) * cell_w
        cell_top = top - row * cell_h
        if labels:
            size = _fit_size(labels[i], cell_w - 2, 4.5)
            c.setFont(FONT_NAME, size)
            c.drawCentredString(cx, cell_top - 5.2, labels[i])
            baseline = cell_top - cell_h + 3.0
            vsize = min(style.font_size_pt, 8.0)
        else:
            vsize = style.font_size_pt
            baseline = cell_top - cell_h / 2 - vsize * 0.35  # optically centred
        if value:
            c.setFont(FONT_NAME, _fit_size(value, cell_w - 3, vsize))
            c.drawCentredString(cx, baseline, value)
    c.showPage()
    c.save()
    return buf.getvalue()


def display_to_user_matrix(
    rotate: int, box: tuple[float, float, float, float]
) -> tuple[float, ...]:
    """The matrix taking displayed-page coordinates to the page's user space.

    ``box`` is the crop box (llx, lly, urx, ury); /Rotate turns the page clockwise for
    display, so drawing upright on the displayed page means undoing that turn and the
    box's offset.
    """
    llx, lly, urx, ury = box
    w = urx - llx
    r = rotate % 360
    if r == 0:
        return (1, 0, 0, 1, llx, lly)
    if r == 90:
        return (0, 1, -1, 0, llx + w, lly)
    if r == 180:
        return (-1, 0, 0, -1, urx, ury)
    if r == 270:
        return (0, -1, 1, 0, llx, ury)
    raise PdfError(f"页面旋转角度 {rotate} 不是 90 的倍数 (invalid /Rotate)")


# --- the access copy --------------------------------------------------------------------------


def stamp_access_copy(
    original: Path,
    dest: Path,
    fields: StampFields,
    style: StampStyle = StampStyle(),
) -> Placement:
    """Write ``dest``: a copy of ``original`` with the 归档章 on page 1.

    ``original`` is opened read-only; ``dest`` appears atomically (written beside it,
    then renamed), so a crash never leaves a half-written access copy. Returns where
    the stamp went.
    """
    original, dest = Path(original), Path(dest)
    if dest.resolve() == original.resolve():
        raise PdfError(
            f"{original}: 利用副本不能覆盖原件 (access copy must not replace the original)"
        )
    return stamp_rendered_page(original, dest, fields, style, _render_first_page(original))


def stamp_rendered_page(
    original: Path,
    dest: Path,
    fields: StampFields,
    style: StampStyle,
    rendered: tuple[Any, float, float] | None,
    tag: str = "",
) -> Placement:
    """Write ``dest`` like ``stamp_access_copy``, placing the stamp by a page 1 the caller
    already rendered (image, width mm, height mm), or by the fallback rule when None."""
    try:
        data = _stamped_bytes(original, fields, style, rendered)
    except PdfError:
        raise
    except Exception as exc:  # pypdf/reportlab on a hostile file
        raise PdfError(
            f"{original}: 无法生成加盖归档章的利用副本 ({type(exc).__name__}: {exc})"
        ) from exc
    _write_atomically(dest, data[0], tag)
    return data[1]


def _stamped_bytes(
    original: Path,
    fields: StampFields,
    style: StampStyle,
    rendered: tuple[Any, float, float] | None,
) -> tuple[bytes, Placement]:
    """The copy as an incremental update of the original where possible.

    Appending the stamp leaves every original byte in place: a signed scan's access copy
    then shows "signed, with changes after signing" in a PDF reader rather than "signature
    invalid", and the original is recoverable from the copy. Encrypted files (opened with
    the empty password) and files pypdf cannot update are rewritten whole instead.
    """
    from pypdf import PdfReader

    reader = PdfReader(str(original), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise PdfError(f"{original}: PDF 已加密, 无法加盖归档章 (encrypted)")
    if len(reader.pages) == 0:
        raise PdfError(f"{original}: PDF 没有页面 (no pages)")
    pages = len(reader.pages)
    if not reader.is_encrypted:
        try:
            data, placement = _merge_stamp(original, None, fields, style, rendered)
            if _reads_back(data, pages):
                return data, placement
        except PdfError:
            raise
        except Exception:  # pypdf cannot append to this file: rewrite it instead
            pass
    data, placement = _merge_stamp(original, reader, fields, style, rendered)
    if not _reads_back(data, pages):
        raise PdfError(f"{original}: 生成的利用副本无法读回 (stamped copy does not read back)")
    return data, placement


def _reads_back(data: bytes, pages: int) -> bool:
    """Whether the copy parses strictly with all its pages: a repaired, broken original
    can yield an update whose cross-reference chain does not hold."""
    from pypdf import PdfReader

    try:
        return len(PdfReader(io.BytesIO(data), strict=True).pages) == pages
    except Exception:
        return False


def _merge_stamp(
    original: Path,
    reader: Any,
    fields: StampFields,
    style: StampStyle,
    rendered: tuple[Any, float, float] | None,
) -> tuple[bytes, Placement]:
    from pypdf import PdfReader, PdfWriter, Transformation

    if reader is None:
        writer = PdfWriter(str(original), incremental=True)
    else:
        writer = PdfWriter(clone_from=reader)
    page = writer.pages[0]
    box = tuple(float(v) for v in page.cropbox)
    rotate = int(page.rotation)  # inherited from the page tree where unset
    w, h = box[2] - box[0], box[3] - box[1]
    disp_w, disp_h = (h, w) if rotate % 180 else (w, h)
    if rendered is not None:
        placement = find_placement(rendered[0], rendered[1], rendered[2])
    else:
        placement = fallback_placement(disp_w / _MM)
    overlay = PdfReader(io.BytesIO(draw_overlay(disp_w, disp_h, placement, fields, style)))
    matrix = display_to_user_matrix(rotate, box)  # type: ignore[arg-type]
    page.merge_transformed_page(overlay.pages[0], Transformation(matrix))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), placement


def fallback_placement(page_w_mm: float) -> Placement:
    """Right of centre, 6 mm from the top: when no blank spot is found or page 1 cannot
    be rendered to look for one."""
    x = min(page_w_mm / 2, max(EDGE_MM, page_w_mm - EDGE_MM - STAMP_W_MM))
    return Placement(x, TOP_MM, "fallback")


def _write_atomically(dest: Path, data: bytes, tag: str = "") -> None:
    try:
        write_atomic(dest, data, tag=tag)
    except FileWriteError as exc:  # write_atomic's error already names the file and the cause
        raise PdfError(f"无法写入利用副本: {exc.message}") from exc
