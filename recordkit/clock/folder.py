"""What a working folder holds, read through its books with the profile's checks plugged
in: the clock of each case, the rows of `case list` and `record list`, and the validation
of case and record files. (Books with the profile's checks are built in ``setup.py``.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from recordkit.cases import schema
from recordkit.cases.compliance import capa_lookup, closure_warnings
from recordkit.cases.store import CaseBook, display_path, get_path, read_case_file, validate_case
from recordkit.clock.setup import clock_for, open_book, open_casebook
from recordkit.clock.status import CaseStatus, case_status, parse_duration, select
from recordkit.config import Config
from recordkit.dates import sort_key
from recordkit.errors import BadValueError, RecordkitError


def case_statuses(config: Config, refs: list[str], now: datetime | None = None) -> list[CaseStatus]:
    """The clock of each case named (all cases when none are named)."""
    clock = clock_for(config)
    book = open_casebook(config, clock)
    cases = [book.get(r) for r in refs] if refs else book.all()
    now = now or datetime.now()
    lookup = capa_lookup(config)
    return [case_status(c.data, clock.profile, clock.calendar, now, lookup) for c in cases]


def filter_statuses(
    statuses: list[CaseStatus], within: str | None, overdue: bool, open_only: bool
) -> list[CaseStatus]:
    try:
        delta = parse_duration(within) if within else None
    except ValueError as exc:
        raise BadValueError(f"--due-within: {exc}") from None
    return list(select(statuses, within=delta, overdue=overdue, open_only=open_only))


@dataclass
class ValidationReport:
    checked: int = 0
    bad: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(
        default_factory=list
    )  # closure rules unmet (compliance.closure_warnings)


def validate_files(
    config: Config | None, paths: list[Path], types: list[schema.RecordType] | None = None
) -> ValidationReport:
    """Validate the files named (all files of ``types`` when none are named; cases by default)."""
    types = types or [schema.CASE]
    books = [open_book(config, t) for t in types] if config else []
    files = [(p, _type_of(p, books, types[0])) for p in paths] or [
        (p, b.rtype) for b in books for p in b.files()
    ]
    by_type = {b.rtype.name: b for b in books}
    report = ValidationReport()
    for path, rtype in files:
        report.checked += 1
        try:
            data, _raw = read_case_file(Path(path))
        except RecordkitError as exc:
            report.bad += 1
            report.problems.append(exc.message)
            continue
        book = by_type.get(rtype.name)
        problems = validate_case(data, display_path(Path(path)), book.checks if book else (), rtype)
        if problems:
            report.bad += 1
            report.problems += [str(p) for p in problems]
        elif rtype is schema.CASE:
            report.warnings += _closure_warnings(config, Path(path), data)
    return report


def _closure_warnings(config: Config | None, path: Path, data: dict[str, Any]) -> list[str]:
    """Why a valid case with closed_at does not count as closed yet, one line each."""
    lookup = capa_lookup(config) if config else None
    return [
        f"{display_path(path)}: {key} ({schema.label_of(key)}): {why}"
        for key, why in closure_warnings(data, lookup)
    ]


def _type_of(path: Path, books: list[CaseBook], default: schema.RecordType) -> schema.RecordType:
    """A file's record type: that of the book folder it lives in, else ``default``."""
    resolved = Path(path).resolve()
    for book in books:
        if book.rtype is not schema.CASE and book.root.resolve() in resolved.parents:
            return book.rtype
    return default


def list_records(
    config: Config, types: list[schema.RecordType], open_only: bool = False
) -> list[dict[str, Any]]:
    """Rows for `record list`: number, type, date, gist, status, linked case, file."""
    rows = []
    for rtype in types:
        records, errors = open_book(config, rtype).scan()
        for record in sorted(
            records, key=lambda r: (sort_key(r.data.get(rtype.date_field)), r.case_no)
        ):
            if open_only and record.is_closed:
                continue
            gist = str(get_path(record.data, rtype.summary) or "").strip().splitlines()
            rows.append(
                {
                    "record_no": record.case_no,
                    "type": rtype.name,
                    "type_label": rtype.label,
                    "date": str(record.data.get(rtype.date_field, "")),
                    "summary": gist[0] if gist else "",
                    "status": "已关闭" if record.is_closed else "进行中",
                    "source_case": str(record.data.get("source_case") or ""),
                    "path": display_path(record.path),
                }
            )
        for error in errors:
            rows.append(
                {
                    "record_no": "",
                    "type": rtype.name,
                    "type_label": rtype.label,
                    "date": "",
                    "summary": "",
                    "status": "文件有错误",
                    "source_case": "",
                    "path": error.message.splitlines()[0],
                }
            )
    return rows


def list_cases(config: Config, keep: set[str] | None = None) -> list[dict[str, Any]]:
    """Rows for `case list`; ``keep`` limits them to these case numbers (clock filters)."""
    cases, errors = open_casebook(config).scan()
    if keep is not None:
        cases, errors = [c for c in cases if c.case_no in keep], []
    rows = []
    lookup = capa_lookup(config)
    for case in sorted(cases, key=lambda c: (sort_key(c.data.get("received_at")), c.case_no)):
        name = get_path(case.data, "complainant.name")
        anonymous = get_path(case.data, "complainant.anonymous") is True
        unmet = case.is_closed and closure_warnings(case.data, lookup)
        rows.append(
            {
                "case_no": case.case_no,
                "kind": case.kind,
                "received_at": str(case.data.get("received_at", "")),
                "complainant": "(匿名)"
                if anonymous
                else ("" if not isinstance(name, str) else name),
                "status": "办理中 (未满足办结条件)"
                if unmet
                else "已办结"
                if case.is_closed
                else "办理中",
                "closed_at": str(case.data.get("closed_at") or ""),
                "path": display_path(case.path),
            }
        )
    for error in errors:
        rows.append(
            {
                "case_no": "",
                "kind": "",
                "received_at": "",
                "complainant": "",
                "status": "文件有错误",
                "closed_at": "",
                "path": error.message.splitlines()[0],
            }
        )
    return rows
