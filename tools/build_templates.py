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
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recordkit.cases import schema  # noqa: E402  (the field list is the contract templates follow)

TEMPLATES = ROOT / "form_templates"
CATALOG = TEMPLATES / "catalog.yaml"

# ----------------------------------------------------------------------------- page & type

PAGE_MARGIN_MM = 20
# The header holds the QR and the case number on every page (issue 14 point 13): the top
# margin leaves room for it, so the body starts below the header rather than being pushed.
TOP_MARGIN_MM = 32
HEADER_DISTANCE_MM = 8
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
QR_MM = 16
QR_COLUMN_MM = 30
# The effective date (生效日期) of the forms this script builds: printed in each header
# from the catalog's ``effective`` (the catalog says when a revision takes effect).
EFFECTIVE = "2026-12-01"
# A tear-off slip keeps its free-text cells short so the slip stays whole on its page;
# longer text is printed in full on a 续页 (attached sheet) after the slip.
SLIP_CHARS = 80
SLIP_LINES = 3
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
    keep: bool = False  # a tear-off slip: rows never split and the table stays on one page


@dataclass
class Para:
    """A paragraph of a letter. ``**bold**`` marks bold runs; style is an RK style name."""

    text: str
    style: str = "RK Body"
    align: str = ""
    keep: bool = False  # kept on one page with the paragraph after it (a slip's lines)
    new_page: bool = False  # starts a page (an attached sheet, 续页)


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
    record_type: str = (
        "case"  # case | incident | rectification | capa | service (schema.RECORD_TYPES)
    )
    kinds: list[str] = field(default_factory=lambda: list(KINDS))
    profiles: list[str] = field(default_factory=list)
    when: str = ""
    order: int = 100
    retention: str = "D10"
    extra_fields: dict[str, str] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)  # must not be empty (warned on fill)
    version: int = 1
    effective: str = EFFECTIVE  # 生效日期 of this version, printed in the header

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
            "record_type": self.record_type,
            "paper": self.paper,
            "source": self.source,
            "retention": self.retention,
            "kinds": list(self.kinds),
            "profiles": list(self.profiles),
            "when": self.when,
            "order": self.order,
            "effective": self.effective,
            "extra_fields": dict(self.extra_fields),
            **({"required": list(self.required)} if self.required else {}),
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


def multi(path: str, *options: str) -> str:
    """Check boxes for a list field where several options may apply (a single text value
    counts as a list of one); values typed that are not among the options are kept, ticked."""
    value = "case." + path
    listed = "[" + ", ".join(f"'{o}'" for o in options) + "]"
    return (
        "{% set picked = "
        + value
        + " if "
        + value
        + " is sequence and "
        + value
        + " is not string else ["
        + value
        + "] %}"
        "{% for o in "
        + listed
        + " %}{% if o in picked %}☑{% else %}☐{% endif %}{{ o }}  {% endfor %}"
        "{% for v in picked %}{% if v and v not in "
        + listed
        + " %}☑{{ v }}  {% endif %}{% endfor %}"
    )


def ck_line(path: str, options: tuple[str, ...] | list[str]) -> str:
    """One line of check boxes for some of a field's options (a long list split over lines);
    unlike ``ck`` a value outside these options is not added here."""
    listed = "[" + ", ".join(f"'{o}'" for o in options) + "]"
    return (
        "{% for o in "
        + listed
        + " %}{% if case."
        + path
        + " == o %}☑{% else %}☐{% endif %}{{ o }}  {% endfor %}"
    )


def ck_other(path: str, options: tuple[str, ...] | list[str]) -> str:
    """The value ticked when it is none of ``options`` (goes with ``ck_line``): nothing is lost."""
    listed = "[" + ", ".join(f"'{o}'" for o in options) + "]"
    return (
        "{% if case."
        + path
        + " and case."
        + path
        + " not in "
        + listed
        + " %}☑{{ case."
        + path
        + " }}{% endif %}"
    )


def linked(prefix: str = "") -> str:
    """The complaint case a record came from: number, kind, date, complainant, matter."""
    return (
        prefix + "{% if case.source_case %}{{ case.source_case }}（{{ case.linked.kind }}，"
        "{{ case.linked.received_at }} 接收；{{ case.linked.complainant }}：{{ case.linked.description }}）"
        "{% else %}无{% endif %}"
    )


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
    return Row(
        [Cell([f"{label}：{SIGN_LINE}", f"日期：{DATE_LINE}"], 0, "sign") for label in labels], h
    )


def slip_text(path: str) -> str:
    """A free-text value on a tear-off slip: its first SLIP_CHARS characters (at most
    SLIP_LINES lines), then （详见续页） when the rest is on the attached sheet."""
    return "{{ case." + path + f"|clip({SLIP_CHARS}, '（详见续页）', {SLIP_LINES})" + " }}"


def continuation(path: str, label: str) -> list[Para]:
    """The attached sheet (续页) with the full text of a slip's clipped value, on a new
    page after the slip; printed only when the slip had to clip it."""
    test = "{%p if case." + path + f"|overflows({SLIP_CHARS}, {SLIP_LINES})" + " %}"
    return [
        Para(test),
        Para("续　页", "RK Subtitle", new_page=True),
        Para("编号：{{ case.case_no }}　　" + label + "（全文，接上页）：", "RK Plain"),
        Para(c(path), "RK Plain"),
        Para("{%p endif %}"),
    ]


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
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
)


def sort_children(element, order: tuple[str, ...]) -> None:
    """Reorder child elements into schema order (unknown ones last, stable)."""
    rank = {name: i for i, name in enumerate(order)}
    children = sorted(element, key=lambda e: rank.get(e.tag.split("}")[1], len(order)))
    for child in children:
        element.append(child)


def put_in_schema_order(doc) -> None:
    section = doc.sections[0]
    for root in (
        doc.element,
        doc.styles.element,
        section.header.part.element,
        section.footer.part.element,
    ):
        for ppr in root.iter(qn("w:pPr")):
            sort_children(ppr, PPR_ORDER)


def set_fonts(rpr, latin: str, east_asia: str) -> None:
    """Name the fonts explicitly; theme font attributes would win over them, so drop them."""
    rfonts = _child(rpr, "w:rFonts", first=True)
    for key in list(rfonts.attrib):
        del rfonts.attrib[key]
    for key, value in (
        ("w:ascii", latin),
        ("w:hAnsi", latin),
        ("w:cs", latin),
        ("w:eastAsia", east_asia),
        ("w:hint", "eastAsia"),
    ):
        rfonts.set(qn(key), value)


def _paragraph_style(
    doc,
    name: str,
    base: str,
    east_asia: str,
    size: float,
    *,
    bold: bool = False,
    align=None,
    before: float = 0,
    after: float = 0,
    line: float | None = None,
    first_line_chars: int = 0,
    keep_next: bool = False,
):
    styles = doc.styles
    style = (
        styles[name]
        if name in [s.name for s in styles]
        else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    )
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
    _paragraph_style(
        doc, "RK Title", "Normal", TITLE_FONT, TITLE_PT, bold=True, align=center, before=6, after=6
    )
    _paragraph_style(
        doc, "RK Subtitle", "Normal", TITLE_FONT, 14, bold=True, align=center, before=6, after=6
    )
    _paragraph_style(doc, "RK Label", "Normal", TITLE_FONT, BODY_PT, align=center)
    _paragraph_style(doc, "RK Section", "Normal", TITLE_FONT, BODY_PT, bold=True, keep_next=True)
    _paragraph_style(doc, "RK Value", "Normal", BODY_FONT, BODY_PT)
    _paragraph_style(doc, "RK Sign", "Normal", BODY_FONT, BODY_PT, align=right)
    _paragraph_style(doc, "RK Small", "Normal", BODY_FONT, SMALL_PT)
    _paragraph_style(
        doc, "RK Body", "Normal", BODY_FONT, LETTER_PT, line=LETTER_LINE, first_line_chars=2
    )
    _paragraph_style(doc, "RK Plain", "Normal", BODY_FONT, LETTER_PT, line=LETTER_LINE)
    _paragraph_style(
        doc,
        "RK Heading",
        "Normal",
        TITLE_FONT,
        LETTER_PT,
        line=LETTER_LINE,
        first_line_chars=2,
        keep_next=True,
    )
    _paragraph_style(
        doc,
        "RK Closing",
        "Normal",
        BODY_FONT,
        LETTER_PT,
        align=right,
        line=LETTER_LINE,
        keep_next=True,
    )
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
    for side in ("bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Mm(PAGE_MARGIN_MM))
    section.top_margin = Mm(TOP_MARGIN_MM)
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
    """The header every page repeats: organisation, 表单编号, 第N版 and 生效日期 at the
    left; the QR picture (RK_QR) with the case number under it at the right. So each page
    of a multi-page form identifies its case and form on its own (issue 14 point 13)."""
    section = doc.sections[0]
    header = section.header
    grid = [spec.text_width_mm - QR_COLUMN_MM, QR_COLUMN_MM]
    table = header.add_table(1, 2, Mm(spec.text_width_mm))
    _header_table_layout(table, grid)
    left, right = table.rows[0].cells
    org = left.paragraphs[0]
    org.style = doc.styles["Header"]
    org.add_run("{{ org.name }}")
    code = left.add_paragraph(style="Header")
    code.add_run(f"表单编号 {spec.code}  第{spec.version}版")
    code.add_run("{% if form.effective %}  生效日期 {{ form.effective }}{% endif %}")
    border = _child(code._p.get_or_add_pPr(), "w:pBdr")
    _child(border, "w:bottom", {"w:val": "single", "w:sz": "6", "w:space": "1", "w:color": "auto"})
    add_qr_picture(right.paragraphs[0], spec)
    right.paragraphs[0].style = doc.styles["Header"]
    number = right.add_paragraph(style="Header")
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number.add_run("{{ case.case_no }}")
    # A header ends with a paragraph (Word's rule); 1 pt high so it adds no height.
    end = header.paragraphs[0]
    end._p.addnext(table._tbl)
    table._tbl.addnext(end._p)
    end.style = doc.styles["Header"]
    end.paragraph_format.line_spacing = Pt(1)
    end.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
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
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
    "tblPrChange",
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
            if borders
            else {"w:val": "nil"}
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
        raise ValueError(
            f"row spans {spans} do not fill {ncols} columns: {[c.content for c in cells]}"
        )
    return spans


_DEFAULT_ALIGN = {"label": "center", "value": "left", "section": "left", "sign": "right"}
_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}
_STYLE = {"label": "RK Label", "value": "RK Value", "section": "RK Section", "sign": "RK Sign"}


def add_runs(paragraph, text: str) -> None:
    """Runs for a text where **…** marks bold; a tag always stays inside one run."""
    for i, piece in enumerate(text.split("**")):
        if piece:
            run = paragraph.add_run(piece)
            if i % 2:
                run.bold = True


def add_row(
    table: DocxTable,
    grid_mm: list[float],
    spec: Row,
    *,
    header: bool = False,
    fill: str | None = None,
    style: str | None = None,
    valign: str | None = None,
) -> None:
    tr = _el("w:tr")
    tr_pr = _el("w:trPr")
    if header or any(cell.kind == "sign" for cell in spec.cells):
        tr_pr.append(_el("w:cantSplit"))  # a signature line never breaks away from its date line
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
        tc_pr.append(
            _el(
                "w:tcW",
                {"w:w": str(sum(twips(w) for w in grid_mm[col : col + span])), "w:type": "dxa"},
            )
        )
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
            paragraph = cell.add_paragraph(
                style="RK Small" if small else style or _STYLE[cell_spec.kind]
            )
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
    if block.keep:
        keep_table_together(table)


def keep_table_together(table: DocxTable) -> None:
    """A slip's table on one page: no row splits, each row kept with the next (Word and
    LibreOffice keep a table together through keep-with-next on its paragraphs)."""
    rows = table._tbl.findall(qn("w:tr"))
    for index, tr in enumerate(rows):
        tr_pr = tr.find(qn("w:trPr"))
        if tr_pr is None:
            tr_pr = _el("w:trPr")
            tr.insert(0, tr_pr)
        if tr_pr.find(qn("w:cantSplit")) is None:
            tr_pr.insert(0, _el("w:cantSplit"))
        if index < len(rows) - 1:
            for p in tr.iter(qn("w:p")):
                _child(p.get_or_add_pPr(), "w:keepNext")


def _header_table_layout(table: DocxTable, grid: list[float]) -> None:
    """A borderless fixed-width table (the header's two columns), bottom-aligned cells."""
    tbl_pr = table._tbl.tblPr
    _child(tbl_pr, "w:tblW", {"w:w": str(sum(twips(w) for w in grid)), "w:type": "dxa"})
    _child(tbl_pr, "w:jc", {"w:val": "center"})
    borders = _child(tbl_pr, "w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _child(borders, f"w:{edge}", {"w:val": "nil"})
    _child(tbl_pr, "w:tblLayout", {"w:type": "fixed"})
    margins = _child(tbl_pr, "w:tblCellMar")
    for side in ("left", "right"):
        _child(margins, f"w:{side}", {"w:w": "0", "w:type": "dxa"})
    style = tbl_pr.find(qn("w:tblStyle"))
    if style is not None:
        tbl_pr.remove(style)
    sort_children(tbl_pr, TBLPR_ORDER)
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), grid, strict=True):
        col.set(qn("w:w"), str(twips(width)))
    for cell, width in zip(table.rows[0].cells, grid, strict=True):
        tc_pr = cell._tc.get_or_add_tcPr()
        _child(tc_pr, "w:tcW", {"w:w": str(twips(width)), "w:type": "dxa"})
        _child(tc_pr, "w:vAlign", {"w:val": "bottom"})


def add_qr_picture(paragraph, spec: FormSpec) -> None:
    """The RK_QR placeholder picture; the renderer swaps its PNG for the case's code."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    png = io.BytesIO()
    segno.make_qr(f"RK1|CASE|{spec.code}|{spec.version}", error="m").save(
        png, kind="png", scale=8, border=2
    )
    png.seek(0)
    run = paragraph.add_run()
    run.add_picture(png, width=Mm(QR_MM), height=Mm(QR_MM))
    doc_pr = run._r.find(".//" + qn("wp:docPr"))
    doc_pr.set("name", "RK_QR")
    doc_pr.set("descr", "二维码占位图：生成时替换为本案二维码，请勿删除 (QR placeholder, keep it)")


def add_title_block(doc, spec: FormSpec) -> None:
    """The title centred on the page (the QR and case number are in the header)."""
    doc.add_paragraph(spec.title, style="RK Title")


def add_para(doc, block: Para) -> None:
    paragraph = doc.add_paragraph(style=block.style)
    if block.align:
        paragraph.alignment = _ALIGN[block.align]
    if block.keep:
        paragraph.paragraph_format.keep_with_next = True
        paragraph.paragraph_format.keep_together = True
    if block.new_page:
        paragraph.paragraph_format.page_break_before = True
    add_runs(paragraph, block.text)


def add_cut(doc, block: Cut) -> None:
    """The dashed line; kept on one page with the slip that follows it."""
    spacer = doc.add_paragraph(style="RK Small")
    spacer.paragraph_format.space_before = Pt(6)
    spacer.paragraph_format.keep_with_next = True
    paragraph = doc.add_paragraph(style="RK Small")
    paragraph.paragraph_format.keep_with_next = True
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
    add_row(
        table,
        grid,
        Row([Cell(h, 1, "label") for h, _, _ in block.columns]),
        header=True,
        style="RK Register Head",
    )
    add_row(table, grid, Row([V("{%tr for r in rows %}", REST)]))
    add_row(
        table,
        grid,
        Row([V(text) for _, _, text in block.columns]),
        style="RK Register",
        valign="top",
    )
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
    props.comments = (
        "由 tools/build_templates.py 生成；之后请在 Word 中修订，并在页眉中升级“第N版”。"
    )
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
    previous = None
    for block in spec.blocks:
        if isinstance(block, Table) and isinstance(previous, Table):
            gap = doc.add_paragraph(style="RK Small")  # else Word merges the two tables
            gap.paragraph_format.space_after = Pt(0)
        previous = block
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
        # 1 pt high: a table that just fills the page must not push this mark onto a blank page
        end.paragraph_format.line_spacing = Pt(1)
        end.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        mark = _child(end._p.get_or_add_pPr(), "w:rPr")
        _child(mark, "w:sz", {"w:val": "2"})
        _child(mark, "w:szCs", {"w:val": "2"})
    put_in_schema_order(doc)
    raw = io.BytesIO()
    doc.save(raw)
    return _reproducible(raw.getvalue())


def _reproducible(data: bytes) -> bytes:
    """The same package with fixed member timestamps, so equal specs give equal bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
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
    rtype = schema.RECORD_TYPES[spec.record_type]
    if set(spec.kinds) - set(rtype.kinds):
        raise SystemExit(
            f"{spec.code}: kinds {sorted(set(spec.kinds) - set(rtype.kinds))} are not {rtype.name} kinds"
        )
    used_extra: set[str] = set()
    for text in spec_texts(spec):
        for root, path in _CASE_PATH.findall(text):
            if root == "r" and path == "overdue":
                continue
            if path.startswith("extra."):
                used_extra.add(path.split(".")[1])
            elif not schema.is_known_path(path, rtype):
                raise SystemExit(
                    f"{spec.code}: {root}.{path} is not in recordkit/schema.py ({rtype.name})"
                )
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
#   record_type case (complaint cases) | incident 质量事故 | rectification 整改通知 |
#               capa 纠正和预防措施 | service 售后服务: the records this form shows
#   paper       A4 portrait | A4 landscape (registers)
#   retention   Y 永久 | D30 定期30年 | D10 定期10年 (complaint files default to D10)
#   kinds       case kinds (类别) that need this form; for service records the service kinds
#               (服务类别); [] for record types without kinds (every record needs it)
#   profiles    procedure profiles that need it; [] = every profile
#   when        "" = always; else a case key that must be filled for the form to be needed:
#               extension = only cases with an extension; acceptance = once acceptance is decided
#   order       position in the procedure / print bundle
#   extra_fields  case.extra.<key>: 中文标签 -- the form-specific fields this form reads
#   required    keys that must not be empty for the form to make sense (e.g. a notice's
#               findings and result): fill/generate warn, naming each key and its label
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
                for n in archive.namelist()
                if re.match(r"word/header\d*\.xml$", n)
            )
    except (OSError, zipfile.BadZipFile):
        return None
    found = VERSION_IN_HEADER.search(text)
    return int(found.group(1)) if found else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build Word form templates from the specs in this file."
    )
    parser.add_argument("codes", nargs="*", help="form codes to build (default: all specs)")
    parser.add_argument(
        "--out", type=Path, default=TEMPLATES, help="output folder (default: form_templates/)"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="overwrite templates whose header version differs from the spec (revised in Word)",
    )
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
                print(
                    f"skip {target.name}: its header says 第{on_disk}版, the spec 第{spec.version}版 "
                    "(revised in Word?); use --force to overwrite"
                )
                continue
        target.write_bytes(build_document(spec))
        built.append(spec)
        print(
            f"built {target.relative_to(args.out.parent) if args.out.parent in target.parents else target}"
        )
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
    source="申诉和投诉处理及反馈表（客户投诉处理程序）",
    order=10,
    blocks=[
        Table(
            G6,
            [
                section("一、登记"),
                row(
                    L("编号"),
                    V(c("case_no")),
                    L("接收时间"),
                    V(c("received_at")),
                    L("接待人"),
                    V(c("receiver")),
                ),
                wide("类别", ck("kind", *schema.KINDS)),
                wide("投诉方式", ck("channel", *schema.CHANNELS)),
                wide("信息来源", ck("source", *schema.SOURCES)),
                row(
                    L("投诉人"),
                    V(c("complainant.name")),
                    L("单位"),
                    V(c("complainant.organization"), REST),
                ),
                row(
                    L("联系电话"),
                    V(c("complainant.phone")),
                    L("电子邮件"),
                    V(c("complainant.email")),
                    L("职业"),
                    V(c("complainant.occupation")),
                ),
                wide("通讯地址", c("complainant.address")),
                row(
                    L("被投诉对象"), V(c("respondent"), 3), L("报告编号"), V(c("subject.report_no"))
                ),
                wide("涉及事项", c("subject.description")),
                wide("投诉内容\n（事实和理由）", c("content"), h=25),
                wide("投诉请求", c("request"), h=10),
                row(
                    L("分类"),
                    V(ck("category", *schema.CATEGORIES), 3),
                    L("严重程度"),
                    V(ck("severity", "一般", "重大")),
                ),
                signs("接待人", "投诉人（申诉人）确认"),
                section("二、受理"),
                row(
                    L("受理意见"),
                    V(ck("acceptance.decision", *schema.DECISIONS), 3),
                    L("受理日期"),
                    V(c("acceptance.decided_at")),
                ),
                row(
                    L("不予受理/\n转办理由"),
                    V(c("acceptance.reason"), 3),
                    L("转办部门"),
                    V(c("acceptance.transferred_to")),
                ),
                row(
                    L("责任部门"),
                    V(c("assignment.department")),
                    L("处理人"),
                    V(c("assignment.handler")),
                    L("回避人员"),
                    V(jn("assignment.recused")),
                ),
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
                row(
                    L("纠正措施编号"),
                    V(c("resolution.corrective_action_no")),
                    L("赔偿金额（元）"),
                    V(c("resolution.compensation")),
                    L("处理人签字"),
                    V(""),
                ),
                row(
                    L("批准人"),
                    V(c("resolution.approved_by")),
                    L("批准日期"),
                    V(c("resolution.approved_at")),
                    L("批准人签字"),
                    V(""),
                    h=12,
                ),
                section("五、答复"),
                row(
                    L("答复日期"),
                    V(c("reply.replied_at")),
                    L("答复方式"),
                    V(ck("reply.method", *schema.REPLY_METHODS), REST),
                ),
                wide("答复内容", c("reply.content"), h=16),
                signs("答复人"),
                section("六、客户反馈"),
                row(
                    L("回访日期"),
                    V(c("follow_up.visited_at")),
                    L("回访人"),
                    V(c("follow_up.by")),
                    L("办结日期"),
                    V(c("closed_at")),
                ),
                wide("满意度", ck("follow_up.satisfaction", *schema.SATISFACTION)),
                wide("客户意见", c("follow_up.opinion"), h=10),
                # 不满意 → 复核 / 重新核实 (seed 002 第五条; issue 14 point 2)
                row(
                    L("复核方式"),
                    V(ck("review.method", *schema.REVIEW_METHODS)),
                    L("复核人"),
                    V(c("review.by")),
                    L("复核决定日期"),
                    V(c("review.decided_at")),
                ),
                wide("复核决定", c("review.decision")),
                wide("附件", jn("attachments")),
                signs("投诉人（申诉人）"),
            ],
        ),
    ],
)

F02 = FormSpec(
    code="F02",
    title="客户投诉登记反馈表",
    type="form",
    source="客户投诉处理程序（投诉承接、复述确认）; 客户投诉处理程序（听取投诉并记录）",
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
        Table(
            G6,
            [
                section("一、投诉登记"),
                row(
                    L("备案编号"),
                    V(c("case_no")),
                    L("日期"),
                    V(c("received_at")),
                    L("接待人"),
                    V(c("receiver")),
                ),
                wide("投诉方式", ck("channel", "电话", "来访", "传真", "信函", "电子邮件", "网上")),
                row(
                    L("投诉分类"),
                    V(ck("category", *schema.CATEGORIES), 3),
                    L("严重程度"),
                    V(ck("severity", "一般", "重大")),
                ),
                section("二、投诉人详情"),
                row(
                    L("姓名"),
                    V(c("complainant.name")),
                    L("职业"),
                    V(c("complainant.occupation")),
                    L("联系电话"),
                    V(c("complainant.phone")),
                ),
                row(
                    L("单位"),
                    V(c("complainant.organization"), 3),
                    L("电子邮件"),
                    V(c("complainant.email")),
                ),
                wide("通讯地址", c("complainant.address")),
                wide("社会背景", c("extra.social_background")),
                section("三、被投诉产品详情"),
                row(
                    L("产品名称"),
                    V(c("subject.product_name"), 3),
                    L("包装形式"),
                    V(c("subject.spec")),
                ),
                row(
                    L("生产批号"),
                    V(c("subject.batch_no")),
                    L("投诉量"),
                    V(c("subject.quantity")),
                    L("购买地点"),
                    V(c("subject.purchase_place")),
                ),
                row(
                    L("订单编号"),
                    V(c("subject.order_no")),
                    L("被投诉对象"),
                    V(c("respondent"), REST),
                ),
                section("四、投诉原因详情"),
                wide("投诉内容", c("content"), h=28),
                wide("购买、储存、\n消费经过", c("extra.purchase_storage_use"), h=14),
                wide("客户要求", c("request"), h=10),
                wide(
                    "复述确认",
                    "以上记录已向客户复述一遍，客户确认："
                    + yn("extra.read_back_confirmed", "无误", "有更正（已在上栏修改）"),
                ),
                signs("客户确认", "记录人"),
                section("五、调查结果"),
                row(
                    L("调查人员"),
                    V(jn("assignment.investigators"), 3),
                    L("现场拜访日期"),
                    V(c("extra.visited_on")),
                ),
                wide(
                    "是否属于\n质量问题",
                    yn(
                        "extra.quality_problem",
                        "属于质量问题",
                        "不属于质量问题（如使用、储存不当）",
                    ),
                ),
                wide("调查结果", c("investigation.findings"), h=20),
                wide("原因分析", c("investigation.root_cause")),
                wide("责任认定", c("investigation.responsibility")),
                wide("照片及附件", jn("attachments")),
                signs("调查人"),
                section("六、处理结果"),
                wide("处理结果", c("resolution.measures"), h=15),
                row(
                    L("赔偿金额（元）"),
                    V(c("resolution.compensation")),
                    L("审批人"),
                    V(c("resolution.approved_by")),
                    L("审批日期"),
                    V(c("resolution.approved_at")),
                ),
                signs("审批人"),
                section("七、回复"),
                row(
                    L("回复日期"),
                    V(c("reply.replied_at")),
                    L("回复方式"),
                    V(ck("reply.method", *schema.REPLY_METHODS), REST),
                ),
                wide("回复内容", c("reply.content"), h=15),
                row(
                    L("客户满意度"),
                    V(ck("follow_up.satisfaction", *schema.SATISFACTION), 3),
                    L("回访日期"),
                    V(c("follow_up.visited_at")),
                ),
                wide("客户意见", c("follow_up.opinion")),
                signs("回复人", "客户"),
            ],
        ),
    ],
)

F03 = FormSpec(
    code="F03",
    title="投诉(申诉)登记及处理表",
    type="form",
    source="产品检测投诉(申诉)处理程序（疾控/检测中心）",
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
        Table(
            G6,
            [
                section("一、投诉（申诉）登记"),
                row(
                    L("编号"),
                    V(c("case_no")),
                    L("接收时间"),
                    V(c("received_at")),
                    L("接待人"),
                    V(c("receiver")),
                ),
                row(
                    L("类别"),
                    V(ck("kind", "投诉", "申诉")),
                    L("投诉方式"),
                    V(ck("channel", "电话", "来访", "信函", "传真", "电子邮件", "网上"), REST),
                ),
                row(
                    L("投诉人"),
                    V(c("complainant.name")),
                    L("单位"),
                    V(c("complainant.organization"), REST),
                ),
                row(
                    L("联系电话"),
                    V(c("complainant.phone")),
                    L("通讯地址"),
                    V(c("complainant.address"), REST),
                ),
                row(
                    L("报告编号"),
                    V(c("subject.report_no")),
                    L("收到报告日期"),
                    V(c("subject.report_received_at")),
                    L("样品编号"),
                    V(c("extra.sample_no")),
                ),
                wide("被投诉科室\n及人员", c("respondent")),
                wide("投诉（申诉）\n内容", c("content"), h=22),
                wide("投诉请求", c("request")),
                signs("接待人", "投诉人（申诉人）"),
                section("二、受理（质量信息管理科）"),
                wide(
                    "是否属检测\n质量问题",
                    yn(
                        "extra.testing_quality_issue",
                        "是，由质量信息管理科受理",
                        "否，转中心办公室处理",
                    ),
                ),
                wide(
                    "提出时限",
                    yn(
                        "extra.within_time_limit",
                        "在收到检验报告之日起15天内",
                        "已超过15天（过期不予受理）",
                    ),
                ),
                row(
                    L("受理意见"),
                    V(ck("acceptance.decision", *schema.DECISIONS), 3),
                    L("受理日期"),
                    V(c("acceptance.decided_at")),
                ),
                row(
                    L("不予受理/\n转办理由"),
                    V(c("acceptance.reason"), 3),
                    L("转办部门"),
                    V(c("acceptance.transferred_to")),
                ),
                signs("受理人"),
                section("三、调查核实（质量信息管理科会同相关科室质量监督员）"),
                row(
                    L("责任科室"),
                    V(c("assignment.department")),
                    L("质量监督员"),
                    V(jn("assignment.investigators")),
                    L("回避人员"),
                    V(jn("assignment.recused")),
                ),
                wide("调查情况", c("investigation.findings"), h=20),
                wide("原因分析", c("investigation.root_cause")),
                wide(
                    "申诉性质",
                    [
                        yn("investigation.valid", "有效申诉", "非有效申诉"),
                        Small(
                            "有效申诉：确由本中心人员过失行为造成，按《不符合检测工作的控制程序》处理；"
                            "非有效申诉：因投诉方误解或不符合实际情况等引起，耐心解释、说明原因并书面答复。"
                        ),
                    ],
                ),
                wide("责任认定", c("investigation.responsibility")),
                signs("质量监督员"),
                section("四、复检（对检测结果有异议、要求复检时填写）"),
                row(
                    L("复检样品"),
                    V(ck("extra.retest_sample", "原剩余样品", "留样库留样"), 2),
                    L("结果是否一致"),
                    V(yn("extra.retest_consistent", "与原结果一致", "不一致"), 2),
                ),
                row(
                    L("复检日期"),
                    V(c("extra.retest_date")),
                    L("复检人员"),
                    V(c("extra.retest_by")),
                    L("复检报告编号"),
                    V(c("extra.retest_report_no")),
                ),
                wide("复检结果", c("extra.retest_result")),
                wide(
                    "原检验报告",
                    ck(
                        "extra.original_report",
                        "维持原报告",
                        "收回原报告作废，重新发出正确的检验报告",
                    ),
                ),
                wide(
                    "复检费用",
                    [
                        ck("extra.retest_fee_payer", "客户承担", "本中心承担"),
                        Small(
                            "复检结果与原检测结果一致时，客户需交重复检测费用；不一致且确认是本中心过失时，"
                            "由本中心承担，必要时由责任科室适当赔偿客户损失，按情节轻重追究过失人责任。"
                        ),
                    ],
                ),
                section("五、处理意见及批准"),
                wide("处理意见", c("resolution.measures"), h=14),
                wide("预防措施", c("resolution.preventive_action")),
                row(
                    L("纠正措施编号"),
                    V(c("resolution.corrective_action_no")),
                    L("赔偿金额（元）"),
                    V(c("resolution.compensation")),
                    L("办结日期"),
                    V(c("closed_at")),
                ),
                row(
                    L("质量负责人\n批准"),
                    V(c("resolution.approved_by")),
                    L("批准日期"),
                    V(c("resolution.approved_at")),
                    L("签字"),
                    V(""),
                    h=10,
                ),
                row(
                    L("最高管理者\n审批"),
                    V([Small("（处理意见涉及赔偿经济损失时）")], 3),
                    L("签字"),
                    V(""),
                    h=10,
                ),
                section("六、书面答复"),
                row(
                    L("答复日期"),
                    V(c("reply.replied_at")),
                    L("答复方式"),
                    V(ck("reply.method", *schema.REPLY_METHODS), REST),
                ),
                wide("答复内容", c("reply.content"), h=12),
                row(
                    L("客户满意度"),
                    V(ck("follow_up.satisfaction", *schema.SATISFACTION), 3),
                    L("经办人签字"),
                    V(""),
                ),
            ],
        ),
    ],
)

F08 = FormSpec(
    code="F08",
    title="申诉、投诉和争议申请表",
    type="form",
    source="申诉、投诉和争议处理管理程序（认证机构）; 申诉、投诉和争议处理规定（书面提出并由提出人员签字）",
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
        Table(
            G4,
            [
                row(
                    L("编号"), V(c("case_no")), L("申请类别"), V(ck("kind", "申诉", "投诉", "争议"))
                ),
                wide("申请人\n（单位名称）", c("complainant.organization")),
                row(
                    L("联系人"), V(c("complainant.name")), L("职务"), V(c("complainant.occupation"))
                ),
                row(
                    L("联系电话"),
                    V(c("complainant.phone")),
                    L("电子邮件"),
                    V(c("complainant.email")),
                ),
                wide("通讯地址", c("complainant.address")),
                row(
                    L("证书编号"),
                    V(c("extra.certificate_no")),
                    L("被申诉/\n投诉对象"),
                    V(c("respondent")),
                ),
                row(
                    L("被申诉的决定\n（文号）"),
                    V(c("extra.decision_no")),
                    L("决定日期"),
                    V(c("extra.decision_date")),
                ),
                wide("涉及事项", c("subject.description")),
                wide("事实和理由", c("content"), h=45),
                wide("请求事项", c("request"), h=12),
                wide(
                    "证据材料清单",
                    [jn("attachments"), Small("（材料可另附页，随本表一并提交）")],
                    h=12,
                ),
                Row(
                    [
                        Cell(
                            [
                                "本人（单位）保证以上情况及所附材料真实。",
                                "申请人签字（盖章）："
                                + SIGN_LINE
                                + "（必须签字）　　提交日期："
                                + or_blank("case.extra.submitted_at"),
                            ],
                            REST,
                            "value",
                        )
                    ],
                    16,
                ),
                section("以下由受理部门填写"),
                row(
                    L("接收人"),
                    V(c("receiver") + "　签字：" + SIGN_LINE),
                    L("收到日期"),
                    V(c("received_at")),
                ),
                row(
                    L("受理决定"),
                    V(ck("acceptance.decision", "受理", "不予受理")),
                    L("决定日期"),
                    V(c("acceptance.decided_at")),
                ),
                wide("不予受理理由", c("acceptance.reason")),
            ],
        ),
        Para(
            "填表说明：1. 对认证决定提出申诉，应在收到决定之日起 10 个工作日内以书面形式提交本表；"
            "2. 本表必须由申请人签字（单位加盖公章），未签字的申请不予受理；"
            "3. 受理部门在收到申请后{% if clock.acceptance_limit %} {{ clock.acceptance_limit }}内"
            "{% else %}规定期限内{% endif %}作出是否受理的决定，并发出《申诉投诉受理通知书》；"
            "4. 与申诉、投诉事项有直接利害关系的人员回避处理工作。",
            "RK Small",
        ),
    ],
)

F09 = FormSpec(
    code="F09",
    title="申诉投诉受理通知书",
    type="notice",
    source="申诉、投诉和争议处理管理程序（申诉的受理）",
    kinds=["申诉", "投诉", "争议"],
    profiles=["certification", "accreditation"],
    when="acceptance",
    order=40,
    blocks=[
        Para("编号：{{ case.case_no }}", "RK Plain", "right"),
        Para(ADDRESSEE, "RK Plain"),
        Para(
            "您（单位）于 {{ case.received_at }} 提交的{{ case.kind }}申请及有关材料已收悉"
            "{% if case.subject.description %}，涉及事项：{{ case.subject.description }}{% endif %}。"
        ),
        Para(
            # The limit is the profile's (issue 14 point 13); a profile without an
            # acceptance step makes no claim about one.
            "{% if clock.acceptance_limit %}根据本机构《申诉、投诉和争议处理管理程序》，是否受理的决定"
            "在收到申请后 {{ clock.acceptance_limit }}内作出"
            "{% if clock.acceptance_due %}（本件受理决定期限：{{ clock.acceptance_due }}）{% endif %}。{% endif %}"
            "经审查，本机构于 " + or_blank("case.acceptance.decided_at") + " 作出如下决定："
        ),
        Para(ck("acceptance.decision", *schema.DECISIONS)),
        Para("{%p if case.acceptance.reason %}"),
        Para("理由：{{ case.acceptance.reason }}"),
        Para("{%p endif %}"),
        Para("{%p if case.acceptance.transferred_to %}"),
        Para("已转 {{ case.acceptance.transferred_to }} 办理。"),
        Para("{%p endif %}"),
        Para("{%p if case.acceptance.decision == '受理' %}"),
        Para(
            "本机构将组织与该事项无直接利害关系的人员进行调查处理，"
            "{% if clock.reply_due %}预计于 {{ clock.reply_due }} 前{% else %}在规定期限内{% endif %}"
            "将处理结果书面通知您。处理期间如需补充材料，我们将与您联系。"
        ),
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
    source="政务服务中心投诉处理制度（第三条）",
    kinds=["投诉", "意见建议"],
    profiles=["government", "service-centre", "consumer", "gov-service-centre", "health-check"],
    order=12,
    blocks=[
        Table(
            G6,
            [
                row(
                    L("编号"),
                    V(c("case_no")),
                    L("投诉时间"),
                    V(c("received_at")),
                    L("接待人"),
                    V(c("receiver")),
                ),
                row(
                    L("投诉人"),
                    V(c("complainant.name")),
                    L("联系电话"),
                    V(c("complainant.phone")),
                    L("证件号码"),
                    V(c("complainant.id_no")),
                ),
                wide("工作单位", c("complainant.organization")),
                wide("通讯地址", c("complainant.address")),
                wide(
                    "投诉方式",
                    ck("channel", "来访", "电话", "信函", "电子邮件", "网上", "第三方转交"),
                ),
                wide("被投诉窗口\n及工作人员", c("respondent")),
                wide("投诉内容", c("content"), h=35),
                wide("投诉请求", c("request"), h=10),
                signs("投诉人", "接待人"),
                row(
                    L("受理意见"),
                    V(ck("acceptance.decision", *schema.DECISIONS), 3),
                    L("受理日期"),
                    V(c("acceptance.decided_at")),
                ),
                row(
                    L("移交部门"),
                    V(c("assignment.department")),
                    L("承办人"),
                    V(c("assignment.handler")),
                    L("转办单位"),
                    V(c("acceptance.transferred_to")),
                ),
                wide("不予受理/\n转办理由", c("acceptance.reason")),
                wide(
                    "处理情况",
                    [
                        "调查核实：" + c("investigation.findings"),
                        "处理意见：" + c("resolution.measures"),
                    ],
                    h=22,
                ),
                wide(
                    "反馈情况",
                    [
                        "反馈日期："
                        + c("reply.replied_at")
                        + "　　反馈方式："
                        + ck("reply.method", *schema.REPLY_METHODS),
                        c("reply.content"),
                    ],
                    h=15,
                ),
                wide(
                    "回访",
                    [
                        "回访日期："
                        + c("follow_up.visited_at")
                        + "　　回访人："
                        + c("follow_up.by"),
                        "满意度：" + ck("follow_up.satisfaction", *schema.SATISFACTION),
                        "回访意见：" + c("follow_up.opinion"),
                    ],
                    h=15,
                ),
                row(L("办结日期"), V(c("closed_at")), L("附件"), V(jn("attachments"), REST)),
                signs("督查负责人"),
            ],
        ),
    ],
)

F13 = FormSpec(
    code="F13",
    title="投诉受理回执",
    type="notice",
    source="街道办事处便民服务中心投诉制度（投诉受理回执）",
    kinds=["投诉"],
    profiles=["service-centre", "government", "consumer", "gov-service-centre"],
    when="acceptance",
    order=45,
    blocks=[
        Para("存　根（本单位留存）", "RK Subtitle", keep=True),
        Table(
            G4,
            [
                row(L("编号"), V(c("case_no")), L("受理日期"), V(c("acceptance.decided_at"))),
                row(
                    L("投诉人"), V(c("complainant.name")), L("联系电话"), V(c("complainant.phone"))
                ),
                wide("通讯地址", c("complainant.address")),
                row(L("投诉时间"), V(c("received_at")), L("投诉方式"), V(c("channel"))),
                wide("投诉内容", slip_text("content"), h=25),
                row(
                    L("受理人"), V(c("receiver")), L("承诺答复期限"), V(or_blank("clock.reply_due"))
                ),
                signs("投诉人签收"),
            ],
            keep=True,
        ),
        Cut(),
        Para("投诉受理回执（交投诉人）", "RK Subtitle"),
        Para("编号：{{ case.case_no }}", "RK Plain", "right"),
        Para(ADDRESSEE, "RK Plain"),
        Para(
            "您于 {{ case.received_at }} {% if case.channel %}以{{ case.channel }}方式{% endif %}提出的投诉已收到。"
            "经审查，本中心已于 "
            + or_blank("case.acceptance.decided_at")
            + " 予以受理，受理人：{{ case.receiver }}。"
        ),
        Para(
            "本中心将{% if clock.reply_due %}于 {{ clock.reply_due }} 前{% else %}在规定期限内{% endif %}"
            "将处理结果告知您；情况复杂需要延长办理期限的，将另行书面告知延期理由。"
        ),
        Para(
            "您可凭本回执编号 {{ case.case_no }} 拨打电话 "
            + SIGN_LINE
            + " 或到本中心服务窗口查询办理进度。"
            "请妥善保管本回执。"
        ),
        *sign_off("case.acceptance.decided_at"),
        *continuation("content", "投诉内容"),
    ],
)

F18 = FormSpec(
    code="F18",
    version=2,  # 处理进展 added (issue 14 point 5)
    title="投诉处理结果告知书",
    type="notice",
    source="车辆维修客户投诉管制制度规定（第十七条）; 投诉处理反馈制度; 12315投诉工作制度（5.2、5.3）",
    kinds=["投诉", "申诉", "争议"],
    order=60,
    extra_fields={"basis": "处理依据", "remedy": "救济途径"},
    required=["investigation.findings", "resolution.measures"],
    blocks=[
        Para("编号：{{ case.case_no }}", "RK Plain", "right"),
        Para(ADDRESSEE, "RK Plain"),
        Para(
            "您于 {{ case.received_at }} 提出的{{ case.kind }}"
            "{% if case.acceptance.decided_at %}，本单位已于 {{ case.acceptance.decided_at }} 受理{% endif %}。"
            "经调查核实，现将处理结果告知如下："
        ),
        Para("一、调查核实情况", "RK Heading"),
        Para(c("investigation.findings")),
        Para(
            "{% if case.investigation.valid == true %}经核实，您反映的问题属实。"
            "{% elif case.investigation.valid == false %}经核实，您反映的问题与事实不符。{% endif %}"
            "{% if case.investigation.responsibility %}责任认定：{{ case.investigation.responsibility }}{% endif %}"
        ),
        Para("二、处理结果", "RK Heading"),
        Para(c("resolution.measures")),
        Para("{%p if case.progress %}"),
        Para("处理过程中已告知您的进展："),
        Para("{%p for p in case.progress %}"),
        Para("{{ p.date }}　{{ p.note }}{% if p.method %}（{{ p.method }}）{% endif %}"),
        Para("{%p endfor %}"),
        Para("{%p endif %}"),
        Para("{%p if case.extra.basis %}"),
        Para("处理依据：{{ case.extra.basis }}"),
        Para("{%p endif %}"),
        Para("三、救济途径", "RK Heading"),
        Para(
            "{% if case.extra.remedy %}{{ case.extra.remedy }}{% else %}如对上述处理结果不服，可自收到本告知书之日起"
            "向本单位书面申请复核，或向有关主管部门反映；依法可以申请行政复议或者提起诉讼的，"
            "可以依法申请行政复议或者向人民法院提起诉讼。{% endif %}"
        ),
        Para("特此告知。"),
        *sign_off("case.reply.replied_at"),
        Para(
            "经办人：{{ case.assignment.handler }}　　审核人：{{ case.resolution.approved_by }}　　"
            "联系电话：" + SIGN_LINE,
            "RK Small",
            "right",
        ),
        Cut("（送达回执：以下由投诉人填写后交回）"),
        Para("送达回执　编号：{{ case.case_no }}", "RK Plain", keep=True),
        Para(
            "本告知书已于 " + DATE_LINE + " 收到。　　投诉人（签收）：" + SIGN_LINE,
            "RK Plain",
            "right",
            keep=True,
        ),
    ],
)

F19 = FormSpec(
    code="F19",
    title="延期办理告知书",
    type="notice",
    source="医院投诉管理制度（投诉处理反馈制度：延长期限不得超过30日）; 服务中心投诉受理制度（第九条）",
    kinds=["投诉", "申诉", "争议"],
    when="extension",
    order=55,
    extra_fields={"extension_approver": "延期批准人", "notice_method": "告知方式"},
    blocks=[
        Para("编号：{{ case.case_no }}", "RK Plain", "right"),
        Para(ADDRESSEE, "RK Plain"),
        Para(
            "您于 {{ case.received_at }} 提出的{{ case.kind }}"
            "{% if case.acceptance.decided_at %}，本单位已于 {{ case.acceptance.decided_at }} 受理{% endif %}，"
            "按规定应于 " + or_blank("clock.original_due") + " 前办结。"
        ),
        Para("因情况复杂，不能按期办结。延期理由：{{ case.extension.reason }}"),
        Para(
            "经本单位负责人批准，办理期限延长 "
            + EXTENSION
            + "，延长至 "
            + or_blank("clock.extended_due")
            + "。"
        ),
        Para(
            "我们将在延长期限内办结，并将处理结果书面告知您。给您带来不便，敬请谅解。"
            "如有疑问，请与承办人 {{ case.assignment.handler }} 联系（联系电话："
            + SIGN_LINE
            + "）。"
        ),
        Para("特此告知。"),
        *sign_off("case.extension.granted_at"),
        Cut("（以下为延期审批及送达记录，由本单位存档）"),
        Table(
            G6,
            [
                row(
                    L("承办部门"),
                    V(c("assignment.department")),
                    L("承办人"),
                    V(c("assignment.handler")),
                    L("延长期限"),
                    V(EXTENSION),
                ),
                row(
                    L("原办理期限"),
                    V("{{ clock.original_due }}"),
                    L("延长至"),
                    V("{{ clock.extended_due }}"),
                    L("批准日期"),
                    V(c("extension.granted_at")),
                ),
                row(
                    L("批准人"),
                    V(c("extra.extension_approver")),
                    L("批准人签字"),
                    V("", REST),
                    h=12,
                ),
                row(
                    L("告知方式"),
                    V(ck("extra.notice_method", "书面", "电话", "面谈", "电子邮件"), REST),
                ),
                signs("投诉人签收", "承办人"),
            ],
        ),
    ],
)

R01 = FormSpec(
    code="R01",
    title="投诉登记台帐",
    type="register",
    source="客户投诉及客户意见反馈处理管理制度（登记表及台帐）; 投诉登记与分级（投诉登记簿）",
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
                ("内容摘要", 64, "{{ r.summary }}"),
                ("分类", 10, "{{ r.category }}"),
                ("等级", 10, "{{ r.severity }}"),
                ("责任部门", 18, "{{ r.assignment.department }}"),
                ("处理结果", 42, "{{ r.resolution.measures }}"),
                ("办结日期", 17, "{{ r.closed_at }}"),
                ("是否超期", 10, "{{ r.overdue }}"),
                ("满意度", 10, "{{ r.follow_up.satisfaction }}"),
            ],
            before=["统计期间：{{ period }}　　共 {{ count }} 件"],
            after=[
                "制表人：" + SIGN_LINE + "　　审核人：" + SIGN_LINE + "　　制表日期：" + DATE_LINE
            ],
        ),
    ],
)

# ----------------------------------------------------------------------------- issue 3: the rest of FORMS.md

SOURCES_SEED000 = (
    "客户直接",
    "走访调查",
    "消费者协会",
    "主管部门转交",
    "媒体",
    "市场调研",
    "内部员工",
)
RETEST_FEE_NOTE = (
    "复检费用：复检结果与原检测结果一致时，由顾客交纳重复检测费用；复检结果与原检测结果不一致、"
    "确认是本单位过失时，先收回原检验报告作废，再发出正确的报告，费用由本单位承担，"
    "必要时由责任部门适当赔偿顾客损失，并按情节轻重追究过失人责任。"
)

F04 = FormSpec(
    code="F04",
    title="顾客申诉和投诉处理表",
    type="form",
    source="机动车检测站检测质量申诉和投诉制度（第2–5条）; 检测站客户投诉管理程序; 产品检测投诉(申诉)处理程序（4.2.3 复检及费用）",
    kinds=["投诉", "申诉"],
    profiles=["lab"],
    when="extra.plate_no",
    order=50,
    extra_fields={
        "plate_no": "车辆牌照",
        "vehicle_type": "车辆类型",
        "inspection_type": "检测类别",
        "inspection_date": "检测日期",
        "test_line": "检测线",
        "test_items": "检测项目",
        "record_check": "原始记录核查",
        "process_analysis": "检测过程分析",
        "retest_date": "复检日期",
        "retest_result": "复检结果",
        "retest_consistent": "复检结果与原检测结果是否一致",
        "fee_handling": "费用处理",
        "fee_amount": "费用金额（元）",
        "sanction": "责任人奖惩",
        "persuasion": "与事实不符时的说服工作",
    },
    blocks=[
        Table(
            G6,
            [
                section("一、申诉、投诉受理（办公室）"),
                row(
                    L("编号"),
                    V(c("case_no")),
                    L("受理时间"),
                    V(c("received_at")),
                    L("受理人"),
                    V(c("receiver")),
                ),
                row(L("类别"), V(ck("kind", "申诉", "投诉"), 3), L("方式"), V(c("channel"))),
                row(
                    L("顾客姓名"),
                    V(c("complainant.name")),
                    L("联系电话"),
                    V(c("complainant.phone")),
                    L("车辆牌照"),
                    V(c("extra.plate_no")),
                ),
                row(
                    L("单位"),
                    V(c("complainant.organization"), 3),
                    L("车辆类型"),
                    V(c("extra.vehicle_type")),
                ),
                row(
                    L("检测日期"),
                    V(c("extra.inspection_date")),
                    L("检测线"),
                    V(c("extra.test_line")),
                    L("报告编号"),
                    V(c("subject.report_no")),
                ),
                wide(
                    "检测类别",
                    ck(
                        "extra.inspection_type",
                        "安全技术检验",
                        "综合性能检测",
                        "环保（尾气）检测",
                        "其他",
                    ),
                ),
                wide("检测项目", c("extra.test_items")),
                wide("被投诉对象", c("respondent")),
                wide("申诉、投诉\n内容", c("content"), h=19),
                wide("顾客要求", c("request")),
                signs("受理人", "顾客"),
                section("二、调查核实（组织有关人员检查原始记录，了解分析检测过程）"),
                wide("调查人员", jn("assignment.investigators")),
                wide("原始记录核查", c("extra.record_check"), h=12),
                wide("检测过程分析", c("extra.process_analysis"), h=12),
                row(
                    L("复检日期"),
                    V(c("extra.retest_date")),
                    L("复检结果"),
                    V(c("extra.retest_result"), REST),
                ),
                wide("复检与原结果", yn("extra.retest_consistent", "一致", "不一致")),
                wide(
                    "调查结论",
                    [
                        yn("investigation.valid", "属本公司责任", "与事实不符"),
                        c("investigation.findings"),
                    ],
                ),
                section("三、处理方案"),
                wide("处理方案", c("resolution.measures"), h=10),
                wide(
                    "费用处理",
                    [
                        ck(
                            "extra.fee_handling",
                            "顾客交纳复检费",
                            "本站承担复检费",
                            "退还多收费用",
                            "不涉及费用",
                        )
                        + "　金额（元）："
                        + c("extra.fee_amount"),
                        Small(RETEST_FEE_NOTE),
                    ],
                ),
                wide(
                    "责任人及奖惩",
                    [
                        c("investigation.responsibility"),
                        "奖惩（按公司责任奖惩条例执行）：" + c("extra.sanction"),
                    ],
                ),
                wide(
                    "与事实不符时\n的说服工作",
                    [
                        c("extra.persuasion"),
                        Small("经调查与事实不符时，应以事实为依据，做好说服工作，不得为难用户。"),
                    ],
                ),
                row(
                    L("批准人\n（站长）"),
                    V(c("resolution.approved_by")),
                    L("批准日期"),
                    V(c("resolution.approved_at")),
                    L("批准人签字"),
                    V(""),
                    h=10,
                ),
                section("四、答复"),
                row(
                    L("答复日期"),
                    V(c("reply.replied_at")),
                    L("答复方式"),
                    V(ck("reply.method", *schema.REPLY_METHODS), REST),
                ),
                wide("答复内容", c("reply.content"), h=12),
                row(
                    L("顾客满意度"),
                    V(ck("follow_up.satisfaction", *schema.SATISFACTION), 3),
                    L("办结日期"),
                    V(c("closed_at")),
                ),
                signs("经办人", "检测站负责人"),
            ],
        ),
        Para(
            "检测质量申诉和投诉处理后填写本表。公司全体员工应积极配合做好申诉和投诉处理工作，"
            "对打击报复者严肃处理。",
            "RK Small",
        ),
    ],
)

F05 = FormSpec(
    code="F05",
    title="申诉、投诉登记表",
    type="form",
    source="申诉和投诉处理程序（检验检测中心, 6.1–6.4）",
    kinds=["申诉", "投诉"],
    profiles=["lab"],
    order=18,
    extra_fields={
        "occurred_at": "发生时间",
        "place": "发生地点",
        "impact": "影响程度",
        "written_material": "是否有书面材料",
        "evidence_check": "疑义取证",
        "special_team": "是否组成专项调查组",
        "corrective_basis": "纠正措施情形",
        "preventive_basis": "预防措施情形",
        "additional_audit": "附加审核",
        "extra_review": "增加管理评审",
    },
    blocks=[
        Table(
            G6,
            [
                section("一、登记（管理室）"),
                row(
                    L("编号"),
                    V(c("case_no")),
                    L("收到时间"),
                    V(c("received_at")),
                    L("登记人"),
                    V(c("receiver")),
                ),
                wide("类别", ck("kind", "申诉", "投诉")),
                wide("受理方式", ck("channel", "电话", "传真", "来访", "信函", "电子邮件", "网上")),
                wide("信息来源", ck("source", *SOURCES_SEED000)),
                row(
                    L("申诉/投诉人"),
                    V(c("complainant.name")),
                    L("单位"),
                    V(c("complainant.organization"), REST),
                ),
                row(
                    L("联系电话"),
                    V(c("complainant.phone")),
                    L("通讯地址"),
                    V(c("complainant.address"), REST),
                ),
                row(
                    L("发生时间"),
                    V(c("extra.occurred_at")),
                    L("发生地点"),
                    V(c("extra.place"), REST),
                ),
                row(
                    L("被申诉/投诉\n对象"),
                    V(c("respondent"), 3),
                    L("报告编号"),
                    V(c("subject.report_no")),
                ),
                wide("内容", c("content"), h=19),
                wide("要求", c("request")),
                row(
                    L("严重程度"),
                    V(ck("severity", "一般", "重大"), 2),
                    L("影响程度"),
                    V(c("extra.impact"), REST),
                ),
                wide(
                    "书面材料",
                    [
                        yn(
                            "extra.written_material",
                            "有书面材料（已认真阅读并妥善保管）",
                            "无（口头、电话，已详细记录）",
                        ),
                        "材料清单：" + jn("attachments"),
                        "疑义取证（与信息来源处联系）：" + c("extra.evidence_check"),
                    ],
                ),
                signs("登记人", "申诉/投诉人"),
                section("二、调查分析、确认事实"),
                row(
                    L("相关责任室"),
                    V(c("assignment.department")),
                    L("调查人员"),
                    V(jn("assignment.investigators"), REST),
                ),
                wide(
                    "专项调查组",
                    yn("extra.special_team", "已报告质量负责人，组成专项调查组", "不需要"),
                ),
                wide("调查核实", c("investigation.findings"), h=13),
                wide("原因分析", c("investigation.root_cause")),
                wide(
                    "确认事实",
                    yn(
                        "investigation.valid",
                        "属本中心责任",
                        "不属于本中心责任（管理室与申诉、投诉者沟通解决）",
                    ),
                ),
                section("三、处理"),
                wide(
                    "纠正措施\n（按《纠正和预防\n措施控制程序》）",
                    [
                        multi(
                            "extra.corrective_basis",
                            "质量体系适应性和有效性方面的问题",
                            "检验检测工作质量方面问题",
                            "责任人职业道德方面的问题",
                            "计量器具、仪器设备失准方面的问题",
                        ),
                        "纠正措施编号：" + c("resolution.corrective_action_no"),
                    ],
                ),
                wide(
                    "预防措施",
                    [
                        multi(
                            "extra.preventive_basis",
                            "客户或其它方面的期望、要求",
                            "通过调研引发的其它潜在的不符合倾向",
                        ),
                        c("resolution.preventive_action"),
                    ],
                ),
                wide("处理意见", c("resolution.measures"), h=10),
                wide(
                    "重大质量事故",
                    [
                        yn(
                            "extra.additional_audit", "质量负责人决定进行附加审核", "不进行附加审核"
                        ),
                        yn("extra.extra_review", "最高管理者决定增加管理评审", "不增加管理评审"),
                    ],
                ),
                row(
                    L("质量负责人"),
                    V(c("resolution.approved_by")),
                    L("日期"),
                    V(c("resolution.approved_at")),
                    L("签字"),
                    V(""),
                    h=10,
                ),
                row(
                    L("答复日期"),
                    V(c("reply.replied_at")),
                    L("答复方式"),
                    V(ck("reply.method", *schema.REPLY_METHODS), REST),
                ),
                wide("答复内容", c("reply.content")),
                row(
                    L("办结日期"),
                    V(c("closed_at")),
                    L("满意度"),
                    V(ck("follow_up.satisfaction", *schema.SATISFACTION), REST),
                ),
                signs("管理室负责人", "质量负责人"),
            ],
        ),
    ],
)

F06 = FormSpec(
    code="F06",
    version=2,  # 处理进展 printed (issue 14 point 5)
    title="客户投诉处理登记表",
    type="form",
    source="中信证券客户投诉受理、处理及反馈办法（第六至八条）",
    kinds=["投诉"],
    profiles=["securities"],
    order=19,
    extra_fields={
        "account_no": "资金账号",
        "on_the_spot": "当场处理情况",
        "promised_at": "承诺反馈时间",
        "supervisor": "运营主管",
        "supervisor_at": "运营主管处理日期",
        "progress_feedback": "处理进度反馈",
        "compensation_involved": "是否涉及赔偿",
        "escalated": "是否上报营业部总经理",
        "gm_opinion": "营业部总经理意见",
    },
    blocks=[
        Table(
            G6,
            [
                row(
                    L("登记编号"),
                    V(c("case_no")),
                    L("投诉时间"),
                    V(c("received_at")),
                    L("接待人"),
                    V(c("receiver")),
                ),
                wide("投诉方式", ck("channel", "电话", "来访", "信函", "传真", "电子邮件", "网上")),
                row(
                    L("客户姓名"),
                    V(c("complainant.name")),
                    L("资金账号"),
                    V(c("extra.account_no")),
                    L("联系电话"),
                    V(c("complainant.phone")),
                ),
                wide("通讯地址", c("complainant.address")),
                wide("投诉内容分类", ck("category", *schema.CATEGORIES)),
                wide("被投诉对象", c("respondent")),
                wide("投诉内容", c("content"), h=19),
                wide("客户要求", c("request")),
                wide(
                    "当场处理情况",
                    [
                        c("extra.on_the_spot"),
                        Small(
                            "能当场解决的投诉事项应尽量当场解决；当场无法解决的，应向客户明示反馈的时间。"
                        ),
                    ],
                ),
                wide(
                    "承诺反馈时间",
                    "{{ case.extra.promised_at }}　（一般承诺期不超过三天"
                    "{% if clock.reply_due %}，本件最迟 {{ clock.reply_due }}{% endif %}）",
                ),
                signs("接待人", "客户"),
                section("运营主管处理记录"),
                row(
                    L("运营主管"),
                    V(c("extra.supervisor")),
                    L("处理日期"),
                    V(c("extra.supervisor_at")),
                    L("处理人"),
                    V(c("assignment.handler")),
                ),
                wide("调查情况", c("investigation.findings"), h=12),
                wide("处理记录", c("resolution.measures"), h=12),
                wide(
                    "处理进度反馈",
                    [
                        "{% for p in case.progress %}{{ p.date }} {{ p.note }}"
                        "{% if p.method %}（{{ p.method }}）{% endif %}；{% endfor %}"
                        + c("extra.progress_feedback"),
                        Small("处理过程中应及时向客户反馈投诉处理进度。"),
                    ],
                    h=12,
                ),
                row(
                    L("是否涉及赔偿"),
                    V(yn("extra.compensation_involved", "涉及", "不涉及"), 3),
                    L("赔偿金额（元）"),
                    V(c("resolution.compensation")),
                ),
                wide(
                    "上报总经理",
                    [
                        yn("extra.escalated", "已上报营业部总经理", "未上报（运营主管直接处理）"),
                        Small("无法协调或遇重大情况和涉及赔偿的，须向营业部总经理汇报处理。"),
                        "总经理意见：" + c("extra.gm_opinion"),
                    ],
                ),
                section("反馈"),
                row(
                    L("反馈日期"),
                    V(c("reply.replied_at")),
                    L("反馈方式"),
                    V(ck("reply.method", *schema.REPLY_METHODS), REST),
                ),
                wide("反馈内容", c("reply.content"), h=12),
                row(
                    L("客户满意度"),
                    V(ck("follow_up.satisfaction", *schema.SATISFACTION), 3),
                    L("办结日期"),
                    V(c("closed_at")),
                ),
                signs("运营主管", "营业部总经理"),
            ],
        ),
    ],
)

MAJOR_COMPLAINT = (
    "涉及赔偿",
    "与安全方面相关",
    "损害金额大",
    "短期内维修频次高、客户不接受",
    "涉及媒体、律师、警察、消协、政府机关",
    "客户意见较大、易造成不良影响",
    "行业部门、工商部门转交",
)

F07 = FormSpec(
    code="F07",
    title="客户投诉信息反馈单",
    type="form",
    source="客户投诉处理流程和规范方案（汽车服务, 四、1.1–1.4）",
    kinds=["投诉"],
    profiles=["dealer"],
    order=6,
    extra_fields={
        "plate_no": "车辆牌照号码",
        "vehicle_model": "车型",
        "read_back_confirmed": "投诉内容已复述并经客户确认",
        "major_reasons": "重大投诉情形",
        "after_hours": "是否工作时间外接到",
        "registered_at": "客户部登记时间",
        "transferred_at": "转交责任部门时间",
        "contacted_at": "联系客户时间",
        "investigated_at": "调查核实完成日期",
    },
    blocks=[
        Table(
            G6,
            [
                section(
                    "一、客户部登记（接到投诉最迟半个小时内交客户部登记，登记后最迟半个小时内转交责任部门；重大投诉立即交）"
                ),
                row(
                    L("反馈单编号"),
                    V(c("case_no")),
                    L("接到投诉"),
                    V(c("received_at")),
                    L("接待人"),
                    V(c("receiver")),
                ),
                row(
                    L("客户姓名"),
                    V(c("complainant.name")),
                    L("车辆牌照号码"),
                    V(c("extra.plate_no")),
                    L("联系方式"),
                    V(c("complainant.phone")),
                ),
                row(
                    L("车型"),
                    V(c("extra.vehicle_model")),
                    L("维修工单号"),
                    V(c("subject.order_no")),
                    L("投诉方式"),
                    V(c("channel")),
                ),
                wide("被投诉对象", c("respondent")),
                wide(
                    "投诉内容\n（复述确认）",
                    [
                        c("content"),
                        "客户要求：" + c("request"),
                        "已用自己的语言向客户复述投诉内容，客户确认："
                        + yn("extra.read_back_confirmed", "无误", "有更正"),
                    ],
                    h=14,
                ),
                wide(
                    "是否重大投诉",
                    ck("severity", "一般", "重大")
                    + "　重大投诉情形："
                    + multi("extra.major_reasons", *MAJOR_COMPLAINT),
                ),
                row(
                    L("客户部登记"),
                    V(c("extra.registered_at")),
                    L("转交时间"),
                    V(c("extra.transferred_at")),
                    L("责任部门"),
                    V(c("assignment.department")),
                ),
                wide(
                    "接到时间",
                    yn(
                        "extra.after_hours",
                        "工作时间外（紧急的先电话联系公司领导，上班后补派本单）",
                        "工作时间内",
                    ),
                ),
                signs("客户部登记人", "责任部门经理签收"),
                section("二、处理结果（责任部门填写）"),
                row(
                    L("处理人"),
                    V(c("assignment.handler")),
                    L("联系客户"),
                    V(c("extra.contacted_at")),
                    L("调查完成"),
                    V(c("extra.investigated_at")),
                ),
                wide("调查情况", c("investigation.findings"), h=10),
                wide("处理结果", c("resolution.measures"), h=10),
                row(
                    L("赔偿金额（元）"),
                    V(c("resolution.compensation")),
                    L("总经理审定"),
                    V(c("resolution.approved_by")),
                    L("审定日期"),
                    V(c("resolution.approved_at")),
                ),
                section("三、客户部跟踪"),
                row(
                    L("回访日期"),
                    V(c("follow_up.visited_at")),
                    L("回访人"),
                    V(c("follow_up.by")),
                    L("办结日期"),
                    V(c("closed_at")),
                ),
                wide("客户满意度", ck("follow_up.satisfaction", *schema.SATISFACTION)),
                wide("跟踪意见", c("follow_up.opinion")),
                signs("客户部", "总经理"),
            ],
        ),
    ],
)

F10 = FormSpec(
    code="F10",
    title="客户投诉接收登记表",
    type="register",
    source="客户投诉处理标准操作规程 GL-004-00（附件一）",
    profiles=["enterprise-quality", "pharma"],
    order=910,
    retention="D30",
    extra_fields={"qa_handover_at": "转交QA时间"},
    blocks=[
        Register(
            columns=[
                ("序号", 8, "{{ loop.index }}"),
                ("接收日期", 22, "{{ r.received_at }}"),
                ("投诉编号", 24, "{{ r.case_no }}"),
                (
                    "投诉人（单位）",
                    36,
                    "{{ r.complainant.name }}{% if r.complainant.organization %}\n"
                    "{{ r.complainant.organization }}{% endif %}",
                ),
                ("方式", 14, "{{ r.channel }}"),
                ("投诉内容摘要", 95, "{{ r.content }}"),
                ("接收人", 18, "{{ r.receiver }}"),
                ("转交QA时间", 24, "{{ r.extra.qa_handover_at }}"),
                ("受理部门", 16, "{{ r.assignment.department }}"),
            ],
            before=["文件编号：GL-004-00 附件一　　登记期间：{{ period }}　　共 {{ count }} 件"],
            after=["登记人：" + SIGN_LINE + "　　QA：" + SIGN_LINE + "　　日期：" + DATE_LINE],
        ),
    ],
)

F11 = FormSpec(
    code="F11",
    title="客户投诉记录表",
    type="form",
    source="客户投诉处理标准操作规程 GL-004-00（附件二; 四、1–4）",
    kinds=["投诉"],
    profiles=["enterprise-quality", "pharma"],
    order=14,
    extra_fields={
        "qa_by": "QA",
        "qa_at": "QA记录日期",
        "reviewer": "复核人",
        "reviewed_at": "复核日期",
        "handling_route": "受理部门确定",
        "time_needed": "解决所需时间",
    },
    blocks=[
        Table(
            G6,
            [
                row(
                    L("投诉编号"),
                    V(c("case_no")),
                    L("QA"),
                    V(c("extra.qa_by")),
                    L("日期"),
                    V(c("extra.qa_at")),
                ),
                row(
                    L("文件编号"),
                    V("GL-004-00"),
                    L("复核人"),
                    V(c("extra.reviewer")),
                    L("日期"),
                    V(c("extra.reviewed_at")),
                ),
                section("一、投诉内容"),
                row(
                    L("投诉人"),
                    V(c("complainant.name")),
                    L("单位"),
                    V(c("complainant.organization"), REST),
                ),
                row(
                    L("联系电话"),
                    V(c("complainant.phone")),
                    L("电子邮件"),
                    V(c("complainant.email")),
                    L("投诉时间"),
                    V(c("received_at")),
                ),
                row(
                    L("接收人"),
                    V(c("receiver")),
                    L("投诉方式"),
                    V(ck("channel", "电话", "电子邮件", "信函", "来访", "传真"), REST),
                ),
                row(
                    L("产品/样品"),
                    V(c("subject.product_name")),
                    L("批号"),
                    V(c("subject.batch_no")),
                    L("订单编号"),
                    V(c("subject.order_no")),
                ),
                wide("投诉内容", c("content"), h=19),
                wide("投诉要求", c("request"), h=12),
                section("二、处理"),
                wide(
                    "受理部门",
                    [
                        ck(
                            "extra.handling_route",
                            "接收人自行处理",
                            "产品质量问题：研发部门和质量部门",
                            "样品包装及邮寄问题：商务部门和QA",
                            "其他",
                        ),
                        "受理部门："
                        + c("assignment.department")
                        + "　受理负责人："
                        + c("assignment.handler"),
                    ],
                ),
                wide("原因分析", c("investigation.root_cause"), h=10),
                wide(
                    "处理措施",
                    [c("resolution.measures"), "解决问题所需时间：" + c("extra.time_needed")],
                    h=12,
                ),
                signs("受理负责人"),
                section("三、跟踪回访（QA）"),
                row(
                    L("回访日期"),
                    V(c("follow_up.visited_at")),
                    L("回访人"),
                    V(c("follow_up.by")),
                    L("办结日期"),
                    V(c("closed_at")),
                ),
                wide("满意程度", ck("follow_up.satisfaction", *schema.SATISFACTION)),
                wide("客户反馈", c("follow_up.opinion"), h=10),
                wide("预防措施", c("resolution.preventive_action"), h=10),
                signs("QA", "复核人"),
            ],
        ),
        Para("投诉档案包括本记录表和投诉处理措施及客户反馈表，由QA部门建立并保管。", "RK Small"),
    ],
)

WARRANTY_NOTE = (
    "最低保修期限：地基基础和主体结构为设计文件规定的合理使用年限；屋面防水、有防水要求的卫生间、房间和外墙面的防渗漏"
    "为5年；供热与供冷系统为2个采暖期、供冷期；电气管线、给排水管道、设备安装为2年；装修工程为2年；"
    "其他项目由建设单位和施工单位在合同中约定。"
)

F14 = FormSpec(
    code="F14",
    title="工程质量投诉登记表",
    type="form",
    source="工程质量投诉处理工作制度（四、五）; 质量投诉处理工作制度（质监站, 1–8）",
    kinds=["投诉"],
    profiles=["construction"],
    order=15,
    extra_fields={
        "project_name": "工程名称",
        "location": "工程部位",
        "project_type": "工程类别",
        "respondent_type": "投诉对象类别",
        "in_warranty": "是否在保修期内",
        "completion_date": "竣工（交付）日期",
        "evidence": "证据",
        "written_material": "是否已提供文字材料",
        "survey_date": "现场勘察日期",
        "testing": "检测鉴定",
        "testing_fee": "检测鉴定费用",
        "rectification_no": "整改通知单编号",
        "authority_reported_at": "向主管部门汇报日期",
    },
    blocks=[
        Table(
            G6,
            [
                section("一、投诉登记"),
                row(
                    L("登记编号"),
                    V(c("case_no")),
                    L("投诉时间"),
                    V(c("received_at")),
                    L("接待人"),
                    V(c("receiver")),
                ),
                wide("投诉方式", ck("channel", "信函", "电话", "来访", "电子邮件", "第三方转交")),
                row(
                    L("投诉人"),
                    V(c("complainant.name")),
                    L("联系电话"),
                    V(c("complainant.phone")),
                    L("单位"),
                    V(c("complainant.organization")),
                ),
                wide(
                    "联系地址",
                    [
                        c("complainant.address"),
                        yn("complainant.anonymous", "匿名投诉", "实名投诉（处理情况须通知投诉人）"),
                    ],
                ),
                wide("工程名称", c("extra.project_name")),
                row(
                    L("工程部位"),
                    V(c("extra.location"), 3),
                    L("竣工日期"),
                    V(c("extra.completion_date")),
                ),
                wide(
                    "工程类别",
                    ck(
                        "extra.project_type", "建筑工程", "道路工程", "桥梁工程", "市政工程", "其他"
                    ),
                ),
                wide(
                    "投诉对象",
                    [
                        c("respondent"),
                        ck(
                            "extra.respondent_type",
                            "施工单位",
                            "建设单位",
                            "监理单位",
                            "设计单位",
                            "其他",
                        ),
                    ],
                ),
                wide(
                    "是否在保修期内",
                    [
                        yn(
                            "extra.in_warranty",
                            "在保修期内（质监站主动到现场调查，责成有关方面处理）",
                            "已超过保修期（由产权单位或有关部门处理）",
                        ),
                        Small(WARRANTY_NOTE),
                    ],
                ),
                wide("投诉内容", c("content"), h=17),
                wide("投诉要求", c("request")),
                wide(
                    "证据",
                    [
                        multi("extra.evidence", "照片", "视频", "文件"),
                        "证据清单：" + jn("attachments"),
                        yn(
                            "extra.written_material",
                            "已提供文字材料（投诉人对材料的真实性负责）",
                            "未提供（电话、来访投诉应要求投诉者提供文字材料）",
                        ),
                    ],
                ),
                signs("接待人", "投诉人"),
                section("二、现场勘察与核实"),
                row(
                    L("勘察日期"),
                    V(c("extra.survey_date")),
                    L("勘察人员"),
                    V(jn("assignment.investigators"), REST),
                ),
                wide("勘察情况", c("investigation.findings"), h=16),
                wide(
                    "核实结论",
                    [
                        yn(
                            "investigation.valid",
                            "存在工程质量问题",
                            "未发现工程质量问题（符合设计和验收标准）",
                        ),
                        "责任单位：" + c("investigation.responsibility"),
                    ],
                ),
                wide(
                    "检测鉴定",
                    [
                        c("extra.testing"),
                        "费用："
                        + ck(
                            "extra.testing_fee",
                            "投诉方垫支，责任单位承担",
                            "投诉方承担（工程质量符合要求）",
                            "不需要检测鉴定",
                        ),
                        Small(
                            "投诉方要求检测、鉴定的，由投诉处理机构委托有资质的检测单位或组织专家进行，费用由投诉方垫支，"
                            "责任单位承担；经检测鉴定工程质量符合设计和检测评定标准要求的，费用由投诉方承担。"
                        ),
                    ],
                ),
                signs("勘察人员"),
                section("三、处理与反馈"),
                wide(
                    "处理意见",
                    [c("resolution.measures"), "整改通知单编号：" + c("extra.rectification_no")],
                    h=12,
                ),
                row(
                    L("处理人"),
                    V(c("assignment.handler")),
                    L("汇报主管部门"),
                    V(c("extra.authority_reported_at")),
                    L("办结日期"),
                    V(c("closed_at")),
                ),
                wide(
                    "反馈投诉人",
                    [
                        "反馈日期："
                        + c("reply.replied_at")
                        + "　方式："
                        + ck("reply.method", *schema.REPLY_METHODS),
                        c("reply.content"),
                    ],
                    h=12,
                ),
                signs("处理人", "质监站负责人"),
            ],
        ),
        Para(
            "受理一件，处理一件，件件有结果；调查和处理情况在两个月内向主管部门汇报。", "RK Small"
        ),
    ],
)

DRUG_CLASSES = ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ")
DRUG_CLASS_NOTE = (
    "Ⅰ类：可能危及生命或严重威胁患者健康的缺陷（如产品或规格错误、无菌制剂污染、活性成分错误）；"
    "Ⅱ类：可能引起疾病或误诊的缺陷（如标签错误、化学/物理污染、与规格不符）；"
    "Ⅲ类：可能不会严重威胁患者健康的缺陷（如包装缺陷、批号或有效期错误、密封缺陷）；"
    "Ⅳ类：对患者健康没有危害的缺陷（如偶尔缺片、次级包装损害、不严重的打印错误）；"
    "Ⅴ类：无缺陷产品（经调查非产品本身或过程引入）。"
)

F15 = FormSpec(
    code="F15",
    title="药品质量投诉登记表",
    type="form",
    source="质量投诉管理制度（药品经营, 4–6）; 投诉的分类及管理（Ⅰ–Ⅴ类）",
    kinds=["投诉"],
    profiles=["pharma"],
    order=16,
    extra_fields={
        "manufacturer": "生产企业",
        "expiry_date": "有效期至",
        "complaint_nature": "投诉性质",
        "drug_class": "严重程度（Ⅰ–Ⅴ类）",
        "suspension_notified_at": "暂停销售/发货通知时间",
        "suspension_notified": "已通知暂停的部门和单位",
        "suspension_lifted_at": "解除暂停日期",
        "investigated_at": "调查取证完成时间",
    },
    blocks=[
        Table(
            G6,
            [
                section("一、投诉登记（质量管理部）"),
                row(
                    L("登记编号"),
                    V(c("case_no")),
                    L("投诉时间"),
                    V(c("received_at")),
                    L("接收人"),
                    V(c("receiver")),
                ),
                row(
                    L("投诉单位"),
                    V(c("complainant.organization"), 3),
                    L("投诉方式"),
                    V(c("channel")),
                ),
                row(
                    L("投诉人"),
                    V(c("complainant.name")),
                    L("职务"),
                    V(c("complainant.occupation")),
                    L("联系电话"),
                    V(c("complainant.phone")),
                ),
                row(
                    L("品名"),
                    V(c("subject.product_name")),
                    L("规格"),
                    V(c("subject.spec")),
                    L("批号"),
                    V(c("subject.batch_no")),
                ),
                row(
                    L("生产企业"),
                    V(c("extra.manufacturer"), 3),
                    L("有效期至"),
                    V(c("extra.expiry_date")),
                ),
                row(
                    L("数量"),
                    V(c("subject.quantity")),
                    L("配送单号"),
                    V(c("subject.order_no"), REST),
                ),
                wide("投诉主要内容", c("content"), h=19),
                wide("投诉要求", c("request")),
                wide(
                    "投诉性质",
                    ck(
                        "extra.complaint_nature", "质量投诉", "医学投诉", "假药投诉", "工作质量投诉"
                    ),
                ),
                wide(
                    "严重程度",
                    [ck("extra.drug_class", *DRUG_CLASSES) + "　类", Small(DRUG_CLASS_NOTE)],
                ),
                signs("接收人"),
                section("二、暂停销售和发货"),
                wide(
                    "暂停通知",
                    [
                        "通知时间：" + c("extra.suspension_notified_at"),
                        multi(
                            "extra.suspension_notified",
                            "储运部（暂停发货）",
                            "销售部（暂停销售）",
                            "购货单位（暂停销售和使用）",
                        ),
                        "解除暂停（正常品种恢复销售和发货）日期："
                        + c("extra.suspension_lifted_at"),
                    ],
                ),
                section("三、调查取证（接到投诉后一天内完成）"),
                row(
                    L("调查人员"),
                    V(jn("assignment.investigators"), 3),
                    L("完成时间"),
                    V(c("extra.investigated_at")),
                ),
                wide("调查取证情况", c("investigation.findings"), h=16),
                wide(
                    "原因及责任",
                    [c("investigation.root_cause"), "责任：" + c("investigation.responsibility")],
                ),
                section("四、处理意见"),
                wide("处理意见", c("resolution.measures"), h=12),
                row(
                    L("质量机构\n负责人审批"),
                    V(c("resolution.approved_by")),
                    L("审批日期"),
                    V(c("resolution.approved_at")),
                    L("签字"),
                    V(""),
                    h=10,
                ),
                wide(
                    "答复投诉单位",
                    [
                        "答复日期："
                        + c("reply.replied_at")
                        + "　方式："
                        + ck("reply.method", *schema.REPLY_METHODS),
                        c("reply.content"),
                    ],
                    h=12,
                ),
                row(
                    L("预防措施"),
                    V(c("resolution.preventive_action"), 3),
                    L("办结日期"),
                    V(c("closed_at")),
                ),
                signs("质量管理部经办人", "质量机构负责人"),
            ],
        ),
    ],
)

F16 = FormSpec(
    code="F16",
    title="投诉或意见反馈处理登记表",
    type="form",
    source="客户投诉及客户意见反馈处理管理制度（律师事务所, 一至三）",
    kinds=["投诉", "意见建议"],
    when="extra.responsible_person",
    order=17,
    extra_fields={
        "intake_route": "受理渠道",
        "responsible_person": "专门负责人",
        "responsible_at": "书面意见日期",
        "responsible_opinion": "专门负责人书面意见",
        "major_matter": "是否重大事项",
        "meeting_decision": "所务会议/合伙人会议决定",
        "notify_authority": "是否向管理部门通报",
        "after_work": "不满意时的后续工作",
    },
    blocks=[
        Table(
            G6,
            [
                section("一、接待受理"),
                row(
                    L("登记编号"),
                    V(c("case_no")),
                    L("受理日期"),
                    V(c("received_at")),
                    L("接待受理人"),
                    V(c("receiver")),
                ),
                wide("类别", ck("kind", "投诉", "意见建议")),
                wide(
                    "受理渠道",
                    ck(
                        "extra.intake_route",
                        "书面（行政总台受理）",
                        "电话或上门（总台接待，转专门负责人）",
                        "司法行政机关、律师协会转来",
                    ),
                ),
                row(
                    L("投诉/反馈人"),
                    V(c("complainant.name")),
                    L("联系电话"),
                    V(c("complainant.phone")),
                    L("单位"),
                    V(c("complainant.organization")),
                ),
                wide("通讯地址", c("complainant.address")),
                wide("被投诉人", c("respondent")),
                wide("涉及事务", c("subject.description")),
                wide("投诉/意见\n内容", c("content"), h=17),
                wide("要求", c("request")),
                wide("留存原件", jn("attachments")),
                signs("接待受理人"),
                section("二、专门负责人书面意见"),
                row(
                    L("专门负责人"),
                    V(c("extra.responsible_person")),
                    L("日期"),
                    V(c("extra.responsible_at")),
                    L("签字"),
                    V(""),
                ),
                wide("书面意见", c("extra.responsible_opinion"), h=12),
                section("三、分管合伙人处理意见"),
                row(
                    L("分管合伙人"),
                    V(c("resolution.approved_by")),
                    L("日期"),
                    V(c("resolution.approved_at")),
                    L("签字"),
                    V(""),
                ),
                wide("回避", ["被投诉人应当回避。回避人员：" + jn("assignment.recused")]),
                wide("调查核实", c("investigation.findings"), h=10),
                wide("处理意见", c("resolution.measures"), h=10),
                wide(
                    "重大事项",
                    [
                        yn(
                            "extra.major_matter",
                            "涉及原则性问题或重大问题，提交所务会议/合伙人会议讨论",
                            "否",
                        ),
                        "会议决定：" + c("extra.meeting_decision"),
                        "向相关管理部门通报：" + yn("extra.notify_authority", "通报", "不通报"),
                    ],
                ),
                section("四、处理结果及满意度"),
                row(
                    L("回复日期"),
                    V(c("reply.replied_at")),
                    L("回复方式"),
                    V(ck("reply.method", *schema.REPLY_METHODS), REST),
                ),
                wide("处理结果\n（原则上书面回复）", c("reply.content"), h=12),
                wide(
                    "满意度调查",
                    [ck("follow_up.satisfaction", *schema.SATISFACTION), c("follow_up.opinion")],
                ),
                wide("后续工作", c("extra.after_work")),
                row(
                    L("归档日期"),
                    V(c("closed_at")),
                    L("回访人"),
                    V(c("follow_up.by")),
                    L("回访日期"),
                    V(c("follow_up.visited_at")),
                ),
                signs("专门负责人", "分管合伙人"),
            ],
        ),
        Para(
            "处理人员不得与投诉人发生争执，在作出处理决定前不得做任何承诺，不得将投诉及处理事宜告知不相关人员。",
            "RK Small",
        ),
    ],
)

F17 = FormSpec(
    code="F17",
    title="投诉处理记录",
    type="form",
    source="售后服务和质量投诉处理制度（5.1, 6）; 客户投诉处理管理（投诉分类、处理流程、处理职责）; 客户投诉处理（责任归属）",
    kinds=["投诉"],
    profiles=["after-sales", "enterprise-quality"],
    order=50,
    extra_fields={
        "cause_class": "投诉分类（原因）",
        "shipped_on": "交运日期",
        "countermeasure_by": "处理对策拟定部门",
        "execution": "执行情况",
        "effect": "效果确认",
    },
    blocks=[
        Table(
            G6,
            [
                row(
                    L("投诉编号"),
                    V(c("case_no")),
                    L("登记日期"),
                    V(c("received_at")),
                    L("记录人"),
                    V(c("receiver")),
                ),
                row(
                    L("客户"),
                    V(c("complainant.organization") + "　" + c("complainant.name"), 3),
                    L("联系电话"),
                    V(c("complainant.phone")),
                ),
                row(
                    L("产品名称"),
                    V(c("subject.product_name")),
                    L("规格/料号"),
                    V(c("subject.spec")),
                    L("数量"),
                    V(c("subject.quantity")),
                ),
                row(
                    L("订单编号"),
                    V(c("subject.order_no")),
                    L("交运日期"),
                    V(c("extra.shipped_on")),
                    L("批号"),
                    V(c("subject.batch_no")),
                ),
                wide(
                    "投诉分类",
                    ck("extra.cause_class", "质量异常", "非质量异常（人为因素）", "其他原因"),
                ),
                wide("投诉内容", c("content"), h=16),
                wide("客户要求", c("request")),
                section("一、调查分析"),
                wide(
                    "调查分析",
                    [c("investigation.findings"), "调查人员：" + jn("assignment.investigators")],
                    h=13,
                ),
                wide("原因", c("investigation.root_cause")),
                wide(
                    "责任归属",
                    [c("investigation.responsibility"), "责任部门：" + c("assignment.department")],
                ),
                section("二、处理对策"),
                wide(
                    "处理对策",
                    [c("resolution.measures"), "拟定部门：" + c("extra.countermeasure_by")],
                    h=12,
                ),
                wide("改善（预防）措施", c("resolution.preventive_action")),
                section("三、执行与跟踪"),
                wide("执行情况", c("extra.execution"), h=10),
                row(
                    L("跟踪人"),
                    V(c("follow_up.by")),
                    L("跟踪日期"),
                    V(c("follow_up.visited_at")),
                    L("效果确认"),
                    V(c("extra.effect")),
                ),
                wide(
                    "客户反馈",
                    [ck("follow_up.satisfaction", *schema.SATISFACTION), c("follow_up.opinion")],
                ),
                section("四、审批"),
                row(
                    L("费用（元）"),
                    V(c("resolution.compensation")),
                    L("审批人"),
                    V(c("resolution.approved_by")),
                    L("审批日期"),
                    V(c("resolution.approved_at")),
                ),
                signs("售后服务管理人员", "质检部门", "审批人"),
            ],
        ),
        Para(
            "售后服务管理人员编写客户投诉编号并登记于本记录，并最终负责将处理结果落实、反馈到有关领导、部门。",
            "RK Small",
        ),
    ],
)

F20 = FormSpec(
    code="F20",
    title="调查意见表",
    type="form",
    source="客户投诉处理程序（产品质量, 三（二）调查被投诉问题产生的原因）",
    kinds=["投诉"],
    profiles=["enterprise-quality"],
    order=35,
    extra_fields={
        "visited_on": "现场调查日期",
        "quality_determination": "是否属于质量问题",
        "exchange_requested": "是否申请退换货",
        "supervisor_decision": "上级主管决策意见",
    },
    blocks=[
        Table(
            G6,
            [
                row(
                    L("编号"),
                    V(c("case_no")),
                    L("投诉日期"),
                    V(c("received_at")),
                    L("调查日期"),
                    V(c("extra.visited_on")),
                ),
                row(
                    L("投诉人"),
                    V(c("complainant.name")),
                    L("联系电话"),
                    V(c("complainant.phone")),
                    L("购买地点"),
                    V(c("subject.purchase_place")),
                ),
                row(
                    L("产品名称"),
                    V(c("subject.product_name")),
                    L("生产批号"),
                    V(c("subject.batch_no")),
                    L("投诉量"),
                    V(c("subject.quantity")),
                ),
                wide("投诉问题", c("content"), h=14),
                section("一、现场初步调查"),
                row(
                    L("调查人员"),
                    V(jn("assignment.investigators"), 3),
                    L("责任区域"),
                    V(c("assignment.department")),
                ),
                wide("初步调查情况", c("investigation.findings"), h=17),
                wide("问题产生原因", c("investigation.root_cause"), h=12),
                wide(
                    "是否属于\n质量问题",
                    [
                        ck(
                            "extra.quality_determination",
                            "明显质量问题",
                            "难以界定（申请暂时退回公司，由质量部门界定）",
                            "不属于质量问题",
                        ),
                    ],
                ),
                wide(
                    "质量问题照片",
                    [
                        jn("attachments"),
                        Small(
                            "属于产品质量问题的，现场调查人员必须获得投诉产品的质量问题照片，并论述鉴定结果。"
                        ),
                    ],
                ),
                wide(
                    "处理意见",
                    [
                        c("resolution.measures"),
                        yn(
                            "extra.exchange_requested",
                            "已填写产品质量界定和退换货申请",
                            "不需退换货",
                        ),
                    ],
                    h=12,
                ),
                signs("调查人"),
                section("二、上级主管决策"),
                row(
                    L("主管"),
                    V(c("resolution.approved_by")),
                    L("日期"),
                    V(c("resolution.approved_at")),
                    L("签字"),
                    V(""),
                ),
                wide("决策意见", c("extra.supervisor_decision"), h=13),
            ],
        ),
        Para(
            "本表以内联单方式向被投诉责任区域的主管汇报，并提供处理意见，供上级主管决策。",
            "RK Small",
        ),
    ],
)

F21 = FormSpec(
    code="F21",
    title="客户满意度调查表",
    type="form",
    source="投诉处理程序（检测实验室, 3.1.2 客户满意度调查, 3.5.1）; 售后服务和质量投诉处理制度（4.4 顾客回访, 4.6）",
    when="follow_up",
    order=70,
    extra_fields={
        "visit_method": "回访方式",
        "rating_timeliness": "处理及时性",
        "rating_attitude": "服务态度",
        "rating_result": "处理结果",
        "rating_quality": "产品/服务质量",
        "next_actions": "后续措施",
    },
    blocks=[
        Table(
            G6,
            [
                row(
                    L("编号"),
                    V(c("case_no")),
                    L("投诉日期"),
                    V(c("received_at")),
                    L("办结日期"),
                    V(c("closed_at")),
                ),
                row(
                    L("客户"),
                    V(c("complainant.name")),
                    L("单位"),
                    V(c("complainant.organization"), REST),
                ),
                row(
                    L("联系电话"),
                    V(c("complainant.phone")),
                    L("类别"),
                    V(c("kind")),
                    L("责任部门"),
                    V(c("assignment.department")),
                ),
                wide("投诉事项", c("subject.description")),
                wide("处理结果", c("resolution.measures"), h=12),
                section("回访"),
                row(
                    L("回访日期"),
                    V(c("follow_up.visited_at")),
                    L("回访人"),
                    V(c("follow_up.by")),
                    L("回访方式"),
                    V(c("extra.visit_method")),
                ),
                row(L("处理及时性"), V(ck("extra.rating_timeliness", *schema.SATISFACTION), REST)),
                row(L("服务态度"), V(ck("extra.rating_attitude", *schema.SATISFACTION), REST)),
                row(L("处理结果"), V(ck("extra.rating_result", *schema.SATISFACTION), REST)),
                row(L("产品/服务质量"), V(ck("extra.rating_quality", *schema.SATISFACTION), REST)),
                wide("总体满意度", ck("follow_up.satisfaction", *schema.SATISFACTION)),
                wide("意见和建议", c("follow_up.opinion"), h=17),
                wide(
                    "后续措施",
                    [
                        c("extra.next_actions"),
                        Small(
                            "对客户提出的问题和要求汇总分析，形成改进意见；对调查表上提出的问题给予针对性的答复。"
                        ),
                    ],
                    h=13,
                ),
                signs("回访人", "客户"),
            ],
        ),
        Para(
            "本表由资料管理员保存；按季度汇总计算顾客满意率，年底整理顾客满意程度调查报告。",
            "RK Small",
        ),
    ],
)

F22 = FormSpec(
    code="F22",
    title="投诉处理报告",
    type="form",
    source="投诉处理与质量反馈制度（第四节 投诉反馈与整改）; 投诉受理处置（投诉处理结束后15日内报告）",
    kinds=["投诉"],
    profiles=["enterprise-quality", "government"],
    when="closed_at",
    order=80,
    extra_fields={
        "report_to": "报送",
        "report_date": "报告日期",
        "statistics": "统计",
        "leader_opinion": "领导层评估和反馈意见",
    },
    blocks=[
        Table(
            G4,
            [
                row(L("报告编号"), V(c("case_no")), L("报告日期"), V(c("extra.report_date"))),
                row(
                    L("报送"), V(c("extra.report_to")), L("编制部门"), V(c("assignment.department"))
                ),
                section("一、投诉概况"),
                row(
                    L("投诉人"),
                    V(c("complainant.organization") + "　" + c("complainant.name")),
                    L("投诉时间"),
                    V(c("received_at")),
                ),
                row(
                    L("投诉方式"),
                    V(c("channel")),
                    L("分类/等级"),
                    V(c("category") + "　" + c("severity")),
                ),
                wide("投诉问题", c("content"), h=16),
                section("二、调查过程"),
                wide("调查人员", jn("assignment.investigators")),
                wide("调查情况", c("investigation.findings"), h=14),
                section("三、原因"),
                wide("原因分析", c("investigation.root_cause"), h=12),
                wide("责任认定", c("investigation.responsibility")),
                section("四、处理结果"),
                wide("处理措施", c("resolution.measures"), h=10),
                row(
                    L("赔偿金额（元）"),
                    V(c("resolution.compensation")),
                    L("办结日期"),
                    V(c("closed_at")),
                ),
                wide("答复投诉人", c("reply.content")),
                row(L("满意度"), V(ck("follow_up.satisfaction", *schema.SATISFACTION), REST)),
                section("五、改进措施"),
                wide(
                    "改进措施",
                    [
                        c("resolution.preventive_action"),
                        "纠正措施编号：" + c("resolution.corrective_action_no"),
                    ],
                    h=10,
                ),
                section("六、统计"),
                wide("同类投诉统计", c("extra.statistics"), h=12),
                signs("编制人", "审核人"),
                section("七、领导层评估和反馈"),
                wide("意见", c("extra.leader_opinion"), h=12),
                signs("公司领导"),
            ],
        ),
    ],
)

F23 = FormSpec(
    code="F23",
    title="质量事故调查处理报告表",
    type="form",
    record_type="incident",
    source="质量投诉、事故调查和处理报告管理制度（医疗器械门店 4.1; 质量事故的划分与报告时限）",
    kinds=[],
    order=100,
    retention="D30",
    blocks=[
        Table(
            G6,
            [
                section("一、事故概况"),
                row(
                    L("事故编号"),
                    V(c("case_no")),
                    L("发生时间"),
                    V(c("occurred_at")),
                    L("发生地点"),
                    V(c("place")),
                ),
                row(
                    L("发生部门"),
                    V(c("department")),
                    L("报告人"),
                    V(c("reported_by")),
                    L("报告时间"),
                    V(c("reported_at")),
                ),
                wide("来源投诉", linked()),
                row(
                    L("品名"),
                    V(c("product.name")),
                    L("规格型号"),
                    V(c("product.spec")),
                    L("批号"),
                    V(c("product.batch_no")),
                ),
                row(
                    L("生产企业"),
                    V(c("product.manufacturer"), 3),
                    L("数量"),
                    V(c("product.quantity")),
                ),
                wide("事故范围", c("scope")),
                wide("事故经过", c("description"), h=19),
                row(
                    L("人员伤亡"),
                    V(yn("casualties", "有", "无")),
                    L("伤亡情况"),
                    V(c("casualty_details"), REST),
                ),
                row(
                    L("损失金额（元）"),
                    V(c("loss_amount")),
                    L("事故等级"),
                    V(ck("grade", *schema.INCIDENT_GRADES), REST),
                ),
                wide(
                    "重大事故情形",
                    [
                        ck_line("serious_reason", schema.SERIOUS_REASONS[:3]),
                        ck_line("serious_reason", schema.SERIOUS_REASONS[3:])
                        + ck_other("serious_reason", schema.SERIOUS_REASONS),
                        Small("等级标准：{{ case.grade_rule }}"),
                    ],
                ),
                wide(
                    "紧急措施",
                    [
                        c("immediate_actions"),
                        Small(
                            "在场人员应采取必要的紧急措施，防止事故扩大，使损失减低到最小程度，并注意保护现场。"
                        ),
                    ],
                    h=12,
                ),
                signs("事故部门负责人"),
                section("二、调查（质管部）"),
                wide("调查人员", jn("investigation.investigators")),
                wide("调查情况", c("investigation.findings"), h=13),
                wide("事故原因", c("investigation.cause"), h=12),
                wide(
                    "责任范围",
                    [
                        c("investigation.responsibility"),
                        "责任部门及责任人：" + c("investigation.responsible_party"),
                    ],
                ),
                wide("纠正措施", [c("corrective_action"), "纠正措施编号：" + c("capa_no")], h=12),
                signs("质管部调查人"),
                section("三、上报"),
                wide(
                    "上报时限",
                    [
                        c("report_rule"),
                        "{% if case.report_due %}本事故：{{ case.report_due }}{% endif %}",
                    ],
                ),
                row(
                    L("上报单位"),
                    V(c("report.to")),
                    L("上报时间"),
                    V(c("report.reported_at")),
                    L("书面报告"),
                    V(c("report.written_at")),
                ),
                signs("质管部负责人", "企业负责人"),
            ],
        ),
    ],
)

F24 = FormSpec(
    code="F24",
    title="公司质量事故处理表",
    type="form",
    record_type="incident",
    source="质量投诉、事故调查和处理报告管理制度（4.1.3 ⑥–⑨）; 质量事故处理制度（“四不放过”原则）",
    kinds=[],
    order=105,
    retention="D30",
    blocks=[
        Table(
            G6,
            [
                row(
                    L("事故编号"),
                    V(c("case_no")),
                    L("发生时间"),
                    V(c("occurred_at")),
                    L("事故等级"),
                    V(c("grade")),
                ),
                row(
                    L("发生部门"),
                    V(c("department")),
                    L("发生地点"),
                    V(c("place")),
                    L("损失金额（元）"),
                    V(c("loss_amount")),
                ),
                wide("来源投诉", linked()),
                wide("事故概况", c("description"), h=13),
                section("一、调查情况"),
                wide("调查情况", c("investigation.findings"), h=13),
                wide(
                    "原因及责任",
                    [
                        c("investigation.cause"),
                        "责任：" + c("investigation.responsibility"),
                        "责任部门及责任人：" + c("investigation.responsible_party"),
                    ],
                ),
                wide(
                    "纠正措施\n（责任部门书面检查、整改）",
                    [c("corrective_action"), "纠正措施编号：" + c("capa_no")],
                    h=12,
                ),
                section("二、处理意见（质管部、企业负责人根据事故情况、责任人表现及相关规定作出）"),
                wide("处理意见", c("handling.opinion"), h=13),
                wide("处理结果", c("handling.result"), h=10),
                section("三、企业负责人意见"),
                wide("意见", c("handling.leader_opinion"), h=10),
                row(
                    L("企业负责人"),
                    V(c("handling.leader")),
                    L("日期"),
                    V(c("handling.decided_at")),
                    L("签字"),
                    V(""),
                    h=10,
                ),
                section("四、公布情况"),
                row(
                    L("公布日期"),
                    V(c("handling.published_at")),
                    L("公布方式"),
                    V(c("handling.published_how"), REST),
                ),
                row(
                    L("结案日期"),
                    V(c("closed_at")),
                    L("上报时间"),
                    V(c("report.reported_at")),
                    L("书面报告"),
                    V(c("report.written_at")),
                ),
                signs("质管部负责人", "企业负责人"),
            ],
        ),
        Para(
            "处理结束后，由质管部在公司办公会议上公布质量事故的调查处理情况，起到教育职工的警示作用。"
            "坚持“事故原因未查清不放过、当事人和群众未受教育不放过、没有防范措施不放过、"
            "责任者和单位负责人未受处理不放过”的“四不放过”原则。",
            "RK Small",
        ),
    ],
)

F25 = FormSpec(
    code="F25",
    title="整改通知单",
    type="form",
    record_type="rectification",
    source="质量处理、整改制度（一、质量整改制度; 质量检查制度：对质量隐患要有处理后的复查记录）",
    kinds=[],
    order=110,
    blocks=[
        Table(
            G6,
            [
                row(
                    L("通知单编号"),
                    V(c("case_no")),
                    L("签发日期"),
                    V(c("issued_at")),
                    L("签发部门"),
                    V(c("issuer")),
                ),
                row(L("被通知单位"), V(c("recipient"), 3), L("负责人"), V(c("recipient_contact"))),
                row(L("工程（项目）\n名称"), V(c("project"), 3), L("部位"), V(c("location"))),
                wide("问题来源", ck("source", *schema.RECTIFICATION_SOURCES)),
                wide("来源投诉", linked()),
                wide("存在问题", c("problem"), h=16),
                wide(
                    "整改要求",
                    [
                        c("requirement"),
                        Small(
                            "接到本通知单后应高度重视，制定针对性强、切实可行有效的整改方案，按期整改并书面回复；"
                            "整改完成后由签发部门复查验收，复查不合格的重新整改。"
                        ),
                    ],
                    h=12,
                ),
                row(
                    L("整改期限"),
                    V(c("deadline")),
                    L("问题性质"),
                    V(
                        yn(
                            "serious",
                            "重大问题（整改方案报公司总工审核、主管部门批准后实施）",
                            "一般问题",
                        ),
                        REST,
                    ),
                ),
                row(
                    L("签发人"),
                    V(c("issued_by")),
                    L("签收人"),
                    V(c("received_by")),
                    L("签收日期"),
                    V(c("received_at")),
                ),
                signs("签发人", "签收人"),
                section("一、整改方案（被通知单位填写）"),
                wide("整改方案", c("plan.content"), h=10),
                row(
                    L("方案审核"),
                    V(c("plan.approved_by")),
                    L("批准日期"),
                    V(c("plan.approved_at")),
                    L("审核人签字"),
                    V(""),
                ),
                section("二、整改情况（被通知单位填写）"),
                wide("整改情况", c("completion.report"), h=10),
                row(
                    L("完成日期"),
                    V(c("completion.completed_at")),
                    L("被通知单位负责人签字"),
                    V("", REST),
                    h=10,
                ),
                section("三、复查验收（签发部门）"),
                row(
                    L("复查人"),
                    V(c("recheck.by")),
                    L("复查日期"),
                    V(c("recheck.at")),
                    L("复查结论"),
                    V(ck("recheck.result", *schema.RECTIFICATION_RESULTS)),
                ),
                wide("复查意见", c("recheck.opinion"), h=10),
                row(L("关闭日期"), V(c("closed_at")), L("附件"), V(jn("attachments"), REST)),
                signs("复查人", "签发部门负责人"),
            ],
        ),
    ],
)

F26 = FormSpec(
    code="F26",
    title="纠正和预防措施表",
    type="form",
    record_type="capa",
    source="申诉和投诉处理程序（6.4.1 纠正措施、6.4.2 预防措施,《纠正和预防措施控制程序》; 4.2–4.3 职责）",
    kinds=[],
    order=120,
    blocks=[
        Table(
            G6,
            [
                row(
                    L("措施编号"),
                    V(c("case_no")),
                    L("提出日期"),
                    V(c("opened_at")),
                    L("提出人"),
                    V(c("raised_by")),
                ),
                wide("措施类型", ck("action_type", *schema.CAPA_TYPES)),
                wide(
                    "不符合来源",
                    [ck("source", *schema.CAPA_SOURCES), "来源记录编号：" + c("source_ref")],
                ),
                wide("投诉编号", linked()),
                wide(
                    "启动情形",
                    [
                        "纠正措施：" + ck_line("basis", schema.CAPA_BASES[:2]),
                        "　　　　　" + ck_line("basis", schema.CAPA_BASES[2:4]),
                        "预防措施："
                        + ck_line("basis", schema.CAPA_BASES[4:])
                        + ck_other("basis", schema.CAPA_BASES),
                    ],
                ),
                wide("不符合事实", c("nonconformity"), h=14),
                row(
                    L("责任部门"),
                    V(c("department")),
                    L("责任人"),
                    V(c("owner")),
                    L("完成期限"),
                    V(c("due")),
                ),
                wide("原因分析", c("cause"), h=13),
                wide("纠正\n（立即处置）", c("correction"), h=10),
                wide("纠正措施", c("corrective_action"), h=13),
                wide("预防措施", c("preventive_action"), h=10),
                row(
                    L("批准人"),
                    V(c("approved_by")),
                    L("批准日期"),
                    V(c("approved_at")),
                    L("批准人签字"),
                    V(""),
                    h=10,
                ),
                section("实施与验证"),
                row(
                    L("完成日期"),
                    V(c("completed_at")),
                    L("验证人"),
                    V(c("verification.by")),
                    L("验证日期"),
                    V(c("verification.at")),
                ),
                wide("验证情况", c("verification.notes"), h=13),
                wide(
                    "验证结论",
                    [
                        ck("verification.result", *schema.CAPA_RESULTS),
                        Small(
                            "验证人不得由措施责任人担任；验证无效的，重新分析原因、制定措施。"
                            "相关责任室负责制定、实施纠正和预防措施，质量负责人监督实施。"
                        ),
                    ],
                ),
                row(L("关闭日期"), V(c("closed_at")), L("附件"), V(jn("attachments"), REST)),
                signs("责任人", "验证人", "质量负责人"),
            ],
        ),
    ],
)

PARTS_GRID = [12, 52, 22, 84]


def parts_table(blank_rows: int = 2) -> Table:
    """换件明细: one row per part; blank rows to write on when no part was changed."""
    return Table(
        PARTS_GRID,
        [
            row(
                Cell("序号", 1, "label"),
                Cell("换件名称", 1, "label"),
                Cell("数量", 1, "label"),
                Cell("换件原因", 1, "label"),
            ),
            row(V("{%tr for p in case.parts %}", REST)),
            row(
                V("{{ loop.index }}", align="center"),
                V("{{ p.name }}"),
                V("{{ p.quantity }}", align="center"),
                V("{{ p.reason }}"),
            ),
            row(V("{%tr endfor %}", REST)),
            row(V("{%tr if not case.parts %}", REST)),
            *[row(V(""), V(""), V(""), V(""), h=7) for _ in range(blank_rows)],
            row(V("{%tr endif %}", REST)),
        ],
    )


F27 = FormSpec(
    code="F27",
    title="产品售后服务单",
    type="form",
    record_type="service",
    source="售后服务和质量投诉处理制度（3.3.2, 3.4.2 e, 4.3.2–4.3.4）",
    kinds=["维修", "保养", "巡检", "技术培训"],
    order=130,
    blocks=[
        Table(
            G6,
            [
                row(
                    L("服务单编号"),
                    V(c("case_no")),
                    L("报修时间"),
                    V(c("requested_at")),
                    L("报修方式"),
                    V(c("channel")),
                ),
                row(
                    L("用户单位"),
                    V(c("customer.organization"), 3),
                    L("联系人"),
                    V(c("customer.contact")),
                ),
                row(
                    L("联系电话"), V(c("customer.phone")), L("地址"), V(c("customer.address"), REST)
                ),
                row(
                    L("产品名称"),
                    V(c("product.name")),
                    L("产品型号"),
                    V(c("product.model")),
                    L("产品编号"),
                    V(c("product.serial_no")),
                ),
                row(
                    L("安装日期"),
                    V(c("product.installed_on")),
                    L("是否三包"),
                    V(yn("warranty", "是", "否")),
                    L("服务类别"),
                    V(c("kind")),
                ),
                wide("来源投诉", linked()),
                wide("故障现象", c("fault"), h=12),
                row(
                    L("服务工程师"),
                    V(jn("engineers")),
                    L("到达时间"),
                    V(c("arrived_at")),
                    L("完成时间"),
                    V(c("completed_at")),
                ),
                wide("故障原因", c("diagnosis"), h=12),
                wide("处理情况", c("work_done"), h=14),
            ],
        ),
        parts_table(),
        Table(
            G6,
            [
                row(L("收费金额（元）"), V(c("charge")), L("遗留问题"), V(c("open_issues"), REST)),
                signs("服务工程师"),
                section("顾客对服务的评价（服务完成后由用户填写）"),
                wide("用户评价", ck("rating", *schema.SATISFACTION)),
                wide("用户意见", c("customer_opinion"), h=12),
                Row(
                    [
                        Cell(
                            [
                                "服务完成后由用户签字确认。用户签字（盖章）："
                                + SIGN_LINE
                                + "{% if case.customer_signer %}"
                                "（{{ case.customer_signer }}）{% endif %}　　日期："
                                + or_blank("case.customer_signed_at"),
                                Small(
                                    "服务人员不允许在服务前要求用户签字（盖章），不允许涂改、伪造用户的签字（盖章）或意见。"
                                ),
                            ],
                            REST,
                            "value",
                        )
                    ],
                    14,
                ),
                section("营销策划部验证"),
                row(
                    L("回访验证人"),
                    V(c("verified_by")),
                    L("验证日期"),
                    V(c("verified_at")),
                    L("关闭日期"),
                    V(c("closed_at")),
                ),
            ],
        ),
        Para(
            "服务人员回公司后，应及时将本单交营销策划部，并填写售后服务记录表、售后服务故障处理记事表；"
            "换下的旧件须妥善包装及时带回。",
            "RK Small",
        ),
    ],
)

F28 = FormSpec(
    code="F28",
    title="安装验收单",
    type="form",
    record_type="service",
    source="售后服务和质量投诉处理制度（4.1.3 售后服务内容, 4.5.3.5）",
    kinds=["安装调试"],
    order=135,
    blocks=[
        Table(
            G6,
            [
                row(
                    L("编号"),
                    V(c("case_no")),
                    L("安装通知时间"),
                    V(c("requested_at")),
                    L("通知方式"),
                    V(c("channel")),
                ),
                row(
                    L("用户单位"),
                    V(c("customer.organization"), 3),
                    L("联系人"),
                    V(c("customer.contact")),
                ),
                row(
                    L("联系电话"),
                    V(c("customer.phone")),
                    L("安装地址"),
                    V(c("customer.address"), REST),
                ),
                row(
                    L("产品名称"),
                    V(c("product.name")),
                    L("产品型号"),
                    V(c("product.model")),
                    L("产品编号"),
                    V(c("product.serial_no")),
                ),
                row(
                    L("安装人员"),
                    V(jn("engineers")),
                    L("开始安装"),
                    V(c("arrived_at")),
                    L("安装完成"),
                    V(c("completed_at")),
                ),
                wide("来源投诉", linked()),
                wide("安装调试情况", c("commissioning"), h=17),
                wide(
                    "培训情况", [c("training"), Small("为顾客免费培训所购产品的使用人员。")], h=12
                ),
                wide("安装中发现的问题", c("fault"), h=10),
                section("验收（客户填写）"),
                wide("验收意见", ck("acceptance", *schema.ACCEPTANCE_RESULTS)),
                wide("需整改事项", c("open_issues"), h=10),
                wide("客户评价", ck("rating", *schema.SATISFACTION)),
                wide("意见及建议", c("customer_opinion"), h=12),
                Row(
                    [
                        Cell(
                            [
                                "客户签字（盖章）："
                                + SIGN_LINE
                                + "{% if case.customer_signer %}（{{ case.customer_signer }}）{% endif %}"
                                "　　日期：" + or_blank("case.customer_signed_at"),
                            ],
                            REST,
                            "value",
                        )
                    ],
                    12,
                ),
                signs("安装人员"),
                section("营销策划部整理"),
                row(
                    L("收回整理人"),
                    V(c("verified_by")),
                    L("整理日期"),
                    V(c("verified_at")),
                    L("关闭日期"),
                    V(c("closed_at")),
                ),
            ],
        ),
        Para(
            "交付产品时随产品附上本单，完成交付时由客户填写，安装人员带回交营销策划部整理统计。"
            "产品安装调试后提供免费保修服务，保修期后提供终身维护服务。",
            "RK Small",
        ),
    ],
)

F29 = FormSpec(
    code="F29",
    title="售后服务故障处理记事表",
    type="register",
    record_type="service",
    source="售后服务和质量投诉处理制度（4.3.4）",
    kinds=["维修"],
    profiles=["after-sales"],
    order=930,
    retention="D30",
    blocks=[
        Register(
            columns=[
                ("序号", 8, "{{ loop.index }}"),
                ("日期", 22, "{{ r.requested_at }}"),
                ("服务单编号", 24, "{{ r.case_no }}"),
                ("用户", 36, "{{ r.customer.organization }}"),
                ("产品型号/编号", 27, "{{ r.product.model }}\n{{ r.product.serial_no }}"),
                ("故障", 45, "{{ r.fault }}"),
                ("处理", 45, "{{ r.work_done }}"),
                ("工程师", 16, "{{ r.engineers|join('、') }}"),
                (
                    "结果",
                    34,
                    "{% if r.open_issues %}遗留：{{ r.open_issues }}{% elif r.completed_at %}已处理"
                    "{% else %}处理中{% endif %}",
                ),
            ],
            before=["期间：{{ period }}　　共 {{ count }} 次"],
            after=[
                "填表人：" + SIGN_LINE + "　　营销策划部：" + SIGN_LINE + "　　日期：" + DATE_LINE
            ],
        ),
    ],
)

R02 = FormSpec(
    code="R02",
    title="顾客来电、来函、来访处理记录",
    type="register",
    source="售后服务和质量投诉处理制度（3.5 来电来函处理程序; 4.5.3.2）",
    profiles=["after-sales"],
    order=920,
    retention="D30",
    blocks=[
        Register(
            columns=[
                ("序号", 8, "{{ loop.index }}"),
                ("日期", 24, "{{ r.received_at }}"),
                ("方式", 14, "{{ r.channel }}"),
                ("顾客", 40, "{{ r.complainant.organization }}\n{{ r.complainant.name }}"),
                ("编号", 24, "{{ r.case_no }}"),
                ("事由", 62, "{{ r.content }}"),
                ("处理", 50, "{{ r.resolution.measures }}"),
                ("答复日期", 20, "{{ r.reply.replied_at }}"),
                ("经办人", 15, "{{ r.receiver }}"),
            ],
            before=["期间：{{ period }}　　共 {{ count }} 件（按来电、来函、来访的时间顺序）"],
            after=[
                "记录人："
                + SIGN_LINE
                + "　　营销策划部："
                + SIGN_LINE
                + "　　每季度汇总日期："
                + DATE_LINE
            ],
        ),
    ],
)

R03 = FormSpec(
    code="R03",
    title="售后服务记录表",
    type="register",
    record_type="service",
    source="售后服务和质量投诉处理制度（4.3.4）",
    kinds=list(schema.SERVICE_KINDS),
    profiles=["after-sales"],
    order=940,
    retention="D30",
    blocks=[
        Register(
            columns=[
                ("序号", 8, "{{ loop.index }}"),
                ("日期", 20, "{{ r.requested_at }}"),
                ("服务单编号", 22, "{{ r.case_no }}"),
                ("用户单位", 34, "{{ r.customer.organization }}"),
                ("产品型号/编号", 28, "{{ r.product.model }}\n{{ r.product.serial_no }}"),
                ("类别", 14, "{{ r.kind }}"),
                (
                    "服务内容",
                    62,
                    "{% for t in [r.fault, r.work_done, r.commissioning] if t %}{{ t }}"
                    "{% if not loop.last %}\n{% endif %}{% endfor %}",
                ),
                (
                    "换件",
                    30,
                    "{% for p in r.parts %}{{ p.name }} ×{{ p.quantity }}{% if p.reason %}（{{ p.reason }}）"
                    "{% endif %}{% if not loop.last %}\n{% endif %}{% endfor %}",
                ),
                ("工程师", 15, "{{ r.engineers|join('、') }}"),
                (
                    "三包",
                    12,
                    "{% if r.warranty == true %}是{% elif r.warranty == false %}否{% endif %}",
                ),
                ("评价", 12, "{{ r.rating }}"),
            ],
            before=["期间：{{ period }}　　共 {{ count }} 次服务"],
            after=[
                "填表人：" + SIGN_LINE + "　　营销策划部：" + SIGN_LINE + "　　日期：" + DATE_LINE
            ],
        ),
    ],
)

NEW_SPECS = [
    F04,
    F05,
    F06,
    F07,
    F10,
    F11,
    F14,
    F15,
    F16,
    F17,
    F20,
    F21,
    F22,
    F23,
    F24,
    F25,
    F26,
    F27,
    F28,
    F29,
    R02,
    R03,
]


SPECS: list[FormSpec] = [F01, F02, F03, F08, F09, F12, F13, F18, F19, R01, *NEW_SPECS]


if __name__ == "__main__":
    sys.exit(main())
