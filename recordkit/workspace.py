"""The one door to the library: a ``Workspace`` opens a working folder (``recordkit.toml``)
and builds every service from it — case books, the form catalog and generator, the
archive, the clock, the reports. The CLI, the demo and (later) the web app get their
services here and nowhere else; this module is the only place objects are wired together.

The module-level functions below are the case and record operations the commands call
(they need books with the profile's checks, which only this level can build)."""

from __future__ import annotations

import copy
import hashlib
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from recordkit.archive.service import Archive
from recordkit.cases import schema
from recordkit.cases.compliance import capa_lookup, closure_warnings
from recordkit.cases.spreadsheet import fingerprint
from recordkit.cases.store import (
    Case,
    CaseBook,
    Library,
    display_path,
    get_path,
    normalise_dates,
    parse_case_text,
    read_case_file,
    validate_case,
    write_case_file,
)
from recordkit.clock.setup import ClockSetup, clock_for, open_book, open_casebook, open_library
from recordkit.clock.status import CaseStatus, case_status, parse_duration, select
from recordkit.config import Config, load_config
from recordkit.dates import sort_key
from recordkit.errors import BadValueError, CaseValidationError, RecordkitError
from recordkit.forms.batch import default_jobs, run_jobs
from recordkit.forms.catalog import Catalog
from recordkit.forms.generator import (
    BatchResult,
    BundleResult,
    Generator,
    RegisterResult,
    make_generator,
)
from recordkit.forms.regenerate import Progress, RegenerateResult, RegenerationPlan, Regenerator
from recordkit.forms.render import field_uses
from recordkit.reports.report import ReportResult, write_report
from recordkit.reports.stats import Period


class Workspace:
    """A working folder and the services built from its ``recordkit.toml``."""

    def __init__(self, config: Config) -> None:
        self.config = config

    @classmethod
    def open(cls, config_path: Path | None = None) -> Workspace:
        """The working folder of ``config_path`` (default: found in this folder or its parents)."""
        return cls(load_config(config_path))

    @cached_property
    def clock(self) -> ClockSetup:
        """The procedure profile and working-day calendar (loaded once)."""
        return clock_for(self.config)

    def casebook(self) -> CaseBook:
        return open_casebook(self.config, self.clock)

    def book(self, rtype: schema.RecordType) -> CaseBook:
        return open_book(self.config, rtype, self.clock)

    def library(self) -> Library:
        return open_library(self.config, self.clock)

    def catalog(self) -> Catalog:
        return Catalog(self.config.templates_dir)

    def generator(self) -> Generator:
        return make_generator(self.config)

    def archive(self) -> Archive:
        """The archive; use it with ``with`` so its index is closed."""
        return Archive(self.config)

    def report(self, period: Period, pdf: bool = False) -> ReportResult:
        return write_report(self.config, period, pdf=pdf)

    # ----- filling forms: one call per command (`fill`, `generate`, `regenerate`, `register`)
    def fill(self, code: str, refs: list[str], pdf: bool = False, force: bool = False) -> BatchResult:
        """One form for each case or record named; PDFs beside them if asked."""
        with closing(self.generator()) as generator:
            return generator.fill_cases(generator.catalog.get(code), refs, force, pdf)

    def bundle(self, ref: str, pdf: bool = False, force: bool = False) -> BundleResult:
        """The print bundle of a case (`fill --bundle`)."""
        with closing(self.generator()) as generator:
            return generator.bundle(ref, pdf=pdf, force=force)

    def generate(self, refs: list[str], codes: list[str], jobs: int | None, pdf: bool, force: bool,
                 progress: Progress) -> BatchResult:
        """Every form each case or record needs (or those named), filled in parallel; the
        cases that could not be planned are reported first among the failures."""
        with closing(self.generator()) as generator:
            plan, failures = generator.plan_jobs(refs, codes, force)
            with progress(len(plan)) as update:
                result = run_jobs(generator, plan, jobs or default_jobs(), update)
            result.failures[:0] = failures
            if pdf:
                generator.to_pdf(result, force)
            return result

    def regeneration_plan(self, case_nos: list[str], codes: list[str], since: date | None) -> RegenerationPlan:
        """What `regenerate` would remake and why (`regenerate --dry-run`); nothing written."""
        with closing(self.generator()) as generator:
            return Regenerator(generator).plan(case_nos, codes, since.isoformat() if since else None)

    def regenerate(self, case_nos: list[str], codes: list[str], since: date | None, force: bool,
                   jobs: int | None, progress: Progress) -> RegenerateResult:
        with closing(self.generator()) as generator:
            regenerator = Regenerator(generator)
            return regenerator.regenerate(case_nos, codes, since.isoformat() if since else None, force,
                                          jobs or default_jobs(), progress)  # fmt: skip

    def register(self, code: str, year: int | None, start: date | None, end: date | None, status: str | None,
                 xlsx: bool = False, pdf: bool = False) -> RegisterResult:
        with closing(self.generator()) as generator:
            return generator.register(code, year, start, end, status, xlsx, pdf)


def record_type(name: str) -> schema.RecordType:
    """A record type by its name (incident …) or Chinese label (质量事故 …)."""
    for rtype in schema.RECORD_TYPES.values():
        if name in (rtype.name, rtype.label):
            return rtype
    known = ", ".join(f"{t.name} ({t.label})" for t in schema.OTHER_TYPES)
    raise BadValueError(f"未知的记录类型 {name} (known: {known})")


def case_statuses(config: Config, refs: list[str], now: datetime | None = None) -> list[CaseStatus]:
    """The clock of each case named (all cases when none are named)."""
    clock = clock_for(config)
    book = open_casebook(config, clock)
    cases = [book.get(r) for r in refs] if refs else book.all()
    now = now or datetime.now()
    lookup = capa_lookup(config)
    return [case_status(c.data, clock.profile, clock.calendar, now, lookup) for c in cases]


def filter_statuses(statuses: list[CaseStatus], within: str | None, overdue: bool, open_only: bool) -> list[CaseStatus]:
    try:
        delta = parse_duration(within) if within else None
    except ValueError as exc:
        raise BadValueError(f"--due-within: {exc}") from None
    return list(select(statuses, within=delta, overdue=overdue, open_only=open_only))


def new_case_from_file(book: CaseBook, source: Path, allow_duplicate: bool = False) -> Case:
    """A new case (or record of the book's type) from a YAML/JSON file, validated, numbered.

    Unless ``allow_duplicate``, refuses a file whose identity (for cases: kind, received
    time, complainant, content) matches a case already in the book: running the same
    command twice must not make two cases, just as `case import` skips such rows.
    """
    data, _raw = read_case_file(source)
    problems = validate_case(data, display_path(source), book.checks, book.rtype)
    if problems:
        raise CaseValidationError(problems)
    existing = None if allow_duplicate else probable_duplicate(book, data)
    if existing:
        rtype = book.rtype
        same = "、".join(schema.label_of(p, rtype) for p in rtype.identity)
        raise RecordkitError(f"{display_path(source)}: 可能与已有的{'案件' if rtype is schema.CASE else rtype.label + '记录'} "
                             f"{existing} 重复 ({same}相同), 未新建; 确需新建请加 --allow-duplicate")
    return book.add(data, source=display_path(source))


def probable_duplicate(book: CaseBook, data: dict[str, Any]) -> str | None:
    """The number of a case in ``book`` with the same identity as ``data``, or None."""
    mark = fingerprint(normalise_dates(copy.deepcopy(data), book.rtype), book.rtype)
    cases, _errors = book.scan()
    return next((c.case_no for c in cases if fingerprint(c.data, book.rtype) == mark), None)


def blank_case(kind: str, now: datetime | None = None, rtype: schema.RecordType = schema.CASE) -> dict[str, Any]:
    """Every contract key (of cases, or of ``rtype``), empty, for a person to fill in."""
    now = now or datetime.now()
    data: dict[str, Any] = {}
    for f in rtype.fields:
        if f.path == rtype.number_key:
            continue
        empty: Any = [] if f.type in (schema.LIST, schema.ROWS) else False if f.type == schema.BOOL else None
        node = data
        *groups, leaf = f.path.split(".")
        for g in groups:
            node = node.setdefault(g, {})
        node[leaf] = empty
    if "kind" in rtype.by_path:
        data["kind"] = kind
    date_field = rtype.by_path[rtype.date_field]
    data[rtype.date_field] = now.strftime("%Y-%m-%d %H:%M" if date_field.type == schema.DATETIME else "%Y-%m-%d")
    for required in rtype.required:
        if required not in ("kind", rtype.date_field) and "." not in required:
            data[required] = ""
    data["extra"] = {}
    return data


def new_blank_case(book: CaseBook, kind: str) -> Case:
    """Reserve the next number and write a blank case (or record) file, filled in later."""
    rtype = book.rtype
    data = blank_case(kind, rtype=rtype)
    with book.lock():
        case_no = book.next_number(kind, datetime.now().year)
        data = {rtype.number_key: case_no, **data}
        path = book.path_for(case_no, datetime.now().year)
        text = blank_case_text(data, rtype)
        write_case_file(path, text)
    return Case(path, parse_case_text(text, path), hashlib.sha256(text.encode("utf-8")).hexdigest(), rtype)


_HINTS = {
    schema.DATE: "YYYY-MM-DD", schema.DATETIME: "YYYY-MM-DD HH:MM", schema.BOOL: "true 或 false",
    schema.NUMBER: "数字", schema.INTEGER: "整数", schema.LIST: "列表, 如 [甲, 乙]",
}


def _field_comment(path: str, rtype: schema.RecordType) -> str:
    """The Chinese label of a key and what it accepts, for the comment beside it."""
    if path == "extra":
        return "其他信息 (表单专用字段), 每行一项, 如 内部编号: NB-01"
    label = schema.label_of(path, rtype) or path
    field = rtype.by_path.get(path)
    if field is None:
        return label
    if field.choices:
        return f"{label}: {' | '.join(field.choices)}"
    if field.type == schema.ROWS:
        example = ", ".join(f"{k}: {lab}" for k, lab in field.columns)
        return f"{label}: 每项一行, 如 - {{{example}}}"
    hint = _HINTS.get(field.type)
    return f"{label} ({hint})" if hint else label


def _scalar_text(value: Any) -> str:
    """A value as YAML writes it inside a line; empty lists and mappings stay empty."""
    if value is None or value == [] or value == {}:
        return ""
    return yaml.safe_dump([value], allow_unicode=True, default_flow_style=True, width=1000).strip()[1:-1]


def _padded(text: str, width: int = 40) -> str:
    """``text`` padded so the comments line up; a CJK character takes two columns."""
    used = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(width - used, 0)


def blank_case_text(data: dict[str, Any], rtype: schema.RecordType = schema.CASE) -> str:
    """A blank case file with a Chinese comment naming each key and its allowed values,
    instead of dozens of bare nulls; empty keys load as blank, so it validates like
    any other file once filled in."""
    what = "案件" if rtype is schema.CASE else f"{rtype.label}记录"
    lines = [f"# {what}文件: 在冒号后填写, 不需要的项留空即可 (docs/case-format.md)"]

    def emit(node: dict[str, Any], prefix: str, indent: str) -> None:
        for key, value in node.items():
            path = f"{prefix}{key}"
            if isinstance(value, dict) and value:
                lines.append(_padded(f"{indent}{key}:") + f"  # {_field_comment(path, rtype)}")
                emit(value, f"{path}.", indent + "  ")
            else:
                text = f"{indent}{key}: {_scalar_text(value)}".rstrip()
                lines.append(_padded(text) + f"  # {_field_comment(path, rtype)}")

    emit(data, "", "")
    return "\n".join(lines) + "\n"


@dataclass
class ValidationReport:
    checked: int = 0
    bad: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # closure rules unmet (compliance.closure_warnings)


def validate_files(config: Config | None, paths: list[Path],
                   types: list[schema.RecordType] | None = None) -> ValidationReport:
    """Validate the files named (all files of ``types`` when none are named; cases by default)."""
    types = types or [schema.CASE]
    books = [open_book(config, t) for t in types] if config else []
    files = [(p, _type_of(p, books, types[0])) for p in paths] or [(p, b.rtype) for b in books for p in b.files()]
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
    return [f"{display_path(path)}: {key} ({schema.label_of(key)}): {why}" for key, why in closure_warnings(data, lookup)]


def _type_of(path: Path, books: list[CaseBook], default: schema.RecordType) -> schema.RecordType:
    """A file's record type: that of the book folder it lives in, else ``default``."""
    resolved = Path(path).resolve()
    for book in books:
        if book.rtype is not schema.CASE and book.root.resolve() in resolved.parents:
            return book.rtype
    return default


def list_records(config: Config, types: list[schema.RecordType], open_only: bool = False) -> list[dict[str, Any]]:
    """Rows for `record list`: number, type, date, gist, status, linked case, file."""
    rows = []
    for rtype in types:
        records, errors = open_book(config, rtype).scan()
        for record in sorted(records, key=lambda r: (sort_key(r.data.get(rtype.date_field)), r.case_no)):
            if open_only and record.is_closed:
                continue
            gist = str(get_path(record.data, rtype.summary) or "").strip().splitlines()
            rows.append({
                "record_no": record.case_no,
                "type": rtype.name,
                "type_label": rtype.label,
                "date": str(record.data.get(rtype.date_field, "")),
                "summary": gist[0] if gist else "",
                "status": "已关闭" if record.is_closed else "进行中",
                "source_case": str(record.data.get("source_case") or ""),
                "path": display_path(record.path),
            })
        for error in errors:
            rows.append({"record_no": "", "type": rtype.name, "type_label": rtype.label, "date": "", "summary": "",
                         "status": "文件有错误", "source_case": "", "path": error.message.splitlines()[0]})
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
        rows.append({
            "case_no": case.case_no,
            "kind": case.kind,
            "received_at": str(case.data.get("received_at", "")),
            "complainant": "(匿名)" if anonymous else ("" if not isinstance(name, str) else name),
            "status": "办理中 (未满足办结条件)" if unmet else "已办结" if case.is_closed else "办理中",
            "closed_at": str(case.data.get("closed_at") or ""),
            "path": display_path(case.path),
        })
    for error in errors:
        rows.append({"case_no": "", "kind": "", "received_at": "", "complainant": "", "status": "文件有错误",
                     "closed_at": "", "path": error.message.splitlines()[0]})
    return rows


def form_details(catalog: Catalog, code: str) -> dict[str, Any]:
    form = catalog.get(code)
    uses = sorted({f"{u.root}.{u.path}" if u.path else u.root for u in field_uses(form.compiled)})
    return {**form.summary(), "version": form.version, "template_sha256": form.compiled.sha256,
            "fields": uses, "problems": [str(p) for p in catalog.check(form)]}
