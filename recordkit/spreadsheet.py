"""Excel and CSV: importing a paper register into case files, exporting registers.

Columns are matched by key path (``complainant.name``) or Chinese label (``投诉人``);
``extra.<key>`` columns fill form-specific fields, and any other column is kept under
``extra`` by its header so nothing typed is lost. A row is a case: it is validated like
a case file, and every bad row is reported with its row number and column. Importing
the same rows twice does not duplicate cases: each imported case remembers a
fingerprint of what identifies it (kind, receiving time, complainant, content).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from . import schema
from .cases import Case, CaseBook, get_path, set_path, validate_case
from .errors import ImportRowsError, RecordkitError, RowProblem, SpreadsheetError

REQUIRED_COLUMNS = ("kind", "received_at", "content")
_LIST_SPLIT = ("、", "，", ",", "；", ";")
_TRUE = {"是", "true", "True", "TRUE", "1", "√", "✓", "y", "Y", "yes"}
_FALSE = {"否", "false", "False", "FALSE", "0", "×", "n", "N", "no", ""}


@dataclass
class ImportReport:
    file: str
    created: list[Case] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)  # (row, existing case_no)
    skipped: list[RowProblem] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- reading

def _read_rows(path: Path) -> list[list[Any]]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise SpreadsheetError(f"{path}: 文件不存在 (file not found)")
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise SpreadsheetError(f"{path}: 只支持 .xlsx 和 .csv 文件 (only .xlsx and .csv)")


def _read_xlsx(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetError(f"{path}: 无法读取 Excel 文件 ({type(exc).__name__}: {exc})") from None
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def _read_csv(path: Path) -> list[list[Any]]:
    raw = path.read_bytes()
    # Excel on Chinese Windows saves CSV as GBK; UTF-8 (with or without BOM) otherwise.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise SpreadsheetError(f"{path}: 无法识别文件编码 (not UTF-8 or GB18030)")
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]


def _column_key(header: str, rtype: schema.RecordType = schema.CASE) -> str:
    header = header.strip()
    if header in rtype.by_path or header.startswith("extra."):
        return header
    if header in rtype.by_label:
        return rtype.by_label[header].path
    return f"extra.{header}"


# --------------------------------------------------------------------------- converting

def _cell_value(field_path: str, value: Any, rtype: schema.RecordType = schema.CASE) -> Any:
    """A cell as the case file holds it (Excel gives numbers and datetimes, CSV text)."""
    field_def = rtype.by_path.get(field_path)
    long_text = field_path in ("content", rtype.summary)  # the main text stays exactly as typed
    if isinstance(value, str):
        value = value.strip() if not long_text else value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if field_def is None:
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value
    if field_def.type == schema.BOOL:
        text = str(value).strip()
        return True if text in _TRUE else False if text in _FALSE else text
    if field_def.type == schema.ROWS:
        return _table_cell(field_def, value)
    if field_def.type == schema.LIST:
        text = str(value)
        for sep in _LIST_SPLIT[1:]:
            text = text.replace(sep, _LIST_SPLIT[0])
        return [part.strip() for part in text.split(_LIST_SPLIT[0]) if part.strip()]
    if field_def.type in (schema.DATE, schema.DATETIME):
        if isinstance(value, datetime):
            if field_def.type == schema.DATE or value.time() == time(0, 0):
                return value.date().isoformat()
            return value.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, date):
            return value.isoformat()
        return str(value)
    if field_def.type == schema.INTEGER and isinstance(value, float) and value.is_integer():
        return int(value)
    if field_def.type == schema.TEXT and isinstance(value, (int, float)) and not isinstance(value, bool):
        # Excel stores phone numbers as numbers; write them back as text without ".0".
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


def _table_cell(field_def: schema.Field, value: Any) -> Any:
    """A table field typed in one cell: one line per row, columns separated by | (or a tab),
    e.g. "PPR 直接 | 6 个 | 熔接不到位"."""
    keys = [key for key, _label in field_def.columns]
    rows = []
    for line in str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.replace("\t", "|").split("|")]
        if len(cells) > len(keys):  # the last column keeps any further separators as text
            cells = cells[: len(keys) - 1] + [" | ".join(cells[len(keys) - 1:])]
        rows.append({key: cell for key, cell in zip(keys, cells, strict=False) if cell})
    return rows


def fingerprint(data: dict[str, Any], rtype: schema.RecordType = schema.CASE) -> str:
    parts = [str(get_path(data, p)) for p in rtype.identity]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _rows_as_cases(path: Path, rtype: schema.RecordType = schema.CASE) -> Iterator[tuple[int, dict[str, Any], dict[str, str]]]:
    rows = _read_rows(path)
    if not rows:
        raise SpreadsheetError(f"{path}: 表格为空 (no header row)")
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    keys = [_column_key(h, rtype) if h else "" for h in headers]
    required = REQUIRED_COLUMNS if rtype is schema.CASE else rtype.required
    missing = [p for p in required if p not in keys]
    if missing:
        labels = "、".join(f"{rtype.by_path[p].label} ({p})" for p in missing)
        raise SpreadsheetError(f"{path}: 缺少必需的列: {labels} (missing required column)")
    column_of = {k: h for k, h in zip(keys, headers, strict=False) if k}
    for number, row in enumerate(rows[1:], start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        data: dict[str, Any] = {}
        for key, value in zip(keys, row, strict=False):
            converted = _cell_value(key, value, rtype) if key else None
            if key and converted is not None:
                set_path(data, key, converted)
        yield number, data, column_of


def import_cases(casebook: CaseBook, path: Path, skip_bad: bool = False) -> ImportReport:
    """Import every row; all-or-nothing unless ``skip_bad`` (then good rows plus a report).
    The book's record type decides the columns (cases, or incidents, CAPAs …)."""
    path = Path(path)
    rtype = casebook.rtype
    report = ImportReport(file=str(path))
    known = _known_fingerprints(casebook)
    good: list[tuple[int, dict[str, Any]]] = []
    problems: list[RowProblem] = []
    for number, data, column_of in _rows_as_cases(path, rtype):
        report.extra_columns = sorted({h for k, h in column_of.items() if k.startswith("extra.") and h != k})
        row_problems = [
            RowProblem(number, column_of.get(p.path, p.path) + (f" ({p.label})" if p.label and p.label != column_of.get(p.path) else ""), p.problem)
            for p in validate_case(data, str(path), casebook.checks, rtype)
        ]
        if row_problems:
            problems += row_problems
            continue
        mark = fingerprint(data, rtype)
        if mark in known:
            report.duplicates.append((number, known[mark]))
            continue
        data.setdefault("imported", {"file": path.name, "row": number, "fingerprint": mark})
        known[mark] = "(本次导入)"
        good.append((number, data))
    if problems and not skip_bad:
        raise ImportRowsError(str(path), problems, "案件" if rtype is schema.CASE else f"{rtype.label}记录")
    report.skipped = problems
    for _number, data in good:
        report.created.append(casebook.add(data, source=str(path)))
    return report


def _known_fingerprints(casebook: CaseBook) -> dict[str, str]:
    marks: dict[str, str] = {}
    cases, _errors = casebook.scan()
    for case in cases:
        imported = case.data.get("imported")
        mark = imported.get("fingerprint") if isinstance(imported, dict) else None
        marks[mark or fingerprint(case.data, casebook.rtype)] = case.case_no
    return marks


# --------------------------------------------------------------------------- registers out

def _cell_text(cell: Any) -> str:
    """A table cell's text with line breaks and tabs kept (python-docx's .text drops <w:br/>)."""
    from docx.oxml.ns import qn

    paragraphs = []
    for p in cell._tc.iter(qn("w:p")):
        pieces = []
        for node in p.iter(qn("w:t"), qn("w:br"), qn("w:tab")):
            pieces.append(node.text or "" if node.tag == qn("w:t") else "\n" if node.tag == qn("w:br") else "\t")
        paragraphs.append("".join(pieces))
    return "\n".join(paragraphs)


def register_table(docx_path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and body rows of a rendered register's main table (the one with a repeated header)."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document(str(docx_path))
    for table in document.tables:
        rows = table.rows
        header_rows = [r for r in rows if r._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None]
        if not header_rows:
            continue
        header = [_cell_text(c) for c in header_rows[-1].cells]
        body = [[_cell_text(c) for c in r.cells] for r in rows[len(header_rows):]]
        return header, body
    raise RecordkitError(f"{docx_path}: 台帐模板中找不到带重复标题行的表格 (no table with a header row)")


def write_register_xlsx(xlsx_path: Path, docx_path: Path, sheet_title: str) -> None:
    """The rendered register's rows as a spreadsheet with the same columns; 序号 and dates
    typed (numbers and dates) so Excel sorts and filters them."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from .cases import write_atomic

    header, body = register_table(docx_path)
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]
    append_typed(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in body:
        append_typed(sheet, [_typed_text(v) for v in row])
    if not body:
        append_typed(sheet, ["本期无记录"])
    for column, title in enumerate(header, start=1):
        width = max([len(title) * 2 + 2] + [min(len(r[column - 1]) if column <= len(r) else 0, 40) for r in body[:200]])
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = min(max(width, 8), 50)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomic(xlsx_path, buffer.getvalue())


# --------------------------------------------------------------------------- typed cells

XLSX_DATE = "yyyy-mm-dd"
XLSX_DATETIME = "yyyy-mm-dd hh:mm"
_COUNT = re.compile(r"0|[1-9][0-9]{0,5}")  # 序号, 页数, 件数; not phone or report numbers (leading 0, long)
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_MINUTE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}")


def append_typed(sheet: Any, values: Iterable[Any]) -> None:
    """Append one row to an openpyxl sheet with every cell typed, the one way every XLSX
    recordkit writes does it: int/float stay numbers, date/datetime become Excel dates
    (yyyy-mm-dd, yyyy-mm-dd hh:mm), and text is text, never a formula (a value typed as
    "=HYPERLINK(...)" must not run when a colleague opens the file)."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        text = isinstance(value, str)
        cell = WriteOnlyCell(sheet, _excel_safe(value) if text else value)
        if text:
            cell.data_type = "s"  # openpyxl would store "=..." as a formula
        elif isinstance(value, datetime):
            cell.number_format = XLSX_DATETIME
        elif isinstance(value, date):
            cell.number_format = XLSX_DATE
        cells.append(cell)
    sheet.append(cells)


def _typed_text(text: str) -> Any:
    """A register cell's printed text as the value it shows: a small count as a number,
    an ISO date (and minute) as a date; anything else stays the text it is."""
    try:
        if _COUNT.fullmatch(text):
            return int(text)
        if _ISO_MINUTE.fullmatch(text):
            return datetime.strptime(text, "%Y-%m-%d %H:%M")
        if _ISO_DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:  # 2026-02-30 printed as typed: keep the text
        pass
    return text


def _excel_safe(value: str) -> str:
    """Cell text Excel accepts: openpyxl refuses control characters, so they show as U+FFFD."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
