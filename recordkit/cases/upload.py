"""Importing a register uploaded through the browser (issue 12, 导入).

The upload is written, within a size limit, to a private temporary folder under a name
recordkit chooses (no name a user typed reaches the filesystem), its type is taken from
its content — an .xlsx is a zip holding ``xl/workbook.xml``, a .csv is text that decodes —
never from its name, and it is imported by the same call as `case import` / `record
import` (``import_cases``, all-or-nothing). The folder is deleted afterwards.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath, PureWindowsPath

from recordkit.cases.spreadsheet import ImportReport, import_cases
from recordkit.cases.store import CaseBook
from recordkit.errors import ImportRowsError, RecordkitError, SpreadsheetError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # the default; the web settings may give another
MAX_NAME_CHARS = 120  # of the original name kept in the imported records (imported.file)
# C0 control characters other than tab, line feed and carriage return: in no text register.
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}
_NOT_A_REGISTER = (
    "不是 Excel (.xlsx) 或 CSV 文件 (按文件内容判断, 与文件名无关), 未导入 "
    "(the content is not an .xlsx workbook or CSV text)"
)


class UploadError(RecordkitError):
    """The uploaded file cannot be imported as a register (too large, not a spreadsheet)."""


def upload_name(name: str) -> str:
    """The uploaded file's own name, for messages and ``imported.file``: the last part of
    whatever path a browser sent, without control characters, at most MAX_NAME_CHARS."""
    last = PureWindowsPath(PurePosixPath(name or "").name).name
    clean = "".join(ch for ch in last if ch not in _CONTROL and ch != "\x7f").strip()
    if not clean.strip("."):  # "." and ".." name a folder, not the file
        clean = ""
    return clean[:MAX_NAME_CHARS] or "上传的文件"


def _is_text(raw: bytes) -> bool:
    """A CSV as Excel and WPS save it: UTF-8 (with or without BOM) or GB18030 text."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not any(ch in _CONTROL for ch in text)
    return False


def spreadsheet_suffix(path: Path) -> str:
    """ ".xlsx" or ".csv", decided from the file's content; anything else is refused."""
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                if "xl/workbook.xml" in archive.namelist():
                    return ".xlsx"
        except (zipfile.BadZipFile, OSError):
            pass
        raise UploadError(_NOT_A_REGISTER)
    if _is_text(path.read_bytes()):
        return ".csv"
    raise UploadError(_NOT_A_REGISTER)


def _save_upload(chunks: Iterable[bytes], target: Path, max_bytes: int) -> None:
    size = 0
    with target.open("xb") as out:
        for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise UploadError(
                    f"文件超过 {max_bytes / 1024 / 1024:g} MB, 未导入 (file over the size limit)"
                )
            out.write(chunk)
    if size == 0:
        raise UploadError("文件是空的, 未导入 (empty file)")


def import_upload(
    book: CaseBook, chunks: Iterable[bytes], name: str, max_bytes: int = MAX_UPLOAD_BYTES
) -> ImportReport:
    """Import an uploaded register into ``book`` (cases or a record type), all-or-nothing.
    Errors name the uploaded file by its own name, never the temporary path."""
    shown = upload_name(name)
    with tempfile.TemporaryDirectory(prefix="recordkit-upload-") as folder:  # mode 700
        saved = Path(folder) / "upload"
        _save_upload(chunks, saved, max_bytes)
        path = saved.rename(saved.with_suffix(spreadsheet_suffix(saved)))
        try:
            return import_cases(book, path, source_name=shown)
        except ImportRowsError as exc:
            exc.file = shown
            exc.message = exc.message.replace(str(path), shown)
            exc.args = (exc.message,)
            raise
        except SpreadsheetError as exc:
            raise SpreadsheetError(exc.message.replace(str(path), shown)) from None
