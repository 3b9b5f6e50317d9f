"""The one door to the library: a ``Workspace`` opens a working folder (``recordkit.toml``)
and builds every service from it — case books, the form catalog and generator, the
archive, the clock, the reports. The CLI, the demo and (later) the web app get their
services here and nowhere else; this module is the only place objects are wired together.
The operations themselves live in the feature packages (e.g. ``cases/authoring.py``,
``clock/folder.py``)."""

from __future__ import annotations

from contextlib import closing
from datetime import date
from functools import cached_property
from pathlib import Path

from recordkit.archive.service import Archive
from recordkit.cases import schema
from recordkit.cases.store import CaseBook, Library
from recordkit.clock.setup import ClockSetup, clock_for, open_book, open_casebook, open_library
from recordkit.config import Config, load_config
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
from recordkit.index.dbops import Store
from recordkit.reports.report import (
    ReportFiles,
    ReportResult,
    compute_report,
    report_files,
    write_report,
)
from recordkit.reports.stats import Period, Stats


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

    def database_url(self) -> str:
        """The PostgreSQL URL of every store ("" = the SQLite files): env
        RECORDKIT_DATABASE_URL, else ``[database] url`` (docs/scale.md)."""
        return self.config.database_url or ""

    def database_stores(self) -> list[Store]:
        """The folder's SQLite stores and their PostgreSQL schemas (`recordkit db`)."""
        archive, state = self.config.archive_dir, self.config.lock_dir
        return [
            Store("archive", "档案索引与 OCR 队列", archive / "index.sqlite", "archive"),
            Store("manifest", "输出清单", self.config.manifest_path, "manifest"),
            Store("casecache", "案件缓存", state / "cases.sqlite", "casecache"),
            Store("search", "检索状态", archive / "search" / "state.sqlite", "search"),
            Store("web", "网页 (用户、会话、修改记录)", state / "web.sqlite3", "public"),
        ]

    def report(self, period: Period, pdf: bool = False) -> ReportResult:
        return write_report(self.config, period, pdf=pdf)

    def report_figures(self, period: Period) -> tuple[Stats, list[str]]:
        """The figures `report` would write, computed without writing anything."""
        return compute_report(self.config, period, clock=self.clock)

    def report_files(self, period: Period) -> ReportFiles:
        """Where `report` writes a period's Word, Excel, PDF and charts."""
        return report_files(self.config, period)

    # ----- filling forms: one call per command (`fill`, `generate`, `regenerate`, `register`)
    def fill(
        self, code: str, refs: list[str], pdf: bool = False, force: bool = False
    ) -> BatchResult:
        """One form for each case or record named; PDFs beside them if asked."""
        with closing(self.generator()) as generator:
            return generator.fill_cases(generator.catalog.get(code), refs, force, pdf)

    def bundle(self, ref: str, pdf: bool = False, force: bool = False) -> BundleResult:
        """The print bundle of a case (`fill --bundle`)."""
        with closing(self.generator()) as generator:
            return generator.bundle(ref, pdf=pdf, force=force)

    def generate(
        self,
        refs: list[str],
        codes: list[str],
        jobs: int | None,
        pdf: bool,
        force: bool,
        progress: Progress,
    ) -> BatchResult:
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

    def regeneration_plan(
        self, case_nos: list[str], codes: list[str], since: date | None
    ) -> RegenerationPlan:
        """What `regenerate` would remake and why (`regenerate --dry-run`); nothing written."""
        with closing(self.generator()) as generator:
            return Regenerator(generator).plan(
                case_nos, codes, since.isoformat() if since else None
            )

    def regenerate(
        self,
        case_nos: list[str],
        codes: list[str],
        since: date | None,
        force: bool,
        jobs: int | None,
        progress: Progress,
    ) -> RegenerateResult:
        with closing(self.generator()) as generator:
            regenerator = Regenerator(generator)
            return regenerator.regenerate(case_nos, codes, since.isoformat() if since else None, force,
                                          jobs or default_jobs(), progress)  # fmt: skip

    def register(
        self,
        code: str,
        year: int | None,
        start: date | None,
        end: date | None,
        status: str | None,
        xlsx: bool = False,
        pdf: bool = False,
    ) -> RegisterResult:
        with closing(self.generator()) as generator:
            return generator.register(code, year, start, end, status, xlsx, pdf)
