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
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from recordkit.cases import schema
from recordkit.cases.store import Case, CaseBook, get_path, is_blank, set_path, validate_case
from recordkit.errors import ImportRowsError, RecordkitError, RowProblem, SpreadsheetError
from recordkit.files import write_atomic

REQUIRED_COLUMNS = ("kind", "received_at", "content")
_LIST_SPLIT = ("、", "，", ",", "；", ";")
_TRUE = {"是", "true", "True", "TRUE", "1", "√", "✓", "y", "Y", "yes"}
_FALSE = {"否", "false", "False", "FALSE", "0", "×", "n", "N", "no", ""}
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


@dataclass
class ImportReport:
    file: str
    created: list[Case] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)  # (row, existing case_no)
    skipped: list[RowProblem] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- reading

# What an .xlsx may expand to. A 10,000-row register sheet is about 20 MB of XML; a file
# that declares more is refused before anything is decompressed (a "zip bomb").
MAX_XLSX_EXPANDED = 256 * 1024 * 1024
# Dotted headers nest extra fields; the schema itself is at most 3 deep.
MAX_HEADER_DEPTH = 8
_DAMAGED = "无法读取 Excel 文件, 文件可能已损坏"


@dataclass(frozen=True)
class UncachedFormula:
    """A formula cell saved without its result (written by a script, never opened in
    Excel): its value is unknown, so the import refuses it instead of reading it as empty."""

    cell: str
    formula: str

    def __str__(self) -> str:
        return self.formula


def read_rows(path: Path) -> list[list[Any]]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise SpreadsheetError(f"{path}: 文件不存在 (file not found)")
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".xls":
        # No reader for the old binary format: xlrd would be one more dependency for a
        # format Excel and WPS convert in one step, and it cannot tell dates from numbers
        # without the workbook's formats.
        raise SpreadsheetError(
            f"{path}: 不支持 .xls 格式, 请在 Excel/WPS 中另存为 .xlsx 后再导入 "
            "(old .xls format: save as .xlsx)"
        )
    raise SpreadsheetError(f"{path}: 只支持 .xlsx 和 .csv 文件 (only .xlsx and .csv)")


def _check_expanded_size(path: Path) -> None:
    """Refuse an .xlsx whose parts declare more than MAX_XLSX_EXPANDED bytes. The declared
    sizes can be trusted: zipfile never reads a member past its declared size."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise SpreadsheetError(f"{path}: {_DAMAGED} ({type(exc).__name__}: {exc})") from None
    if total > MAX_XLSX_EXPANDED:
        raise SpreadsheetError(
            f"{path}: 解压后超过 {MAX_XLSX_EXPANDED >> 20} MB, 拒绝读取 (uncompressed size over "
            "limit: save only the register sheet as a new .xlsx)"
        )


def _read_xlsx(path: Path) -> list[list[Any]]:
    """Values of the first sheet. Read once with formulas; only a sheet that has formulas
    is read again for their saved results."""
    _check_expanded_size(path)
    try:
        rows = _sheet_rows(path, data_only=False)
        formulas = [
            (r, c, cell)
            for r, row in enumerate(rows)
            for c, cell in enumerate(row)
            if cell.data_type == "f"
        ]
        values = [
            [cell.value for cell in row]
            for row in (_sheet_rows(path, data_only=True) if formulas else rows)
        ]
    except Exception as exc:  # openpyxl and the XML parser raise many kinds for a damaged file
        raise SpreadsheetError(f"{path}: {_DAMAGED} ({type(exc).__name__}: {exc})") from None
    for r, c, cell in formulas:
        if values[r][c] is None:
            values[r][c] = UncachedFormula(
                cell.coordinate, str(getattr(cell.value, "text", cell.value))
            )
    width = max((len(row) for row in values), default=0)
    return [
        row + [None] * (width - len(row)) for row in values
    ]  # rectangular, as the declared range was


def _sheet_rows(path: Path, data_only: bool) -> list[list[Any]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=data_only)
    try:
        sheet = book.worksheets[0]
        # read-only mode stops at the declared <dimension>, which other tools write wrong
        sheet.reset_dimensions()
        return [list(row) for row in sheet.iter_rows()]
    finally:
        book.close()


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
    rows: list[list[Any]] = []
    try:
        rows.extend(list(r) for r in csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        row = len(rows) + 1
        if "field limit" in str(exc):
            raise SpreadsheetError(
                f"{path}: 第 {row} 行有单元格超过 {csv.field_size_limit()} 个字符, 无法导入 "
                "(cell too long)"
            ) from None
        raise SpreadsheetError(f"{path}: 第 {row} 行无法解析 (CSV: {exc})") from None
    return rows


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
    if (
        field_def.type == schema.INTEGER
        and isinstance(value, str)
        and _WHOLE_NUMBER.fullmatch(value)
    ):
        return int(value)  # CSV cells (and Excel text cells) hold "10", not 10
    if (
        field_def.type == schema.TEXT
        and isinstance(value, (int, float))
        and not isinstance(value, bool)
    ):
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
            cells = cells[: len(keys) - 1] + [" | ".join(cells[len(keys) - 1 :])]
        rows.append({key: cell for key, cell in zip(keys, cells, strict=False) if cell})
    return rows


def fingerprint(data: dict[str, Any], rtype: schema.RecordType = schema.CASE) -> str:
    """What identifies a row across imports. An empty or absent field counts as "" (the
    missing-value marker's text is an address that changes from run to run)."""
    values = (get_path(data, p) for p in rtype.identity)
    parts = ["" if is_blank(value) else str(value) for value in values]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _header_keys(path: Path, headers: list[str], rtype: schema.RecordType) -> list[str]:
    """The key path of each column; refuses headers that would lose or overwrite a value:
    a column that is another's parent (备注 and 备注.说明), or nesting beyond MAX_HEADER_DEPTH."""
    keys = [_column_key(h, rtype) if h else "" for h in headers]
    column_of: dict[str, str] = {}
    for index, (header, key) in enumerate(zip(headers, keys, strict=True), start=1):
        if not key:
            continue
        depth = len(header.split("."))
        if depth > MAX_HEADER_DEPTH:
            raise SpreadsheetError(
                f"{path}: 第 {_column_letter(index - 1)} 列的列名层级过深 ({depth} 层, 最多 "
                f"{MAX_HEADER_DEPTH} 层) (header nested too deep)"
            )
        if (
            key in column_of
        ):  # e.g. 投诉人 and complainant.name: the second would overwrite the first
            raise SpreadsheetError(
                f"{path}: 列 {header} 与列 {column_of[key]} 是同一字段 {key}, 请删去一列 "
                "(duplicate column)"
            )
        parts = key.split(".")
        related = [
            column_of[k]
            for k in (".".join(parts[:n]) for n in range(1, len(parts)))
            if k in column_of
        ]
        related += [h for k, h in column_of.items() if k.startswith(key + ".")]
        if related:
            raise SpreadsheetError(
                f"{path}: 列 {header} 与列 {related[0]} 冲突: 一个字段不能既有值又有子项, "
                "请改列名 (conflicting columns)"
            )
        column_of[key] = header
    return keys


def _rows_as_cases(
    path: Path, rtype: schema.RecordType = schema.CASE
) -> Iterator[tuple[int, dict[str, Any], dict[str, str], list[tuple[str, str]]]]:
    """(row number, data, header of each key, cell problems) of each non-empty row."""
    rows = read_rows(path)
    if not rows:
        raise SpreadsheetError(f"{path}: 表格为空 (no header row)")
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    keys = _header_keys(path, headers, rtype)
    required = REQUIRED_COLUMNS if rtype is schema.CASE else rtype.required
    missing = [p for p in required if p not in keys]
    if missing:
        labels = "、".join(f"{rtype.by_path[p].label} ({p})" for p in missing)
        raise SpreadsheetError(f"{path}: 缺少必需的列: {labels} (missing required column)")
    column_of = {k: h for k, h in zip(keys, headers, strict=False) if k}
    for number, row in enumerate(rows[1:], start=2):
        if all(_is_empty(v) for v in row):
            continue
        data: dict[str, Any] = {}
        cell_problems: list[tuple[str, str]] = []
        for index, value in enumerate(row):
            key = keys[index] if index < len(keys) else ""
            if not key:
                if not _is_empty(value):  # a value with no header would be dropped
                    cell_problems.append(
                        (
                            _column_letter(index),
                            "有内容但没有列名, 请填写列名 (value in a column without a header)",
                        )
                    )
                continue
            if isinstance(value, UncachedFormula):
                cell_problems.append(
                    (
                        key,
                        f"单元格 {value.cell} 是公式 ({value.formula}) 但没有保存计算结果, "
                        "请在 Excel/WPS 中打开并保存后再导入 (formula without a cached value)",
                    )
                )
                continue
            converted = _cell_value(key, value, rtype)
            if converted is not None:
                set_path(data, key, converted)
        yield number, data, column_of, cell_problems


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column (A, B … AA), for columns without a header."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _row_problem(
    number: int, path: str, label: str, problem: str, column_of: dict[str, str]
) -> RowProblem:
    """A problem named by the row and the column as the sheet heads it (plus the label if other)."""
    column = column_of.get(path, path)
    return RowProblem(
        number, column + (f" ({label})" if label and label != column else ""), problem
    )


def import_cases(
    casebook: CaseBook, path: Path, skip_bad: bool = False, source_name: str | None = None
) -> ImportReport:
    """Import every row; all-or-nothing unless ``skip_bad`` (then good rows plus a report).
    Every row is checked, numbers included, before the first file is written.
    The book's record type decides the columns (cases, or incidents, CAPAs …).
    ``source_name`` is the file name each record keeps (``imported.file``) when ``path``
    is a copy under another name (a browser upload); default: the name of ``path``."""
    path = Path(path)
    rtype = casebook.rtype
    report = ImportReport(file=str(path))
    known = _known_fingerprints(casebook)
    good: list[tuple[int, dict[str, Any]]] = []
    problems: list[RowProblem] = []
    column_of: dict[str, str] = {}
    for number, data, column_of, cell_problems in _rows_as_cases(path, rtype):
        report.extra_columns = sorted(
            {h for k, h in column_of.items() if k.startswith("extra.") and h != k}
        )
        unreadable = {key for key, _problem in cell_problems}
        found = [
            (p.path, p.label, p.problem)
            for p in validate_case(data, str(path), casebook.checks, rtype)
            if p.path not in unreadable
        ]
        found = [(k, schema.label_of(k, rtype), problem) for k, problem in cell_problems] + found
        if found:
            problems += [_row_problem(number, *item, column_of) for item in found]
            continue
        mark = fingerprint(data, rtype)
        if mark in known:
            report.duplicates.append((number, known[mark]))
            continue
        data.setdefault(
            "imported", {"file": source_name or path.name, "row": number, "fingerprint": mark}
        )
        known[mark] = "(本次导入)"
        good.append((number, data))
    taken = _number_problems(casebook, good, column_of)
    clashing = {p.row for p in taken}
    good = [(number, data) for number, data in good if number not in clashing]
    problems = sorted(problems + taken, key=lambda p: p.row)
    if problems and not skip_bad:
        raise ImportRowsError(
            str(path), problems, "案件" if rtype is schema.CASE else f"{rtype.label}记录"
        )
    report.skipped = problems
    for _number, data in good:
        report.created.append(casebook.add(data, source=str(path)))
    return report


def _number_problems(
    casebook: CaseBook, good: list[tuple[int, dict[str, Any]]], column_of: dict[str, str]
) -> list[RowProblem]:
    """Rows whose typed number repeats an earlier row's or one already on disk: found
    before writing, so a clash cannot leave half a file imported."""
    key = casebook.rtype.number_key
    label = schema.label_of(key, casebook.rtype)
    what = "case" if casebook.rtype is schema.CASE else "record"
    existing = casebook.existing_numbers() if good else set()
    first_row: dict[str, int] = {}
    problems = []
    for number, data in good:
        if is_blank(data.get(key)):
            continue
        text = str(data[key])
        if text in first_row:
            problems.append(
                _row_problem(
                    number,
                    key,
                    label,
                    f"{text} 与第 {first_row[text]} 行重复 (duplicate number)",
                    column_of,
                )
            )
        elif text in existing:
            problems.append(
                _row_problem(
                    number,
                    key,
                    label,
                    f"{text} 已存在 (a {what} with this number exists)",
                    column_of,
                )
            )
        else:
            first_row[text] = number
    return problems


def _known_fingerprints(casebook: CaseBook) -> dict[str, str]:
    """Fingerprints of what is on disk: the one stored at import, and the one its data
    gives now (files imported by 0.1 stored a fingerprint that changed from run to run)."""
    marks: dict[str, str] = {}
    cases, _errors = casebook.scan()
    for case in cases:
        imported = case.data.get("imported")
        mark = imported.get("fingerprint") if isinstance(imported, dict) else None
        if mark:
            marks[mark] = case.case_no
        marks[fingerprint(case.data, casebook.rtype)] = case.case_no
    return marks


# --------------------------------------------------------------------------- registers out


def _cell_text(cell: Any) -> str:
    """A table cell's text with line breaks and tabs kept (python-docx's .text drops <w:br/>)."""
    from docx.oxml.ns import qn

    paragraphs = []
    for p in cell._tc.iter(qn("w:p")):
        pieces = []
        for node in p.iter(qn("w:t"), qn("w:br"), qn("w:tab")):
            pieces.append(
                node.text or ""
                if node.tag == qn("w:t")
                else "\n"
                if node.tag == qn("w:br")
                else "\t"
            )
        paragraphs.append("".join(pieces))
    return "\n".join(paragraphs)


def register_table(docx_path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and body rows of a rendered register's main table (the one with a repeated header)."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document(str(docx_path))
    for table in document.tables:
        rows = table.rows
        header_rows = [
            r for r in rows if r._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        ]
        if not header_rows:
            continue
        header = [_cell_text(c) for c in header_rows[-1].cells]
        body = [[_cell_text(c) for c in r.cells] for r in rows[len(header_rows) :]]
        return header, body
    raise RecordkitError(
        f"{docx_path}: 台帐模板中找不到带重复标题行的表格 (no table with a header row)"
    )


def write_register_xlsx(xlsx_path: Path, docx_path: Path, sheet_title: str) -> None:
    """The rendered register's rows as a spreadsheet with the same columns; 序号 and dates
    typed (numbers and dates) so Excel sorts and filters them."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

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
        width = max(
            [len(title) * 2 + 2]
            + [min(len(r[column - 1]) if column <= len(r) else 0, 40) for r in body[:200]]
        )
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = min(
            max(width, 8), 50
        )
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
_COUNT = re.compile(
    r"0|[1-9][0-9]{0,5}"
)  # 序号, 页数, 件数; not phone or report numbers (leading 0, long)
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
        cell = WriteOnlyCell(sheet, excel_safe(value) if text else value)
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


def excel_safe(value: str) -> str:
    """Cell text Excel accepts: openpyxl refuses control characters, so they show as U+FFFD."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """Cell text for a CSV that Excel or WPS will open: what ``_excel_safe`` does for
    XLSX, plus a leading apostrophe before a formula trigger (``=HYPERLINK(…)``), since
    a CSV cell cannot be marked as text the way an XLSX cell is (OWASP CSV injection)."""
    text = excel_safe(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
