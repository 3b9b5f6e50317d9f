"""Editing one case file in place: the save the web form makes (issue 12).

Optimistic concurrency: the editor carries the SHA-256 of the file's bytes from when it
was opened; ``replace_case`` compares it under the case book's file lock and refuses the
save when someone else saved in between, so nothing typed by either person is lost.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from filelock import Timeout

from recordkit.cases import schema
from recordkit.cases.store import (
    MAX_CASE_CHARS,
    Case,
    CaseBook,
    display_path,
    dump_case,
    get_path,
    is_blank,
    normalise_dates,
    parse_case_text,
    read_case_file,
    validate_case,
    write_case_file,
)
from recordkit.errors import CaseValidationError, EditConflictError, FieldProblem, LockedError

# Who may not act on a case because they are the one complained about (issue 12).
ACTING_ROLES: tuple[str, ...] = ("assignment.handler", "resolution.approved_by")

CONFLICT_MESSAGE = (
    "保存被拒绝: 您打开此案件后, 已有其他人保存了修改。您填写的内容仍保留在表单中; "
    "请另开窗口查看最新内容, 核对后再保存 (the case changed since you opened it)"
)


def respondent_problems(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The person complained about (被投诉对象) cannot be the case's handler or approver."""
    respondent = get_path(data, "respondent")
    if is_blank(respondent):
        return
    for path in ACTING_ROLES:
        person = get_path(data, path)
        if not is_blank(person) and str(person).strip() == str(respondent).strip():
            yield path, f"{person} 是被投诉对象 (respondent), 不能担任{schema.label_of(path)}"


def problems_of(data: dict[str, Any], book: CaseBook, where: str) -> list[FieldProblem]:
    """The CLI's validation (with the book's checks) plus the respondent rule of the web."""
    checks: Iterable[Any] = (
        [*book.checks, respondent_problems] if book.rtype is schema.CASE else book.checks
    )
    problems = validate_case(data, where, checks, book.rtype)
    if len(dump_case(data)) > MAX_CASE_CHARS:  # it could be written, but never read back
        problems.append(
            FieldProblem(
                where,
                "",
                "",
                f"内容过多: 案件文件不能超过 {MAX_CASE_CHARS:,} 个字符, 未保存 "
                "(the case would be too large to read back)",
            )
        )
    return problems


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def replace_case(
    book: CaseBook, case_no: str, data: dict[str, Any], expected_sha256: str
) -> tuple[dict[str, Any], Case]:
    """Validate ``data`` and write it over case ``case_no`` if the file is still the one
    whose bytes hashed to ``expected_sha256``. Returns (the data before, the saved case)."""
    path = book.locate(case_no)
    data = copy.deepcopy(data)
    data[book.rtype.number_key] = case_no  # the number is never edited in place
    problems = problems_of(data, book, display_path(path))
    if problems:
        raise CaseValidationError(problems)
    data = normalise_dates(data, book.rtype)
    try:
        with book.lock():
            raw = path.read_bytes()
            if hashlib.sha256(raw).hexdigest() != expected_sha256:
                raise EditConflictError(CONFLICT_MESSAGE)
            before = parse_case_text(raw.decode("utf-8-sig"), path)
            text = (
                json.dumps(data, ensure_ascii=False, indent=2) + "\n"
                if path.suffix.lower() == ".json"
                else dump_case(data)
            )
            write_case_file(path, text)
    except Timeout:
        raise LockedError(
            "另一个 recordkit 进程正在写入案件, 请稍后重试 (case lock busy)"
        ) from None
    return normalise_dates(before, book.rtype), Case(path, data, sha256_text(text), book.rtype)


def open_case(book: CaseBook, case_no: str) -> tuple[Case, list[FieldProblem]]:
    """A case for the editor, with its problems: a file that fails validation must still
    open, so a person can correct it (``CaseBook.get`` refuses such a file)."""
    path = book.locate(case_no)
    data, raw = read_case_file(path)
    problems = problems_of(data, book, display_path(path))
    return Case(
        path, normalise_dates(data, book.rtype), hashlib.sha256(raw).hexdigest(), book.rtype
    ), problems


def create_case(book: CaseBook, data: dict[str, Any]) -> Case:
    """A new case from a form: the same checks as editing, then ``CaseBook.add`` (numbering,
    the atomic writer `case new` uses)."""
    problems = problems_of(data, book, "<新建>")
    if problems:
        raise CaseValidationError(problems)
    return book.add(data, source="<新建>")
