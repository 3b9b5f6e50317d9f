"""Library operations behind the case and form commands (kept out of the CLI layer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from . import schema
from .cases import Case, CaseBook, display_path, dump_case, get_path, read_case_file, validate_case, write_atomic
from .catalog import Catalog
from .config import Config
from .errors import CaseValidationError, RecordkitError
from .generate import Generator


def make_generator(config: Config) -> Generator:
    """A generator wired with everything the working folder configures."""
    return Generator(config)


def new_case_from_file(book: CaseBook, source: Path) -> Case:
    data, _raw = read_case_file(source)
    problems = validate_case(data, display_path(source), book.extra_checks)
    if problems:
        raise CaseValidationError(problems)
    return book.add(data, source=display_path(source))


def blank_case(kind: str, now: datetime | None = None) -> dict[str, Any]:
    """Every contract key, empty, for a person to fill in."""
    now = now or datetime.now()
    data: dict[str, Any] = {}
    for f in schema.FIELDS:
        if f.path == "case_no":
            continue
        empty: Any = [] if f.type == schema.LIST else False if f.type == schema.BOOL else None
        node = data
        *groups, leaf = f.path.split(".")
        for g in groups:
            node = node.setdefault(g, {})
        node[leaf] = empty
    data["kind"] = kind
    data["received_at"] = now.strftime("%Y-%m-%d %H:%M")
    data["content"] = ""
    data["extra"] = {}
    return data


def new_blank_case(book: CaseBook, kind: str) -> Case:
    """Reserve the next number and write a blank case file (filled in by the user later)."""
    data = blank_case(kind)
    with book._lock():
        case_no = book.next_number(kind, datetime.now().year)
        data = {"case_no": case_no, **data}
        path = book.path_for(case_no, datetime.now().year)
        text = dump_case(data).encode("utf-8")
        write_atomic(path, text)
    return Case(path, data, text)


@dataclass
class ValidationReport:
    checked: int = 0
    bad: int = 0
    problems: list[str] = field(default_factory=list)


def validate_files(config: Config | None, paths: list[Path]) -> ValidationReport:
    book = CaseBook(config) if config else None
    files = paths or (book.files() if book else [])
    report = ValidationReport()
    for path in files:
        report.checked += 1
        try:
            data, _raw = read_case_file(Path(path))
        except RecordkitError as exc:
            report.bad += 1
            report.problems.append(exc.message)
            continue
        problems = validate_case(data, display_path(Path(path)), book.extra_checks if book else ())
        if problems:
            report.bad += 1
            report.problems += [str(p) for p in problems]
    return report


def list_cases(config: Config) -> list[dict[str, Any]]:
    cases, errors = CaseBook(config).scan()
    rows = []
    for case in sorted(cases, key=lambda c: (str(c.data.get("received_at")), c.case_no)):
        name = get_path(case.data, "complainant.name")
        anonymous = get_path(case.data, "complainant.anonymous") is True
        rows.append({
            "case_no": case.case_no,
            "kind": case.kind,
            "received_at": str(case.data.get("received_at", "")),
            "complainant": "(匿名)" if anonymous else ("" if not isinstance(name, str) else name),
            "status": "已办结" if case.is_closed else "办理中",
            "closed_at": str(case.data.get("closed_at") or ""),
            "path": display_path(case.path),
        })
    for error in errors:
        rows.append({"case_no": "", "kind": "", "received_at": "", "complainant": "", "status": "文件有错误",
                     "closed_at": "", "path": error.message.splitlines()[0]})
    return rows


def form_details(catalog: Catalog, code: str) -> dict[str, Any]:
    from .render import field_uses

    form = catalog.get(code)
    uses = sorted({f"{u.root}.{u.path}" if u.path else u.root for u in field_uses(form.compiled)})
    return {**form.summary(), "version": form.version, "template_sha256": form.compiled.sha256,
            "fields": uses, "problems": [str(p) for p in catalog.check(form)]}
