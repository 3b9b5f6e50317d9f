"""Regeneration: re-render exactly the outputs a template revision or a data edit made stale.

For each manifest row the output is compared with what made it: the template's version
and SHA-256, the case file's SHA-256, and the output's own SHA-256 (an output whose hash
no longer matches was edited by hand: reported, and not overwritten without ``force``).
The previous file is kept under ``out/<case_no>/.history/`` unless configured otherwise.
Crash safety: the old file is copied to history first, then the new one replaces it
atomically, so an output is always the old or the new file; a rerun finishes the job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from .batch import Job, run_jobs
from .errors import LockedError, RecordkitError
from .fixity import sha256_file
from .generate import BatchResult, Failure, Generator
from .index.manifest import OutputRecord

TEMPLATE, DATA, BOTH, MISSING, EDITED = "template", "data", "both", "output missing", "edited by hand"
REASON_TEXT = {
    TEMPLATE: "模板已修订",
    DATA: "案件或记录数据已修改",
    BOTH: "模板和数据都已修改",
    MISSING: "输出文件不存在",
    EDITED: "输出文件被手工修改 (需 --force 才覆盖)",
}


@dataclass(frozen=True)
class Stale:
    record: OutputRecord
    reason: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "output_path": self.record.output_path,
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

    def to_render(self, force: bool) -> list[Stale]:
        return [s for s in self.stale if s.reason != EDITED or force]


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

    def plan(self, case_nos: list[str] | None = None, codes: list[str] | None = None,
             since: str | None = None) -> RegenerationPlan:
        """Which outputs are stale and why (nothing is written)."""
        plan = RegenerationPlan()
        templates: dict[str, tuple[str, str] | None] = {}
        records = self.generator.manifest.all(case_nos, [c.upper() for c in codes] if codes else None, since)
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
        return plan

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

    def run(self, plan: RegenerationPlan, force: bool, workers: int,
            progress: Callable[[int], None] | None = None) -> BatchResult:
        """Re-render the stale outputs, keeping the previous files, under the regeneration lock."""
        lock = FileLock(str(self._lock_path()), timeout=0)
        try:
            with lock:
                return self._run_locked(plan, force, workers, progress)
        except Timeout:
            raise LockedError("另一个 recordkit regenerate 正在运行, 请等它结束后再试 (regeneration lock held)") from None

    def _lock_path(self) -> Path:
        self.generator.config.lock_dir.mkdir(parents=True, exist_ok=True)
        return self.generator.config.lock_dir / "regenerate.lock"

    def _run_locked(self, plan: RegenerationPlan, force: bool, workers: int,
                    progress: Callable[[int], None] | None) -> BatchResult:
        todo = plan.to_render(force)
        # The previous files go to .history/ as each one is replaced (recordkit.outputs).
        jobs = [Job(s.record.form_code, str(self.root / s.record.case_path), s.record.case_no, force) for s in todo]
        result = run_jobs(self.generator, jobs, workers, progress)
        result.failures[:0] = plan.failures
        return result
