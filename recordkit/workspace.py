"""The one door to the library: a ``Workspace`` opens a working folder (``recordkit.toml``)
and builds every service from it — case books, the form catalog and generator, the
archive, the clock, the reports. The CLI, the demo and (later) the web app get their
services here and nowhere else; this module is the only place objects are wired together.
The operations themselves live in the feature packages (e.g. ``cases/authoring.py``,
``clock/folder.py``)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from recordkit.archive.service import Archive
from recordkit.cases import schema
from recordkit.cases.store import CaseBook, Library
from recordkit.clock.setup import ClockSetup, clock_for, open_book, open_casebook, open_library
from recordkit.config import Config, load_config
from recordkit.forms.catalog import Catalog
from recordkit.forms.generator import Generator, make_generator
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
