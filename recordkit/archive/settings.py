"""Archive settings and what every ingest step may use: ``[archive]`` of recordkit.toml
checked once (``ArchiveSettings``), the folders (``Layout``), the outcome names, and the
``IngestContext`` (settings, catalog, case book, index, clock; no globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from recordkit.archive.numbering import (
    check_retention,
    format_archive_no,
    parse_archive_no,
    stored_name,
)
from recordkit.cases.store import CaseBook, Library
from recordkit.clock.setup import open_library
from recordkit.config import Config
from recordkit.dates import parse_date
from recordkit.errors import (
    ArchiveError,
    ArchiveIndexError,
    ConfigError,
    RecordkitError,
)
from recordkit.forms.catalog import Catalog, Form
from recordkit.index.archive import ArchiveIndex
from recordkit.index.backend import redact

# --------------------------------------------------------------------------- settings

FILING_YEAR_RULES = ("closed", "received")

QUARANTINE = "quarantine"
DUPLICATE = "duplicate"
UNIDENTIFIED = "unidentified"
FILED = "filed"
VERSION = (
    "version"  # a later scan of a filed form, kept as a new version (second_scan = "new_version")
)
SPLIT = "split"  # a print bundle: stored once in bundles/, its forms claimed as parts
ROUTE_FOLDERS = {QUARANTINE: "quarantine", DUPLICATE: "duplicates", UNIDENTIFIED: "unidentified"}
ERROR = "error"  # not an ending: the file stays in work/ and is retried on the next start
OUTCOME_LABELS = {
    FILED: "已归档",
    DUPLICATE: "重复件",
    UNIDENTIFIED: "待识别",
    QUARANTINE: "已隔离",
    ERROR: "出错待重试",
}

META_FILE = ".claim.json"
QR_PAGES = 2


@dataclass(frozen=True)
class ArchiveSettings:
    """``[archive]`` of recordkit.toml, checked once so a typo fails at start, not per file."""

    stability_seconds: float = 2.0
    empty_file_seconds: float = 30.0
    rescan_seconds: float = 10.0
    max_file_bytes: int = 200 * 1024 * 1024
    retention_default: str = "D10"
    retention_map: dict[str, str] = field(default_factory=dict)  # form code or class → code
    invalid_signature: str = "quarantine"  # quarantine | file
    trust_roots: tuple[bytes, ...] = ()
    text_pages: int = 100
    stamp_color: str = "red"
    stamp_labels: bool = False
    filing_year: str = "closed"  # closed | received: the 年度 of a case that spans two years
    major_retention: str = "D30"  # at least this 保管期限 for a 重大 case's documents; "" = no rule
    # Another scan of a form already filed: duplicates | new_version | number (the
    # behaviour before 0.2.0: a new 件号, reported by the ingest summary and archive check).
    second_scan: str = "duplicates"

    @classmethod
    def from_config(cls, config: Config) -> ArchiveSettings:
        raw = config.section("archive")
        where = f"{config.path or 'recordkit.toml'}: [archive]"

        def number(key: str, default: float, minimum: float = 0) -> float:
            value = raw.get(key, default)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
                raise ConfigError(
                    f"{where} {key}: 应为不小于 {minimum} 的数字 (must be a number >= {minimum})"
                )
            return float(value)

        def flag(key: str, default: bool) -> bool:
            value = raw.get(key, default)
            if not isinstance(value, bool):
                raise ConfigError(f"{where} {key}: 应为 true 或 false")
            return value

        def choice(key: str, default: str, allowed: tuple[str, ...]) -> str:
            value = raw.get(key, default)
            if value not in allowed:
                raise ConfigError(f"{where} {key}: 应为 {' | '.join(allowed)}")
            return str(value)

        mapping = _retention_table(raw.get("retention", {}), where)
        default = mapping.pop("default", "D10")
        certs = _trust_roots(config, raw.get("trust_roots", []), where)
        return cls(
            stability_seconds=number("stability_seconds", 2.0),
            empty_file_seconds=number("empty_file_seconds", 30.0),
            rescan_seconds=number("rescan_seconds", 10.0, minimum=0.1),
            max_file_bytes=int(number("max_file_mb", 200, minimum=0.001) * 1024 * 1024),
            retention_default=default,
            retention_map=mapping,
            invalid_signature=choice("invalid_signature", "quarantine", ("quarantine", "file")),
            trust_roots=tuple(certs),
            text_pages=int(number("text_pages", 100, minimum=2)),
            stamp_color=choice("stamp_color", "red", ("red", "black")),
            stamp_labels=flag("stamp_labels", False),
            filing_year=choice("filing_year", "closed", FILING_YEAR_RULES),
            major_retention=_major_retention(raw.get("major_retention", "D30"), where),
            second_scan=choice(
                "second_scan", "duplicates", ("duplicates", "new_version", "number")
            ),
        )

    def retention_for(self, form: Form) -> str:
        """保管期限 of a form: by its code, else by its catalog class, else the class itself."""
        cls_code = form.retention or self.retention_default
        return (
            self.retention_map.get(form.code.upper())
            or self.retention_map.get(cls_code)
            or cls_code
        )


def _major_retention(value: Any, where: str) -> str:
    """``[archive] major_retention``: a 保管期限 code, or "" for no rule."""
    if value == "":
        return ""
    try:
        check_retention(str(value))
    except ArchiveError:
        raise ConfigError(f'{where} major_retention: 应为保管期限代码 (Y, D30 …) 或 ""') from None
    return str(value)


def _retention_table(table: Any, where: str) -> dict[str, str]:
    """``[archive.retention]``: form code or class → 保管期限 code, each code checked."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}.retention: 应为表 (must be a table)")
    mapping: dict[str, str] = {}
    for key, code in table.items():
        if not isinstance(code, str):
            raise ConfigError(f'{where}.retention {key}: 应为保管期限代码文本, 如 "D30"')
        try:
            check_retention(code)
        except ArchiveError as exc:
            raise ConfigError(f"{where}.retention {key}: {exc.message}") from None
        mapping[str(key).upper() if key != "default" else key] = code
    return mapping


def _trust_roots(config: Config, roots: Any, where: str) -> list[bytes]:
    """``trust_roots``: the certificate files, read once at start."""
    if not isinstance(roots, list) or not all(isinstance(r, str) for r in roots):
        raise ConfigError(f'{where} trust_roots: 应为证书文件路径的列表, 如 ["certs/ca.pem"]')
    certs = []
    for name in roots:
        path = config.root / name
        try:
            certs.append(path.read_bytes())
        except OSError as exc:
            raise ConfigError(
                f"{where} trust_roots: 无法读取证书 {path} ({exc.strerror or exc})"
            ) from None
    return certs


@dataclass(frozen=True)
class Layout:
    """The folders under ``archive_dir`` (see docs/archive.md): the storage root.

    ``inbox_dir`` and ``work_dir`` (``[archive] inbox`` / ``work``) move one node's inbox
    and claims out of it, so several nodes share the storage root (mounted by each) and
    one PostgreSQL database (``database_url``) while each takes its own scans."""

    root: Path
    inbox_dir: Path | None = None
    work_dir: Path | None = None
    database_url: str | None = None

    @classmethod
    def of(cls, config: Config) -> Layout:
        raw = config.section("archive")
        where = f"{config.path or 'recordkit.toml'}: [archive]"

        def folder(key: str) -> Path | None:
            value = raw.get(key, "")
            if not isinstance(value, str):
                raise ConfigError(f"{where} {key}: 应为文件夹路径文本 (must be a string)")
            return config.root / value if value else None

        return cls(config.archive_dir, folder("inbox"), folder("work"), config.database_url)

    @property
    def inbox(self) -> Path:
        return self.inbox_dir or self.root / "inbox"

    @property
    def work(self) -> Path:
        return self.work_dir or self.root / "work"

    @property
    def index_path(self) -> Path:
        return self.root / "index.sqlite"

    def folder(self, route: str) -> Path:
        return self.root / ROUTE_FOLDERS[route]

    def ensure(self) -> None:
        for sub in ("store", "access", *ROUTE_FOLDERS.values()):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.inbox.mkdir(parents=True, exist_ok=True)
        self.work.mkdir(parents=True, exist_ok=True)

    def rel(self, path: Path) -> str:
        return Path(path).relative_to(self.root).as_posix()

    def abs(self, rel: str) -> Path:
        return self.root / Path(rel)

    def plan_paths(self, archive_no: str) -> tuple[str, str]:
        parts = parse_archive_no(archive_no)
        name = stored_name(archive_no)
        folder = f"{parts.year}/{parts.retention_code}"
        return f"store/{folder}/{name}", f"access/{folder}/{name}"


def local_now() -> datetime:
    return datetime.now().astimezone()


@dataclass
class IngestContext:
    """Everything a step may use; one per process (the SQLite connection is not shared)."""

    config: Config
    settings: ArchiveSettings
    layout: Layout
    catalog: Catalog
    casebook: CaseBook | Library  # cases and the other record types (SG-, ZG-, CA-, FW-)
    index: ArchiveIndex
    now: Callable[[], datetime] = local_now
    _case_years: dict[tuple[str, int], int] = field(default_factory=dict)

    @classmethod
    def open(cls, config: Config, now: Callable[[], datetime] | None = None,
             casebook: CaseBook | Library | None = None) -> IngestContext:  # fmt: skip
        settings = ArchiveSettings.from_config(config)
        _check_numbering_config(config)
        layout = Layout.of(config)
        layout.ensure()
        return cls(
            config=config,
            settings=settings,
            layout=layout,
            catalog=Catalog(config.templates_dir),
            casebook=casebook or open_library(config),
            index=open_index(layout),
            now=now or local_now,
        )

    def timestamp(self) -> str:
        return self.now().isoformat(timespec="milliseconds")

    def close(self) -> None:
        self.index.close()

    def case_year(self, case_no: str) -> int:
        """年度 of a case (``filing_year``: its closing year by default, else its receiving
        year); raises CaseNotFoundError and case-file errors."""
        path = self.casebook.locate(case_no)
        key = (str(path), path.stat().st_mtime_ns)
        if key not in self._case_years:
            self._case_years[key] = filing_year(self.casebook.load(path), self.settings.filing_year)
        return self._case_years[key]

    def is_major(self, case_no: str) -> bool:
        """The case (or record) is 重大 (``severity``), which may lengthen its 保管期限."""
        try:
            return str(self.casebook.get(case_no).data.get("severity") or "") == "重大"
        except RecordkitError:  # identification already loaded it; never fail numbering on this
            return False


def filing_year(case: Any, rule: str = "closed") -> int:
    """The 年度 a case's documents are filed under (DA/T 22-2015 归档年度).

    ``closed`` (default): a case that crosses the new year (received 2025-12-20, closed
    2026-01-08) is filed whole in the year it closed, so its documents stay together;
    a case not yet closed, or a record without ``closed_at``, counts from its receiving
    date. ``received``: always the receiving year (recordkit before 0.2).
    """
    closed = case.data.get("closed_at") if rule == "closed" else None
    if closed in (None, ""):
        return int(case.year)
    try:
        return parse_date(closed).year
    except ValueError:  # a malformed closing date is the case validator's message
        return int(case.year)


def open_index(layout: Layout) -> ArchiveIndex:
    """The index, refusing to start fresh beside stored originals.

    A missing or empty index next to a non-empty store/ means the index was lost or
    moved: starting over would hand out 件号 0001 again and collide with the originals.
    """
    stored = _first_stored_file(layout)
    if stored is not None and not layout.database_url and not layout.index_path.exists():
        raise ArchiveIndexError(_lost_index_message(layout, stored))
    index = ArchiveIndex(layout.index_path, layout.database_url)
    if stored is not None and index.document_count() == 0:
        index.close()
        raise ArchiveIndexError(_lost_index_message(layout, stored))
    return index


def existing_index(layout: Layout) -> ArchiveIndex | None:
    """The index of an archive that exists, or None before the first ingest: opened
    for reading a page, so no folder or index is created (a lost index beside stored
    originals is refused as by ``open_index``)."""
    if layout.database_url:  # the schema is there or is created: nothing is left behind
        return open_index(layout)
    if not layout.index_path.is_file() and _first_stored_file(layout) is None:
        return None
    return open_index(layout)


def _first_stored_file(layout: Layout) -> Path | None:
    store = layout.root / "store"
    if not store.is_dir():
        return None
    return next((p for p in store.rglob("*") if p.is_file() and not p.name.startswith(".")), None)


def _lost_index_message(layout: Layout, stored: Path) -> str:
    where = layout.database_url and redact(layout.database_url)
    return (
        f"{where or layout.index_path}: 档案库索引缺失或为空, 但 store/ 中已有原件 (如 {layout.rel(stored)}); "
        "为防止覆盖已存原件, 档案命令已停止。请从备份恢复 index.sqlite 后重试 "
        "(index missing or empty beside a non-empty store)"
    )


def _check_numbering_config(config: Config) -> None:
    org = config.organization
    try:
        format_archive_no(org.fonds_no, org.category_code, 2000, "D10", org.department_code, 1)
    except ArchiveError as exc:
        where = config.path or "recordkit.toml"
        raise ConfigError(f"{where}: [organization] 无法组成档号: {exc.message}") from None
