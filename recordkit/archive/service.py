"""The archive: what the ``recordkit archive`` commands call.

``Archive`` opens the folders and the index of one working folder and offers one method
per command: ``ingest`` (one-shot, optionally on all cores), ``watch`` (see
watcher.py), ``assign``, ``search``, ``show`` and ``list``; and the audit ones:
``verify``, ``check``, ``export``, ``due``, ``dispose`` and legal holds (audit.py,
export.py, retention.py). The pipeline itself is in intake.py; the SQL in index/archive.py.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from recordkit.archive import access_copies, audit, retention
from recordkit.archive import export as exporting
from recordkit.archive.audit import CaseFiling, CheckReport, VerifyReport, required_forms
from recordkit.archive.export import ExportReport
from recordkit.archive.intake import ingest_file, recover, refuse_symlink
from recordkit.archive.numbering import parse_archive_no, retention_label
from recordkit.archive.ocr_queue import idle_turn, run_ocr, text_layer_wanted
from recordkit.archive.pool import error_result, future_result, init_worker, work
from recordkit.archive.retention import DisposalReport, DueReport
from recordkit.archive.search_service import filters, search_documents, sync
from recordkit.archive.settings import (
    DUPLICATE,
    ERROR,
    FILED,
    QUARANTINE,
    ROUTE_FOLDERS,
    UNIDENTIFIED,
    ArchiveSettings,
    IngestContext,
    Layout,
    existing_index,
    open_index,
)
from recordkit.archive.stability import StabilityTracker, ignore_reason
from recordkit.archive.steps import IngestResult
from recordkit.archive.watcher import InboxWatcher
from recordkit.cases.store import Case
from recordkit.config import Config
from recordkit.errors import ArchiveError, ArchiveIndexError, DocumentNotFoundError, RecordkitError
from recordkit.forms.catalog import Catalog
from recordkit.index.archive import ArchiveIndex, Filters
from recordkit.search import SyncReport
from recordkit.workers import run_bounded, start_pool

SERIAL_BELOW = 4  # fewer files than this are faster in-process than starting workers
OUTCOMES = (FILED, DUPLICATE, UNIDENTIFIED, QUARANTINE, ERROR)

Progress = Callable[[IngestResult], None]


@dataclass(frozen=True)
class Skipped:
    """An inbox entry not taken, and why (in Chinese)."""

    file: str  # relative to the inbox
    reason: str


@dataclass
class IngestReport:
    """What one ``archive ingest`` did."""

    results: list[IngestResult] = field(default_factory=list)
    recovered: list[IngestResult] = field(default_factory=list)
    still_writing: list[str] = field(default_factory=list)  # inbox files that never settled
    skipped: list[Skipped] = field(
        default_factory=list
    )  # inbox files and folders not taken, with why
    taken_elsewhere: list[str] = field(default_factory=list)  # claimed first by another ingester
    inputs: int = 0  # the files this process took (or tried to)
    input_bytes: int = 0
    repeated_forms: list[dict[str, Any]] = field(default_factory=list)  # one form filed twice
    batch: dict[str, Any] | None = None  # the 归档信息包 row recorded for this run (inputs > 0)

    @property
    def ignored(self) -> list[str]:
        """Names of the skipped inbox entries (the older JSON key)."""
        return [s.file for s in self.skipped]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for result in self.recovered + self.results:
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
        return counts

    @property
    def ok(self) -> bool:
        """Every file filed (or already in the archive) and none left behind."""
        return not self.still_writing and all(
            r.outcome in (FILED, DUPLICATE) for r in self.recovered + self.results
        )

    @property
    def balanced(self) -> bool:
        """完整性 of the batch: every input file ended somewhere (or is reported as an error)."""
        return len(self.results) == self.inputs

    def to_dict(self) -> dict[str, Any]:
        return {
            "results": [r.to_dict() for r in self.results],
            "recovered": [r.to_dict() for r in self.recovered],
            "still_writing": self.still_writing,
            "ignored": self.ignored,
            "skipped": [asdict(s) for s in self.skipped],
            "taken_elsewhere": self.taken_elsewhere,
            "repeated_forms": self.repeated_forms,
            "inputs": self.inputs,
            "input_bytes": self.input_bytes,
            "counts": self.counts(),
            "balanced": self.balanced,
            "batch": self.batch,
        }


class Archive:
    """The archive of one working folder."""

    def __init__(self, config: Config, now: Callable[[], datetime] | None = None) -> None:
        self.config = config
        self.settings = ArchiveSettings.from_config(config)
        self.layout = Layout.of(config)
        self._now = now
        self._ctx: IngestContext | None = None
        self._index: ArchiveIndex | None = None

    # ----- plumbing
    def context(self) -> IngestContext:
        if self._ctx is None:
            self._ctx = IngestContext.open(self.config, now=self._now)
        return self._ctx

    @property
    def index(self) -> ArchiveIndex:
        """The index alone, for the read-only commands (no catalog or case book needed)."""
        if self._ctx is not None:
            return self._ctx.index
        if self._index is None:
            try:
                self.layout.ensure()
            except OSError:
                pass  # a read-only copy (an auditor's) lacking a folder: reading needs none
            self._index = open_index(self.layout)
        return self._index

    def close(self) -> None:
        # Closed before a process pool forks, too: a child must never touch the
        # parent's SQLite connection.
        for holder in (self._ctx, self._index):
            if holder is not None:
                holder.close()
        self._ctx = None
        self._index = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----- ingest
    def recover(self) -> list[IngestResult]:
        """Finish what a stopped or crashed ingester left in work/."""
        return recover(self.context())

    def inbox_files(self) -> tuple[list[Path], list[Skipped]]:
        """Entries waiting in the inbox (sub-folders included) and those skipped, with why.

        Symlinks (to files or folders, dangling too) are listed with the files: ``take``
        refuses them into quarantine/ with a reason file. Folders are never followed.
        """
        inbox = self.layout.inbox
        found: list[Path] = []
        skipped: list[Skipped] = []
        if not inbox.is_dir():
            return found, skipped

        def unreadable(exc: OSError) -> None:
            rel = Path(exc.filename or inbox).relative_to(inbox).as_posix()
            skipped.append(
                Skipped(rel, f"无法读取文件夹, 其中的文件未处理 ({exc.strerror or exc})")
            )

        for folder, dirs, files in os.walk(inbox, onerror=unreadable):
            hidden = [d for d in dirs if d.startswith(".")]
            skipped += [Skipped((Path(folder) / d).relative_to(inbox).as_posix(), "隐藏文件夹, 不处理 (hidden)")
                        for d in sorted(hidden)]  # fmt: skip
            links = [d for d in dirs if d not in hidden and (Path(folder) / d).is_symlink()]
            dirs[:] = sorted(d for d in dirs if d not in hidden and d not in links)
            for name in sorted(files + links):
                path = Path(folder) / name
                rel = path.relative_to(inbox)
                reason = ignore_reason(rel)
                if reason is None or (path.is_symlink() and not name.startswith(".")):
                    found.append(path)
                else:
                    skipped.append(Skipped(rel.as_posix(), reason))
        return found, skipped

    def label(self, path: Path) -> str:
        """How a source is named in the index and reason files."""
        # The parent is resolved, not the file: a symlink is named as itself.
        path = Path(path).parent.resolve() / Path(path).name
        try:
            return path.relative_to(self.layout.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def wait_until_stable(self, paths: list[Path], clock: Callable[[], float] = time.monotonic,
                          sleep: Callable[[float], None] = time.sleep,
                          max_wait: float | None = None) -> tuple[list[Path], list[Path]]:  # fmt: skip
        """(stable, still being written): a file is stable once size and mtime stayed the
        same for ``stability_seconds``; gives up after ``max_wait`` (default: 10 × that
        delay plus the empty-file delay)."""
        tracker = StabilityTracker(
            self.settings.stability_seconds, self.settings.empty_file_seconds
        )
        limit = (
            max_wait
            if max_wait is not None
            else 10 * self.settings.stability_seconds + self.settings.empty_file_seconds
        )
        start = clock()
        pending = list(paths)
        stable: list[Path] = []
        while pending:
            now = clock()
            for path in list(pending):
                try:
                    st = path.lstat()  # a symlink is judged (and refused) as itself
                except FileNotFoundError:
                    pending.remove(path)  # taken by another ingester, or deleted
                    continue
                if tracker.observe(path, st.st_size, st.st_mtime, now):
                    stable.append(path)
                    pending.remove(path)
            if not pending or now - start >= limit:
                break
            sleep(min(0.2, max(0.02, self.settings.stability_seconds / 4)))
        return stable, pending

    def _explicit_sources(self, files: Iterable[Path]) -> list[Path]:
        sources = []
        for file in files:
            path = Path(file)
            if path.is_symlink():
                raise ArchiveError(
                    f"{path}: 是符号链接, 不接收; 请给出实际文件 (symlinks are refused)"
                )
            if not path.exists():
                raise ArchiveError(f"{path}: 文件不存在 (file not found)")
            if not path.is_file():
                raise ArchiveError(f"{path}: 不是文件 (not a file)")
            refusal = self._refusal(path)
            if refusal:
                raise ArchiveError(f"{path}: {refusal}")
            sources.append(path)
        return sources

    def _refusal(self, path: Path) -> str | None:
        """Why a file given on the command line may not be taken, or None.

        Taken are files in inbox/, in the routed folders (a person re-files them with
        ``assign``) and anywhere outside the working folder. The archive's own files
        (index, store, disposal lists…), the config and the working folder's other
        files (cases, templates) would be moved away and lost to the archive.
        """
        resolved = path.resolve()
        root = self.layout.root.resolve()
        if self.config.path is not None and resolved == self.config.path.resolve():
            return f"是配置文件 {self.config.path.name}, 不能接收"
        if resolved.is_relative_to(self.layout.inbox.resolve()):  # [archive] inbox too
            return None
        if resolved.is_relative_to(self.layout.work.resolve()):
            return "是档案库 work/ 中的文件, 不能再次接收"
        if resolved.is_relative_to(root):
            top = resolved.relative_to(root).parts[0]
            if top == "inbox" or top in ROUTE_FOLDERS.values():
                return None
            if top in ("work", "store", "access"):
                return f"是档案库 {top}/ 中的文件, 不能再次接收"
            return f"是档案库自身的文件 ({resolved.relative_to(root).as_posix()}), 不能接收"
        if resolved.is_relative_to(self.config.root.resolve()):
            return (
                "在工作目录中, 不能接收 (可能是案件或模板文件); "
                "请把扫描件放入 archive/inbox/, 或从工作目录以外的位置接收"
            )
        return None

    def ingest(self, files: Iterable[Path] = (), inbox: bool = False, jobs: int = 1,
               on_result: Progress | None = None, on_start: Callable[[int], None] | None = None) -> IngestReport:  # fmt: skip
        """One-shot: recover, then take the files given and (with ``inbox``) the inbox."""
        report = IngestReport()
        sources = self._explicit_sources(files)
        report.recovered = self.recover()
        if inbox:
            waiting, report.skipped = self.inbox_files()
            stable, writing = self.wait_until_stable(waiting)
            report.still_writing = [self.label(p) for p in writing]
            sources += stable
        sizes = {self.label(p): _size(p) for p in sources}
        if on_start:
            on_start(len(sources))
        report.results, report.taken_elsewhere = self.run_sources(sources, jobs, on_result)
        # Files another ingester claimed first are its inputs, not ours (完整性 per process).
        report.inputs = len(sources) - len(report.taken_elsewhere)
        report.input_bytes = sum(sizes.values()) - sum(
            sizes.get(x, 0) for x in report.taken_elsewhere
        )
        report.repeated_forms = self.repeated_forms(report.results)
        report.batch = self.record_batch(report)
        return report

    def record_batch(self, report: IngestReport) -> dict[str, Any] | None:
        """Record this run's counts and byte totals (归档信息包, DA/T 70 完整性)."""
        if not report.inputs or self.index.read_only:
            return None
        filed = [r.archive_no for r in report.results if r.outcome == FILED and r.archive_no]
        try:
            batch_id = self.index.record_batch(self.timestamp(), report.inputs, report.input_bytes,
                                               dict(Counter(r.outcome for r in report.results)),
                                               filed, report.balanced)  # fmt: skip
        except (
            ArchiveIndexError
        ):  # busy or unwritable: every file is already accounted for; the report still says it
            return None
        return self.index.batches(batch_id)[0]

    def repeated_forms(self, results: list[IngestResult]) -> list[dict[str, Any]]:
        """The forms just filed that the archive now holds more than once (one form
        scanned twice: different bytes, same case and form)."""
        filed = {(r.case_no, r.form_code) for r in results if r.outcome == FILED}
        if not filed:
            return []
        return [g for g in self.index.repeated_forms() if (g["case_no"], g["form_code"]) in filed]

    def run_sources(self, sources: list[Path], jobs: int,
                    on_result: Progress | None = None) -> tuple[list[IngestResult], list[str]]:  # fmt: skip
        """Claim and process each source; on ``jobs`` processes when worth it.
        Returns the results and the labels of the sources another process took first."""
        tick = on_result or (lambda r: None)
        labelled = [(p, self.label(p)) for p in sources]
        if jobs <= 1 or len(sources) < SERIAL_BELOW:
            results, gone = [], []
            for path, label in labelled:
                result = self.take(path, label)
                if result is None:
                    gone.append(label)
                    continue
                results.append(result)
                tick(result)
            return results, gone
        return self._run_pool(labelled, jobs, tick)

    def take(self, path: Path, label: str | None = None) -> IngestResult | None:
        """Claim and process one file here; None if another process took it first."""
        label = label or self.label(path)
        ctx = self.context()
        if Path(path).is_symlink():
            return refuse_symlink(Path(path), ctx, label)
        previous = label if _in_routed_folder(label) else None
        original = _earlier_name(ctx, label) if previous else None
        try:
            return ingest_file(Path(path), ctx, label, original_name=original, previous=previous)
        except Exception as exc:  # noqa: BLE001 - one broken file must not stop a batch or the watcher
            return error_result(Path(path), label, exc)

    def _run_pool(self, labelled: list[tuple[Path, str]], jobs: int,
                  tick: Progress) -> tuple[list[IngestResult], list[str]]:  # fmt: skip
        assert self.config.path is not None, "a pool needs the recordkit.toml path"
        self.close()
        results: list[IngestResult] = []
        gone: list[str] = []

        def done(source: tuple[Path, str], future: Future[IngestResult | None]) -> None:
            result = future_result(future, source)
            if result is None:
                gone.append(source[1])
            else:
                results.append(result)
                tick(result)

        def held(source: tuple[Path, str], future: Future[IngestResult | None]) -> None:
            # Files the workers hold are finished by them; nothing more is handed out.
            result = future_result(future, source)
            if result is not None:
                results.append(result)

        with start_pool(jobs, init_worker, (Archive, str(self.config.path))) as pool:
            run_bounded(pool, work, labelled, jobs, done, held)
        return results, gone

    def assign(self, file: Path, case_no: str, form_code: str) -> IngestResult:
        """File an unidentified scan under the case and form a person names."""
        ctx = self.context()
        ctx.case_year(case_no)  # CaseNotFoundError / case file errors before anything moves
        form = ctx.catalog.get(form_code)
        (path,) = self._explicit_sources([file])
        label = self.label(path)
        previous = label if _in_routed_folder(label) else None
        original = _earlier_name(ctx, label) if previous else None
        result = ingest_file(
            path, ctx, label, assign=(case_no, form.code), original_name=original, previous=previous
        )
        if result is None:
            raise ArchiveError(f"{path}: 文件正被另一个进程处理 (taken by another ingester)")
        return result

    def watch(self, jobs: int = 1, on_result: Progress | None = None, on_event: Callable[[str], None] | None = None,
              stop: Any = None, on_ocr: Callable[[Any], None] | None = None) -> None:  # fmt: skip
        """Watch the inbox until ``stop`` is set, or Ctrl-C / SIGTERM (see watcher.py);
        when the inbox is quiet, drain the OCR queue one document at a time."""
        text_layer_wanted(self)  # a bad [archive.ocr] stops here, not on every idle turn
        state: dict[str, Any] = {}

        def idle() -> None:
            done = idle_turn(self, state)
            if done is not None and on_ocr is not None:
                on_ocr(done)

        InboxWatcher(self, jobs=jobs, on_result=on_result, on_event=on_event, on_idle=idle).run(
            stop
        )

    def ocr(
        self,
        everything: bool = False,
        jobs: int = 1,
        on_document: Callable[[Any], None] | None = None,
    ) -> Any:
        """Drain the OCR queue now (``archive ocr``; archive/ocr_queue.py)."""
        return run_ocr(self, everything, jobs, on_document)

    # ----- finding things
    def search(self, text: str | None = None, case_no: str | None = None, form_code: str | None = None,
               year: int | None = None, retention: str | None = None, **more: Any) -> list[dict[str, Any]]:  # fmt: skip
        """Full text (ranked, with snippets; archive/search_service.py) when there is text or a
        filter only the search index knows (kind, status, date_from, date_to, limit);
        otherwise the plain filters on index.sqlite, in 档号 order."""
        if (text or "").strip() or any(v for k, v in more.items() if k != "limit"):
            return search_documents(self, text or "", filters(case_no, form_code, year, retention, **more),
                                    more.get("limit") or 100)  # fmt: skip
        rows = self.index.documents(Filters(None, case_no, form_code, year, retention))
        return [self.describe(row) for row in rows]

    def reindex(self) -> SyncReport:
        """Rebuild the search index (archive/search/) from index.sqlite and the case files."""
        return sync(self, rebuild=True)

    def list(self, year: int | None = None) -> list[dict[str, Any]]:
        return self.search(year=year)

    def show(self, archive_no: str) -> dict[str, Any]:
        normalized = str(parse_archive_no(archive_no))  # accepts the stored-name form too
        row = self.index.document(normalized)
        if row is None:
            raise DocumentNotFoundError(normalized)
        return self.describe(row)

    def describe(self, row: dict[str, Any]) -> dict[str, Any]:
        """A document as the JSON output and the tables show it."""
        checks = self.index.checks(row["intake_id"])
        return {
            "archive_no": row["archive_no"],
            "case_no": row["case_no"],
            "form_code": row["form_code"],
            "form_version": row["form_version"],
            "year": row["year"],
            "retention": row["retention"],
            "retention_label": retention_label(row["retention"]),
            # the 保管期限 now in force: changed after filing (archive retention set), else the 档号's
            "retention_period": _period(row),
            "retention_period_label": retention_label(_period(row)),
            "fonds_no": row["fonds_no"],
            "category_code": row["category_code"],
            "dept_code": row["dept_code"],
            "item_no": row["item_no"],
            "pages": row["pages"],
            "size": row["size"],
            "sha256": row["sha256"],
            "sm3": row["sm3"],
            "pdf_version": row["pdf_version"],
            "signed": row["signed"],
            "signatures": json.loads(row["signatures"]),
            "disposal_due": row["disposal_due"],
            "status": row["status"],
            "identified_by": row["identified_by"],
            "original_name": row["original_name"],
            "source": row["source"],
            "original_path": str(self.layout.abs(row["original_path"])),
            "access_path": str(self.layout.abs(row["access_path"])) if row["access_path"] else None,
            "numbered_at": row["numbered_at"],
            "filed_at": row["filed_at"],
            "checks": [
                {"category": c.category, "name": c.name, "result": c.result, "detail": c.detail}
                for c in checks
            ],  # fmt: skip
        }

    # ----- audit and retention (audit.py, retention.py, bag.py; docs/audit.md)
    def now(self) -> datetime:
        return self._now() if self._now else datetime.now().astimezone()

    def timestamp(self) -> str:
        return self.now().isoformat(timespec="milliseconds")

    def catalog(self) -> Catalog | None:
        """The form catalog, or None when the working folder has none (titles then fall
        back to form codes; the archive itself never needs it)."""
        try:
            return Catalog(self.config.templates_dir)
        except RecordkitError:
            return None

    def form_titles(self) -> dict[str, str]:
        catalog = self.catalog()
        return {code: form.title for code, form in catalog.forms.items()} if catalog else {}

    def verify(self, year: int | None = None, jobs: int = 1, on_start: Callable[[int], None] | None = None,
               on_progress: Callable[[int], None] | None = None, log: bool = True,
               head: str | None = None) -> VerifyReport:  # fmt: skip
        """Re-hash every original, find missing and unknown files, walk the event chain."""
        return audit.verify(self, year, jobs, on_start, on_progress, log, head)

    def check(self, year: int | None = None) -> CheckReport:
        """件号 continuity, 四性检测 summary, completeness per case, overdue cases."""
        return audit.check(self, year, self.now().replace(tzinfo=None))

    def case_filing(self, case: Case) -> CaseFiling:
        """Each form the rules of ``archive check`` require of ``case``, with the
        documents filed for it (档号, 归档日期) or none (未归档). Read only: before the
        first ingest every form is missing and nothing is created."""
        if self._ctx is None and self._index is None:
            self._index = existing_index(self.layout)
        index = self._ctx.index if self._ctx is not None else self._index
        catalog = self.catalog()
        return audit.case_filing(case, index, required_forms(self.config, catalog), catalog)

    def export(
        self, to: Path, year: int, cases: list[str] | None = None, as_zip: bool = False
    ) -> ExportReport:
        return exporting.export(self, to, year, cases, as_zip)

    def due(self, on: date | None = None, xlsx: Path | None = None) -> DueReport:
        return retention.due(self, on or self.now().date(), xlsx)

    def dispose(self, use_due: bool, list_file: Path | None, approver: str | None, reason: str | None,
                by: str | None = None, dry_run: bool = False, on: date | None = None) -> DisposalReport:  # fmt: skip
        return retention.dispose(self, use_due, list_file, approver, reason, by, dry_run, on)

    def set_retention(self, archive_no: str | None, case_no: str | None, to: str, reason: str | None,
                      by: str | None = None, force: bool = False) -> list[dict[str, Any]]:  # fmt: skip
        """Lengthen (or, with ``force``, shorten) the 保管期限 of a document or a case's documents."""
        return retention.set_retention(self, archive_no, case_no, to, reason, by, force)

    def add_hold(self, archive_no: str | None = None, case_no: str | None = None, year: int | None = None,
                 reason: str | None = None, by: str | None = None) -> dict[str, Any]:  # fmt: skip
        return retention.add_hold(self, archive_no, case_no, year, reason, by)

    def remove_hold(
        self, hold_id: int, by: str | None, reason: str | None = None
    ) -> dict[str, Any]:
        return retention.remove_hold(self, hold_id, by, reason)

    def holds(self, include_released: bool = False) -> list[dict[str, Any]]:
        return retention.list_holds(self, include_released)

    def rebuild_copies(self, archive_no: str | None, missing: bool) -> list[access_copies.Rebuilt]:
        """Re-stamp access copies from their verified, untouched originals."""
        return access_copies.rebuild_copies(self, archive_no, missing)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _in_routed_folder(label: str) -> bool:
    return label.split("/", 1)[0] in ("quarantine", "duplicates", "unidentified")


def _earlier_name(ctx: IngestContext, destination: str) -> str | None:
    row = ctx.index.intake_at(destination)
    return row["original_name"] if row else None


def _period(row: Any) -> str:
    """The 保管期限 in force for an index row (``retention_period`` where it was changed)."""
    return (row["retention_period"] if "retention_period" in row.keys() else None) or row[
        "retention"
    ]
