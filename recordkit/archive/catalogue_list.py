"""Lists an archive prints: the 归档文件目录 (DA/T 22-2015) and the 销毁清册, each as a
PDF (A4 landscape, the CJK font embedded) and as a spreadsheet with the same columns.

The PDFs are drawn with reportlab's platypus (tables that wrap Chinese text and repeat
their header row on every page); the spreadsheets with openpyxl, set up to print the
same way (landscape, header row repeated). Both are written atomically.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from recordkit.archive.numbering import retention_label
from recordkit.cases.spreadsheet import append_typed
from recordkit.files import write_atomic
from recordkit.fonts import reportlab_font

CATALOGUE_HEADERS = ["序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"]
CATALOGUE_WIDTHS_MM = [12, 52, 20, 42, 75, 20, 12, 12, 22]  # 267 mm: A4 landscape less 15 mm margins
DISPOSAL_HEADERS = ["序号", "档号", "题名", "年度", "保管期限", "页数", "鉴定意见", "批准人", "日期"]
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
    """题名: the case number and the form's title (the catalog's, else the form code)."""
    return f"{doc['case_no']} {titles.get(doc['form_code'], doc['form_code'])}"


def catalogue_sections(docs: Iterable[dict[str, Any]], org_name: str, titles: dict[str, str],
                       destroyed: dict[str, tuple[int, str | None]]) -> list[Section]:  # fmt: skip
    """The 归档文件目录: one section (cover + table) per (年度, 保管期限, 机构) sequence."""
    grouped: dict[tuple[int, str, str], list[dict[str, Any]]] = {}
    for doc in docs:
        grouped.setdefault((doc["year"], doc["retention"], doc["dept_code"]), []).append(doc)
    sections = []
    for (year, retention, dept), rows in sorted(grouped.items()):
        rows.sort(key=lambda d: d["item_no"])
        body = []
        for n, doc in enumerate(rows, 1):
            note = ""
            if doc["archive_no"] in destroyed or doc["status"] in ("destroying", "destroyed"):
                disposal_id, when = destroyed.get(doc["archive_no"], (0, None))
                note = f"已销毁 {day8(when)}".strip() + (f" (销毁批次 {disposal_id})" if disposal_id else "")
            body.append([str(n), doc["archive_no"], "", org_name, document_title(doc, titles),
                         day8(doc["filed_at"] or doc["numbered_at"]), "", str(doc["pages"]), note])  # fmt: skip
        heading = [("全宗号", rows[0]["fonds_no"] or ""), ("全宗名称", org_name), ("年度", str(year)),
                   ("保管期限", retention_label(retention)), ("机构(问题)", dept or "")]  # fmt: skip
        sections.append(Section(heading, body, f"{year}-{retention}" + (f"-{dept}" if dept else "")))
    return sections


# --------------------------------------------------------------------------- PDF

def _styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    font = reportlab_font()
    return {
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK"),
        "head": ParagraphStyle("head", fontName=font, fontSize=9, leading=11, alignment=TA_CENTER),
        "title": ParagraphStyle("title", fontName=font, fontSize=22, leading=30, alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", fontName=font, fontSize=15, leading=22, alignment=TA_CENTER),
        "cover": ParagraphStyle("cover", fontName=font, fontSize=14, leading=20),
        "text": ParagraphStyle("text", fontName=font, fontSize=10, leading=15, wordWrap="CJK"),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(headers: list[str], rows: list[list[str]], widths_mm: list[float], styles: dict[str, Any]) -> Any:
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, TableStyle

    wrap = [h in WRAPPED for h in headers]
    data: list[list[Any]] = [[Paragraph(h, styles["head"]) for h in headers]]
    for row in rows:
        data.append([Paragraph(_escape(v), styles["cell"]) if wrap[i] else v for i, v in enumerate(row)])
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
        story += [Spacer(1, 35 * mm), Paragraph("归档文件目录", styles["title"]), Spacer(1, 25 * mm)]
        cover = Table([[Paragraph(f"{label}:", styles["cover"]), Paragraph(_escape(value), styles["cover"])]
                       for label, value in section.heading], colWidths=[40 * mm, 110 * mm])  # fmt: skip
        cover.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), styles["cover"].fontName, 14),
                                   ("LINEBELOW", (1, 0), (1, -1), 0.5, "black"), ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
        story += [cover, PageBreak()]
        line = "  ".join(f"{label} {value}" for label, value in section.heading if value)
        story += [Paragraph("归档文件目录", styles["subtitle"]), Paragraph(_escape(line), styles["text"]), Spacer(1, 4 * mm)]
        story.append(_table(CATALOGUE_HEADERS, section.rows or [["", "", "", "", "(无)", "", "", "", ""]],
                            CATALOGUE_WIDTHS_MM, styles))  # fmt: skip
    if not sections:
        story += [Paragraph("归档文件目录", styles["title"]), Paragraph("(无档案)", styles["text"])]
    _build_pdf(path, story, "归档文件目录", org_name)


def write_disposal_pdf(path: Path, heading: list[tuple[str, str]], rows: list[list[str]], org_name: str) -> None:
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
            return datetime.strptime(value, "%Y%m%d").date() if value.isdigit() else date.fromisoformat(value)
        except ValueError:  # not a date after all: keep what was written
            return value
    return value
