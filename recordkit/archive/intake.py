"""Ingest: one scan from the inbox to a filed, numbered, stamped and indexed document.

The pipeline is a declared list of small steps with one signature (``STEPS``)::

    preflight → fixity → duplicate → inspect → identify → classify
              → number → store → stamp → index → log

Each step takes the ``Intake`` (what is known about one file so far) and the
``IngestContext`` (settings, catalog, case book, index, clock; no globals) and returns
``None`` to continue or an ``Outcome`` that routes the file to ``quarantine/``,
``duplicates/`` or ``unidentified/`` with a Chinese ``<name>.reason.txt``.

What makes it safe to crash at any point and to run two ingesters at once:

- **Claim first.** A file is taken by renaming it into ``work/<claim id>/`` under a lock
  on that claim id. The rename is atomic, so of two ingesters exactly one gets the
  file; a crash leaves it in ``work/``, where the next start (or rescan) resumes it.
- **Nothing before ``number`` changes anything**, so an unfinished claim without a
  document row is simply run again from the start.
- **``number`` allocates the 件号 and inserts the document row in one transaction**
  (status ``filing``). Rows are never deleted, so no gap can appear; every step after it
  is idempotent, and recovery finishes a ``filing`` row from ``store`` on.
- **Routing is journalled** (intake state ``routing`` with the destination) before the
  file moves, and the move never overwrites (hard link + unlink), so a crash mid-route is
  finished on restart without losing or duplicating the file.
- The work copy is deleted only after the commit that accounts for it reached the disk.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from recordkit.archive.fixity import Digests, file_digests
from recordkit.archive.identify import Identification, from_qr, is_safe_case_no
from recordkit.archive.identify import identify as identify_pdf
from recordkit.archive.numbering import (
    check_retention,
    disposal_due,
    format_archive_no,
    parse_archive_no,
    retention_label,
    stored_name,
)
from recordkit.archive.pages import PageImage, pdf_reader, placement_image, qr_payloads, render_page
from recordkit.archive.pdfinspect import PdfFacts, inspect_pdf
from recordkit.archive.pdfinspect import preflight as pdf_preflight
from recordkit.archive.stamp import StampFields, StampStyle, stamp_access_copy, stamp_rendered_page
from recordkit.cases.store import CaseBook, Library
from recordkit.clock.setup import open_library
from recordkit.config import Config
from recordkit.errors import (
    ArchiveError,
    ArchiveIndexError,
    CaseNotFoundError,
    ConfigError,
    PdfError,
    RecordkitError,
    UnknownFormError,
)
from recordkit.files import fsync_file, move_no_clobber, sha256_file, write_atomic
from recordkit.forms.catalog import Catalog, Form
from recordkit.forms.qr import QrPayload
from recordkit.index.archive import ArchiveIndex, CheckRow, Duplicate, IntakeRef, NewDocument

# --------------------------------------------------------------------------- settings

QUARANTINE = "quarantine"
DUPLICATE = "duplicate"
UNIDENTIFIED = "unidentified"
FILED = "filed"
ROUTE_FOLDERS = {QUARANTINE: "quarantine", DUPLICATE: "duplicates", UNIDENTIFIED: "unidentified"}
ERROR = "error"  # not an ending: the file stays in work/ and is retried on the next start
OUTCOME_LABELS = {FILED: "已归档", DUPLICATE: "重复件", UNIDENTIFIED: "待识别", QUARANTINE: "已隔离", ERROR: "出错待重试"}

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

    @classmethod
    def from_config(cls, config: Config) -> ArchiveSettings:
        raw = config.section("archive")
        where = f"{config.path or 'recordkit.toml'}: [archive]"

        def number(key: str, default: float, minimum: float = 0) -> float:
            value = raw.get(key, default)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
                raise ConfigError(f"{where} {key}: 应为不小于 {minimum} 的数字 (must be a number >= {minimum})")
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

        table = raw.get("retention", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{where}.retention: 应为表 (must be a table)")
        mapping: dict[str, str] = {}
        for key, code in table.items():
            if not isinstance(code, str):
                raise ConfigError(f"{where}.retention {key}: 应为保管期限代码文本, 如 \"D30\"")
            try:
                check_retention(code)
            except ArchiveError as exc:
                raise ConfigError(f"{where}.retention {key}: {exc.message}") from None
            mapping[str(key).upper() if key != "default" else key] = code
        default = mapping.pop("default", "D10")
        roots = raw.get("trust_roots", [])
        if not isinstance(roots, list) or not all(isinstance(r, str) for r in roots):
            raise ConfigError(f"{where} trust_roots: 应为证书文件路径的列表, 如 [\"certs/ca.pem\"]")
        certs = []
        for name in roots:
            path = config.root / name
            try:
                certs.append(path.read_bytes())
            except OSError as exc:
                raise ConfigError(f"{where} trust_roots: 无法读取证书 {path} ({exc.strerror or exc})") from None
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
        )

    def retention_for(self, form: Form) -> str:
        """保管期限 of a form: by its code, else by its catalog class, else the class itself."""
        cls_code = form.retention or self.retention_default
        return self.retention_map.get(form.code.upper()) or self.retention_map.get(cls_code) or cls_code


@dataclass(frozen=True)
class Layout:
    """The folders under ``archive_dir`` (see docs/archive.md)."""

    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def index_path(self) -> Path:
        return self.root / "index.sqlite"

    def folder(self, route: str) -> Path:
        return self.root / ROUTE_FOLDERS[route]

    def ensure(self) -> None:
        for sub in ("inbox", "work", "store", "access", *ROUTE_FOLDERS.values()):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

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
        layout = Layout(config.archive_dir)
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
        """年度 of a case (its receiving year); raises CaseNotFoundError and case-file errors."""
        path = self.casebook.locate(case_no)
        key = (str(path), path.stat().st_mtime_ns)
        if key not in self._case_years:
            self._case_years[key] = self.casebook.load(path).year
        return self._case_years[key]


def open_index(layout: Layout) -> ArchiveIndex:
    """The index, refusing to start fresh beside stored originals.

    A missing or empty index next to a non-empty store/ means the index was lost or
    moved: starting over would hand out 件号 0001 again and collide with the originals.
    """
    stored = _first_stored_file(layout)
    if stored is not None and not layout.index_path.exists():
        raise ArchiveIndexError(_lost_index_message(layout, stored))
    index = ArchiveIndex(layout.index_path)
    if stored is not None and index.document_count() == 0:
        index.close()
        raise ArchiveIndexError(_lost_index_message(layout, stored))
    return index


def _first_stored_file(layout: Layout) -> Path | None:
    store = layout.root / "store"
    if not store.is_dir():
        return None
    return next((p for p in store.rglob("*") if p.is_file() and not p.name.startswith(".")), None)


def _lost_index_message(layout: Layout, stored: Path) -> str:
    return (f"{layout.index_path}: 档案库索引缺失或为空, 但 store/ 中已有原件 (如 {layout.rel(stored)}); "
            "为防止覆盖已存原件, 档案命令已停止。请从备份恢复 index.sqlite 后重试 "
            "(index missing or empty beside a non-empty store)")


def _check_numbering_config(config: Config) -> None:
    org = config.organization
    try:
        format_archive_no(org.fonds_no, org.category_code, 2000, "D10", org.department_code, 1)
    except ArchiveError as exc:
        where = config.path or "recordkit.toml"
        raise ConfigError(f"{where}: [organization] 无法组成档号: {exc.message}") from None


# --------------------------------------------------------------------------- what flows through

@dataclass(frozen=True)
class Check:
    """One 四性检测 result: category 真实性|完整性|可用性|安全性, result pass|fail|warn."""

    category: str
    name: str
    result: str
    detail: str

    def row(self) -> CheckRow:
        return CheckRow(self.category, self.name, self.result, self.detail)


@dataclass(frozen=True)
class Outcome:
    """Why a file leaves the pipeline early, in the words the reason file uses."""

    route: str  # quarantine | duplicate | unidentified
    check: str  # which check, e.g. "安全性 — 活动内容"
    reason: str  # why
    advice: str  # what to do
    archive_no: str | None = None  # the document a duplicate duplicates


@dataclass
class Intake:
    """One input file on its way through the pipeline."""

    id: str
    work_dir: Path
    original_name: str
    source: str
    claimed_at: str
    assign: tuple[str, str] | None = None  # (case_no, form_code) given by `archive assign`
    digests: Digests | None = None
    facts: PdfFacts | None = None
    page1: PageImage | None = None
    reader: Any = None  # a pypdf reader of the work copy, shared by the page renders
    identification: Identification | None = None
    form: Form | None = None
    year: int | None = None
    retention: str | None = None
    archive_no: str | None = None
    item_no: int | None = None
    original_path: str | None = None
    access_path: str | None = None
    signed: str = "none"
    checks: list[Check] = field(default_factory=list)
    resumed: bool = False

    @property
    def work_path(self) -> Path:
        return self.work_dir / self.original_name

    def add(self, category: str, name: str, result: str, detail: str) -> None:
        self.checks.append(Check(category, name, result, detail))

    def ref(self) -> IntakeRef:
        return IntakeRef(self.id, self.original_name, self.source, self.claimed_at)


@dataclass(frozen=True)
class IngestResult:
    """Where one input file ended."""

    intake_id: str
    original_name: str
    source: str
    outcome: str  # filed | duplicate | unidentified | quarantine
    destination: str  # archive-relative
    archive_no: str | None = None
    case_no: str | None = None
    form_code: str | None = None
    check: str = ""
    reason: str = ""
    resumed: bool = False

    @property
    def label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Step = Callable[[Intake, IngestContext], "Outcome | None"]


# --------------------------------------------------------------------------- steps

_PREFLIGHT = {
    # problem code: (check, what to do)
    "missing": ("可用性 — 文件读取", "文件在处理中消失; 如仍需归档, 请重新放入 inbox/。"),
    "not_a_file": ("可用性 — 文件读取", "只能归档普通文件; 请放入 PDF 文件。"),
    "unreadable": ("可用性 — 文件读取", "检查文件权限或磁盘, 然后重新放入 inbox/。"),
    "empty": ("完整性 — 文件大小", "文件为空, 可能是扫描或复制未完成; 请重新扫描或复制。"),
    "too_large": ("可用性 — 文件大小", "请拆分文件, 或调大 recordkit.toml 中 [archive] max_file_mb。"),
    "not_pdf": ("可用性 — 文件格式", "只接受 PDF; 请用扫描仪输出 PDF, 或把文件另存为 PDF 后重新放入 inbox/。"),
    "truncated": ("完整性 — 文件完整", "文件不完整 (传输中断?); 请重新扫描或复制原文件。"),
}


def preflight(item: Intake, ctx: IngestContext) -> Outcome | None:
    """Readable, really a PDF (header and %%EOF), within the size limit."""
    problem = pdf_preflight(item.work_path, ctx.settings.max_file_bytes)
    if problem is None:
        item.add("可用性", "文件格式", "pass", "PDF 文件头和文件尾完整, 大小在上限内")
        return None
    check, advice = _PREFLIGHT.get(problem.code, ("可用性 — 文件读取", "请检查文件后重新放入 inbox/。"))
    category, name = check.split(" — ")
    item.add(category, name, "fail", _without_path(problem.message, item.work_path))
    return Outcome(QUARANTINE, check, _without_path(problem.message, item.work_path), advice)


def fixity(item: Intake, ctx: IngestContext) -> Outcome | None:
    """SHA-256 and SM3 of the original bytes, as they arrived."""
    item.digests = file_digests(item.work_path)
    item.add("真实性", "固化信息", "pass", f"SHA-256 {item.digests.sha256}; SM3 {item.digests.sm3}")
    return None


def duplicate(item: Intake, ctx: IngestContext) -> Outcome | None:
    """The same bytes already archived: reported, not filed twice."""
    assert item.digests is not None
    existing = ctx.index.find_sha256(item.digests.sha256)
    if existing is None:
        item.add("真实性", "重复检测", "pass", "档案库中没有相同内容的文件")
        return None
    return _duplicate_outcome(item, existing)


def _duplicate_outcome(item: Intake, existing: Duplicate) -> Outcome:
    detail = f"与已归档的 {existing.archive_no} 内容完全相同 (SHA-256 相同)"
    item.add("真实性", "重复检测", "fail", detail)
    return Outcome(DUPLICATE, "真实性 — 重复检测", detail,
                   "无需处理: 原件已归档。如确需替换, 请联系档案管理员。", existing.archive_no)  # fmt: skip


def inspect(item: Intake, ctx: IngestContext) -> Outcome | None:
    """Pages, encryption, active content, signatures, and that page 1 renders."""
    facts = inspect_pdf(item.work_path, text_pages=ctx.settings.text_pages, trust_roots=ctx.settings.trust_roots)
    item.facts = facts
    if facts.encrypted:
        why = "PDF 已加密, 需要密码才能打开" if facts.needs_password else "PDF 已加密 (设置了权限密码)"
        item.add("可用性", "未加密", "fail", why)
        return Outcome(QUARANTINE, "可用性 — 加密", why,
                       "归档文件不得加密。请用原扫描件, 或在 PDF 软件中移除密码和权限限制后另存, 再放入 inbox/。")  # fmt: skip
    item.add("可用性", "未加密", "pass", "未加密")
    if not facts.pages:
        why = "无法解析 PDF 结构: " + ("; ".join(facts.errors) or "没有页面")
        item.add("可用性", "可解析", "fail", why)
        return Outcome(QUARANTINE, "可用性 — 文件解析", why, "文件已损坏。请重新扫描或向来源索取完好的 PDF。")
    item.add("可用性", "可解析", "warn" if facts.errors else "pass",
             f"{facts.pages} 页, {facts.version or 'PDF'}" + (f"; 结构问题: {'; '.join(facts.errors)}" if facts.errors else ""))  # fmt: skip
    if facts.active_content:
        found = "、".join(facts.active_content)
        item.add("安全性", "活动内容", "fail", f"含有 {found}")
        return Outcome(QUARANTINE, "安全性 — 活动内容", f"文件含有活动内容: {found}",
                       "归档文件不得含脚本、启动动作、表单提交或附件。请重新扫描, 或用“打印为 PDF”生成不含活动内容的文件。")  # fmt: skip
    item.add("安全性", "活动内容", "pass", "无 JavaScript、Launch 动作、表单提交或嵌入文件")
    outcome = _signature_check(item, facts, ctx)
    if outcome is not None:
        return outcome
    try:
        item.reader = pdf_reader(item.work_path)
        item.page1 = render_page(item.work_path, 0, reader=item.reader)
    except PdfError as exc:
        item.add("可用性", "可渲染", "fail", exc.message)
        return Outcome(QUARANTINE, "可用性 — 渲染", _without_path(exc.message, item.work_path),
                       "第 1 页无法显示。请重新扫描或向来源索取完好的 PDF。")  # fmt: skip
    item.add("可用性", "可渲染", "pass", "第 1 页可正常渲染")
    return None


def _signature_check(item: Intake, facts: PdfFacts, ctx: IngestContext) -> Outcome | None:
    if not facts.signatures:
        item.signed = "none"
        item.add("真实性", "数字签名", "pass", "无数字签名")
        return None
    details = "; ".join(f"{s.field or '签名'} ({s.signer or '未知签署人'}): {s.reason}" for s in facts.signatures)
    if all(s.status == "valid" for s in facts.signatures):
        item.signed = "valid"
        trusted = all(s.trusted for s in facts.signatures)
        item.add("真实性", "数字签名", "pass" if trusted else "warn", details)
        return None
    item.signed = "invalid"
    item.add("真实性", "数字签名", "fail", details)
    if ctx.settings.invalid_signature == "file":
        return None
    return Outcome(QUARANTINE, "真实性 — 数字签名", f"数字签名无效或无法验证: {details}",
                   "签名后文件被修改或签名损坏。请向签署人索取原始签名文件; 如确认需按现状归档, "
                   "可在 recordkit.toml 设 [archive] invalid_signature = \"file\"。")  # fmt: skip


def identify(item: Intake, ctx: IngestContext) -> Outcome | None:
    """Case and form: QR on the first pages, else the file name, else the text layer."""
    assert item.facts is not None
    if item.assign is not None:
        ident = Identification(item.assign[0], item.assign[1], None, "assign", "人工指定 (recordkit archive assign)")
    else:
        ident = identify_scan(item, ctx)
    item.identification = ident
    if not ident.identified or ident.case_no is None:
        return _unidentified(item, f"无法识别案件: {ident.reason}")
    case_no = ident.case_no
    if not is_safe_case_no(case_no):
        return _unidentified(item, f"案件编号 {case_no!r} 不合法")
    try:
        item.year = ctx.case_year(case_no)
    except CaseNotFoundError:
        via = {"qr": "二维码", "filename": "文件名", "text": "文本", "assign": "指定"}.get(ident.method or "", "")
        return _unidentified(item, f"{via}中的案件编号 {case_no} 不在案件库中 (cases/ 中没有此案件)")
    except RecordkitError as exc:
        return _unidentified(item, f"案件 {case_no} 的案件文件有错误: {exc.message}")
    if not ident.form_code:
        return _unidentified(item, f"已识别案件 {case_no} ({ident.reason}), 但无法确定表单编号")
    try:
        item.form = ctx.catalog.get(ident.form_code)
    except UnknownFormError as exc:
        return _unidentified(item, f"案件 {case_no}: {exc.message}")
    item.add("完整性", "识别", "pass", f"案件 {case_no}, 表单 {item.form.code} ({ident.reason})")
    return None


def _unidentified(item: Intake, why: str) -> Outcome:
    item.add("完整性", "识别", "fail", why)
    return Outcome(UNIDENTIFIED, "完整性 — 案件和表单识别", why,
                   "确认所属案件和表单后执行: recordkit archive assign <文件> --case <案件编号> --form <表单编号>")  # fmt: skip


def classify(item: Intake, ctx: IngestContext) -> Outcome | None:
    """保管期限 from the form's class and the retention table; 年度 = the case's year."""
    assert item.form is not None and item.year is not None and item.facts is not None
    item.retention = ctx.settings.retention_for(item.form)
    item.add("完整性", "必填元数据", "pass",
             f"案件 {item.identification.case_no if item.identification else ''}, 表单 {item.form.code}, "
             f"年度 {item.year}, 保管期限 {retention_label(item.retention)}, 页数 {item.facts.pages}")  # fmt: skip
    return None


def number(item: Intake, ctx: IngestContext) -> Outcome | None:
    """The next 件号 of (年度, 保管期限, 机构), taken in the transaction that records the document."""
    assert item.digests and item.facts and item.form and item.identification and item.year and item.retention
    org = ctx.config.organization
    year, retention = item.year, item.retention
    due = disposal_due(year, retention)
    doc = NewDocument(
        fonds_no=org.fonds_no,
        category_code=org.category_code,
        year=year,
        retention=retention,
        dept_code=org.department_code,
        case_no=item.identification.case_no or "",
        form_code=item.form.code,
        form_version=item.identification.version,
        identified_by=item.identification.method or "",
        pages=item.facts.pages or 0,
        size=item.digests.size,
        sha256=item.digests.sha256,
        sm3=item.digests.sm3,
        pdf_version=item.facts.version,
        signed=item.signed,
        signatures=[asdict(s) for s in item.facts.signatures],
        disposal_due=due.isoformat() if due else None,
        original_name=item.original_name,
        source=item.source,
        intake_id=item.id,
    )
    result = ctx.index.number(
        item.ref(),
        doc,
        lambda n: format_archive_no(org.fonds_no, org.category_code, year, retention, org.department_code, n),
        ctx.layout.plan_paths,
        ctx.timestamp(),
        [c.row() for c in item.checks],
        "\n".join((item.original_name, item.facts.text)),
    )
    if isinstance(result, Duplicate):
        return _duplicate_outcome(item, result)
    item.archive_no, item.item_no = result.archive_no, result.item_no
    item.original_path, item.access_path = result.original_path, result.access_path
    item.checks = []  # recorded with the row; later steps add their own
    previous = f"前一件 {result.item_no - 1:04d}" if result.item_no > 1 else "本序列第一件"
    item.add("真实性", "档号格式", "pass", f"{result.archive_no} 符合 全宗号-门类·年度-期限-机构-件号")
    item.add("完整性", "件号连续", "pass", f"件号 {result.item_no:04d}, {previous}")
    return None


def store(item: Intake, ctx: IngestContext) -> Outcome | None:
    """Copy the original bit for bit, re-hash the copy, make it read-only."""
    assert item.original_path and item.digests
    dest = ctx.layout.abs(item.original_path)
    if dest.exists() and sha256_file(dest) == item.digests.sha256:
        _make_read_only(dest)
    else:
        _copy_verified(item.work_path, dest, item.digests.sha256, item.id)
    size = dest.stat().st_size
    if size != item.digests.size:
        raise ArchiveError(f"{dest}: 存储副本大小 {size} 与原件 {item.digests.size} 不符")
    item.add("真实性", "存储校验", "pass", "存储副本的 SHA-256 与接收时一致, 已设为只读")
    return None


def stamp(item: Intake, ctx: IngestContext) -> Outcome | None:
    """An access copy with the 归档章 on page 1; the stored original is only read."""
    assert item.archive_no and item.original_path and item.access_path
    pages = item.facts.pages if item.facts and item.facts.pages else _pages_of_row(item, ctx)
    fields = StampFields.from_archive_no(item.archive_no, pages)
    style = StampStyle(color=ctx.settings.stamp_color, show_labels=ctx.settings.stamp_labels)
    original = ctx.layout.abs(item.original_path)
    dest = ctx.layout.abs(item.access_path)
    try:
        rule = write_access_copy(original, dest, fields, style, item.page1, item.id)
    except PdfError as exc:
        if isinstance(exc.__cause__, OSError):
            raise  # disk full, permissions: retried on the next start, never a verdict on the file
        item.access_path = None
        item.add("可用性", "利用副本", "fail", f"无法生成加盖归档章的利用副本: {exc.message}")
        return None
    item.add("可用性", "利用副本", "pass", f"已生成利用副本并加盖归档章 (位置: {rule})")
    return None


def index(item: Intake, ctx: IngestContext) -> Outcome | None:
    """Mark the document filed, with the checks of the last steps."""
    assert item.archive_no
    item.add("安全性", "过程记录", "pass", "接收、检测、编号、存储各步骤已记入事件日志")
    ctx.index.mark_filed(item.archive_no, item.id, ctx.timestamp(), item.access_path, [c.row() for c in item.checks])
    return None


def log(item: Intake, ctx: IngestContext) -> Outcome | None:
    """Append the ``filed`` event to the hash chain, then let go of the work copy."""
    assert item.archive_no
    doc = _record_access_sha256(item.archive_no, ctx)
    detail = {
        "intake_id": item.id,
        "original_name": item.original_name,
        "source": item.source,
        "case_no": doc.get("case_no"),
        "form_code": doc.get("form_code"),
        "sha256": doc.get("sha256"),
        "sm3": doc.get("sm3"),
        "original_path": doc.get("original_path"),
        "access_path": doc.get("access_path"),
        "access_sha256": doc.get("access_sha256"),
        "size": doc.get("size"),
        "resumed": item.resumed,
    }
    ctx.index.finish_filing(item.archive_no, item.id, ctx.timestamp(), detail)
    _remove_work_dir(item.work_dir)
    return None


def _record_access_sha256(archive_no: str, ctx: IngestContext) -> dict[str, Any]:
    """The document row, with the access copy's SHA-256 recorded first (verify checks
    the copy against it and the ``filed`` event)."""
    doc = ctx.index.document(archive_no) or {}
    access = ctx.layout.abs(doc["access_path"]) if doc.get("access_path") else None
    if access is not None and access.is_file() and not doc.get("access_sha256"):
        ctx.index.set_access_copy(archive_no, doc["access_path"], sha256_file(access), ctx.timestamp(), None, {})
        doc = ctx.index.document(archive_no) or doc
    return doc


STEPS: list[Step] = [preflight, fixity, duplicate, inspect, identify, classify, number, store, stamp, index, log]
# Where recovery re-enters for a document row in each status.
RESUME_FROM = {"filing": STEPS.index(store), "filed": STEPS.index(log)}


# --------------------------------------------------------------------------- running

def run_steps(item: Intake, ctx: IngestContext, steps: list[Step]) -> IngestResult | None:
    """Run ``steps`` in order; an Outcome routes the file. None if the steps ran out
    before the file ended anywhere (only when called with a partial list)."""
    for step in steps:
        try:
            outcome = step(item, ctx)
        except Exception as exc:
            if item.archive_no is not None or _is_environmental(exc):
                raise  # a numbered document is finished by recovery; the disk may come back
            outcome = Outcome(QUARANTINE, f"处理步骤 {step.__name__}", _describe(exc),
                              "文件无法处理。请检查文件; 如确认文件完好, 请把原因文件发给维护人员。")  # fmt: skip
        if outcome is not None:
            return route(item, outcome, ctx)
    if steps and steps[-1] is log and item.archive_no:
        return _filed_result(item, ctx)
    return None


def _is_environmental(exc: BaseException) -> bool:
    """Errors of the machine (disk, permissions, database busy), not of the file."""
    return isinstance(exc, (OSError, ArchiveIndexError)) or isinstance(exc.__cause__, OSError)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, RecordkitError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"[:500]


def _filed_result(item: Intake, ctx: IngestContext) -> IngestResult:
    ident = item.identification
    doc = ctx.index.document(item.archive_no or "") or {}
    return IngestResult(
        intake_id=item.id,
        original_name=item.original_name,
        source=item.source,
        outcome=FILED,
        destination=item.original_path or doc.get("original_path", ""),
        archive_no=item.archive_no,
        case_no=ident.case_no if ident else doc.get("case_no"),
        form_code=item.form.code if item.form else doc.get("form_code"),
        resumed=item.resumed,
    )


def process(item: Intake, ctx: IngestContext) -> IngestResult:
    result = run_steps(item, ctx, STEPS)
    assert result is not None
    return result


# ----- claiming

def new_claim_id() -> str:
    """Sortable by claim time, unique across processes and machines sharing a folder."""
    return f"{datetime.now():%Y%m%d-%H%M%S-%f}-{secrets.token_hex(4)}"


@contextmanager
def claim_lock(layout: Layout, claim_id: str) -> Iterator[bool]:
    """Hold the lock of one claim; yields False if another process holds it."""
    path = layout.work / f"{claim_id}.lock"
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
        # The work dir is gone before this, so a process that still gets this lock
        # finds nothing to do; unlinking keeps work/ tidy.
        if not (layout.work / claim_id).exists():
            try:
                path.unlink()
            except OSError:
                pass


def claim(source: Path, layout: Layout, claim_id: str, source_label: str, now: str,
          assign: tuple[str, str] | None = None, original_name: str | None = None) -> Intake | None:  # fmt: skip
    """Move ``source`` into ``work/<claim_id>/``; None if another process took it first
    or the writer still holds it open (Windows). The caller holds the claim lock."""
    name = original_name or source.name
    work_dir = layout.work / claim_id
    work_dir.mkdir(parents=True)
    meta = {"id": claim_id, "original_name": name, "source": source_label, "claimed_at": now,
            "assign": list(assign) if assign else None}  # fmt: skip
    write_atomic(work_dir / META_FILE, json.dumps(meta, ensure_ascii=False).encode("utf-8"))
    target = work_dir / name
    try:
        os.rename(source, target)
    except (FileNotFoundError, PermissionError):
        _remove_work_dir(work_dir)
        return None
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            _remove_work_dir(work_dir)
            raise ArchiveError(f"{source}: 无法移入 work/ ({exc.strerror or exc})") from exc
        # Another filesystem (a file given on the command line): copy, then remove.
        if not _copy_in(source, target):
            _remove_work_dir(work_dir)
            return None
    return Intake(claim_id, work_dir, name, source_label, now, assign=assign)


def _copy_in(source: Path, target: Path) -> bool:
    tmp = target.with_name(f".{target.name}.copying")
    try:
        shutil.copyfile(source, tmp)
        fsync_file(tmp)
        os.replace(tmp, target)
        source.unlink()
    except FileNotFoundError:
        tmp.unlink(missing_ok=True)
        return False
    return True


def ingest_file(source: Path, ctx: IngestContext, source_label: str, assign: tuple[str, str] | None = None,
                original_name: str | None = None, previous: str | None = None) -> IngestResult | None:  # fmt: skip
    """Claim one file and run the whole pipeline on it; None if it was not ours to take.

    ``previous``: the archive-relative place an earlier intake left this file
    (unidentified/…, quarantine/…); that intake is marked superseded and its reason
    file removed once the file is claimed again.
    """
    claim_id = new_claim_id()
    with claim_lock(ctx.layout, claim_id) as locked:
        if not locked:  # pragma: no cover - a fresh random id
            return None
        item = claim(source, ctx.layout, claim_id, source_label, ctx.timestamp(), assign, original_name)
        if item is None:
            return None
        if previous is not None:
            ctx.index.start_intake(item.ref())
            ctx.index.supersede(previous, item.id)
            _reason_path(ctx.layout.abs(previous)).unlink(missing_ok=True)
        return process(item, ctx)


# ----- symlinks

def refuse_symlink(source: Path, ctx: IngestContext, source_label: str) -> IngestResult | None:
    """Move a symlink found in the inbox (the link, never what it points to) to
    quarantine/ with a reason file; None if another process moved it first.

    Following it would archive a file from anywhere on the machine, and moving it
    would take the target away from its owner."""
    target = os.readlink(source) if source.is_symlink() else "?"
    item = Intake("", source.parent, source.name, source_label, ctx.timestamp())
    outcome = Outcome(QUARANTINE, "安全性 — 符号链接", f"是符号链接 (指向 {target}), 不接收",
                      "请把实际的 PDF 文件 (不是快捷方式或链接) 放入 inbox/。")  # fmt: skip
    folder = ctx.layout.folder(QUARANTINE)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        dest = folder / _numbered_name(_safe_name(source.name), n)
        if os.path.lexists(dest) or _reason_path(dest).exists():
            continue
        try:
            os.link(source, dest, follow_symlinks=False)  # the link itself; never replaces
        except FileExistsError:
            continue
        except FileNotFoundError:
            return None
        source.unlink()
        break
    else:  # pragma: no cover - ten thousand links of one name
        raise ArchiveError(f"{folder}: 同名文件过多, 无法放入 {source.name}")
    write_atomic(_reason_path(dest), _reason_text(item, dest, outcome, ctx).encode("utf-8"))
    detail = {"original_name": source.name, "source": source_label, "destination": ctx.layout.rel(dest),
              "check": outcome.check, "reason": outcome.reason}  # fmt: skip
    ctx.index.append_event(ctx.timestamp(), "quarantined", None, None, detail)
    return IngestResult(intake_id="", original_name=source.name, source=source_label, outcome=QUARANTINE,
                        destination=ctx.layout.rel(dest), check=outcome.check, reason=outcome.reason)  # fmt: skip


# ----- routing

def route(item: Intake, outcome: Outcome, ctx: IngestContext) -> IngestResult:
    """Move the file to quarantine/, duplicates/ or unidentified/ with its reason file."""
    folder = ctx.layout.folder(outcome.route)
    folder.mkdir(parents=True, exist_ok=True)
    digests = (item.digests.size, item.digests.sha256, item.digests.sm3) if item.digests else None
    checks = [c.row() for c in item.checks]
    for n in range(1, 10_000):
        dest = folder / _numbered_name(_safe_name(item.original_name), n)
        if dest.exists() or _reason_path(dest).exists():
            continue
        ctx.index.begin_route(item.ref(), outcome=outcome.route, destination=ctx.layout.rel(dest),
                              check_name=outcome.check, reason=f"{outcome.reason}\n{outcome.advice}",
                              archive_no=outcome.archive_no, digests=digests, checks=checks)  # fmt: skip
        try:
            move_no_clobber(item.work_path, dest)
        except FileExistsError:
            continue  # another process took this name a moment ago
        break
    else:  # pragma: no cover - ten thousand files of one name
        raise ArchiveError(f"{folder}: 同名文件过多, 无法放入 {item.original_name}")
    return _finish_route(item, dest, outcome, ctx)


def _finish_route(item: Intake, dest: Path, outcome: Outcome, ctx: IngestContext) -> IngestResult:
    write_atomic(_reason_path(dest), _reason_text(item, dest, outcome, ctx).encode("utf-8"))
    duplicate_of = outcome.archive_no
    ident = item.identification
    detail = {"original_name": item.original_name, "source": item.source, "destination": ctx.layout.rel(dest),
              "check": outcome.check, "reason": outcome.reason,
              "sha256": item.digests.sha256 if item.digests else None, "duplicate_of": duplicate_of}  # fmt: skip
    kind = {QUARANTINE: "quarantined", DUPLICATE: "duplicate", UNIDENTIFIED: "unidentified"}[outcome.route]
    ctx.index.finish_route(item.id, ctx.timestamp(), (kind, duplicate_of, detail))
    _remove_work_dir(item.work_dir)
    return IngestResult(
        intake_id=item.id,
        original_name=item.original_name,
        source=item.source,
        outcome=outcome.route,
        destination=ctx.layout.rel(dest),
        archive_no=duplicate_of,
        case_no=ident.case_no if ident else None,
        form_code=ident.form_code if ident else None,
        check=outcome.check,
        reason=outcome.reason,
        resumed=item.resumed,
    )


def _reason_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".reason.txt")


def _reason_text(item: Intake, dest: Path, outcome: Outcome, ctx: IngestContext) -> str:
    label = {QUARANTINE: "隔离 (quarantine)", DUPLICATE: "重复件 (duplicate)", UNIDENTIFIED: "待识别 (unidentified)"}
    lines = [
        f"文件 (file): {item.original_name}",
        f"来源 (from): {item.source}",
        f"时间 (time): {ctx.timestamp()}",
        f"结果 (outcome): {label[outcome.route]} → {ctx.layout.rel(dest)}",
        f"检查项 (check): {outcome.check}",
        f"原因 (why): {outcome.reason}",
        f"处理办法 (what to do): {outcome.advice.replace('<文件>', _quoted(_from_root(dest, ctx)))}",
    ]
    if item.digests:
        lines += [f"SHA-256: {item.digests.sha256}", f"SM3: {item.digests.sm3}"]
    return "\n".join(lines) + "\n"


def _from_root(path: Path, ctx: IngestContext) -> str:
    """A path as typed in the working folder (where recordkit commands run)."""
    try:
        return Path(path).relative_to(ctx.config.root).as_posix()
    except ValueError:
        return str(path)


def _quoted(text: str) -> str:
    return f'"{text}"' if any(ch.isspace() for ch in text) else text


_BAD_NAME_CHARS = re.compile(r"[\x00-\x1f\\/:*?\"<>|]")
MAX_NAME_BYTES = 180  # leaves room for " (n)" and ".reason.txt" under the 255-byte limit


def _safe_name(name: str) -> str:
    """A file name that is safe in any folder: no separators, not hidden, not too long."""
    base = _BAD_NAME_CHARS.sub("_", Path(name).name).strip().lstrip(".") or "file.pdf"
    stem, dot, suffix = base.rpartition(".")
    if not dot or len(suffix) > 10:
        stem, suffix = base, ""
    suffix = f".{suffix}" if suffix else ""
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return (stem or "file") + suffix


def _numbered_name(name: str, n: int) -> str:
    if n == 1:
        return name
    stem, dot, suffix = name.rpartition(".")
    return f"{stem} ({n}).{suffix}" if dot else f"{name} ({n})"


# --------------------------------------------------------------------------- recovery

def recover(ctx: IngestContext) -> list[IngestResult]:
    """Finish or re-run every claim left in work/ by a stopped or crashed ingester.

    Claims another live process holds are skipped (their lock is taken).
    """
    results = []
    work = ctx.layout.work
    if not work.is_dir():
        return results
    for entry in sorted(work.iterdir()):
        if not entry.is_dir():
            continue
        with claim_lock(ctx.layout, entry.name) as locked:
            if not locked or not entry.exists():
                continue
            result = resume(entry, ctx)
        if result is not None:
            results.append(result)
    return results


def resume(work_dir: Path, ctx: IngestContext) -> IngestResult | None:
    """Continue one claim from where it stopped. The caller holds its lock."""
    item = _intake_from_work_dir(work_dir)
    if item is None:
        if not _input_candidates(work_dir):
            _remove_work_dir(work_dir)  # stopped before the rename: the input is still where it was
        return None  # otherwise left for a person: never delete what might be an input
    item.resumed = True
    journal = ctx.index.intake(item.id)
    if journal and journal["state"] == "done":
        _remove_work_dir(work_dir)
        return None
    if journal and journal["state"] == "routing":
        return _resume_route(item, journal, ctx)
    doc = ctx.index.document_for_intake(item.id)
    if doc is not None:
        _fill_from_document(item, doc)
        result = run_steps(item, ctx, STEPS[RESUME_FROM[doc["status"]]:])
        assert result is not None
        return result
    if not item.work_path.exists():
        _remove_work_dir(work_dir)
        return None
    return process(item, ctx)


def _intake_from_work_dir(work_dir: Path) -> Intake | None:
    try:
        meta = json.loads((work_dir / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = None
    files = _input_candidates(work_dir)
    if meta is None:
        if len(files) != 1:
            return None
        meta = {"original_name": files[0].name, "source": f"work/{work_dir.name}", "claimed_at": ""}
    assign = meta.get("assign")
    return Intake(
        id=work_dir.name,
        work_dir=work_dir,
        original_name=meta["original_name"],
        source=meta.get("source", ""),
        claimed_at=meta.get("claimed_at", ""),
        assign=(assign[0], assign[1]) if assign else None,
    )


def _input_candidates(work_dir: Path) -> list[Path]:
    """Files in a claim that may be the input: not the claim record, and not the scratch
    files of an interrupted write (``.<name>.<random>.tmp``, ``.<name>.copying``)."""
    return [p for p in work_dir.iterdir()
            if p.name != META_FILE and not p.name.startswith(".") and not p.name.endswith((".tmp", ".copying"))]


def _fill_from_document(item: Intake, doc: dict[str, Any]) -> None:
    item.digests = Digests(sha256=doc["sha256"], sm3=doc["sm3"], size=doc["size"])
    item.archive_no = doc["archive_no"]
    item.item_no = doc["item_no"]
    item.year, item.retention = doc["year"], doc["retention"]
    item.original_path, item.access_path = doc["original_path"], doc["access_path"]
    item.identification = Identification(doc["case_no"], doc["form_code"], doc["form_version"],
                                          doc["identified_by"], "恢复 (resumed)")  # fmt: skip
    facts = PdfFacts(pages=doc["pages"], version=doc["pdf_version"] or "")
    item.facts = facts
    item.signed = doc["signed"]


def _pages_of_row(item: Intake, ctx: IngestContext) -> int:
    doc = ctx.index.document(item.archive_no or "")
    return int(doc["pages"]) if doc else 1


def _resume_route(item: Intake, journal: dict[str, Any], ctx: IngestContext) -> IngestResult:
    reason, _, advice = (journal["reason"] or "").partition("\n")
    outcome = Outcome(journal["outcome"], journal["check_name"] or "", reason, advice, journal["archive_no"])
    if journal["sha256"]:
        item.digests = Digests(sha256=journal["sha256"], sm3=journal["sm3"] or "", size=journal["size"] or 0)
    dest = ctx.layout.abs(journal["destination"])
    if item.work_path.exists():
        if dest.exists() and os.path.samefile(item.work_path, dest):
            item.work_path.unlink()  # stopped between the hard link and the unlink
        else:
            return route(item, outcome, ctx)  # the move had not happened: route again
    return _finish_route(item, dest, outcome, ctx)


# --------------------------------------------------------------------------- files

def _make_read_only(path: Path) -> None:
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def _make_writable(path: Path) -> None:
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)


def _copy_verified(source: Path, dest: Path, sha256: str, tag: str) -> None:
    """Copy, fsync, re-read and compare the hash, then publish read-only under ``dest``.

    Publishing is exclusive: a stored original is never replaced, whatever the index
    says. A file already at ``dest`` (with other bytes: the caller checked) stops the
    filing with an error; the input stays in work/ for a person to look at.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{tag}.tmp")
    try:
        shutil.copyfile(source, tmp)
        fsync_file(tmp)
        copied = sha256_file(tmp)
        if copied != sha256:
            raise ArchiveError(f"{dest}: 存储副本的 SHA-256 与原件不符 (copy verification failed; disk error?)")
        _make_read_only(tmp)
        move_no_clobber(tmp, dest)
    except FileExistsError:
        raise ArchiveError(_occupied_message(dest)) from None
    except OSError as exc:
        raise ArchiveError(f"{dest}: 无法存储原件 ({exc.strerror or exc})") from exc
    finally:
        if tmp.exists():
            _make_writable(tmp)
            tmp.unlink()


def _occupied_message(dest: Path) -> str:
    return (f"{dest}: 目标位置已有另一份原件, 拒绝覆盖; 索引可能与 store/ 不一致, "
            "请运行 recordkit archive verify 并联系档案管理员 (stored original exists, not overwritten)")


def _remove_work_dir(work_dir: Path) -> None:
    if work_dir.exists():
        shutil.rmtree(work_dir, ignore_errors=True)


def _without_path(message: str, path: Path) -> str:
    """Messages of the primitives start with the path; in work/ that path means nothing
    to the user (the reason file names the original)."""
    prefix = f"{path}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def identify_scan(item: Intake, ctx: IngestContext) -> Identification:
    """QR from the already rendered page 1 (and a cheap look at page 2); when that does
    not settle it, ``identify.identify`` does the full search, then file name and text."""
    assert item.facts is not None
    payloads: list[QrPayload] = []
    if item.page1 is not None:
        payloads = qr_payloads(item.page1.image, hard=True)
    if payloads and (item.facts.pages or 0) >= 2:
        try:
            page2 = render_page(item.work_path, 1, reader=item.reader)
        except PdfError:
            page2 = None
        if page2 is not None:
            payloads += [p for p in qr_payloads(page2.image, hard=False) if p not in payloads]
    if payloads:
        found = from_qr(payloads)
        if found.identified:
            return found
    return identify_pdf(item.work_path, item.facts.text)


def write_access_copy(original: Path, dest: Path, fields: StampFields, style: StampStyle,
                      page1: PageImage | None, tag: str) -> str:  # fmt: skip
    """The stamped access copy; returns the placement rule used.

    With page 1 already rendered, this reuses it (stamp.py renders page 1 again
    otherwise).
    """
    if page1 is None:
        return stamp_access_copy(original, dest, fields, style).rule
    return stamp_rendered_page(original, dest, fields, style, placement_image(page1), tag).rule
