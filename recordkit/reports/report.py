"""Writing a period's report: statistics, charts, Word, Excel (and PDF), and the lines the
command prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from recordkit.cases.store import display_path
from recordkit.clock.setup import ClockSetup, clock_for, open_casebook
from recordkit.clock.status import case_status
from recordkit.config import Config
from recordkit.forms.libreoffice import convert_to_pdf
from recordkit.reports.charts import Chart, draw_charts
from recordkit.reports.excel import build_xlsx
from recordkit.reports.stats import (
    Period,
    Stats,
    compute_stats,
    configured_targets,
    service_volumes,
    summary_lines,
    volume_for,
    write_bytes,
)
from recordkit.reports.word import build_docx

# --------------------------------------------------------------------------- writing


@dataclass
class ReportResult:
    docx: Path
    xlsx: Path
    pdf: Path | None
    charts: list[Chart]
    stats: Stats
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "docx": str(self.docx),
            "xlsx": str(self.xlsx),
            "pdf": str(self.pdf) if self.pdf else None,
            "charts": [
                {"path": str(c.path), "title": c.title, "description": c.description}
                for c in self.charts
            ],
            "problems": self.problems,
            "stats": self.stats.to_dict(),
        }


def compute_report(
    config: Config, period: Period, now: datetime | None = None, clock: ClockSetup | None = None
) -> tuple[Stats, list[str]]:
    """One period's statistics and the case files left out for errors (nothing written):
    what the report shows, for a page that only reads it."""
    now = (now or datetime.now()).replace(second=0, microsecond=0)
    clock = clock or clock_for(config)
    cases, errors = open_casebook(config, clock).scan()
    statuses = [
        case_status(c.data, clock.profile, clock.calendar, now)
        if period.contains(c.received)
        else None
        for c in cases
    ]
    volume, volume_note = volume_for(period, service_volumes(config))
    stats = compute_stats(
        cases,
        statuses,
        period,
        profile=clock.profile,
        service_volume=volume,
        volume_note=volume_note,
        targets=configured_targets(config),
        as_of=now,
    )
    return stats, [e.message.splitlines()[0] for e in errors]


@dataclass(frozen=True)
class ReportFiles:
    """Where a period's report is written: Word, Excel, PDF and the charts' folder."""

    docx: Path
    xlsx: Path
    pdf: Path
    charts: Path

    def chart(self, name: str) -> Path | None:
        """A chart of this report by file name, or None: only a PNG that is in the report's
        own chart folder (a name from a URL never reaches another path)."""
        try:
            names = {p.name for p in self.charts.iterdir() if p.suffix == ".png" and p.is_file()}
        except OSError:
            return None
        return self.charts / name if name in names else None

    def chart_names(self) -> list[str]:
        return sorted(
            name for name in (p.name for p in self.charts.glob("*.png")) if self.chart(name)
        )


def report_files(config: Config, period: Period, out_dir: Path | None = None) -> ReportFiles:
    out_dir = Path(out_dir) if out_dir else config.out_dir / "reports"
    stem = out_dir / period.file_stem
    return ReportFiles(
        stem.with_suffix(".docx"),
        stem.with_suffix(".xlsx"),
        stem.with_suffix(".pdf"),
        out_dir / f"{period.file_stem}-charts",
    )


def write_report(
    config: Config,
    period: Period,
    out_dir: Path | None = None,
    pdf: bool = False,
    now: datetime | None = None,
) -> ReportResult:
    """Compute one period's statistics and write the Word, Excel (and PDF) report.

    Files: ``<out>/reports/投诉统计月报-2026-10.docx`` / ``.xlsx`` / ``.pdf`` and the
    charts in ``<out>/reports/投诉统计月报-2026-10-charts/``. Case files with errors are
    left out and listed in ``problems`` (and in the report's notes).
    """
    clock = clock_for(config)
    stats, problems = compute_report(config, period, now, clock)
    files = report_files(config, period, out_dir)
    charts, glyph_problems = draw_charts(stats, files.charts)
    problems += [f"图表字体缺字: {p}" for p in glyph_problems]
    org = config.organization.name
    profile_title = f"{clock.profile.title} ({clock.profile.name})"
    write_bytes(files.docx, build_docx(stats, charts, org, profile_title, problems))
    write_bytes(files.xlsx, build_xlsx(stats, org))
    pdf_path = None
    if pdf:
        pdf_path = convert_to_pdf([files.docx])[0]
    return ReportResult(files.docx, files.xlsx, pdf_path, charts, stats, problems)


def report_lines(result: ReportResult, root: Path | None = None) -> list[str]:
    """What `recordkit report …` prints: the files, the headline figures, any problems."""

    def shown(path: Path) -> str:
        if root is not None:
            try:
                return str(Path(path).relative_to(root))
            except ValueError:
                pass
        return display_path(path)

    lines = [f"Word   {shown(result.docx)}", f"Excel  {shown(result.xlsx)}"]
    if result.pdf:
        lines.append(f"PDF    {shown(result.pdf)}")
    lines.append(f"图表   {shown(result.charts[0].path.parent)} ({len(result.charts)} 张)")
    lines += summary_lines(result.stats)
    lines += [f"注意: {p}" for p in result.problems]
    return lines
