"""Regeneration: re-render exactly the outputs a template revision or a data edit made stale.

For each manifest row the output is compared with what made it: the template's version
and SHA-256, the case file's SHA-256, and the output's own SHA-256 (an output whose hash
no longer matches was edited by hand: reported, and not overwritten without ``force``).
The previous file is kept under ``out/<case_no>/.history/`` unless configured otherwise.
Derived outputs (a form's PDF, a print bundle, a register) are compared with the hashes
of what made them (the source .docx; the templates and record files) and remade after
the forms, so a PDF never keeps an old 第N版.
Crash safety: the old file is copied to history first, then the new one replaces it
atomically, so an output is always the old or the new file; a rerun finishes the job.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from recordkit.dates import parse_day_option
from recordkit.errors import EditedOutputError, LockedError, RecordkitError
from recordkit.files import sha256_file
from recordkit.forms.batch import Job, run_jobs
from recordkit.forms.generator import BatchResult, Failure, Generator, Output, Skipped
from recordkit.index.manifest import BUNDLE, PDF, REGISTER, DerivedRecord, OutputRecord

TEMPLATE, DATA, BOTH, MISSING, EDITED = (
    "template",
    "data",
    "both",
    "output missing",
    "edited by hand",
)
SOURCE = "inputs changed"
REASON_TEXT = {
    SOURCE: "生成它的表单、模板或数据已更新",
    TEMPLATE: "模板已修订",
    DATA: "案件或记录数据已修改",
    BOTH: "模板和数据都已修改",
    MISSING: "输出文件不存在",
    EDITED: "输出文件被手工修改 (需 --force 才覆盖)",
}


@dataclass(frozen=True)
class Stale:
    record: OutputRecord | DerivedRecord
    reason: str
    detail: str = ""

    @property
    def kind(self) -> str:
        return self.record.kind if isinstance(self.record, DerivedRecord) else "form"

    def as_dict(self) -> dict[str, str]:
        return {
            "output_path": self.record.output_path,
            "kind": self.kind,
            "case_no": self.record.case_no,
            "form_code": self.record.form_code,
            "reason": self.reason,
            "reason_text": REASON_TEXT.get(self.reason, self.reason),
            "detail": self.detail,
        }


@dataclass
class RegenerationPlan:
    stale: list[Stale] = field(default_factory=list)
    unchanged: int = 0
    failures: list[Failure] = field(default_factory=list)
    derived: list[Stale] = field(default_factory=list)  # PDFs, print bundles, registers

    def to_render(self, force: bool) -> list[Stale]:
        return [s for s in self.stale if s.reason != EDITED or force]

    def derived_to_render(self, force: bool) -> list[Stale]:
        return [s for s in self.derived if s.reason != EDITED or force]

    @property
    def everything(self) -> list[Stale]:
        return self.stale + self.derived

    def count_to_render(self, force: bool) -> int:
        """How many files a run will write (forms, then PDFs, bundles, registers)."""
        return len(self.to_render(force)) + len(self.derived_to_render(force))

    @property
    def edited(self) -> list[Stale]:
        """Outputs edited by hand since they were made (overwritten only with ``force``)."""
        return [s for s in self.everything if s.reason == EDITED]

    def to_dict(self) -> dict[str, Any]:
        """`regenerate --dry-run --json`."""
        return {"stale": [s.as_dict() for s in self.everything], "unchanged": self.unchanged,
                "failures": [f.to_dict() for f in self.failures]}  # fmt: skip


@dataclass
class RegenerateResult(BatchResult):
    """A regeneration: the batch result, plus the outputs found unchanged."""

    unchanged: int = 0

    def to_dict(self) -> dict[str, Any]:
        # "regenerated" is the name `regenerate --json` has always used for the outputs.
        return {
            **super().to_dict(),
            "regenerated": [o.to_dict() for o in self.outputs],
            "unchanged": self.unchanged,
        }


# Opens a progress display for a number of steps; yields the callback each step reports to.
Progress = Callable[[int], AbstractContextManager[Callable[[int], None]]]


def _file_sha256(path: Path) -> str | None:
    """SHA-256 of a file, or None when it is gone (an output deleted, a case file moved)."""
    try:
        return sha256_file(path)
    except FileNotFoundError:
        return None


class Regenerator:
    def __init__(self, generator: Generator) -> None:
        self.generator = generator
        self.root = generator.config.root

    def plan(
        self,
        case_nos: list[str] | None = None,
        codes: list[str] | None = None,
        since: str | None = None,
    ) -> RegenerationPlan:
        """Which outputs are stale and why (nothing is written)."""
        plan = RegenerationPlan()
        templates: dict[str, tuple[str, str] | None] = {}
        records = self.generator.manifest.all(
            case_nos, [c.upper() for c in codes] if codes else None, since
        )
        for record in records:
            current = templates.get(record.form_code, ...)
            if current is ...:
                current = templates[record.form_code] = self._template_state(record.form_code, plan)
            if current is None:
                continue
            reason = self._reason(record, current)
            if reason is None:
                plan.unchanged += 1
            elif reason.startswith("!"):
                plan.failures.append(Failure(record.case_no, record.form_code, reason[1:]))
            else:
                plan.stale.append(Stale(record, reason))
        self._plan_derived(plan, case_nos, [c.upper() for c in codes or []])
        return plan

    def _plan_derived(
        self, plan: RegenerationPlan, case_nos: list[str] | None, codes: list[str]
    ) -> None:
        """PDFs, bundles and registers whose inputs changed (or will: a stale source form
        or register). Bundles and registers first, so a register's PDF is judged knowing
        whether its register will be remade."""
        records = [r for r in self.generator.manifest.derived(case_nos)
                   if not codes or r.kind == BUNDLE or r.form_code in codes]  # fmt: skip
        renewed = {s.record.output_path for s in plan.stale}
        self._judge_derived(plan, [r for r in records if r.kind != PDF], renewed)
        renewed |= {s.record.output_path for s in plan.derived}
        self._judge_derived(plan, [r for r in records if r.kind == PDF], renewed)

    def _judge_derived(
        self, plan: RegenerationPlan, records: list[DerivedRecord], renewed: set[str]
    ) -> None:
        current: dict[tuple[str, str], dict[str, str] | None] = {}
        for record in records:
            key = (record.kind, record.case_no)
            if record.kind == PDF:
                key = (PDF, record.output_path)
            if key not in current:
                current[key] = self._current_inputs(record, renewed, plan)
            reason = self._derived_reason(record, current[key])
            if reason is None:
                plan.unchanged += 1
            else:
                plan.derived.append(Stale(record, reason))

    def _current_inputs(
        self, record: DerivedRecord, renewed: set[str], plan: RegenerationPlan
    ) -> dict[str, str] | None:
        """The hashes of what the output would be made from now (None: cannot tell)."""
        generator = self.generator
        try:
            if record.kind == PDF:
                source = str(record.params["source"])
                return {source: "" if source in renewed else _file_sha256(self.root / source) or ""}
            if record.kind == BUNDLE:
                return generator.bundle_inputs(
                    generator.bundle_items(generator.casebook.get(record.case_no))
                )
            form = generator.catalog.get(record.form_code)
            return generator.register_inputs(form, generator.register_records(form))
        except RecordkitError as exc:
            plan.failures.append(Failure(record.case_no, record.form_code, exc.message))
            return None

    def _derived_reason(self, record: DerivedRecord, inputs: dict[str, str] | None) -> str | None:
        output_sha = _file_sha256(self.root / record.output_path)
        if output_sha is None:
            return MISSING
        if output_sha != record.output_sha256:
            return EDITED
        return SOURCE if inputs is not None and inputs != record.inputs else None

    def _template_state(self, code: str, plan: RegenerationPlan) -> tuple[str, str] | None:
        try:
            form = self.generator.catalog.get(code)
            return form.compiled.version, form.compiled.sha256
        except RecordkitError as exc:
            plan.failures.append(Failure("", code, exc.message))
            return None

    def _reason(self, record: OutputRecord, template: tuple[str, str]) -> str | None:
        output_sha = _file_sha256(self.root / record.output_path)
        if output_sha is None:
            return MISSING
        if output_sha != record.output_sha256:
            return EDITED
        data_sha = _file_sha256(self.root / record.case_path)
        if data_sha is None:
            return f"!案件文件不存在: {record.case_path} (case file missing)"
        template_changed = (record.template_version, record.template_sha256) != template
        data_changed = data_sha != record.data_sha256
        if template_changed and data_changed:
            return BOTH
        return TEMPLATE if template_changed else DATA if data_changed else None

    def regenerate(
        self,
        case_nos: list[str],
        codes: list[str],
        since: str | None,
        force: bool,
        workers: int,
        progress: Progress,
    ) -> RegenerateResult:
        """Plan and run; outputs edited by hand (kept unless ``force``) are reported as skipped."""
        plan = self.plan(case_nos, codes, since)
        with progress(plan.count_to_render(force)) as update:
            batch = self.run(plan, force, workers, update)
        result = RegenerateResult(unchanged=plan.unchanged)
        kept = [] if force else plan.edited
        result.skipped += [
            Skipped(s.record.case_no, s.record.form_code, s.record.output_path) for s in kept
        ]
        result.merge(batch)
        return result

    def run(
        self,
        plan: RegenerationPlan,
        force: bool,
        workers: int,
        progress: Callable[[int], None] | None = None,
    ) -> BatchResult:
        """Re-render the stale outputs, keeping the previous files, under the regeneration lock."""
        lock = FileLock(str(self._lock_path()), timeout=0)
        try:
            with lock:
                return self._run_locked(plan, force, workers, progress)
        except Timeout:
            raise LockedError(
                "另一个 recordkit regenerate 正在运行, 请等它结束后再试 (regeneration lock held)"
            ) from None

    def _lock_path(self) -> Path:
        self.generator.config.lock_dir.mkdir(parents=True, exist_ok=True)
        return self.generator.config.lock_dir / "regenerate.lock"

    def _run_locked(
        self,
        plan: RegenerationPlan,
        force: bool,
        workers: int,
        progress: Callable[[int], None] | None,
    ) -> BatchResult:
        todo = plan.to_render(force)
        # The previous files go to .history/ as each one is replaced (recordkit.outputs).
        jobs = [
            Job(s.record.form_code, str(self.root / s.record.case_path), s.record.case_no, force)
            for s in todo
        ]
        result = run_jobs(self.generator, jobs, workers, progress)
        result.failures[:0] = plan.failures
        kept = {s.record.output_path for s in plan.stale if s.reason == EDITED and not force}
        kept |= {self.generator.relative(Path(s.path)) for s in result.skipped}
        self._remake_derived(plan.derived_to_render(force), kept, force, result)
        if progress:
            progress(len(plan.derived_to_render(force)))
        return result

    def _remake_derived(
        self, todo: list[Stale], kept: set[str], force: bool, result: BatchResult
    ) -> None:
        """PDFs of the renewed forms, then bundles, then registers (each kind in one go)."""
        records = [s.record for s in todo if isinstance(s.record, DerivedRecord)]
        registers = {r.output_path for r in records if r.kind == REGISTER}
        # A register's PDF is remade with its register (below), from the new .docx.
        pdfs_of_registers = {str(r.params["source"]) for r in records if r.kind == PDF} & registers
        kept = kept | registers
        sources = [
            (self.root / str(r.params["source"]), r.case_no, r.form_code)
            for r in records
            if r.kind == PDF and r.params["source"] not in kept
        ]
        if sources:
            self._guarded(result, lambda: self._pdfs(sources, force, result))
        for number in dict.fromkeys(r.case_no for r in records if r.kind == BUNDLE):
            pdf = any(
                r.params.get("pdf") for r in records if r.kind == BUNDLE and r.case_no == number
            )
            self._guarded(result, lambda n=number, p=pdf: self._bundle(n, p, force, result), number)
        for record in (r for r in records if r.kind == REGISTER):
            pdf = bool(record.params.get("pdf")) or record.output_path in pdfs_of_registers
            self._guarded(
                result,
                lambda r=record, p=pdf: self._register(r, p, result),
                record.case_no,
                record.form_code,
            )

    @staticmethod
    def _guarded(
        result: BatchResult, work: Callable[[], None], number: str = "", code: str = ""
    ) -> None:
        try:
            work()
        except EditedOutputError as exc:
            result.skipped.append(Skipped(number, code, str(exc.path)))
        except RecordkitError as exc:
            result.failures.append(Failure(number, code, exc.message))

    def _pdfs(self, sources: list[tuple[Path, str, str]], force: bool, result: BatchResult) -> None:
        written, skipped = self.generator.make_pdfs(sources, force)
        by_path = {path.with_suffix(".pdf"): (number, code) for path, number, code in sources}
        result.outputs += [Output(*by_path[p], p, "") for p in written]
        result.skipped += skipped

    def _bundle(self, number: str, pdf: bool, force: bool, result: BatchResult) -> None:
        made = self.generator.bundle(number, pdf=pdf, force=force)
        result.outputs += [Output(number, BUNDLE, p, "") for p in (made.path, made.pdf) if p]

    def _register(self, record: DerivedRecord, pdf: bool, result: BatchResult) -> None:
        params = record.params
        start, end = (
            parse_day_option(str(params[k]), k) if params.get(k) else None for k in ("start", "end")
        )
        made = self.generator.register(
            record.form_code,
            params.get("year"),
            start,
            end,  # type: ignore[arg-type]
            params.get("status"),
            bool(params.get("xlsx")),
            pdf,
        )  # type: ignore[arg-type]
        result.outputs += [
            Output(record.case_no, record.form_code, p, "") for p in (made.path, made.pdf) if p
        ]
