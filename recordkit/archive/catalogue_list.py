"""Lists an archive prints: the 归档文件目录 (DA/T 22-2015) and the 销毁清册, each as a
PDF (A4 landscape, the CJK font embedded) and as a spreadsheet with the same columns.

The PDFs are drawn with reportlab's platypus (tables that wrap Chinese text and repeat
their header row on every page); the spreadsheets with openpyxl, set up to print the
same way (landscape, header row repeated). Both are written atomically.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from recordkit.archive.numbering import retention_label
from recordkit.cases.spreadsheet import append_typed
from recordkit.dates import parse_date
from recordkit.files import write_atomic
from recordkit.fonts import reportlab_font
from recordkit.forms.catalog import Form

CATALOGUE_HEADERS = ["序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"]
CATALOGUE_WIDTHS_MM = [
    12,
    52,
    20,
    42,
    75,
    20,
    12,
    12,
    22,
]  # 267 mm: A4 landscape less 15 mm margins
DISPOSAL_HEADERS = [
    "序号",
    "档号",
    "题名",
    "年度",
    "保管期限",
    "页数",
    "鉴定意见",
    "批准人",
    "日期",
]
DISPOSAL_WIDTHS_MM = [12, 52, 70, 14, 18, 12, 45, 22, 22]
WRAPPED = {"档号", "题名", "责任者", "备注", "鉴定意见", "批准人", "文号"}


@dataclass
class Section:
    """One part of a list: a cover (or heading) and a table."""

    heading: list[tuple[str, str]]  # (label, value)
    rows: list[list[str]]
    sheet: str  # spreadsheet tab name


def day8(timestamp: str | None) -> str:
    """20260302 from an ISO timestamp (the catalogue's 8-digit date)."""
    return (timestamp or "")[:10].replace("-", "")


def document_title(doc: dict[str, Any], titles: dict[str, str]) -> str:
    """题名 without the case file: the case number and the form's title (the catalog's,
    else the form code). ``describe_document`` gives the full 题名 when the case is known."""
    return f"{doc['case_no']} {titles.get(doc['form_code'], doc['form_code'])}"


@dataclass(frozen=True)
class DocumentFacts:
    """What the 归档文件目录 prints of one document (DA/T 22-2015): 责任者, 题名, 日期."""

    author: str  # 责任者: the organisation, and the department that handled the case
    title: str  # 题名: 关于<who>对<事由><类别>的<文种>
    date8: str  # 日期: the date the document was formed, 20260302


# The case's own dates, latest step first: a form that records the whole procedure was
# completed (signed) at the last step it shows. A notice is dated by its decision; a
# register row by receipt; a form's own date (extra.form_date, F08's 提交日期) wins.
OWN_DATES = ("extra.form_date", "extra.submitted_at")
STEP_DATES = ("closed_at", "follow_up.visited_at", "reply.replied_at", "resolution.approved_at",
              "acceptance.decided_at")  # fmt: skip
NOTICE_DATES = {"acceptance": ("acceptance.decided_at",), "extension": ("extension.granted_at",)}
# Words of a form title that repeat the case's kind (申诉和投诉处理及反馈表 → 处理及反馈表).
_KIND_PREFIX = re.compile(r"^(?:申诉|投诉|争议|意见建议|和|与|及|、|\(|\)|（|）)+")


def describe_document(doc: dict[str, Any], data: dict[str, Any] | None, form: Form | None,
                      org_name: str, date_field: str = "received_at") -> DocumentFacts:  # fmt: skip
    """责任者, 题名 and 日期 of one document from its case (or record) file; without the
    file (removed, unreadable) the case number and the filing date, as before."""
    form_title = form.title if form else doc["form_code"]
    if data is None:
        return DocumentFacts(
            org_name, f"{doc['case_no']} {form_title}", day8(doc["filed_at"] or doc["numbered_at"])
        )
    department = str(_value(data, "assignment.department") or _value(data, "department") or "")
    author = org_name + (department if department and department not in org_name else "")
    return DocumentFacts(
        author or department, _title(data, form_title), _formed_on(doc, data, form, date_field)
    )


def _title(data: dict[str, Any], form_title: str) -> str:
    """关于王某对检测报告数据投诉的处理及反馈表: who, about what, which kind, which document."""
    kind = str(data.get("kind") or "")
    who = "匿名投诉人" if _value(data, "complainant.anonymous") is True else "".join(
        str(_value(data, key) or "") for key in ("complainant.organization", "complainant.name"))  # fmt: skip
    subject = next((str(v) for k in ("subject.description", "subject.product_name", "title", "subject")
                    if isinstance(v := _value(data, k), (str, int)) and str(v).strip()), "")  # fmt: skip
    if not (who or subject):
        return f"{data.get('case_no') or data.get('record_no') or ''} {form_title}".strip()
    document = _KIND_PREFIX.sub("", form_title) if kind and kind in form_title else form_title
    about = "关于" + (f"{who}对" if who else "") + subject.strip()
    return f"{about}{kind}的{document or form_title}"


def _formed_on(
    doc: dict[str, Any], data: dict[str, Any], form: Form | None, date_field: str
) -> str:
    if form is not None and form.is_register:
        keys: tuple[str, ...] = (date_field,)
    elif form is not None and form.type == "notice":
        keys = NOTICE_DATES.get(form.when, ("reply.replied_at",))
    else:
        keys = STEP_DATES
    for key in (*OWN_DATES, *keys, date_field):
        value = _value(data, key)
        if value not in (None, ""):
            try:
                return parse_date(value).strftime("%Y%m%d")
            except ValueError:  # an unparseable date: the case validator names it
                continue
    return day8(doc["filed_at"] or doc["numbered_at"])


def _value(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def catalogue_sections(docs: Iterable[dict[str, Any]], org_name: str, titles: dict[str, str],
                       destroyed: dict[str, tuple[int, str | None]],
                       facts: dict[str, DocumentFacts] | None = None) -> list[Section]:  # fmt: skip
    """The 归档文件目录: one section (cover + table) per (年度, 保管期限, 机构) sequence;
    ``facts`` (by 档号, from ``describe_document``) give 责任者, 题名 and 日期."""
    grouped: dict[tuple[int, str, str], list[dict[str, Any]]] = {}
    for doc in docs:
        grouped.setdefault((doc["year"], doc["retention"], doc["dept_code"]), []).append(doc)
    sections = []
    for (year, retention, dept), rows in sorted(grouped.items()):
        rows.sort(key=lambda d: (d["item_no"] < 0, abs(d["item_no"])))  # 预 numbers last
        body = []
        for n, doc in enumerate(rows, 1):
            note = ""
            if doc["archive_no"] in destroyed or doc["status"] in ("destroying", "destroyed"):
                disposal_id, when = destroyed.get(doc["archive_no"], (0, None))
                note = f"已销毁 {day8(when)}".strip() + (
                    f" (销毁批次 {disposal_id})" if disposal_id else ""
                )
            fact = (facts or {}).get(doc["archive_no"]) or DocumentFacts(
                org_name, document_title(doc, titles), day8(doc["filed_at"] or doc["numbered_at"]))  # fmt: skip
            note = "  ".join(filter(None, (note, f"案件 {doc['case_no']}")))
            body.append(
                [
                    str(n),
                    doc["archive_no"],
                    "",
                    fact.author,
                    fact.title,
                    fact.date8,
                    "",
                    str(doc["pages"]),
                    note,
                ]
            )
        heading = [("全宗号", rows[0]["fonds_no"] or ""), ("全宗名称", org_name), ("年度", str(year)),
                   ("保管期限", retention_label(retention)), ("机构(问题)", dept or "")]  # fmt: skip
        sections.append(
            Section(heading, body, f"{year}-{retention}" + (f"-{dept}" if dept else ""))
        )
    return sections


# --------------------------------------------------------------------------- PDF


def _styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    font = reportlab_font()
    return {
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK"),
        "head": ParagraphStyle("head", fontName=font, fontSize=9, leading=11, alignment=TA_CENTER),
        "title": ParagraphStyle(
            "title", fontName=font, fontSize=22, leading=30, alignment=TA_CENTER
        ),
        "subtitle": ParagraphStyle(
            "subtitle", fontName=font, fontSize=15, leading=22, alignment=TA_CENTER
        ),
        "cover": ParagraphStyle("cover", fontName=font, fontSize=14, leading=20),
        "text": ParagraphStyle("text", fontName=font, fontSize=10, leading=15, wordWrap="CJK"),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(
    headers: list[str], rows: list[list[str]], widths_mm: list[float], styles: dict[str, Any]
) -> Any:
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, TableStyle

    wrap = [h in WRAPPED for h in headers]
    data: list[list[Any]] = [[Paragraph(h, styles["head"]) for h in headers]]
    for row in rows:
        data.append(
            [Paragraph(_escape(v), styles["cell"]) if wrap[i] else v for i, v in enumerate(row)]
        )
    table = LongTable(data, colWidths=[w * mm for w in widths_mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), styles["cell"].fontName, 8.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 1), (-1, -1), "CENTER"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
    ]))  # fmt: skip
    return table


def _page_number(canvas: Any, doc: Any) -> None:
    from reportlab.lib.units import mm

    canvas.saveState()
    canvas.setFont(reportlab_font(), 8)
    canvas.drawCentredString(doc.pagesize[0] / 2, 8 * mm, f"第 {doc.page} 页")
    canvas.restoreState()


def _build_pdf(path: Path, story: list[Any], title: str, author: str) -> None:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=title, author=author,
                            creator="recordkit",
                            # else the canvas starts in Helvetica, listed (not embedded) even unused
                            initialFontName=reportlab_font())  # fmt: skip
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    write_atomic(path, buffer.getvalue())


def write_catalogue_pdf(path: Path, sections: list[Section], org_name: str) -> None:
    """A cover (全宗号, 全宗名称, 年度, 保管期限, 机构) and the table, per section."""
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, Spacer, Table, TableStyle

    styles = _styles()
    story: list[Any] = []
    for index, section in enumerate(sections):
        if index:
            story.append(PageBreak())
        story += [
            Spacer(1, 35 * mm),
            Paragraph("归档文件目录", styles["title"]),
            Spacer(1, 25 * mm),
        ]
        cover = Table([[Paragraph(f"{label}:", styles["cover"]), Paragraph(_escape(value), styles["cover"])]
                       for label, value in section.heading], colWidths=[40 * mm, 110 * mm])  # fmt: skip
        cover.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), styles["cover"].fontName, 14),
                    ("LINEBELOW", (1, 0), (1, -1), 0.5, "black"),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ]
            )
        )
        story += [cover, PageBreak()]
        line = "  ".join(f"{label} {value}" for label, value in section.heading if value)
        story += [
            Paragraph("归档文件目录", styles["subtitle"]),
            Paragraph(_escape(line), styles["text"]),
            Spacer(1, 4 * mm),
        ]
        story.append(_table(CATALOGUE_HEADERS, section.rows or [["", "", "", "", "(无)", "", "", "", ""]],
                            CATALOGUE_WIDTHS_MM, styles))  # fmt: skip
    if not sections:
        story += [Paragraph("归档文件目录", styles["title"]), Paragraph("(无档案)", styles["text"])]
    _build_pdf(path, story, "归档文件目录", org_name)


def write_disposal_pdf(
    path: Path, heading: list[tuple[str, str]], rows: list[list[str]], org_name: str
) -> None:
    """The 销毁清册: the batch (who approved, who destroyed, when, why), the table, and
    lines for the wet signatures."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    styles = _styles()
    info = Table([[Paragraph(f"{label}:", styles["text"]), Paragraph(_escape(value), styles["text"])]
                  for label, value in heading], colWidths=[30 * mm, 230 * mm])  # fmt: skip
    info.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), styles["text"].fontName, 10), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))  # fmt: skip
    signatures = Paragraph("批准人 (签字): ____________    监销人 (签字): ____________    "
                           "销毁人 (签字): ____________    日期: ____________", styles["text"])  # fmt: skip
    story = [Paragraph("档案销毁清册", styles["title"]), Spacer(1, 5 * mm), info, Spacer(1, 5 * mm),
             _table(DISPOSAL_HEADERS, rows, DISPOSAL_WIDTHS_MM, styles), Spacer(1, 12 * mm), signatures]  # fmt: skip
    _build_pdf(path, story, "档案销毁清册", org_name)


# --------------------------------------------------------------------------- XLSX


def write_sheets_xlsx(path: Path, title: str, headers: list[str], widths_mm: list[float],
                      sections: list[Section]) -> None:  # fmt: skip
    """One tab per section: a title row, the heading on one line, the column headers
    (repeated on every printed page) and the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for section in sections or [Section([], [], title)]:
        sheet = book.create_sheet(section.sheet[:31] or title)
        append_typed(sheet, [title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        sheet["A1"].font = Font(bold=True, size=16)
        sheet["A1"].alignment = Alignment(horizontal="center")
        append_typed(sheet, ["  ".join(f"{label}: {value}" for label, value in section.heading)])
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
        append_typed(sheet, headers)
        for cell in sheet[3]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center")
            cell.border = border
        for row in section.rows:
            append_typed(sheet, [_cell(v, header) for v, header in zip(row, headers, strict=False)])
        for row in sheet.iter_rows(min_row=4):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="center")
                cell.border = border
        for column, width in enumerate(widths_mm, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = round(width / 2.0, 1)
        sheet.freeze_panes = "A4"
        sheet.print_title_rows = "3:3"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomic(path, buffer.getvalue())


def _cell(value: str, header: str) -> Any:
    """Counts as numbers (Excel sums them), dates as dates (the 8-digit 20260302 of the
    printed list, or ISO 2026-03-02); everything else as the text it is."""
    if value.isdigit() and len(value) < 6:
        return int(value)
    if header.endswith("日期") and value:
        try:
            return (
                datetime.strptime(value, "%Y%m%d").date()
                if value.isdigit()
                else date.fromisoformat(value)
            )
        except ValueError:  # not a date after all: keep what was written
            return value
    return value
