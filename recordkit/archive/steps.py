"""The ingest steps: the filing procedure as a declared list of verbs (``STEPS``).

Each step takes the ``Intake`` (what is known about one file so far) and the
``IngestContext`` (settings, catalog, case book, index, clock; no globals) and returns
``None`` to continue or an ``Outcome`` that routes the file. A new step goes into
``STEPS`` where the procedure does it; recovery re-enters the list at ``RESUME_FROM``.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from recordkit.archive.fixity import Digests, file_digests
from recordkit.archive.identify import Identification, from_qr, is_safe_case_no
from recordkit.archive.identify import identify as identify_pdf
from recordkit.archive.images import (
    IMAGE_KINDS,
    LABELS,
    PDF,
    SUFFIXES,
    image_problem,
    image_to_pdf,
    kind_of_stored,
    sniff_kind,
    upright_pdf,
)
from recordkit.archive.numbering import (
    check_retention,
    disposal_due,
    format_archive_no,
    item_label,
    metadata_problems,
    retention_label,
)
from recordkit.archive.pages import (
    PageImage,
    pdf_reader,
    placement_image,
    qr_reads,
    render_page,
)
from recordkit.archive.pdfinspect import PdfFacts, inspect_pdf, virus_scan
from recordkit.archive.pdfinspect import preflight as pdf_preflight
from recordkit.archive.settings import (
    DUPLICATE,
    OUTCOME_LABELS,
    QR_PAGES,
    QUARANTINE,
    SPLIT,
    UNIDENTIFIED,
    VERSION,
    IngestContext,
)
from recordkit.archive.stamp import StampFields, StampStyle, stamp_access_copy, stamp_rendered_page
from recordkit.errors import (
    ArchiveError,
    CaseNotFoundError,
    PdfError,
    RecordkitError,
    UnknownFormError,
)
from recordkit.files import fsync_file, move_no_clobber, sha256_file
from recordkit.forms.catalog import Form
from recordkit.forms.qr import QrPayload
from recordkit.index.archive import CheckRow, Duplicate, IntakeRef, NewDocument

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


@dataclass(frozen=True)
class Part:
    """One form of a print bundle: its pages (0-based, inclusive) and its QR payload."""

    first: int
    last: int
    payload: QrPayload

    @property
    def pages(self) -> str:
        return f"{self.first + 1}-{self.last + 1}"


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
    kind: str = PDF  # pdf | jpeg | png | tiff, by content
    turns: list[int | None] | None = (
        None  # clockwise turn per page read from its QR; None: not read yet
    )
    qr_pages: list[list[tuple[QrPayload, int]]] = field(
        default_factory=list
    )  # QR reads of the first pages
    parts: list[Part] = field(default_factory=list)  # a print bundle's forms, when it is one
    derived_from: dict[str, Any] | None = None  # a part: the bundle's sha256, path, pages, name

    @property
    def work_path(self) -> Path:
        return self.work_dir / self.original_name

    @property
    def pdf_path(self) -> Path:
        """The PDF the steps read: the input itself, or the lossless PDF of an image
        (in a hidden folder of the claim, so recovery never takes it for an input)."""
        if self.kind == PDF:
            return self.work_path
        return self.work_dir / ".derived" / f"{Path(self.original_name).stem or 'scan'}.pdf"

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
    parts: list[dict[str, Any]] = field(default_factory=list)  # a print bundle: each form's result

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
    "too_large": (
        "可用性 — 文件大小",
        "请拆分文件, 或调大 recordkit.toml 中 [archive] max_file_mb。",
    ),
    "not_pdf": (
        "可用性 — 文件格式",
        "只接受 PDF、JPEG、PNG 或 TIFF; 请用扫描仪输出其中一种格式后重新放入 inbox/。",
    ),
    "truncated": ("完整性 — 文件完整", "文件不完整 (传输中断?); 请重新扫描或复制原文件。"),
    "ofd": (
        "可用性 — 文件格式",
        "OFD 文件已识别, 但本档案库目前只归档 PDF 和图像; 请在 OFD 阅读器中导出为 PDF (最好 PDF/A) 后重新放入 inbox/。",
    ),
}


def check_file(item: Intake, ctx: IngestContext) -> Outcome | None:
    """Readable, within the size limit, and by its content really a PDF (header and
    %%EOF) or an image whose every frame decodes (JPEG, PNG, TIFF)."""
    try:
        kind = sniff_kind(item.work_path)
    except OSError:
        kind = None  # the preflight words what is wrong with reading it
    if kind in IMAGE_KINDS and item.work_path.stat().st_size <= ctx.settings.max_file_bytes:
        return _check_image(item, kind)
    problem = pdf_preflight(item.work_path, ctx.settings.max_file_bytes)
    if problem is None:
        item.add("可用性", "文件格式", "pass", "PDF 文件头和文件尾完整, 大小在上限内")
        return None
    check, advice = _PREFLIGHT.get(
        problem.code, ("可用性 — 文件读取", "请检查文件后重新放入 inbox/。")
    )
    category, name = check.split(" — ")
    item.add(category, name, "fail", _without_path(problem.message, item.work_path))
    return Outcome(QUARANTINE, check, _without_path(problem.message, item.work_path), advice)


def _check_image(item: Intake, kind: str) -> Outcome | None:
    problem = image_problem(item.work_path, kind)
    if problem is not None:
        item.add("可用性", "文件格式", "fail", problem)
        return Outcome(QUARANTINE, "可用性 — 文件格式", problem,
                       "请重新扫描, 或把扫描件另存为 PDF、JPEG、PNG 或 TIFF 后重新放入 inbox/。")  # fmt: skip
    item.kind = kind
    item.add(
        "可用性", "文件格式", "pass", f"{LABELS[kind]} (按内容识别), 各页均可解码, 大小在上限内"
    )
    return None


def check_fixity(item: Intake, ctx: IngestContext) -> Outcome | None:
    """SHA-256 and SM3 of the original bytes, as they arrived."""
    item.digests = file_digests(item.work_path)
    item.add("真实性", "固化信息", "pass", f"SHA-256 {item.digests.sha256}; SM3 {item.digests.sm3}")
    return None


def refuse_duplicate(item: Intake, ctx: IngestContext) -> Outcome | None:
    """The same bytes already archived: reported, not filed twice."""
    assert item.digests is not None
    existing = ctx.index.find_sha256(item.digests.sha256)
    version = ctx.index.find_version(item.digests.sha256) if existing is None else None
    if version is not None:
        existing = Duplicate(version["archive_no"], "filed")
    bundle = ctx.index.find_bundle(item.digests.sha256) if existing is None else None
    if bundle is not None:
        parts = ctx.index.parts_of(item.digests.sha256)
        existing = Duplicate(parts[0]["archive_no"], parts[0]["status"]) if parts else None
        detail = f"与已拆分归档的打印合订本 {bundle['original_path']} 内容完全相同 (SHA-256 相同)"
        item.add("真实性", "重复检测", "fail", detail)
        return Outcome(DUPLICATE, "真实性 — 重复检测", detail, "无需处理: 合订本已按表单拆分归档。",
                       existing.archive_no if existing else None)  # fmt: skip
    if existing is None:
        item.add("真实性", "重复检测", "pass", "档案库中没有相同内容的文件")
        return None
    return _duplicate_outcome(item, existing)


def _duplicate_outcome(item: Intake, existing: Duplicate) -> Outcome:
    detail = f"与已归档的 {existing.archive_no} 内容完全相同 (SHA-256 相同)"
    item.add("真实性", "重复检测", "fail", detail)
    return Outcome(DUPLICATE, "真实性 — 重复检测", detail,
                   "无需处理: 原件已归档。如确需替换, 请联系档案管理员。", existing.archive_no)  # fmt: skip


def convert_image(item: Intake) -> Outcome | None:
    """An image scan: the lossless PDF (img2pdf) the later steps read; the image itself
    stays as it arrived and becomes the original."""
    if item.kind == PDF:
        return None
    try:
        image_to_pdf(item.work_path, item.pdf_path)
    except PdfError as exc:
        item.add("可用性", "格式转换", "fail", exc.message)
        return Outcome(
            QUARANTINE,
            "可用性 — 格式转换",
            exc.message,
            "请重新扫描, 或把扫描件另存为 PDF 后重新放入 inbox/。",
        )
    item.add(
        "可用性",
        "格式转换",
        "pass",
        f"{LABELS[item.kind]}已用 img2pdf 无损转换为 PDF; 原图像按原样保存",
    )
    return None


def inspect_scan(item: Intake, ctx: IngestContext) -> Outcome | None:
    """Pages, encryption, active content, signatures, and that page 1 renders (of an
    image scan: of its lossless PDF, made first)."""
    outcome = convert_image(item)
    if outcome is not None:
        return outcome
    facts = inspect_pdf(
        item.pdf_path, text_pages=ctx.settings.text_pages, trust_roots=ctx.settings.trust_roots
    )
    item.facts = facts
    if facts.encrypted:
        why = (
            "PDF 已加密, 需要密码才能打开"
            if facts.needs_password
            else "PDF 已加密 (设置了权限密码)"
        )
        item.add("可用性", "未加密", "fail", why)
        return Outcome(QUARANTINE, "可用性 — 加密", why,
                       "归档文件不得加密。请用原扫描件, 或在 PDF 软件中移除密码和权限限制后另存, 再放入 inbox/。")  # fmt: skip
    item.add("可用性", "未加密", "pass", "未加密")
    if not facts.pages:
        why = "无法解析 PDF 结构: " + ("; ".join(facts.errors) or "没有页面")
        item.add("可用性", "可解析", "fail", why)
        return Outcome(
            QUARANTINE, "可用性 — 文件解析", why, "文件已损坏。请重新扫描或向来源索取完好的 PDF。"
        )
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
        item.reader = pdf_reader(item.pdf_path)
        item.page1 = render_page(item.pdf_path, 0, reader=item.reader)
    except PdfError as exc:
        item.add("可用性", "可渲染", "fail", exc.message)
        return Outcome(QUARANTINE, "可用性 — 渲染", _without_path(exc.message, item.pdf_path),
                       "第 1 页无法显示。请重新扫描或向来源索取完好的 PDF。")  # fmt: skip
    item.add("可用性", "可渲染", "pass", "第 1 页可正常渲染")
    return None


def _signature_check(item: Intake, facts: PdfFacts, ctx: IngestContext) -> Outcome | None:
    if not facts.signatures:
        item.signed = "none"  # nothing was verified, so nothing passed (DA/T 70: record what is)
        item.add("真实性", "数字签名", "none", "无数字签名 (none)")
        return None
    details = "; ".join(
        f"{s.field or '签名'} ({s.signer or '未知签署人'}): {s.reason}" for s in facts.signatures
    )
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


def identify_format(item: Intake, ctx: IngestContext) -> Outcome | None:
    """Long-term format identification: the PDF version and whether PDF/A is claimed."""
    assert item.facts is not None
    version = item.facts.version or "PDF"
    if item.facts.pdfa:
        item.add(
            "可用性",
            "长期保存格式",
            "pass",
            f"{version}, 声明符合 {item.facts.pdfa} (XMP; 未做符合性验证)",
        )
    else:
        item.add(
            "可用性", "长期保存格式", "warn", f"{version}, 未声明 PDF/A (长期保存宜用 PDF/A 或 OFD)"
        )
    return None


def scan_for_viruses(item: Intake, ctx: IngestContext) -> Outcome | None:
    """ClamAV where installed; 未执行 (recorded as such) where not."""
    scan = virus_scan(item.work_path)
    result = {"clean": "pass", "infected": "fail", "error": "warn", "not_run": "skipped"}[
        scan.verdict
    ]
    detail = _without_path(scan.detail, item.work_path)
    item.add("安全性", "病毒检测", result, detail)
    if scan.verdict != "infected":
        return None
    return Outcome(QUARANTINE, "安全性 — 病毒检测", detail,
                   "文件含病毒, 不得归档。请勿打开此文件; 从来源重新获取干净的文件并交信息安全负责人处理。")  # fmt: skip


def identify(item: Intake, ctx: IngestContext) -> Outcome | None:
    """Case and form: QR on the first pages, else the file name, else the text layer."""
    assert item.facts is not None
    if item.assign is not None:
        ident = Identification(
            item.assign[0], item.assign[1], None, "assign", "人工指定 (recordkit archive assign)"
        )
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
        via = {"qr": "二维码", "filename": "文件名", "text": "文本", "assign": "指定"}.get(
            ident.method or "", ""
        )
        return _unidentified(
            item, f"{via}中的案件编号 {case_no} 不在案件库中 (cases/ 中没有此案件)"
        )
    except RecordkitError as exc:
        return _unidentified(item, f"案件 {case_no} 的案件文件有错误: {exc.message}")
    if not ident.form_code:
        return _unidentified(item, f"已识别案件 {case_no} ({ident.reason}), 但无法确定表单编号")
    try:
        item.form = ctx.catalog.get(ident.form_code)
    except UnknownFormError as exc:
        return _unidentified(item, f"案件 {case_no}: {exc.message}")
    item.add("完整性", "识别", "pass", f"案件 {case_no}, 表单 {item.form.code} ({ident.reason})")
    return split_bundle(item, ctx)


def split_bundle(item: Intake, ctx: IngestContext) -> Outcome | None:
    """A print bundle (several forms of a case in one scan) is split by the QR on each
    page: a page with a QR starts a form, pages without one belong to the form before.
    The split itself (bundle stored once, each form claimed as a part) is done by
    ``intake.split``; each part then runs the whole procedure as its own document."""
    assert item.facts is not None and item.identification is not None
    pages = item.facts.pages or 0
    if (
        item.derived_from is not None
        or item.assign is not None
        or pages < 2
        or item.identification.method != "qr"
    ):
        return None
    item.parts = bundle_parts(item, pages)
    if len(item.parts) < 2:
        return None
    listing = ", ".join(f"{p.payload.form_code} (第 {p.pages} 页)" for p in item.parts)
    why = f"打印合订本, 按各页二维码拆分为 {len(item.parts)} 件: {listing}"
    item.add("完整性", "合订本拆分", "pass", why)
    return Outcome(
        SPLIT,
        "完整性 — 合订本拆分",
        why,
        "无需处理: 每个表单作为一件单独归档, 合订本原件保存在 bundles/。",
    )


def bundle_parts(item: Intake, pages: int) -> list[Part]:
    """The forms of a scan in page order; one part when it holds one form."""
    parts: list[Part] = []
    for n in range(pages):
        # page 2 was read with the cheap pass only: a page without a code is read again
        reads = (
            item.qr_pages[n]
            if n < len(item.qr_pages) and item.qr_pages[n]
            else _page_reads(item, n)
        )
        payload = reads[0][0] if reads else None
        if payload is not None and (not parts or payload != parts[-1].payload):
            parts.append(Part(n, n, payload))
        elif parts:
            parts[-1] = Part(parts[-1].first, n, parts[-1].payload)
    return parts


def _page_reads(item: Intake, n: int) -> list[tuple[QrPayload, int]]:
    try:
        return qr_reads(render_page(item.pdf_path, n, reader=item.reader).image, hard=True)
    except PdfError:
        return []  # a page that does not render joins the form before it


def store_bundle(item: Intake, ctx: IngestContext) -> str:
    """The bundle, bit for bit and read-only, once: ``bundles/<年度>/<sha256>.pdf``
    (by content, so a re-run after a crash finds it in place)."""
    assert item.digests is not None
    rel = f"bundles/{item.year or 'unknown'}/{item.digests.sha256}{SUFFIXES[item.kind]}"
    dest = ctx.layout.abs(rel)
    if dest.exists() and sha256_file(dest) == item.digests.sha256:
        _make_read_only(dest)
    else:
        _copy_verified(item.work_path, dest, item.digests.sha256, item.id)
    return rel


def store_version(item: Intake, ctx: IngestContext, archive_no: str) -> dict[str, Any]:
    """A later scan of a filed form, as version N of the same document: the original
    read-only in ``versions/<年度>/<期限>/<档号>.vN.<ext>`` and its access copy, stamped
    with the same 档号, beside it. Returns the ``versions`` row."""
    assert item.digests is not None and item.facts is not None
    doc = ctx.index.document(archive_no) or {}
    version = ctx.index.next_version(archive_no)
    stored = Path(doc["original_path"]).relative_to("store")
    original = f"versions/{stored.parent.as_posix()}/{stored.stem}.v{version}{SUFFIXES[item.kind]}"
    access = f"versions/{stored.parent.as_posix()}/{stored.stem}.v{version}.access.pdf"
    dest = ctx.layout.abs(original)
    if not (dest.exists() and sha256_file(dest) == item.digests.sha256):
        _copy_verified(item.work_path, dest, item.digests.sha256, item.id)
    pages = item.facts.pages or 1
    style = StampStyle(color=ctx.settings.stamp_color, show_labels=ctx.settings.stamp_labels)
    source, page1, _ = access_source(item, dest, pages)
    write_access_copy(
        source,
        ctx.layout.abs(access),
        StampFields.from_archive_no(archive_no, pages),
        style,
        page1,
        item.id,
    )
    return {"archive_no": archive_no, "version": version, "sha256": item.digests.sha256, "sm3": item.digests.sm3,
            "size": item.digests.size, "pages": pages, "original_path": original, "access_path": access}  # fmt: skip


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
    return refuse_second_scan(item, ctx)


def refuse_second_scan(item: Intake, ctx: IngestContext) -> Outcome | None:
    """Another scan of a form already filed for the case (other bytes: not a duplicate
    by SHA-256) never silently takes a second 件号: it waits in duplicates/ for a person
    to decide (``[archive] second_scan = "duplicates"``, the default)."""
    assert item.form is not None and item.identification is not None
    case_no = item.identification.case_no or ""
    earlier = ctx.index.filed_form(case_no, item.form.code)
    if earlier is None or ctx.settings.second_scan == "number":
        return None  # "number": as before 0.2.0, reported as 同一表单重复归档 by ingest and check
    if ctx.settings.second_scan == "new_version":
        item.add(
            "完整性",
            "同一表单再次扫描",
            "pass",
            f"作为 {earlier['archive_no']} 的新版本归档 (second_scan = new_version)",
        )
        return Outcome(VERSION, "完整性 — 同一表单再次扫描", "新版本", "", earlier["archive_no"])
    why = (f"案件 {case_no} 的表单 {item.form.code} 已归档为 {earlier['archive_no']}; "
           "这是同一表单的又一次扫描 (内容不同, 不是逐字节相同的重复件)")  # fmt: skip
    item.add("完整性", "同一表单再次扫描", "fail", why)
    return Outcome(DUPLICATE, "完整性 — 同一表单再次扫描", why,
                   "请人工确认: 多余的扫描可直接删除; 如是更正后的新版本, 在 recordkit.toml 设 [archive] "
                   "second_scan = \"new_version\" 后执行 recordkit archive assign <文件> --case "
                   f"{case_no} --form {item.form.code}。", earlier["archive_no"])  # fmt: skip


def assign_number(item: Intake, ctx: IngestContext) -> Outcome | None:
    """The next 件号 of (年度, 保管期限, 机构), taken in the transaction that records the document."""
    assert (
        item.digests
        and item.facts
        and item.form
        and item.identification
        and item.year
        and item.retention
    )
    org = ctx.config.organization
    _retention_by_rule(item, ctx)
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
        pdf_version=item.facts.version if item.kind == PDF else LABELS[item.kind],
        signed=item.signed,
        signatures=[asdict(s) for s in item.facts.signatures],
        disposal_due=due.isoformat() if due else None,
        original_name=item.original_name,
        source=item.source,
        intake_id=item.id,
        derived_from=item.derived_from["sha256"] if item.derived_from else None,
        bundle_pages=item.derived_from["pages"] if item.derived_from else None,
    )
    result = ctx.index.number(
        item.ref(),
        doc,
        lambda n: format_archive_no(
            org.fonds_no, org.category_code, year, retention, org.department_code, n
        ),
        lambda archive_no: _plan_paths(ctx, archive_no, item.kind),
        ctx.timestamp(),
        [c.row() for c in item.checks],
        "\n".join((item.original_name, item.facts.text)),
        provisional=ctx.settings.arranges,  # 预归档: the final 件号 comes from archive arrange
    )
    if isinstance(result, Duplicate):
        return _duplicate_outcome(item, result)
    item.archive_no, item.item_no = result.archive_no, result.item_no
    item.original_path, item.access_path = result.original_path, result.access_path
    item.checks = []  # recorded with the row; later steps add their own
    _number_checks(item, doc, result.archive_no, result.item_no)
    if result.item_no < 0:
        _provisional_check(item, ctx, year)
    return None


def _provisional_check(item: Intake, ctx: IngestContext, year: int) -> None:
    """A provisional number: which command gives the final one (a sealed 年度 needs a reason)."""
    how = f"recordkit archive arrange --year {year}"
    if ctx.index.sealed_year(year):
        how += ' --reopen --reason "…" (该年度已整理封存)'
    item.add("完整性", "整理编号", "pass", f"预归档 {item.archive_no}; 整理后编定件号: {how}")


def _number_checks(item: Intake, doc: NewDocument, archive_no: str, item_no: int) -> None:
    """档号格式, 元数据值域 (DA/T 70 真实性) and 件号连续 of a document just numbered."""
    previous = f"前一件 {item_no - 1:04d}" if item_no > 1 else "本序列第一件"
    if item_no < 0:
        previous = "预归档编号, 不占正式件号"
    item.add("真实性", "档号格式", "pass", f"{archive_no} 符合 全宗号-门类·年度-期限-机构-件号")
    problems = metadata_problems({**asdict(doc), "archive_no": archive_no, "item_no": item_no})
    item.add("真实性", "元数据值域", "fail" if problems else "pass",
             "; ".join(problems) or "档号、年度、保管期限、件号、表单编号、页数、签名、识别方式、日期均在值域内")  # fmt: skip
    item.add("完整性", "件号连续", "pass", f"件号 {item_label(item_no)}, {previous}")


def _retention_by_rule(item: Intake, ctx: IngestContext) -> None:
    """A 重大 case's documents are kept at least ``[archive] major_retention`` (30年 by
    default): decided before the 件号, so the 档号 carries the longer period."""
    rule, case_no = (
        ctx.settings.major_retention,
        item.identification.case_no if item.identification else None,
    )
    if not rule or not case_no or item.retention is None or not ctx.is_major(case_no):
        return
    if (check_retention(rule) or 10**6) > (check_retention(item.retention) or 10**6):
        item.add(
            "完整性",
            "保管期限规则",
            "pass",
            f"重大案件: 保管期限 {retention_label(item.retention)} → {retention_label(rule)}",
        )
        item.retention = rule


def _plan_paths(ctx: IngestContext, archive_no: str, kind: str) -> tuple[str, str]:
    """Where the original and the access copy go; an image original keeps an image's
    suffix (the access copy is always a PDF)."""
    original, access = ctx.layout.plan_paths(archive_no)
    return str(Path(original).with_suffix(SUFFIXES[kind]).as_posix()), access


def store_original(item: Intake, ctx: IngestContext) -> Outcome | None:
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


def stamp_copy(item: Intake, ctx: IngestContext) -> Outcome | None:
    """An access copy with the 归档章 on page 1; the stored original is only read."""
    assert item.archive_no and item.original_path and item.access_path
    pages = item.facts.pages if item.facts and item.facts.pages else _pages_of_row(item, ctx)
    fields = StampFields.from_archive_no(item.archive_no, pages)
    style = StampStyle(color=ctx.settings.stamp_color, show_labels=ctx.settings.stamp_labels)
    dest = ctx.layout.abs(item.access_path)
    try:
        source, page1, turned = access_source(item, ctx.layout.abs(item.original_path), pages)
        rule = write_access_copy(source, dest, fields, style, page1, item.id)
    except PdfError as exc:
        if isinstance(exc.__cause__, OSError):
            raise  # disk full, permissions: retried on the next start, never a verdict on the file
        item.access_path = None
        item.add("可用性", "利用副本", "fail", f"无法生成加盖归档章的利用副本: {exc.message}")
        return None
    item.add("可用性", "利用副本", "pass", f"已生成利用副本并加盖归档章 (位置: {rule})" + turned)
    return None


def access_source(item: Intake, original: Path, pages: int) -> tuple[Path, PageImage | None, str]:
    """The PDF the access copy is stamped on, page 1 as rendered (None when it must be
    rendered again), and a note on turned pages.

    An image original is read through its lossless PDF (made again from the stored
    image after a crash). Pages whose QR reads sideways or upside down are turned
    upright with /Rotate; a page without a QR turns like the page before it. The
    original is never touched."""
    source = original
    if item.kind != PDF:
        source = item.pdf_path if item.pdf_path.is_file() else image_to_pdf(source, item.pdf_path)
    turns = page_turns(item, source, pages)
    if not any(turns):
        return source, item.page1, ""
    upright = upright_pdf(source, item.work_dir / ".derived" / "upright.pdf", turns)
    turned = ", ".join(f"第 {n} 页 {t}°" for n, t in enumerate(turns, 1) if t)
    return upright, None, f"; 按二维码方向转正: {turned}"


def page_turns(item: Intake, source: Path, pages: int) -> list[int]:
    """The clockwise turn of every page: read from its QR, else the page before's."""
    if item.turns is None:  # resumed after a crash: read the first pages again
        item.turns = []
        for n in range(min(QR_PAGES, pages)):
            try:
                reads = qr_reads(render_page(source, n).image, hard=True)
            except PdfError:
                break
            item.turns.append(reads[0][1] if reads else None)
    turns, last = [], 0
    for n in range(pages):
        known = item.turns[n] if n < len(item.turns) else None
        last = known if known is not None else last
        turns.append(last)
    return turns


def mark_filed(item: Intake, ctx: IngestContext) -> Outcome | None:
    """Mark the document filed, with the checks of the last steps."""
    assert item.archive_no
    item.add("安全性", "过程记录", "pass", "接收、检测、编号、存储各步骤已记入事件日志")
    ctx.index.mark_filed(
        item.archive_no, item.id, ctx.timestamp(), item.access_path, [c.row() for c in item.checks]
    )
    return None


def log_filing(item: Intake, ctx: IngestContext) -> Outcome | None:
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
        "original_format": kind_of_stored(doc.get("original_path") or ""),
        "derived_from": item.derived_from,
        "resumed": item.resumed,
    }
    ctx.index.finish_filing(item.archive_no, item.id, ctx.timestamp(), detail)
    remove_work_dir(item.work_dir)
    return None


def _pages_of_row(item: Intake, ctx: IngestContext) -> int:
    doc = ctx.index.document(item.archive_no or "")
    return int(doc["pages"]) if doc else 1


def _record_access_sha256(archive_no: str, ctx: IngestContext) -> dict[str, Any]:
    """The document row, with the access copy's SHA-256 recorded first (verify checks
    the copy against it and the ``filed`` event)."""
    doc = ctx.index.document(archive_no) or {}
    access = ctx.layout.abs(doc["access_path"]) if doc.get("access_path") else None
    if access is not None and access.is_file() and not doc.get("access_sha256"):
        ctx.index.set_access_copy(
            archive_no, doc["access_path"], sha256_file(access), ctx.timestamp(), None, {}
        )
        doc = ctx.index.document(archive_no) or doc
    return doc


# The filing procedure, in order. Nothing before ``assign_number`` changes anything.
STEPS: list[Step] = [
    check_file,  # readable, a whole PDF, within the size limit
    check_fixity,  # SHA-256 + SM3 as it arrived
    refuse_duplicate,  # the same bytes filed before
    inspect_scan,  # pages, encryption, active content, signatures; page 1 rendered
    identify_format,  # PDF version, PDF/A claimed or not
    scan_for_viruses,  # ClamAV where installed
    identify,  # case and form; a print bundle is split here, each form its own document
    classify,  # 年度 and 保管期限
    assign_number,  # 件号 and the document row, one transaction
    store_original,  # read-only copy in store/
    stamp_copy,  # access copy with the 归档章
    mark_filed,  # the 四性检测 checks recorded
    log_filing,  # the ``filed`` event; the work copy let go
]
# Where recovery re-enters for a document row in each status.
RESUME_FROM = {"filing": STEPS.index(store_original), "filed": STEPS.index(log_filing)}
# The step names reason files have always shown (处理步骤 <name>): unchanged by the
# renaming of the steps to verbs.
REASON_NAMES: dict[Step, str] = {
    check_file: "preflight", check_fixity: "fixity", refuse_duplicate: "duplicate", inspect_scan: "inspect",
    identify_format: "format", scan_for_viruses: "virus",
    assign_number: "number", store_original: "store", stamp_copy: "stamp", mark_filed: "index", log_filing: "log",
}  # fmt: skip


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
            raise ArchiveError(
                f"{dest}: 存储副本的 SHA-256 与原件不符 (copy verification failed; disk error?)"
            )
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
    return (
        f"{dest}: 目标位置已有另一份原件, 拒绝覆盖; 索引可能与 store/ 不一致, "
        "请运行 recordkit archive verify 并联系档案管理员 (stored original exists, not overwritten)"
    )


def remove_work_dir(work_dir: Path) -> None:
    if work_dir.exists():
        shutil.rmtree(work_dir, ignore_errors=True)


def _without_path(message: str, path: Path) -> str:
    """Messages of the primitives start with the path; in work/ that path means nothing
    to the user (the reason file names the original)."""
    prefix = f"{path}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def identify_scan(item: Intake, ctx: IngestContext) -> Identification:
    """QR from the already rendered page 1 (and a cheap look at page 2); when that does
    not settle it, ``identify.identify`` does the full search, then file name and text."""
    assert item.facts is not None
    reads = qr_reads(item.page1.image, hard=True) if item.page1 is not None else []
    item.turns = [reads[0][1] if reads else None]
    item.qr_pages = [reads]
    payloads = [p for p, _ in reads]
    if payloads and (item.facts.pages or 0) >= 2:
        try:
            page2 = render_page(item.pdf_path, 1, reader=item.reader)
        except PdfError:
            page2 = None
        reads2 = qr_reads(page2.image, hard=False) if page2 is not None else []
        item.turns.append(reads2[0][1] if reads2 else None)
        item.qr_pages.append(reads2)
        payloads += [p for p, _ in reads2 if p not in payloads]
    if payloads:
        found = from_qr(payloads)
        if found.identified:
            return found
    return identify_pdf(item.pdf_path, item.facts.text)


def write_access_copy(original: Path, dest: Path, fields: StampFields, style: StampStyle,
                      page1: PageImage | None, tag: str) -> str:  # fmt: skip
    """The stamped access copy; returns the placement rule used.

    With page 1 already rendered, this reuses it (stamp.py renders page 1 again
    otherwise).
    """
    if page1 is None:
        return stamp_access_copy(original, dest, fields, style).rule
    return stamp_rendered_page(original, dest, fields, style, placement_image(page1), tag).rule
