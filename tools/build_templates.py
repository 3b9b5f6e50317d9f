"""Build the Word form templates in form_templates/ from compact per-form specs.

    .venv/bin/python tools/build_templates.py            # every form that has a spec
    .venv/bin/python tools/build_templates.py F03 R01    # just these
    .venv/bin/python tools/build_templates.py --force F03

This is a one-off authoring tool. Once a .docx is committed it is the source of truth:
admins revise it in Word and bump 第N版 in its header. So the script refuses to overwrite
a template whose header version differs from the spec's (someone revised it in Word)
unless --force is given. Output is byte-for-byte reproducible (fixed zip timestamps and
document properties), so rebuilding an unchanged spec does not make every generated form
look stale to `recordkit regenerate`.

Adding a form = adding one FormSpec to SPECS (see the "specs" section at the bottom):
title, catalog metadata, and a list of blocks -- Table(grid, rows) for bordered forms,
Para(...) for letters, Register(...) for 台帐. The page furniture every form needs
(A4 page and margins, fonts and styles, header with 表单编号/第N版, footer with PAGE and
NUMPAGES fields, title with the RK_QR picture and the case number) is added for you, and
the form's catalog.yaml entry is written from the same spec.

Conventions the renderer (recordkit/render.py) relies on are documented in
docs/template-authoring.md.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import segno
import yaml
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recordkit import schema  # noqa: E402  (the field list is the contract templates follow)

TEMPLATES = ROOT / "form_templates"
CATALOG = TEMPLATES / "catalog.yaml"

# ----------------------------------------------------------------------------- page & type

PAGE_MARGIN_MM = 20
HEADER_DISTANCE_MM = 10
LATIN_FONT = "Times New Roman"
BODY_FONT = "宋体"
TITLE_FONT = "黑体"
BODY_PT = 10.5  # 五号
LETTER_PT = 12  # 小四
LETTER_LINE = 1.3  # line spacing of letters (multiple of single)
TITLE_PT = 16  # 三号
SMALL_PT = 9  # 小五
REGISTER_PT = 9
LABEL_FILL = "E7E6E6"  # light grey label cells
SECTION_FILL = "D0CECE"  # a shade darker for section rows
QR_MM = 20
QR_COLUMN_MM = 30
FIXED_TIME = datetime(2026, 1, 1, tzinfo=timezone.utc)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)

SIGN_LINE = "__________"
DATE_LINE = "____年__月__日"

KINDS = list(schema.KINDS)
VERSION_IN_HEADER = re.compile(r"第\s*(\d+)\s*版")


def twips(mm: float) -> int:
    return int(round(mm * 1440 / 25.4))


# ----------------------------------------------------------------------------- spec model

REST = -1  # a cell span: the rest of the row


@dataclass
class Small:
    """A paragraph in small type inside a cell (notes, explanations)."""

    text: str


@dataclass
class Cell:
    content: str | list[str | Small]
    span: int = 1
    kind: str = "value"  # label | value | section | sign
    align: str = ""  # "" = the kind's default; left | center | right


@dataclass
class Row:
    cells: list[Cell]
    min_mm: float | None = None  # "at least" height: text still grows, never clips


@dataclass
class Table:
    """A bordered table of label and value cells on a grid of column widths (mm)."""

    grid: list[float]
    rows: list[Row]


@dataclass
class Para:
    """A paragraph of a letter. ``**bold**`` marks bold runs; style is an RK style name."""

    text: str
    style: str = "RK Body"
    align: str = ""


@dataclass
class Cut:
    """A dashed tear-off line between an office stub (存根) and the part handed out."""

    text: str = "（沿此线剪开）"


@dataclass
class Register:
    """A 台帐: header row repeated on every page, one docxtpl row loop over ``rows``."""

    columns: list[tuple[str, float, str]]  # header, width mm, cell text (reads ``r``)
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)


Block = Table | Para | Cut | Register


@dataclass
class FormSpec:
    code: str
    title: str
    type: str  # form | notice | register
    source: str
    blocks: list[Block]
    kinds: list[str] = field(default_factory=lambda: list(KINDS))
    profiles: list[str] = field(default_factory=list)
    when: str = ""
    order: int = 100
    retention: str = "D10"
    extra_fields: dict[str, str] = field(default_factory=dict)
    version: int = 1

    @property
    def landscape(self) -> bool:
        return self.type == "register"

    @property
    def paper(self) -> str:
        return "A4 landscape" if self.landscape else "A4 portrait"

    @property
    def file(self) -> str:
        return f"{self.code}-{self.title}.docx"

    @property
    def text_width_mm(self) -> float:
        return (297 if self.landscape else 210) - 2 * PAGE_MARGIN_MM

    def catalog_entry(self) -> dict:
        return {
            "code": self.code,
            "title": self.title,
            "file": self.file,
            "type": self.type,
            "paper": self.paper,
            "source": self.source,
            "retention": self.retention,
            "kinds": list(self.kinds),
            "profiles": list(self.profiles),
            "when": self.when,
            "order": self.order,
            "extra_fields": dict(self.extra_fields),
        }


# ----------------------------------------------------------------------------- spec helpers
# Short ways to write the Jinja text of a cell. Each returns template text.


def c(path: str) -> str:
    """A case value as typed."""
    return "{{ case." + path + " }}"


def ck(path: str, *options: str) -> str:
    """Paper check boxes: ☑ the chosen option, ☐ the others."""
    return "{{ case." + path + "|check(" + ", ".join(f"'{o}'" for o in options) + ") }}"


def yn(path: str, yes: str, no: str) -> str:
    """Two check boxes for a yes/no field (both empty when the value is missing)."""
    return "{{ case." + path + f"|yesno('{yes}', '{no}')" + " }}"


def jn(path: str) -> str:
    """A list joined with 、 (the renderer prints lists the same way)."""
    return "{{ case." + path + "|join('、') }}"


def or_blank(expr: str, blank: str = DATE_LINE) -> str:
    """The value, or a blank line to write on by hand when it is missing."""
    return "{% if " + expr + " %}{{ " + expr + " }}{% else %}" + blank + "{% endif %}"


def L(text: str, span: int = 1) -> Cell:  # noqa: N802 - reads like the form it draws
    return Cell(text, span, "label")


def V(content: str | list[str | Small], span: int = 1, align: str = "") -> Cell:  # noqa: N802
    return Cell(content, span, "value", align)


def row(*cells: Cell, h: float | None = None) -> Row:
    return Row(list(cells), h)


def wide(label: str, content: str | list[str | Small], h: float | None = None) -> Row:
    """A label and one value cell across the rest of the row."""
    return Row([L(label), V(content, REST)], h)


def section(title: str) -> Row:
    return Row([Cell(title, REST, "section")])


def signs(*roles: str, h: float = 10) -> Row:
    """Wet-signature cells for each role that signs, side by side across the row."""
    labels = [r if r.endswith(("签字", "签收")) else f"{r}签字" for r in roles]
    if len(labels) == 1:
        return Row([Cell(f"{labels[0]}：{SIGN_LINE}　　日期：{DATE_LINE}", REST, "sign")], h)
    return Row([Cell([f"{label}：{SIGN_LINE}", f"日期：{DATE_LINE}"], 0, "sign") for label in labels], h)


# Days with the profile's unit when the clock knows it ("20 日", "3 工作日").
EXTENSION = "{% if clock.extension_days %}{{ clock.extension_days }}{% else %}{{ case.extension.days }} 日{% endif %}"

ADDRESSEE = (
    "{% if case.complainant.organization %}{{ case.complainant.organization }}　{% endif %}"
    "{{ case.complainant.name }}："
)


def sign_off(date_expr: str) -> list[Para]:
    """The 落款 of a letter: organisation (seal) and date, right-aligned."""
    return [
        Para("", "RK Body"),
        Para("{{ org.name }}（盖章）", "RK Closing"),
        Para(or_blank(date_expr), "RK Closing"),
    ]


# ----------------------------------------------------------------------------- XML helpers


def _el(tag: str, attrs: dict[str, str] | None = None) -> OxmlElement:
    element = OxmlElement(tag)
    for key, value in (attrs or {}).items():
        element.set(qn(key), str(value))
    return element


def _child(parent, tag: str, attrs: dict[str, str] | None = None, first: bool = False):
    """The parent's child element with this tag, created (and given attrs) if absent."""
    found = parent.find(qn(tag))
    if found is None:
        found = _el(tag)
        if first:
            parent.insert(0, found)
        else:
            parent.append(found)
    for key, value in (attrs or {}).items():
        found.set(qn(key), str(value))
    return found


# Schema order of <w:pPr> children: Word rejects a paragraph whose properties are out of order.
PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
    "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
    "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
)


def sort_children(element, order: tuple[str, ...]) -> None:
    """Reorder child elements into schema order (unknown ones last, stable)."""
    rank = {name: i for i, name in enumerate(order)}
    children = sorted(element, key=lambda e: rank.get(e.tag.split("}")[1], len(order)))
    for child in children:
        element.append(child)


def put_in_schema_order(doc) -> None:
    section = doc.sections[0]
    for root in (doc.element, doc.styles.element, section.header.part.element, section.footer.part.element):
        for ppr in root.iter(qn("w:pPr")):
            sort_children(ppr, PPR_ORDER)


def set_fonts(rpr, latin: str, east_asia: str) -> None:
    """Name the fonts explicitly; theme font attributes would win over them, so drop them."""
    rfonts = _child(rpr, "w:rFonts", first=True)
    for key in list(rfonts.attrib):
        del rfonts.attrib[key]
    for key, value in (
        ("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin), ("w:eastAsia", east_asia), ("w:hint", "eastAsia"),
    ):
        rfonts.set(qn(key), value)


def _paragraph_style(doc, name: str, base: str, east_asia: str, size: float, *, bold: bool = False,
                     align=None, before: float = 0, after: float = 0, line: float | None = None,
                     first_line_chars: int = 0, keep_next: bool = False):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base] if base else None
    style.quick_style = True
    set_fonts(style.element.get_or_add_rPr(), LATIN_FONT, east_asia)
    style.font.size = Pt(size)
    style.font.bold = bold
    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = align
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line is not None:
        fmt.line_spacing = line
    fmt.keep_with_next = keep_next
    if first_line_chars:
        fmt.first_line_indent = Pt(size * first_line_chars)
        ind = _child(style.element.get_or_add_pPr(), "w:ind")
        ind.set(qn("w:firstLineChars"), str(first_line_chars * 100))
    return style


def setup_styles(doc) -> None:
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr_default = _child(defaults, "w:rPrDefault")
    rpr = _child(rpr_default, "w:rPr")
    set_fonts(rpr, LATIN_FONT, BODY_FONT)
    _child(rpr, "w:lang", {"w:val": "en-US", "w:eastAsia": "zh-CN", "w:bidi": "ar-SA"})
    _paragraph_style(doc, "Normal", "", BODY_FONT, BODY_PT)
    normal = styles["Normal"]
    normal.paragraph_format.line_spacing = 1.0
    for name in ("Header", "Footer"):
        style = styles[name]
        set_fonts(style.element.get_or_add_rPr(), LATIN_FONT, BODY_FONT)
        style.font.size = Pt(SMALL_PT)
        tabs = style.element.get_or_add_pPr().find(qn("w:tabs"))
        if tabs is not None:  # Letter-size tab stops from python-docx's default template
            tabs.getparent().remove(tabs)
    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph_style(doc, "RK Title", "Normal", TITLE_FONT, TITLE_PT, bold=True, align=center, before=6, after=6)
    _paragraph_style(doc, "RK Subtitle", "Normal", TITLE_FONT, 14, bold=True, align=center, before=6, after=6)
    _paragraph_style(doc, "RK Label", "Normal", TITLE_FONT, BODY_PT, align=center)
    _paragraph_style(doc, "RK Section", "Normal", TITLE_FONT, BODY_PT, bold=True, keep_next=True)
    _paragraph_style(doc, "RK Value", "Normal", BODY_FONT, BODY_PT)
    _paragraph_style(doc, "RK Sign", "Normal", BODY_FONT, BODY_PT, align=right)
    _paragraph_style(doc, "RK Small", "Normal", BODY_FONT, SMALL_PT)
    _paragraph_style(doc, "RK Body", "Normal", BODY_FONT, LETTER_PT, line=LETTER_LINE, first_line_chars=2)
    _paragraph_style(doc, "RK Plain", "Normal", BODY_FONT, LETTER_PT, line=LETTER_LINE)
    _paragraph_style(doc, "RK Heading", "Normal", TITLE_FONT, LETTER_PT, line=LETTER_LINE, first_line_chars=2,
                     keep_next=True)
    _paragraph_style(doc, "RK Closing", "Normal", BODY_FONT, LETTER_PT, align=right, line=LETTER_LINE,
                     keep_next=True)
    _paragraph_style(doc, "RK Register", "Normal", BODY_FONT, REGISTER_PT)
    _paragraph_style(doc, "RK Register Head", "Normal", TITLE_FONT, REGISTER_PT, align=center)


def setup_page(doc, spec: FormSpec) -> None:
    section = doc.sections[0]
    if spec.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Mm(PAGE_MARGIN_MM))
    section.header_distance = Mm(HEADER_DISTANCE_MM)
    section.footer_distance = Mm(HEADER_DISTANCE_MM)
    section.gutter = Mm(0)


def _field(paragraph, instruction: str) -> None:
    """A real Word field (PAGE, NUMPAGES): begin / instrText / separate / result / end."""
    def run_with(child):
        r = _el("w:r")
        r.append(child)
        paragraph._p.append(r)

    run_with(_el("w:fldChar", {"w:fldCharType": "begin"}))
    instr = _el("w:instrText", {"xml:space": "preserve"})
    instr.text = f" {instruction} "
    run_with(instr)
    run_with(_el("w:fldChar", {"w:fldCharType": "separate"}))
    paragraph.add_run("1")
    run_with(_el("w:fldChar", {"w:fldCharType": "end"}))


def setup_header_footer(doc, spec: FormSpec) -> None:
    section = doc.sections[0]
    header = section.header.paragraphs[0]
    header.style = doc.styles["Header"]
    header.paragraph_format.tab_stops.add_tab_stop(Mm(spec.text_width_mm), WD_TAB_ALIGNMENT.RIGHT)
    header.add_run("{{ org.name }}")
    header.add_run("\t")
    header.add_run(f"表单编号 {spec.code}  第{spec.version}版")
    border = _child(header._p.get_or_add_pPr(), "w:pBdr")
    _child(border, "w:bottom", {"w:val": "single", "w:sz": "6", "w:space": "1", "w:color": "auto"})
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    _field(footer, "PAGE")
    footer.add_run(" 页 共 ")
    _field(footer, "NUMPAGES")
    footer.add_run(" 页")


# ----------------------------------------------------------------------------- tables


TBLPR_ORDER = (
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW", "jc",
    "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption",
    "tblDescription", "tblPrChange",
)


def new_table(doc, grid_mm: list[float], *, borders: bool) -> DocxTable:
    table = doc.add_table(rows=0, cols=len(grid_mm))
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    _child(tbl_pr, "w:tblW", {"w:w": str(sum(twips(w) for w in grid_mm)), "w:type": "dxa"})
    _child(tbl_pr, "w:jc", {"w:val": "center"})
    edges = ("top", "left", "bottom", "right", "insideH", "insideV")
    tbl_borders = _child(tbl_pr, "w:tblBorders")
    for edge in edges:
        outer = edge in ("top", "left", "bottom", "right")
        attrs = (
            {"w:val": "single", "w:sz": "8" if outer else "4", "w:space": "0", "w:color": "000000"}
            if borders else {"w:val": "nil"}
        )
        _child(tbl_borders, f"w:{edge}", attrs)
    _child(tbl_pr, "w:tblLayout", {"w:type": "fixed"})
    _child(tbl_pr, "w:tblCellMar")
    margins = tbl_pr.find(qn("w:tblCellMar"))
    for side, mm in (("top", 0.5), ("left", 1.0), ("bottom", 0.5), ("right", 1.0)):
        _child(margins, f"w:{side}", {"w:w": str(twips(mm)), "w:type": "dxa"})
    sort_children(tbl_pr, TBLPR_ORDER)
    for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), grid_mm, strict=True):
        col.set(qn("w:w"), str(twips(width)))
    return table


def _resolve_spans(cells: list[Cell], ncols: int) -> list[int]:
    spans = [cell.span for cell in cells]
    if all(s == 0 for s in spans):  # share the row evenly (signature rows)
        base, extra = divmod(ncols, len(cells))
        return [base + (1 if i < extra else 0) for i in range(len(cells))]
    fixed = sum(s for s in spans if s > 0)
    rest = [i for i, s in enumerate(spans) if s == REST]
    if len(rest) > 1:
        raise ValueError("only one cell per row may span the rest")
    if rest:
        spans[rest[0]] = ncols - fixed
    if sum(spans) != ncols or min(spans) < 1:
        raise ValueError(f"row spans {spans} do not fill {ncols} columns: {[c.content for c in cells]}")
    return spans


_DEFAULT_ALIGN = {"label": "center", "value": "left", "section": "left", "sign": "right"}
_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}
_STYLE = {"label": "RK Label", "value": "RK Value", "section": "RK Section", "sign": "RK Sign"}


def add_runs(paragraph, text: str) -> None:
    """Runs for a text where **…** marks bold; a tag always stays inside one run."""
    for i, piece in enumerate(text.split("**")):
        if piece:
            run = paragraph.add_run(piece)
            if i % 2:
                run.bold = True


def add_row(table: DocxTable, grid_mm: list[float], spec: Row, *, header: bool = False,
            fill: str | None = None, style: str | None = None, valign: str | None = None) -> None:
    tr = _el("w:tr")
    tr_pr = _el("w:trPr")
    if header:
        tr_pr.append(_el("w:cantSplit"))
    if spec.min_mm:
        tr_pr.append(_el("w:trHeight", {"w:val": str(twips(spec.min_mm)), "w:hRule": "atLeast"}))
    if header:
        tr_pr.append(_el("w:tblHeader"))
    if len(tr_pr):
        tr.append(tr_pr)
    table._tbl.append(tr)
    col = 0
    for cell_spec, span in zip(spec.cells, _resolve_spans(spec.cells, len(grid_mm)), strict=True):
        tc = _el("w:tc")
        tc_pr = _el("w:tcPr")
        tc_pr.append(_el("w:tcW", {"w:w": str(sum(twips(w) for w in grid_mm[col:col + span])), "w:type": "dxa"}))
        if span > 1:
            tc_pr.append(_el("w:gridSpan", {"w:val": str(span)}))
        shade = fill or {"label": LABEL_FILL, "section": SECTION_FILL}.get(cell_spec.kind)
        if shade:
            tc_pr.append(_el("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": shade}))
        tc_pr.append(_el("w:vAlign", {"w:val": valign or _valign(cell_spec, spec, span)}))
        tc.append(tc_pr)
        tr.append(tc)
        cell = _Cell(tc, table)
        content = cell_spec.content if isinstance(cell_spec.content, list) else [cell_spec.content]
        for index, item in enumerate(content):
            small = isinstance(item, Small)
            text = item.text if small else item
            paragraph = cell.add_paragraph(style="RK Small" if small else style or _STYLE[cell_spec.kind])
            align = cell_spec.align or _DEFAULT_ALIGN[cell_spec.kind]
            if cell_spec.kind == "sign" and len(content) > 1 and index == 0:
                align = "left"
            paragraph.alignment = _ALIGN[align]
            add_runs(paragraph, text)
        col += span


def _valign(cell: Cell, spec: Row, span: int) -> str:
    """Signatures sit on the bottom line; big text areas start at the top; the rest centre."""
    if cell.kind == "sign":
        return "bottom"
    return "top" if spec.min_mm and cell.kind == "value" and span >= 3 else "center"


def add_table(doc, block: Table) -> None:
    table = new_table(doc, block.grid, borders=True)
    for spec in block.rows:
        add_row(table, block.grid, spec)


def add_title_block(doc, spec: FormSpec) -> None:
    """Title centred on the page; QR placeholder (RK_QR) and case number at the right."""
    middle = spec.text_width_mm - 2 * QR_COLUMN_MM
    grid = [QR_COLUMN_MM, middle, QR_COLUMN_MM]
    table = new_table(doc, grid, borders=False)
    add_row(table, grid, Row([V(""), Cell(spec.title, 1, "value", "center"), V("")]))
    left, title_cell, qr_cell = table.rows[0].cells
    title_cell.paragraphs[0].style = doc.styles["RK Title"]
    for cell in (left, title_cell, qr_cell):
        _child(cell._tc.tcPr, "w:vAlign", {"w:val": "center"})
    picture = qr_cell.paragraphs[0]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    png = io.BytesIO()
    segno.make_qr(f"RK1|CASE|{spec.code}|{spec.version}", error="m").save(png, kind="png", scale=8, border=2)
    png.seek(0)
    run = picture.add_run()
    run.add_picture(png, width=Mm(QR_MM), height=Mm(QR_MM))
    doc_pr = run._r.find(".//" + qn("wp:docPr"))
    doc_pr.set("name", "RK_QR")
    doc_pr.set("descr", "二维码占位图：生成时替换为本案二维码，请勿删除 (QR placeholder, keep it)")
    number = qr_cell.add_paragraph(style="RK Small")
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number.add_run("{{ case.case_no }}")
    # Two adjacent tables are merged into one by Word and LibreOffice: keep a paragraph between.
    gap = doc.add_paragraph(style="RK Small")
    gap.paragraph_format.space_after = Pt(2)


def add_para(doc, block: Para) -> None:
    paragraph = doc.add_paragraph(style=block.style)
    if block.align:
        paragraph.alignment = _ALIGN[block.align]
    add_runs(paragraph, block.text)


def add_cut(doc, block: Cut) -> None:
    spacer = doc.add_paragraph(style="RK Small")
    spacer.paragraph_format.space_before = Pt(6)
    paragraph = doc.add_paragraph(style="RK Small")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(6)
    border = _child(paragraph._p.get_or_add_pPr(), "w:pBdr")
    _child(border, "w:top", {"w:val": "dashed", "w:sz": "6", "w:space": "4", "w:color": "auto"})
    paragraph.add_run(block.text)


def add_register(doc, spec: FormSpec, block: Register) -> None:
    for text in block.before:
        add_para(doc, Para(text, "RK Plain", "center"))
    doc.paragraphs[-1].paragraph_format.space_after = Pt(4)
    grid = [w for _, w, _ in block.columns]
    table = new_table(doc, grid, borders=True)
    add_row(table, grid, Row([Cell(h, 1, "label") for h, _, _ in block.columns]), header=True,
            style="RK Register Head")
    add_row(table, grid, Row([V("{%tr for r in rows %}", REST)]))
    add_row(table, grid, Row([V(text) for _, _, text in block.columns]), style="RK Register", valign="top")
    add_row(table, grid, Row([V("{%tr endfor %}", REST)]))
    for text in ("{%p if not rows %}", "本期无记录。", "{%p endif %}"):
        add_para(doc, Para(text, "RK Value", "center"))
    for text in block.after:
        add_para(doc, Para(text, "RK Value", "right"))
        doc.paragraphs[-1].paragraph_format.space_before = Pt(8)


def set_properties(doc, spec: FormSpec) -> None:
    props = doc.core_properties
    props.title = spec.title
    props.subject = f"表单编号 {spec.code}"
    props.author = "recordkit"
    props.last_modified_by = "recordkit"
    props.keywords = f"recordkit {spec.code}"
    props.comments = "由 tools/build_templates.py 生成；之后请在 Word 中修订，并在页眉中升级“第N版”。"
    props.category = {"form": "表单", "notice": "告知书", "register": "台帐"}[spec.type]
    props.language = "zh-CN"
    props.revision = spec.version
    props.created = FIXED_TIME.replace(tzinfo=None)
    props.modified = FIXED_TIME.replace(tzinfo=None)
    props.last_printed = FIXED_TIME.replace(tzinfo=None)


def build_document(spec: FormSpec) -> bytes:
    doc = Document()
    package_rels = doc.part.package.rels
    for rel_id, rel in list(package_rels.items()):
        if rel.reltype.endswith("/thumbnail"):  # python-docx's sample thumbnail: not our page
            del package_rels[rel_id]
    body = doc.element.body
    for child in list(body):  # the default template's empty paragraph
        if child.tag == qn("w:p"):
            body.remove(child)
    setup_styles(doc)
    setup_page(doc, spec)
    setup_header_footer(doc, spec)
    set_properties(doc, spec)
    add_title_block(doc, spec)
    for block in spec.blocks:
        if isinstance(block, Table):
            add_table(doc, block)
        elif isinstance(block, Para):
            add_para(doc, block)
        elif isinstance(block, Cut):
            add_cut(doc, block)
        elif isinstance(block, Register):
            add_register(doc, spec, block)
        else:  # pragma: no cover - a spec mistake
            raise TypeError(block)
    # Word needs a paragraph between a table and the section end.
    if body[-2].tag == qn("w:tbl"):
        end = doc.add_paragraph(style="RK Small")
        end.paragraph_format.space_after = Pt(0)
    put_in_schema_order(doc)
    raw = io.BytesIO()
    doc.save(raw)
    return _reproducible(raw.getvalue())


def _reproducible(data: bytes) -> bytes:
    """The same package with fixed member timestamps, so equal specs give equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info))
    return out.getvalue()


# ----------------------------------------------------------------------------- checking specs

_CASE_PATH = re.compile(r"\b(case|r)\.([a-z_]+(?:\.[a-z_]+)*)")


def spec_texts(spec: FormSpec) -> Iterable[str]:
    for block in spec.blocks:
        if isinstance(block, Table):
            for r in block.rows:
                for cell in r.cells:
                    items = cell.content if isinstance(cell.content, list) else [cell.content]
                    yield from (i.text if isinstance(i, Small) else i for i in items)
        elif isinstance(block, Para):
            yield block.text
        elif isinstance(block, Register):
            yield from block.before
            yield from block.after
            yield from (text for _, _, text in block.columns)


def check_spec(spec: FormSpec) -> None:
    """Every case path the spec reads exists in the contract; extra keys are declared."""
    used_extra: set[str] = set()
    for text in spec_texts(spec):
        for root, path in _CASE_PATH.findall(text):
            if root == "r" and path == "overdue":
                continue
            if path.startswith("extra."):
                used_extra.add(path.split(".")[1])
            elif not schema.is_known_path(path):
                raise SystemExit(f"{spec.code}: {root}.{path} is not in recordkit/schema.py")
    declared = set(spec.extra_fields)
    if used_extra != declared:
        raise SystemExit(
            f"{spec.code}: extra keys used {sorted(used_extra)} != declared extra_fields {sorted(declared)}"
        )
    if spec.landscape != (spec.type == "register"):
        raise SystemExit(f"{spec.code}: registers are landscape, forms portrait")


# ----------------------------------------------------------------------------- catalog.yaml

CATALOG_HEADER = """\
# Form catalog: metadata the .docx files cannot carry themselves.
# The .docx is the source of truth for content and version (第N版 in its header).
#   type        form | notice | register
#   paper       A4 portrait | A4 landscape (registers)
#   retention   Y 永久 | D30 定期30年 | D10 定期10年 (complaint files default to D10)
#   kinds       case kinds (类别) that need this form
#   profiles    procedure profiles that need it; [] = every profile
#   when        "" = always; else a case key that must be filled for the form to be needed:
#               extension = only cases with an extension; acceptance = once acceptance is decided
#   order       position in the procedure / print bundle
#   extra_fields  case.extra.<key>: 中文标签 -- the form-specific fields this form reads
# Entries are (re)written by tools/build_templates.py for the forms it builds; the others
# are kept as they are.
"""


def _scalar(value) -> str:
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000)
    text = text.removesuffix("\n").removesuffix("\n...")
    return '""' if text == "''" else text


def dump_catalog(entries: list[dict]) -> str:
    lines = [CATALOG_HEADER, "forms:"]
    for entry in entries:
        first = True
        for key, value in entry.items():
            prefix = "  - " if first else "    "
            first = False
            if isinstance(value, dict) and value:
                lines.append(f"{prefix}{key}:")
                lines.extend(f"      {k}: {_scalar(v)}" for k, v in value.items())
            else:
                lines.append(f"{prefix}{key}: {_scalar(value)}")
        lines.append("")
    return "\n".join(lines)


def update_catalog(path: Path, built: list[FormSpec]) -> None:
    existing = []
    if path.is_file():
        existing = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("forms", [])
    by_code = {entry["code"]: entry for entry in existing}
    for spec in built:
        by_code[spec.code] = spec.catalog_entry()
    entries = sorted(by_code.values(), key=lambda e: (e.get("order", 100), e["code"]))
    path.write_text(dump_catalog(entries), encoding="utf-8")


# ----------------------------------------------------------------------------- main


def header_version(path: Path) -> int | None:
    """第N版 as written in an existing template's header (an admin may have bumped it)."""
    try:
        with zipfile.ZipFile(path) as archive:
            text = "".join(
                re.sub(r"<[^>]+>", "", archive.read(n).decode("utf-8"))
                for n in archive.namelist() if re.match(r"word/header\d*\.xml$", n)
            )
    except (OSError, zipfile.BadZipFile):
        return None
    found = VERSION_IN_HEADER.search(text)
    return int(found.group(1)) if found else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build Word form templates from the specs in this file.")
    parser.add_argument("codes", nargs="*", help="form codes to build (default: all specs)")
    parser.add_argument("--out", type=Path, default=TEMPLATES, help="output folder (default: form_templates/)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite templates whose header version differs from the spec (revised in Word)")
    parser.add_argument("--no-catalog", action="store_true", help="do not update catalog.yaml")
    args = parser.parse_args(argv)
    specs = {spec.code: spec for spec in SPECS}
    unknown = [code for code in args.codes if code.upper() not in specs]
    if unknown:
        parser.error(f"no spec for {', '.join(unknown)} (known: {', '.join(specs)})")
    chosen = [specs[code.upper()] for code in args.codes] if args.codes else list(SPECS)
    args.out.mkdir(parents=True, exist_ok=True)
    built: list[FormSpec] = []
    for spec in chosen:
        check_spec(spec)
        target = args.out / spec.file
        if target.exists() and not args.force:
            on_disk = header_version(target)
            if on_disk != spec.version:
                print(f"skip {target.name}: its header says 第{on_disk}版, the spec 第{spec.version}版 "
                      "(revised in Word?); use --force to overwrite")
                continue
        target.write_bytes(build_document(spec))
        built.append(spec)
        print(f"built {target.relative_to(args.out.parent) if args.out.parent in target.parents else target}")
    if built and not args.no_catalog:
        update_catalog(args.out / CATALOG.name, built)
    return 0


# ============================================================================= specs
# Grids are column widths in mm; a portrait form has 170 mm between the margins.

G6 = [25, 32, 25, 32, 25, 31]  # label | value | label | value | label | value
G4 = [30, 55, 30, 55]  # label | value | label | value

F01 = FormSpec(
    code="F01",
    title="申诉和投诉处理及反馈表",
    type="form",
    source="seed 001: 申诉和投诉处理及反馈表（客户投诉处理程序）",
    order=10,
    blocks=[
        Table(G6, [
            section("一、登记"),
            row(L("编号"), V(c("case_no")), L("接收时间"), V(c("received_at")), L("接待人"), V(c("receiver"))),
            wide("类别", ck("kind", *schema.KINDS)),
            wide("投诉方式", ck("channel", *schema.CHANNELS)),
            wide("信息来源", ck("source", *schema.SOURCES)),
            row(L("投诉人"), V(c("complainant.name")), L("单位"), V(c("complainant.organization"), REST)),
            row(L("联系电话"), V(c("complainant.phone")), L("电子邮件"), V(c("complainant.email")),
                L("职业"), V(c("complainant.occupation"))),
            wide("通讯地址", c("complainant.address")),
            row(L("被投诉对象"), V(c("respondent"), 3), L("报告编号"), V(c("subject.report_no"))),
            wide("涉及事项", c("subject.description")),
            wide("投诉内容\n（事实和理由）", c("content"), h=25),
            wide("投诉请求", c("request"), h=10),
            row(L("分类"), V(ck("category", *schema.CATEGORIES), 3), L("严重程度"), V(ck("severity", "一般", "重大"))),
            signs("接待人", "投诉人（申诉人）确认"),
            section("二、受理"),
            row(L("受理意见"), V(ck("acceptance.decision", *schema.DECISIONS), 3), L("受理日期"),
                V(c("acceptance.decided_at"))),
            row(L("不予受理/\n转办理由"), V(c("acceptance.reason"), 3), L("转办部门"), V(c("acceptance.transferred_to"))),
            row(L("责任部门"), V(c("assignment.department")), L("处理人"), V(c("assignment.handler")),
                L("回避人员"), V(jn("assignment.recused"))),
            signs("受理负责人"),
            section("三、调查核实"),
            wide("调查人员", jn("assignment.investigators")),
            wide("调查情况", c("investigation.findings"), h=22),
            wide("原因分析", c("investigation.root_cause"), h=10),
            wide("调查结论", yn("investigation.valid", "有效投诉", "无效投诉")),
            wide("责任认定", c("investigation.responsibility")),
            signs("调查人"),
            section("四、处理意见及批准"),
            wide("处理意见", c("resolution.measures"), h=16),
            wide("预防措施", c("resolution.preventive_action")),
            row(L("纠正措施编号"), V(c("resolution.corrective_action_no")), L("赔偿金额（元）"),
                V(c("resolution.compensation")), L("处理人签字"), V("")),
            row(L("批准人"), V(c("resolution.approved_by")), L("批准日期"),
                V(c("resolution.approved_at")), L("批准人签字"), V(""), h=12),
            section("五、答复"),
            row(L("答复日期"), V(c("reply.replied_at")), L("答复方式"), V(ck("reply.method", *schema.REPLY_METHODS), REST)),
            wide("答复内容", c("reply.content"), h=16),
            signs("答复人"),
            section("六、客户反馈"),
            row(L("回访日期"), V(c("follow_up.visited_at")), L("回访人"), V(c("follow_up.by")),
                L("办结日期"), V(c("closed_at"))),
            wide("满意度", ck("follow_up.satisfaction", *schema.SATISFACTION)),
            wide("客户意见", c("follow_up.opinion"), h=10),
            wide("附件", jn("attachments")),
            signs("投诉人（申诉人）"),
        ]),
    ],
)

F02 = FormSpec(
    code="F02",
    title="客户投诉登记反馈表",
    type="form",
    source="seed 001: 客户投诉处理程序（投诉承接、复述确认）; seed 002: 客户投诉处理程序（听取投诉并记录）",
    kinds=["投诉"],
    profiles=["enterprise-quality", "after-sales", "dealer"],
    order=20,
    extra_fields={
        "social_background": "社会背景",
        "purchase_storage_use": "购买、储存、消费经过",
        "read_back_confirmed": "记录已复述并经客户确认",
        "visited_on": "现场拜访日期",
        "quality_problem": "是否属于质量问题",
    },
    blocks=[
        Table(G6, [
            section("一、投诉登记"),
            row(L("备案编号"), V(c("case_no")), L("日期"), V(c("received_at")), L("接待人"), V(c("receiver"))),
            wide("投诉方式", ck("channel", "电话", "来访", "传真", "信函", "电子邮件", "网上")),
            row(L("投诉分类"), V(ck("category", *schema.CATEGORIES), 3), L("严重程度"), V(ck("severity", "一般", "重大"))),
            section("二、投诉人详情"),
            row(L("姓名"), V(c("complainant.name")), L("职业"), V(c("complainant.occupation")),
                L("联系电话"), V(c("complainant.phone"))),
            row(L("单位"), V(c("complainant.organization"), 3), L("电子邮件"), V(c("complainant.email"))),
            wide("通讯地址", c("complainant.address")),
            wide("社会背景", c("extra.social_background")),
            section("三、被投诉产品详情"),
            row(L("产品名称"), V(c("subject.product_name"), 3), L("包装形式"), V(c("subject.spec"))),
            row(L("生产批号"), V(c("subject.batch_no")), L("投诉量"), V(c("subject.quantity")),
                L("购买地点"), V(c("subject.purchase_place"))),
            row(L("订单编号"), V(c("subject.order_no")), L("被投诉对象"), V(c("respondent"), REST)),
            section("四、投诉原因详情"),
            wide("投诉内容", c("content"), h=28),
            wide("购买、储存、\n消费经过", c("extra.purchase_storage_use"), h=14),
            wide("客户要求", c("request"), h=10),
            wide("复述确认", "以上记录已向客户复述一遍，客户确认：" + yn("extra.read_back_confirmed", "无误", "有更正（已在上栏修改）")),
            signs("客户确认", "记录人"),
            section("五、调查结果"),
            row(L("调查人员"), V(jn("assignment.investigators"), 3), L("现场拜访日期"), V(c("extra.visited_on"))),
            wide("是否属于\n质量问题", yn("extra.quality_problem", "属于质量问题", "不属于质量问题（如使用、储存不当）")),
            wide("调查结果", c("investigation.findings"), h=20),
            wide("原因分析", c("investigation.root_cause")),
            wide("责任认定", c("investigation.responsibility")),
            wide("照片及附件", jn("attachments")),
            signs("调查人"),
            section("六、处理结果"),
            wide("处理结果", c("resolution.measures"), h=15),
            row(L("赔偿金额（元）"), V(c("resolution.compensation")), L("审批人"), V(c("resolution.approved_by")),
                L("审批日期"), V(c("resolution.approved_at"))),
            signs("审批人"),
            section("七、回复"),
            row(L("回复日期"), V(c("reply.replied_at")), L("回复方式"), V(ck("reply.method", *schema.REPLY_METHODS), REST)),
            wide("回复内容", c("reply.content"), h=15),
            row(L("客户满意度"), V(ck("follow_up.satisfaction", *schema.SATISFACTION), 3), L("回访日期"),
                V(c("follow_up.visited_at"))),
            wide("客户意见", c("follow_up.opinion")),
            signs("回复人", "客户"),
        ]),
    ],
)

F03 = FormSpec(
    code="F03",
    title="投诉(申诉)登记及处理表",
    type="form",
    source="seed 000: 产品检测投诉(申诉)处理程序（疾控/检测中心）",
    kinds=["投诉", "申诉"],
    profiles=["lab"],
    order=30,
    extra_fields={
        "sample_no": "样品编号",
        "testing_quality_issue": "是否属检测质量问题",
        "within_time_limit": "是否在收到报告之日起15天内提出",
        "retest_sample": "复检样品（原剩余样品/留样）",
        "retest_date": "复检日期",
        "retest_by": "复检人员",
        "retest_report_no": "复检报告编号",
        "retest_result": "复检结果",
        "retest_consistent": "复检结果与原检测结果是否一致",
        "original_report": "原检验报告处理",
        "retest_fee_payer": "复检费用承担",
    },
    blocks=[
        Table(G6, [
            section("一、投诉（申诉）登记"),
            row(L("编号"), V(c("case_no")), L("接收时间"), V(c("received_at")), L("接待人"), V(c("receiver"))),
            row(L("类别"), V(ck("kind", "投诉", "申诉")), L("投诉方式"),
                V(ck("channel", "电话", "来访", "信函", "传真", "电子邮件", "网上"), REST)),
            row(L("投诉人"), V(c("complainant.name")), L("单位"), V(c("complainant.organization"), REST)),
            row(L("联系电话"), V(c("complainant.phone")), L("通讯地址"), V(c("complainant.address"), REST)),
            row(L("报告编号"), V(c("subject.report_no")), L("收到报告日期"), V(c("subject.report_received_at")),
                L("样品编号"), V(c("extra.sample_no"))),
            wide("被投诉科室\n及人员", c("respondent")),
            wide("投诉（申诉）\n内容", c("content"), h=22),
            wide("投诉请求", c("request")),
            signs("接待人", "投诉人（申诉人）"),
            section("二、受理（质量信息管理科）"),
            wide("是否属检测\n质量问题", yn("extra.testing_quality_issue", "是，由质量信息管理科受理", "否，转中心办公室处理")),
            wide("提出时限", yn("extra.within_time_limit", "在收到检验报告之日起15天内", "已超过15天（过期不予受理）")),
            row(L("受理意见"), V(ck("acceptance.decision", *schema.DECISIONS), 3), L("受理日期"),
                V(c("acceptance.decided_at"))),
            row(L("不予受理/\n转办理由"), V(c("acceptance.reason"), 3), L("转办部门"), V(c("acceptance.transferred_to"))),
            signs("受理人"),
            section("三、调查核实（质量信息管理科会同相关科室质量监督员）"),
            row(L("责任科室"), V(c("assignment.department")), L("质量监督员"), V(jn("assignment.investigators")),
                L("回避人员"), V(jn("assignment.recused"))),
            wide("调查情况", c("investigation.findings"), h=20),
            wide("原因分析", c("investigation.root_cause")),
            wide("申诉性质", [
                yn("investigation.valid", "有效申诉", "非有效申诉"),
                Small("有效申诉：确由本中心人员过失行为造成，按《不符合检测工作的控制程序》处理；"
                      "非有效申诉：因投诉方误解或不符合实际情况等引起，耐心解释、说明原因并书面答复。"),
            ]),
            wide("责任认定", c("investigation.responsibility")),
            signs("质量监督员"),
            section("四、复检（对检测结果有异议、要求复检时填写）"),
            row(L("复检样品"), V(ck("extra.retest_sample", "原剩余样品", "留样库留样"), 2), L("结果是否一致"),
                V(yn("extra.retest_consistent", "与原结果一致", "不一致"), 2)),
            row(L("复检日期"), V(c("extra.retest_date")), L("复检人员"), V(c("extra.retest_by")),
                L("复检报告编号"), V(c("extra.retest_report_no"))),
            wide("复检结果", c("extra.retest_result")),
            wide("原检验报告", ck("extra.original_report", "维持原报告", "收回原报告作废，重新发出正确的检验报告")),
            wide("复检费用", [
                ck("extra.retest_fee_payer", "客户承担", "本中心承担"),
                Small("复检结果与原检测结果一致时，客户需交重复检测费用；不一致且确认是本中心过失时，"
                      "由本中心承担，必要时由责任科室适当赔偿客户损失，按情节轻重追究过失人责任。"),
            ]),
            section("五、处理意见及批准"),
            wide("处理意见", c("resolution.measures"), h=14),
            wide("预防措施", c("resolution.preventive_action")),
            row(L("纠正措施编号"), V(c("resolution.corrective_action_no")), L("赔偿金额（元）"),
                V(c("resolution.compensation")), L("办结日期"), V(c("closed_at"))),
            row(L("质量负责人\n批准"), V(c("resolution.approved_by")), L("批准日期"), V(c("resolution.approved_at")),
                L("签字"), V(""), h=10),
            row(L("最高管理者\n审批"), V([Small("（处理意见涉及赔偿经济损失时）")], 3), L("签字"), V(""), h=10),
            section("六、书面答复"),
            row(L("答复日期"), V(c("reply.replied_at")), L("答复方式"), V(ck("reply.method", *schema.REPLY_METHODS), REST)),
            wide("答复内容", c("reply.content"), h=12),
            row(L("客户满意度"), V(ck("follow_up.satisfaction", *schema.SATISFACTION), 3), L("经办人签字"), V("")),
        ]),
    ],
)

F08 = FormSpec(
    code="F08",
    title="申诉、投诉和争议申请表",
    type="form",
    source="seed 001: 申诉、投诉和争议处理管理程序（认证机构）; 申诉、投诉和争议处理规定（书面提出并由提出人员签字）",
    kinds=["申诉", "投诉", "争议"],
    profiles=["certification"],
    order=5,
    extra_fields={
        "certificate_no": "证书编号",
        "decision_no": "被申诉的决定（文号）",
        "decision_date": "决定日期",
        "submitted_at": "提交日期",
    },
    blocks=[
        Table(G4, [
            row(L("编号"), V(c("case_no")), L("申请类别"), V(ck("kind", "申诉", "投诉", "争议"))),
            wide("申请人\n（单位名称）", c("complainant.organization")),
            row(L("联系人"), V(c("complainant.name")), L("职务"), V(c("complainant.occupation"))),
            row(L("联系电话"), V(c("complainant.phone")), L("电子邮件"), V(c("complainant.email"))),
            wide("通讯地址", c("complainant.address")),
            row(L("证书编号"), V(c("extra.certificate_no")), L("被申诉/\n投诉对象"), V(c("respondent"))),
            row(L("被申诉的决定\n（文号）"), V(c("extra.decision_no")), L("决定日期"), V(c("extra.decision_date"))),
            wide("涉及事项", c("subject.description")),
            wide("事实和理由", c("content"), h=45),
            wide("请求事项", c("request"), h=12),
            wide("证据材料清单", [jn("attachments"), Small("（材料可另附页，随本表一并提交）")], h=12),
            Row([Cell([
                "本人（单位）保证以上情况及所附材料真实。",
                "申请人签字（盖章）：" + SIGN_LINE + "（必须签字）　　提交日期：" + or_blank("case.extra.submitted_at"),
            ], REST, "value")], 16),
            section("以下由受理部门填写"),
            row(L("接收人"), V(c("receiver") + "　签字：" + SIGN_LINE), L("收到日期"), V(c("received_at"))),
            row(L("受理决定"), V(ck("acceptance.decision", "受理", "不予受理")), L("决定日期"), V(c("acceptance.decided_at"))),
            wide("不予受理理由", c("acceptance.reason")),
        ]),
        Para("填表说明：1. 对认证决定提出申诉，应在收到决定之日起 10 个工作日内以书面形式提交本表；"
             "2. 本表必须由申请人签字（单位加盖公章），未签字的申请不予受理；"
             "3. 受理部门在收到申请后 5 个工作日内作出是否受理的决定，并发出《申诉投诉受理通知书》；"
             "4. 与申诉、投诉事项有直接利害关系的人员回避处理工作。", "RK Small"),
    ],
)

F09 = FormSpec(
    code="F09",
    title="申诉投诉受理通知书",
    type="notice",
    source="seed 001: 申诉、投诉和争议处理管理程序（申诉的受理）",
    kinds=["申诉", "投诉", "争议"],
    profiles=["certification", "accreditation"],
    when="acceptance",
    order=40,
    blocks=[
        Para("编号：{{ case.case_no }}", "RK Plain", "right"),
        Para(ADDRESSEE, "RK Plain"),
        Para("您（单位）于 {{ case.received_at }} 提交的{{ case.kind }}申请及有关材料已收悉"
             "{% if case.subject.description %}，涉及事项：{{ case.subject.description }}{% endif %}。"),
        Para("根据本机构《申诉、投诉和争议处理管理程序》，是否受理的决定在收到申请后 5 个工作日内作出"
             "{% if clock.acceptance_due %}（本件受理决定期限：{{ clock.acceptance_due }}）{% endif %}。"
             "经审查，本机构于 " + or_blank("case.acceptance.decided_at") + " 作出如下决定："),
        Para(ck("acceptance.decision", *schema.DECISIONS)),
        Para("{%p if case.acceptance.reason %}"),
        Para("理由：{{ case.acceptance.reason }}"),
        Para("{%p endif %}"),
        Para("{%p if case.acceptance.transferred_to %}"),
        Para("已转 {{ case.acceptance.transferred_to }} 办理。"),
        Para("{%p endif %}"),
        Para("{%p if case.acceptance.decision == '受理' %}"),
        Para("本机构将组织与该事项无直接利害关系的人员进行调查处理，"
             "{% if clock.reply_due %}预计于 {{ clock.reply_due }} 前{% else %}在规定期限内{% endif %}"
             "将处理结果书面通知您。处理期间如需补充材料，我们将与您联系。"),
        Para("{%p endif %}"),
        Para("{%p if case.acceptance.decision == '不予受理' %}"),
        Para("如对不予受理的决定有异议，可向本机构管理委员会书面反映。"),
        Para("{%p endif %}"),
        Para("联系人：{{ case.receiver }}　　联系电话：" + SIGN_LINE),
        Para("特此通知。"),
        *sign_off("case.acceptance.decided_at"),
        Para("经办人：{{ case.receiver }}　　签发人（签字）：" + SIGN_LINE, "RK Small", "right"),
    ],
)

F12 = FormSpec(
    code="F12",
    title="投诉来访登记表",
    type="form",
    source="seed 003: 政务服务中心投诉处理制度（第三条）",
    kinds=["投诉", "意见建议"],
    profiles=["government", "service-centre", "consumer"],
    order=12,
    blocks=[
        Table(G6, [
            row(L("编号"), V(c("case_no")), L("投诉时间"), V(c("received_at")), L("接待人"), V(c("receiver"))),
            row(L("投诉人"), V(c("complainant.name")), L("联系电话"), V(c("complainant.phone")),
                L("证件号码"), V(c("complainant.id_no"))),
            wide("工作单位", c("complainant.organization")),
            wide("通讯地址", c("complainant.address")),
            wide("投诉方式", ck("channel", "来访", "电话", "信函", "电子邮件", "网上", "第三方转交")),
            wide("被投诉窗口\n及工作人员", c("respondent")),
            wide("投诉内容", c("content"), h=35),
            wide("投诉请求", c("request"), h=10),
            signs("投诉人", "接待人"),
            row(L("受理意见"), V(ck("acceptance.decision", *schema.DECISIONS), 3), L("受理日期"),
                V(c("acceptance.decided_at"))),
            row(L("移交部门"), V(c("assignment.department")), L("承办人"), V(c("assignment.handler")),
                L("转办单位"), V(c("acceptance.transferred_to"))),
            wide("不予受理/\n转办理由", c("acceptance.reason")),
            wide("处理情况", ["调查核实：" + c("investigation.findings"), "处理意见：" + c("resolution.measures")], h=22),
            wide("反馈情况", [
                "反馈日期：" + c("reply.replied_at") + "　　反馈方式：" + ck("reply.method", *schema.REPLY_METHODS),
                c("reply.content"),
            ], h=15),
            wide("回访", [
                "回访日期：" + c("follow_up.visited_at") + "　　回访人：" + c("follow_up.by"),
                "满意度：" + ck("follow_up.satisfaction", *schema.SATISFACTION),
                "回访意见：" + c("follow_up.opinion"),
            ], h=15),
            row(L("办结日期"), V(c("closed_at")), L("附件"), V(jn("attachments"), REST)),
            signs("督查负责人"),
        ]),
    ],
)

F13 = FormSpec(
    code="F13",
    title="投诉受理回执",
    type="notice",
    source="seed 003: 街道办事处便民服务中心投诉制度（投诉受理回执）",
    kinds=["投诉"],
    profiles=["service-centre", "government", "consumer"],
    when="acceptance",
    order=45,
    blocks=[
        Para("存　根（本单位留存）", "RK Subtitle"),
        Table(G4, [
            row(L("编号"), V(c("case_no")), L("受理日期"), V(c("acceptance.decided_at"))),
            row(L("投诉人"), V(c("complainant.name")), L("联系电话"), V(c("complainant.phone"))),
            wide("通讯地址", c("complainant.address")),
            row(L("投诉时间"), V(c("received_at")), L("投诉方式"), V(c("channel"))),
            wide("投诉内容", c("content"), h=25),
            row(L("受理人"), V(c("receiver")), L("承诺答复期限"), V(or_blank("clock.reply_due"))),
            signs("投诉人签收"),
        ]),
        Cut(),
        Para("投诉受理回执（交投诉人）", "RK Subtitle"),
        Para("编号：{{ case.case_no }}", "RK Plain", "right"),
        Para(ADDRESSEE, "RK Plain"),
        Para("您于 {{ case.received_at }} {% if case.channel %}以{{ case.channel }}方式{% endif %}提出的投诉已收到。"
             "经审查，本中心已于 " + or_blank("case.acceptance.decided_at") + " 予以受理，受理人：{{ case.receiver }}。"),
        Para("本中心将{% if clock.reply_due %}于 {{ clock.reply_due }} 前{% else %}在规定期限内{% endif %}"
             "将处理结果告知您；情况复杂需要延长办理期限的，将另行书面告知延期理由。"),
        Para("您可凭本回执编号 {{ case.case_no }} 拨打电话 " + SIGN_LINE + " 或到本中心服务窗口查询办理进度。"
             "请妥善保管本回执。"),
        *sign_off("case.acceptance.decided_at"),
    ],
)

F18 = FormSpec(
    code="F18",
    title="投诉处理结果告知书",
    type="notice",
    source="seed 000: 车辆维修客户投诉管制制度规定（第十七条）; seed 002: 投诉处理反馈制度; seed 003: 12315投诉工作制度（5.2、5.3）",
    kinds=["投诉", "申诉", "争议"],
    order=60,
    extra_fields={"basis": "处理依据", "remedy": "救济途径"},
    blocks=[
        Para("编号：{{ case.case_no }}", "RK Plain", "right"),
        Para(ADDRESSEE, "RK Plain"),
        Para("您于 {{ case.received_at }} 提出的{{ case.kind }}"
             "{% if case.acceptance.decided_at %}，本单位已于 {{ case.acceptance.decided_at }} 受理{% endif %}。"
             "经调查核实，现将处理结果告知如下："),
        Para("一、调查核实情况", "RK Heading"),
        Para(c("investigation.findings")),
        Para("{% if case.investigation.valid == true %}经核实，您反映的问题属实。"
             "{% elif case.investigation.valid == false %}经核实，您反映的问题与事实不符。{% endif %}"
             "{% if case.investigation.responsibility %}责任认定：{{ case.investigation.responsibility }}{% endif %}"),
        Para("二、处理结果", "RK Heading"),
        Para(c("resolution.measures")),
        Para("{%p if case.extra.basis %}"),
        Para("处理依据：{{ case.extra.basis }}"),
        Para("{%p endif %}"),
        Para("三、救济途径", "RK Heading"),
        Para("{% if case.extra.remedy %}{{ case.extra.remedy }}{% else %}如对上述处理结果不服，可自收到本告知书之日起"
             "向本单位书面申请复核，或向有关主管部门反映；依法可以申请行政复议或者提起诉讼的，"
             "可以依法申请行政复议或者向人民法院提起诉讼。{% endif %}"),
        Para("特此告知。"),
        *sign_off("case.reply.replied_at"),
        Para("经办人：{{ case.assignment.handler }}　　审核人：{{ case.resolution.approved_by }}　　"
             "联系电话：" + SIGN_LINE, "RK Small", "right"),
        Cut("（送达回执：以下由投诉人填写后交回）"),
        Para("本告知书已于 " + DATE_LINE + " 收到。　　投诉人（签收）：" + SIGN_LINE, "RK Plain", "right"),
    ],
)

F19 = FormSpec(
    code="F19",
    title="延期办理告知书",
    type="notice",
    source="seed 002: 医院投诉管理制度（投诉处理反馈制度：延长期限不得超过30日）; seed 003: 服务中心投诉受理制度（第九条）",
    kinds=["投诉", "申诉", "争议"],
    when="extension",
    order=55,
    extra_fields={"extension_approver": "延期批准人", "notice_method": "告知方式"},
    blocks=[
        Para("编号：{{ case.case_no }}", "RK Plain", "right"),
        Para(ADDRESSEE, "RK Plain"),
        Para("您于 {{ case.received_at }} 提出的{{ case.kind }}"
             "{% if case.acceptance.decided_at %}，本单位已于 {{ case.acceptance.decided_at }} 受理{% endif %}，"
             "按规定应于 " + or_blank("clock.original_due") + " 前办结。"),
        Para("因情况复杂，不能按期办结。延期理由：{{ case.extension.reason }}"),
        Para("经本单位负责人批准，办理期限延长 " + EXTENSION + "，延长至 " + or_blank("clock.extended_due") + "。"),
        Para("我们将在延长期限内办结，并将处理结果书面告知您。给您带来不便，敬请谅解。"
             "如有疑问，请与承办人 {{ case.assignment.handler }} 联系（联系电话：" + SIGN_LINE + "）。"),
        Para("特此告知。"),
        *sign_off("case.extension.granted_at"),
        Cut("（以下为延期审批及送达记录，由本单位存档）"),
        Table(G6, [
            row(L("承办部门"), V(c("assignment.department")), L("承办人"), V(c("assignment.handler")),
                L("延长期限"), V(EXTENSION)),
            row(L("原办理期限"), V("{{ clock.original_due }}"), L("延长至"),
                V("{{ clock.extended_due }}"), L("批准日期"), V(c("extension.granted_at"))),
            row(L("批准人"), V(c("extra.extension_approver")), L("批准人签字"), V("", REST), h=12),
            row(L("告知方式"), V(ck("extra.notice_method", "书面", "电话", "面谈", "电子邮件"), REST)),
            signs("投诉人签收", "承办人"),
        ]),
    ],
)

R01 = FormSpec(
    code="R01",
    title="投诉登记台帐",
    type="register",
    source="seed 001: 客户投诉及客户意见反馈处理管理制度（登记表及台帐）; seed 002: 投诉登记与分级（投诉登记簿）",
    order=900,
    retention="D30",
    blocks=[
        Register(
            columns=[
                ("序号", 8, "{{ loop.index }}"),
                ("编号", 22, "{{ r.case_no }}"),
                ("日期", 17, "{{ r.received_at }}"),
                ("投诉人", 18, "{{ r.complainant.name }}"),
                ("方式", 11, "{{ r.channel }}"),
                ("内容摘要", 64, "{{ r.content }}"),
                ("分类", 10, "{{ r.category }}"),
                ("等级", 10, "{{ r.severity }}"),
                ("责任部门", 18, "{{ r.assignment.department }}"),
                ("处理结果", 42, "{{ r.resolution.measures }}"),
                ("办结日期", 17, "{{ r.closed_at }}"),
                ("是否超期", 10, "{{ r.overdue }}"),
                ("满意度", 10, "{{ r.follow_up.satisfaction }}"),
            ],
            before=["统计期间：{{ period }}　　共 {{ count }} 件"],
            after=["制表人：" + SIGN_LINE + "　　审核人：" + SIGN_LINE + "　　制表日期：" + DATE_LINE],
        ),
    ],
)

SPECS: list[FormSpec] = [F01, F02, F03, F08, F09, F12, F13, F18, F19, R01]


if __name__ == "__main__":
    sys.exit(main())
