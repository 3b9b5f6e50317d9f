"""The one exception tree of recordkit.

Every error a user can cause is a ``RecordkitError`` whose ``message`` is Chinese and
names what and where. ``exit_code`` tells the CLI how to exit (1 = bad input or failed
work, 2 = usage). Third-party exceptions are wrapped where they enter, so the CLI
translates only this tree and never shows a traceback for a user's mistake.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path


class RecordkitError(Exception):
    """Base of every error recordkit reports to a user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(RecordkitError):
    """The command was called the wrong way (exit 2, like click's own usage errors)."""

    exit_code = 2


class BadValueError(RecordkitError):
    """A value given on a well-formed command line is wrong (a form that is not a register,
    a date that is not a date): exit 1 like any bad input; only a malformed command line is 2."""


class FileWriteError(RecordkitError, OSError):
    """Writing an output file failed (disk full, no permission, file open in Word/Excel).

    Also an ``OSError`` with the original errno, so code that retries or cleans up on
    ``OSError`` keeps working; the message names the file in Chinese."""

    def __init__(self, path: Path | str, error: OSError) -> None:
        super().__init__(f"{path}: {_write_problem(error)}")
        self.path = str(path)
        self.errno, self.strerror, self.filename = error.errno, error.strerror, str(path)
        self._error = error

    def __reduce__(self) -> tuple:  # crosses process boundaries (parallel workers) intact
        return (type(self), (self.path, self._error))


def _write_problem(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return "磁盘已满, 文件未写入 (no space left on device); 请清理磁盘后重试"
    if error.errno == errno.EDQUOT:
        return "超出磁盘配额, 文件未写入 (disk quota exceeded)"
    if isinstance(error, PermissionError):
        return "无法写入, 文件可能正被 Word/Excel 打开或没有写权限 (close it and retry)"
    return f"无法写入 ({error.strerror or error})"


class ConfigError(RecordkitError):
    """recordkit.toml is missing, unreadable or invalid."""


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one value: where (file, key path, label) and what."""

    file: str
    path: str
    label: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.path} ({self.label})" if self.label else self.path
        return f"{self.file}: {where}: {self.problem}"


class CaseValidationError(RecordkitError):
    """A case file has one or more problems; all of them are reported at once."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class CaseNotFoundError(RecordkitError):
    """No case (or record of another type) has this number."""

    def __init__(self, case_no: str, message: str = "") -> None:
        self.case_no = case_no
        super().__init__(
            message or f"找不到案件 {case_no} (no case file with this number in cases/)"
        )


class CaseFileError(RecordkitError):
    """A case file cannot be read or parsed (missing, unreadable, bad YAML/JSON)."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    problem: str

    def __str__(self) -> str:
        return f"第 {self.row} 行, 列 {self.column}: {self.problem}"


class ImportRowsError(RecordkitError):
    """A spreadsheet import found bad rows; nothing was written."""

    def __init__(self, file: str, problems: list[RowProblem], what: str = "案件") -> None:
        self.file = file
        self.problems = problems
        lines = [f"{file}: {p}" for p in problems]
        lines.append(
            f"{file}: 共 {len(problems)} 处错误, 未导入任何{what} (use --skip-bad to import the good rows)"
        )
        super().__init__("\n".join(lines))


class SpreadsheetError(RecordkitError):
    """The spreadsheet itself is unusable (unreadable, missing required column)."""


class UnknownFormError(RecordkitError):
    def __init__(self, code: str, known: list[str]) -> None:
        self.code = code
        super().__init__(f"未知的表单编号 {code} (known: {', '.join(known)})")


@dataclass(frozen=True)
class TemplateProblem:
    template: str
    part: str
    tag: str
    problem: str

    def __str__(self) -> str:
        return f"{self.template} [{self.part}]: {self.tag}: {self.problem}"


class TemplateError(RecordkitError):
    """A template is broken: bad tag, unknown field, missing QR placeholder."""

    def __init__(self, problems: list[TemplateProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class RenderError(RecordkitError):
    """Rendering one document failed for a reason that is not the template's syntax."""


class LibreOfficeError(RecordkitError):
    """LibreOffice is missing or failed to convert a document."""


class LockedError(RecordkitError):
    """Another recordkit process holds the lock this command needs."""


class ProfileError(RecordkitError):
    """A procedure profile file is invalid (names the file and the step)."""


class CalendarError(RecordkitError):
    """The working-day calendar or its override file is unusable."""


class ArchiveError(RecordkitError):
    """An archive operation failed (names the file or 档号)."""


class PdfError(RecordkitError):
    """A PDF cannot be read, parsed or written."""


class OcrError(RecordkitError):
    """A page could not be rendered or read by the OCR engine (recordkit.ocr)."""


class DocumentNotFoundError(ArchiveError):
    """No archived document has this 档号."""

    def __init__(self, archive_no: str) -> None:
        self.archive_no = archive_no
        super().__init__(
            f"找不到档号为 {archive_no} 的档案 (no archived document with this number)"
        )


class ArchiveIndexError(ArchiveError):
    """The archive's database failed (locked too long, disk error): the machine's
    problem, not the file's, so the file waits in work/ and is retried."""


class DisposalRefusedError(ArchiveError):
    """A disposal (销毁) was refused: held, not yet due, not filed or unknown records;
    nothing was destroyed. ``problems`` has one line per record."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "销毁被拒绝, 未销毁任何档案 (disposal refused, nothing destroyed):\n"
            + "\n".join(problems)
        )


class EditedOutputError(RecordkitError):
    """An output was edited by hand since recordkit wrote it: kept, not overwritten."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path}: 输出文件被手工修改过, 未覆盖 (用 --force 覆盖; edited by hand, kept)"
        )
        self.path = path


class EditConflictError(RecordkitError):
    """A case changed on disk after it was opened for editing: the save is refused."""


class SearchIndexError(RecordkitError):
    """The full-text search index (archive/search/) cannot be opened, written or
    queried; it is derived, so ``archive reindex`` rebuilds it."""
