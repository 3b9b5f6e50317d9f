"""The generator: case data + form templates → filled .docx files and manifest rows.

Each output is written atomically (temporary file + rename) to
``out/<case_no>/<code>-<title>.docx``; the manifest records the template version and
SHA-256, the case data's SHA-256 and the output's SHA-256, which regeneration uses.
A failing case does not stop a batch: failures are collected with their reasons.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from recordkit.cases import schema
from recordkit.cases.records import derived_values
from recordkit.cases.spreadsheet import write_register_xlsx
from recordkit.cases.store import Case, CaseBook, Library, display_path, get_path
from recordkit.clock.setup import clock_for, open_library
from recordkit.config import Config
from recordkit.dates import sort_key
from recordkit.errors import BadValueError, EditedOutputError, RecordkitError
from recordkit.forms.bundle import build_bundle, forms_to_pdf, join_pdfs, page_count
from recordkit.forms.catalog import Catalog, Form
from recordkit.forms.context import case_record, form_context, form_record, register_context
from recordkit.forms.outputs import is_hand_edited, replace_output
from recordkit.forms.qr import QrPayload
from recordkit.index.manifest import BUNDLE, PDF, REGISTER, DerivedRecord, Manifest, OutputRecord

# Supplies form deadlines for a case (the case clock plugs in here).
DeadlineSource = Callable[[dict[str, Any]], dict[str, str]]
RowExtras = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Job:
    """One form to fill for one case file (small, so batches of 10,000 cost little memory)."""

    form_code: str
    case_path: str
    case_no: str
    force: bool = False  # overwrite an output edited by hand (its previous file kept in .history/)


@dataclass(frozen=True)
class Output:
    case_no: str
    form_code: str
    path: Path
    version: str
    # (key, Chinese label) of required content left empty: the form is written, with a warning.
    empty: tuple[tuple[str, str], ...] = ()
    title: str = ""  # the form's title, for the warning about empty required content

    def to_dict(self) -> dict[str, Any]:
        return {"case_no": self.case_no, "form_code": self.form_code, "path": str(self.path), "version": self.version,
                "empty_required": [{"key": k, "label": label} for k, label in self.empty]}  # fmt: skip


@dataclass(frozen=True)
class Failure:
    case: str
    form_code: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"case": self.case, "form_code": self.form_code, "reason": self.reason}


@dataclass(frozen=True)
class Skipped:
    """An output edited by hand since it was generated: kept, not overwritten."""

    case_no: str
    form_code: str
    path: str

    def to_dict(self) -> dict[str, str]:
        return {"case_no": self.case_no, "form_code": self.form_code, "path": self.path}


@dataclass
class BatchResult:
    """What a batch (fill, generate, regenerate) wrote, converted, kept and failed on."""

    outputs: list[Output] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)

    def merge(self, other: BatchResult) -> None:
        self.outputs += other.outputs
        self.failures += other.failures
        self.skipped += other.skipped
        self.pdfs += other.pdfs

    def to_dict(self) -> dict[str, Any]:
        """The one JSON shape of a batch result (`fill`, `generate`, `regenerate --json`)."""
        return {
            "outputs": [o.to_dict() for o in self.outputs],
            "pdfs": [str(p) for p in self.pdfs],
            "failures": [f.to_dict() for f in self.failures],
            "skipped_edited": [s.to_dict() for s in self.skipped],
        }

    def empty_warnings(self) -> list[str]:
        """One warning per form written with required content empty (printed, exit 0)."""
        warnings = []
        for output in self.outputs:
            if output.empty:
                fields = "、".join(f"{key} ({label})" for key, label in output.empty)
                warnings.append(f"警告: {output.form_code} {output.title} {output.case_no}: 以下必填内容为空, "
                                f"文件中相应部分将是空白: {fields} (required content empty)")  # fmt: skip
        return warnings


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Generator:
    """Fills forms of one working folder."""

    def __init__(
        self,
        config: Config,
        catalog: Catalog | None = None,
        casebook: CaseBook | Library | None = None,
        deadlines: DeadlineSource | None = None,
        row_extras: RowExtras | None = None,
    ) -> None:
        self.config = config
        self.catalog = catalog or Catalog(config.templates_dir)
        # Cases and the other record types: a number or path may name any of them.
        self.casebook = (
            casebook if isinstance(casebook, Library) else Library.around(config, casebook)
        )
        self.deadlines = deadlines
        self.row_extras = row_extras
        self._manifest: Manifest | None = None
        self._root: str | None = None

    @property
    def manifest(self) -> Manifest:
        if self._manifest is None:
            self._manifest = Manifest(self.config.manifest_path, self.config.database_url)
        return self._manifest

    # ----- paths
    def output_path(self, case_no: str, form: Form) -> Path:
        return self.config.out_dir / case_no / f"{form.output_name}.docx"

    def relative(self, path: Path) -> str:
        """A path as the manifest stores it: relative to the working folder, '/' separators."""
        absolute = os.path.abspath(path)
        if self._root is None:
            self._root = os.path.abspath(self.config.root)
        if absolute.startswith(self._root + os.sep):
            return Path(os.path.relpath(absolute, self._root)).as_posix()
        return Path(absolute).as_posix()

    # ----- one document
    def render(self, form: Form, case: Case) -> bytes:
        """The filled .docx bytes for one case or record (nothing written)."""
        if form.record_type != case.rtype.name:
            raise RecordkitError(
                f"{form.code} {form.title} 用于{form.rtype.label}记录, {case.case_no} 是{case.rtype.label}"
                f" (form is for {form.record_type} records, not {case.rtype.name})"
            )
        compiled = form.compiled
        is_case = case.rtype is schema.CASE
        deadlines = self.deadlines(case.data) if self.deadlines and is_case else None
        derived = derived_values(case, self.config, self.casebook.cases)
        ctx = form_context(
            self.config,
            form_record(form.code, form.title, compiled.version),
            case.data,
            deadlines,
            case.rtype,
            derived,
        )
        return compiled.render(ctx, QrPayload(case.case_no, form.code, compiled.version or "0"))

    def recorded(self, path: Path) -> tuple[str | None, str]:
        """(SHA-256, template version) the manifest holds for an existing output, if any."""
        if not path.exists():
            return None, ""
        return self.manifest.recorded(self.relative(path))

    def write_output(
        self, path: Path, data: bytes, force: bool = False, durable: bool = False
    ) -> None:
        """Write one output under the hand-edit and history rule (recordkit.outputs)."""
        sha, version = self.recorded(path)
        replace_output(
            path,
            data,
            sha,
            force=force,
            keep_history=self.config.keep_history,
            version=version,
            durable=durable,
        )

    def fill(self, form: Form, case: Case, force: bool = False) -> tuple[Output, OutputRecord]:
        if form.is_register:
            raise BadValueError(
                f"{form.code} 是台帐, 请用 `recordkit register` 生成 (registers are made by `register`)"
            )
        data = self.render(form, case)
        path = self.output_path(case.case_no, form)
        self.write_output(path, data, force)
        record = OutputRecord(
            output_path=self.relative(path),
            case_no=case.case_no,
            form_code=form.code,
            template_file=form.file,
            template_version=form.compiled.version,
            template_sha256=form.compiled.sha256,
            case_path=self.relative(case.path),
            data_sha256=case.data_sha256,
            output_sha256=_sha256(data),
            created_at=_now(),
        )
        empty = tuple(form.empty_required(case.data))
        output = Output(case.case_no, form.code, path, form.compiled.version, empty, form.title)
        return output, record

    def run(
        self,
        jobs: Iterable[tuple[Form, Case]],
        progress: Callable[[int], None] | None = None,
        force: bool = False,
    ) -> BatchResult:
        """Fill every (form, case) pair; record the manifest in batches; collect failures."""
        result = BatchResult()
        pending: list[OutputRecord] = []
        try:
            for form, case in jobs:
                try:
                    output, record = self.fill(form, case, force)
                except EditedOutputError as exc:
                    result.skipped.append(Skipped(case.case_no, form.code, str(exc.path)))
                except RecordkitError as exc:
                    result.failures.append(Failure(case.case_no, form.code, exc.message))
                else:
                    result.outputs.append(output)
                    pending.append(record)
                    if len(pending) >= 500:
                        self.manifest.record(pending)
                        pending = []
                if progress:
                    progress(1)
        finally:
            # Finished files are recorded even when the batch is interrupted (Ctrl-C).
            if pending:
                self.manifest.record(pending)
        return result

    # ----- selections
    def load_cases(self, refs: Iterable[str] | None) -> tuple[list[Case], list[Failure]]:
        """Cases by number or path (all when none named); invalid files become failures."""
        refs = list(refs or [])
        if refs:
            cases, failures = [], []
            for ref in refs:
                try:
                    cases.append(self.casebook.get(ref))
                except RecordkitError as exc:
                    failures.append(Failure(ref, "", exc.message))
            return cases, failures
        cases, errors = self.casebook.scan()
        return cases, [Failure("", "", e.message) for e in errors]

    def plan(self, cases: list[Case], codes: list[str] | None) -> list[tuple[Form, Case]]:
        """The (form, case) pairs to fill: the forms asked for, or every form each case needs."""
        if codes:
            forms = [f for f in self.catalog.select(codes) if not f.is_register]
            return [(f, c) for c in cases for f in forms if f.record_type == c.rtype.name]
        return [
            (f, c)
            for c in cases
            for f in self.catalog.needed_for(c.data, self.config.profile, c.rtype)
        ]

    def plan_jobs(
        self, case_refs: list[str] | None, codes: list[str] | None, force: bool = False
    ) -> tuple[list[Job], list[Failure]]:
        """(form, case file) jobs without keeping cases in memory: with forms named, a case
        file need not even be parsed here (the worker validates it); otherwise each case is
        read once to learn which forms it needs, then dropped."""
        forms = [f for f in self.catalog.select(codes) if not f.is_register] if codes else None
        failures: list[Failure] = []
        paths: list[Path] = []
        for ref in case_refs or []:
            try:
                paths.append(self.casebook.locate(ref))
            except RecordkitError as exc:
                failures.append(Failure(ref, "", exc.message))
        if not case_refs:
            paths = self.casebook.files()
        jobs: list[Job] = []
        for path in paths:
            if forms is not None:
                kind = self.casebook.book_for_path(path).rtype.name
                jobs += [
                    Job(f.code, str(path), path.stem, force) for f in forms if f.record_type == kind
                ]
                continue
            try:
                case = self.casebook.load(path)
            except RecordkitError as exc:
                failures.append(Failure("", "", exc.message))
                continue
            needed = self.catalog.needed_for(case.data, self.config.profile, case.rtype)
            jobs += [Job(f.code, str(path), case.case_no, force) for f in needed]
        return jobs, failures

    def fill_cases(
        self, form: Form, refs: list[str], force: bool = False, pdf: bool = False
    ) -> BatchResult:
        cases, failures = self.load_cases(refs)
        result = self.run([(form, c) for c in cases], force=force)
        result.failures[:0] = failures
        if pdf:
            self.to_pdf(result, force)
        return result

    def to_pdf(self, result: BatchResult, force: bool = False) -> list[Path]:
        """PDFs beside the filled forms, added to ``result.pdfs``; a hand-edited PDF is kept
        and reported in ``result.skipped``."""
        if not result.outputs:
            return []
        pdfs, skipped = self.make_pdfs(
            [(o.path, o.case_no, o.form_code) for o in result.outputs], force
        )
        result.skipped += skipped
        result.pdfs += pdfs
        return pdfs

    def make_pdfs(
        self, sources: list[tuple[Path, str, str]], force: bool = False
    ) -> tuple[list[Path], list[Skipped]]:
        """Convert (.docx, number, form code) sources in one LibreOffice run; each PDF is
        written under the hand-edit rule and recorded with the hash of its .docx."""
        documents = [(str(path), path.read_bytes()) for path, _, _ in sources]
        written, skipped = [], []
        for (path, number, code), (_, docx), pdf in zip(
            sources, documents, forms_to_pdf(documents), strict=True
        ):
            target = path.with_suffix(".pdf")
            inputs = {self.relative(path): _sha256(docx)}
            try:
                self._derive(
                    target, pdf, (PDF, number, code), inputs, {"source": self.relative(path)}, force
                )
            except EditedOutputError:
                skipped.append(Skipped(number, code, str(target)))
                continue
            written.append(target)
        return written, skipped

    def _derive(
        self,
        path: Path,
        data: bytes,
        what: tuple[str, str, str],
        inputs: dict[str, str],
        params: dict[str, Any],
        force: bool,
    ) -> None:
        """Write one derived output (kind, number, form code) and record it with its inputs
        at once, so a later refusal (a hand-edited sibling) leaves the manifest true."""
        self.write_output(path, data, force, durable=True)
        kind, number, code = what
        row = DerivedRecord(
            self.relative(path), kind, number, code, inputs, params, _sha256(data), _now()
        )
        self.manifest.record_derived([row])

    # ----- registers
    def register(
        self,
        code: str = "R01",
        year: int | None = None,
        start: date | None = None,
        end: date | None = None,
        status: str | None = None,
        xlsx: bool = False,
        pdf: bool = False,
    ) -> RegisterResult:
        """A register (台帐) for the selection, with its XLSX and PDF if asked; the .docx and
        the PDF are recorded as derived outputs, so `regenerate` remakes them after a change."""
        form = self.catalog.get(code)
        if not form.is_register:
            raise BadValueError(f"{code} 不是台帐 (not a register)")
        cases = self.register_records(form)
        selection = select_cases(cases, year, start, end, status)
        period = describe_period(year, start, end, status)
        register_id = f"{code}-{register_slug(year, start, end, status)}"
        rows = [self._row(c) for c in selection]
        compiled = form.compiled
        ctx = register_context(
            self.config,
            form_record(form.code, form.title, compiled.version),
            register_id,
            rows,
            period,
        )
        data = compiled.render(ctx, QrPayload(register_id, form.code, compiled.version or "0"))
        path = (
            self.config.out_dir
            / "registers"
            / f"{form.output_name}-{register_slug(year, start, end, status)}.docx"
        )
        inputs = self.register_inputs(form, cases)
        params = {"code": code, "year": year, "start": start.isoformat() if start else None,
                  "end": end.isoformat() if end else None, "status": status, "xlsx": xlsx, "pdf": pdf}  # fmt: skip
        # No --force on `register`: a hand-edited register is replaced, its previous file kept.
        self._derive(path, data, (REGISTER, register_id, code), inputs, params, True)
        result = RegisterResult(path, len(selection), period)
        if xlsx:
            result.xlsx = path.with_suffix(".xlsx")
            write_register_xlsx(result.xlsx, path, f"{form.code} {form.title}")
        if pdf:  # recorded with the hash of the register's .docx, as a form's PDF is
            result.pdf = self.make_pdfs([(path, register_id, code)], force=True)[0][0]
        return result

    def register_records(self, form: Form) -> list[Case]:
        """Every record a register may list (all files must be valid)."""
        book = self.casebook.book(form.record_type)
        cases, errors = book.scan()
        if errors:
            what = "案件" if book.rtype is schema.CASE else f"{book.rtype.label}记录"
            raise RecordkitError(
                f"以下{what}文件有错误, 台帐未生成:\n" + "\n".join(e.message for e in errors)
            )
        if book.rtype.kinds:  # e.g. F29 lists only repair visits (维修)
            cases = [c for c in cases if c.kind in form.kinds]
        return cases

    def register_inputs(self, form: Form, cases: list[Case]) -> dict[str, str]:
        """Any record may enter or leave a register's selection: all of them are its inputs."""
        return {
            f"template:{form.code}": form.compiled.sha256,
            **{f"data:{self.relative(c.path)}": c.data_sha256 for c in cases},
        }

    def _row(self, case: Case) -> Any:
        """One register row: the record's fields, plus the clock's 是否超期 for cases."""
        extras = (
            self.row_extras(case.data) if self.row_extras and case.rtype is schema.CASE else None
        )
        data = case.data
        if case.rtype is schema.CASE and get_path(data, "complainant.anonymous") is True:
            # A register names an anonymous complainant 匿名, as `case list` does, not a blank.
            data = {**data, "complainant": {**(data.get("complainant") or {}), "name": "匿名"}}
        return case_record(
            data, extras, case.rtype, derived_values(case, self.config, self.casebook.cases)
        )

    # ----- print bundles
    def bundle(self, ref: str, pdf: bool = False, force: bool = False) -> BundleResult:
        """One .docx (and PDF) with every form a case needs, and the forms of the records
        linked to it, in procedure order: what an admin prints for signatures."""
        case = self.casebook.get(ref)
        path = self.bundle_path(case.case_no)
        if not force:  # refuse before writing either file (and before LibreOffice runs)
            for target in [path, path.with_suffix(".pdf")] if pdf else [path]:
                if is_hand_edited(target, self.recorded(target)[0]):
                    raise EditedOutputError(target)
        items = self.bundle_items(case)
        if not items:
            raise RecordkitError(
                f"{case.case_no}: 没有需要打印的表单 (no form in the catalog applies)"
            )
        documents = [self.render(form, record) for form, record in items]
        titles = [f"{form.code} {form.title} {record.case_no}" for form, record in items]
        # With a PDF, each form is converted on its own first: its PDF pages are joined into
        # the bundle's PDF, and its page count is written into the .docx's 共 Y 页.
        pdfs = forms_to_pdf(list(zip(titles, documents, strict=True))) if pdf else None
        what, inputs, params = (
            (BUNDLE, case.case_no, case.case_no),
            self.bundle_inputs(items),
            {"pdf": pdf},
        )
        data = build_bundle(documents, [page_count(p) for p in pdfs] if pdfs else None)
        self._derive(path, data, what, inputs, params, force)
        result = BundleResult(path, [(f.code, r.case_no) for f, r in items])
        if pdfs:
            result.pdf = path.with_suffix(".pdf")
            self._derive(result.pdf, join_pdfs(pdfs, titles), what, inputs, params, force)
            result.pages = [page_count(p) for p in pdfs]
        return result

    def bundle_path(self, case_no: str) -> Path:
        return self.config.out_dir / case_no / f"{case_no}-打印合集.docx"

    def bundle_inputs(self, items: list[tuple[Form, Case]]) -> dict[str, str]:
        """What a bundle is made from: each form's template and each record's data, by hash."""
        inputs = {f"template:{form.code}": form.compiled.sha256 for form, _ in items}
        inputs.update(
            {f"data:{self.relative(record.path)}": record.data_sha256 for _, record in items}
        )
        return inputs

    def bundle_items(self, case: Case) -> list[tuple[Form, Case]]:
        """(form, record) pairs of a bundle, in the catalog's procedure order."""
        records = [case]
        if case.rtype is schema.CASE:
            records += sorted(
                self.casebook.linked_to(case.case_no), key=lambda r: (r.rtype.name, r.case_no)
            )
        pairs = [
            (f, r)
            for r in records
            for f in self.catalog.needed_for(r.data, self.config.profile, r.rtype)
        ]
        order = {code: index for index, code in enumerate(self.catalog.forms)}
        return sorted(pairs, key=lambda p: (order[p[0].code], records.index(p[1])))

    def close(self) -> None:
        if self._manifest is not None:
            self._manifest.close()


@dataclass
class BundleResult:
    path: Path
    contents: list[tuple[str, str]]  # (form code, case or record number) in print order
    pdf: Path | None = None
    pages: list[int] = field(default_factory=list)  # each form's pages in the PDF


@dataclass
class RegisterResult:
    path: Path
    count: int
    period: str
    xlsx: Path | None = None
    pdf: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "xlsx": str(self.xlsx) if self.xlsx else None,
                "pdf": str(self.pdf) if self.pdf else None, "count": self.count, "period": self.period}  # fmt: skip


def select_cases(
    cases: list[Case], year: int | None, start: date | None, end: date | None, status: str | None
) -> list[Case]:
    """Cases received in the year / date range, with the status asked for, in receiving order."""
    chosen = []
    for case in cases:
        received = case.received
        if year and received.year != year:
            continue
        if start and received < start:
            continue
        if end and received > end:
            continue
        if status == "open" and case.is_closed:
            continue
        if status == "closed" and not case.is_closed:
            continue
        chosen.append(case)
    return sorted(chosen, key=lambda c: (sort_key(c.data.get(c.rtype.date_field)), c.case_no))


def describe_period(
    year: int | None, start: date | None, end: date | None, status: str | None
) -> str:
    if year:
        text = f"{year}年度"
    elif start or end:
        text = f"{start.isoformat() if start else '…'} 至 {end.isoformat() if end else '…'}"
    else:
        text = "全部"
    return text + {"open": " (未办结)", "closed": " (已办结)"}.get(status or "", "")


def register_slug(
    year: int | None, start: date | None, end: date | None, status: str | None
) -> str:
    if year:
        slug = str(year)
    elif start or end:
        slug = f"{start.strftime('%Y%m%d') if start else 'start'}-{end.strftime('%Y%m%d') if end else 'end'}"
    else:
        slug = "all"
    return slug + (f"-{status}" if status else "")


__all__ = [
    "Generator",
    "BatchResult",
    "BundleResult",
    "Failure",
    "Output",
    "RegisterResult",
    "display_path",
    "make_generator",
]


def make_generator(config: Config) -> Generator:
    """A generator wired with everything the working folder configures."""
    clock = clock_for(config)
    return Generator(
        config,
        casebook=open_library(config, clock),
        deadlines=clock.deadlines,
        row_extras=clock.row_extras,
    )
