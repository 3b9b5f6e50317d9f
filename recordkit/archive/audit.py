"""Audit of the archive: ``verify`` (fixity and the event chain) and ``check`` (件号,
四性检测, completeness per case, the case clock). See docs/audit.md.

``verify`` re-hashes every original with SHA-256 and SM3 on ``jobs`` threads (hashlib
and OpenSSL release the GIL while hashing and reading, so threads use every core without
the start-up and hand-over cost of processes; bench/verify.py measures both), compares
size and digests with the index, looks for files in ``store/`` the index does not know,
walks the hash-chained event log from the genesis hash, and logs the run as an event.

``check`` reads the index and the case book only; it changes nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recordkit.archive.audit_chain import document_mismatches, intake_mismatches, recorded_documents
from recordkit.archive.fixity import ALGORITHMS, FileDigest, digest_files
from recordkit.archive.numbering import metadata_problems, parse_archive_no, retention_label
from recordkit.archive.settings import ArchiveSettings, filing_year
from recordkit.cases.compliance import CAPA_FORM, capa_number, needs_capa
from recordkit.cases.store import CaseBook
from recordkit.clock.setup import clock_for
from recordkit.clock.status import OVERDUE, case_status
from recordkit.dates import format_value
from recordkit.errors import ArchiveError, ConfigError, RecordkitError
from recordkit.index.archive import ArchiveIndex, ChainReport, Filters

if TYPE_CHECKING:
    from recordkit.archive.service import Archive
    from recordkit.config import Config
    from recordkit.forms.catalog import Catalog

ALGORITHM_LABELS = {"sha256": "SHA-256", "sm3": "SM3"}
STATUS_LABELS = {
    "filed": "已归档",
    "filing": "归档中",
    "destroying": "销毁中",
    "destroyed": "已销毁",
}

Progress = Callable[[int], None]


def verify_algorithms(config: Config) -> tuple[str, ...]:
    """``[archive] verify_algorithms``: both by default (an audit); ["sha256"] for quick
    routine runs."""
    raw = config.section("archive").get("verify_algorithms", list(ALGORITHMS))
    where = f"{config.path or 'recordkit.toml'}: [archive] verify_algorithms"
    if not isinstance(raw, list) or not raw or any(a not in ALGORITHMS for a in raw):
        raise ConfigError(
            f'{where}: 应为 ["sha256", "sm3"] 中的一项或两项 (e.g. ["sha256", "sm3"])'
        )
    return tuple(a for a in ALGORITHMS if a in raw)


# --------------------------------------------------------------------------- verify


@dataclass(frozen=True)
class FileProblem:
    """One file that is not as the index says."""

    kind: str  # changed | missing | unknown | unreadable | not_destroyed | disposal_list | index_mismatch
    # | intake_mismatch | access_changed | symlink
    path: str  # archive-relative
    archive_no: str | None = None
    detail: str = ""

    def line(self) -> str:
        who = f"{self.archive_no}  " if self.archive_no else ""
        return f"{who}{self.path}: {self.detail}"


@dataclass
class VerifyReport:
    year: int | None
    algorithms: tuple[str, ...]
    jobs: int
    documents: int = 0  # originals read
    bytes: int = 0
    seconds: float = 0.0
    problems: list[FileProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    chain: ChainReport | None = None
    events_missing: list[tuple[str, str]] = field(default_factory=list)
    head: str | None = None  # the anchor given with --head
    head_found: int | None = None  # the id of the event it names
    anchor: tuple[int, str] | None = None  # the head after this run: to keep apart
    logged: bool = False
    access_unrecorded: list[str] = field(
        default_factory=list
    )  # 档号 filed before access hashes were kept

    def of(self, kind: str) -> list[FileProblem]:
        return [p for p in self.problems if p.kind == kind]

    @property
    def chain_ok(self) -> bool:
        head_ok = self.head is None or self.head_found is not None
        return self.chain is not None and self.chain.ok and not self.events_missing and head_ok

    @property
    def ok(self) -> bool:
        return not self.problems and self.chain_ok

    @property
    def rate(self) -> float:
        """MB/s (10^6 bytes) of originals read and hashed."""
        return self.bytes / self.seconds / 1e6 if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        """The counts the ``verified`` event records."""
        return {
            "year": self.year, "algorithms": list(self.algorithms), "documents": self.documents,
            "bytes": self.bytes, "changed": len(self.of("changed")), "missing": len(self.of("missing")),
            "unknown": len(self.of("unknown")), "other": len(self.problems) - sum(
                len(self.of(k)) for k in ("changed", "missing", "unknown")),
            "chain_ok": self.chain_ok,
            "first_break": self.chain.first_break.event_id if self.chain and self.chain.first_break else None,
            "ok": self.ok,
        }  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        chain = self.chain
        other = [p for p in self.problems if p.kind not in ("changed", "missing", "unknown")]
        return {
            "ok": self.ok,
            "year": self.year,
            "algorithms": list(self.algorithms),
            "jobs": self.jobs,
            "documents": self.documents,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            "mb_per_s": round(self.rate, 1),
            "changed": [asdict(p) for p in self.of("changed")],
            "missing": [asdict(p) for p in self.of("missing")],
            "unknown": [asdict(p) for p in self.of("unknown")],
            "other": [asdict(p) for p in other],
            "warnings": self.warnings,
            "chain": {
                "ok": self.chain_ok,
                "events": chain.events if chain else 0,
                "head_id": chain.head_id if chain else 0,
                "head_hash": chain.head_hash if chain else "",
                "first_break": asdict(chain.first_break) if chain and chain.first_break else None,
                "breaks": chain.breaks if chain else 0,
                "events_missing": [{"archive_no": a, "kind": k} for a, k in self.events_missing],
                "head_given": self.head,
                "head_found_at": self.head_found,
                "anchor": {"id": self.anchor[0], "hash": self.anchor[1]} if self.anchor else None,
            },
            "logged": self.logged,
            "access_unrecorded": self.access_unrecorded,
        }


@dataclass(frozen=True)
class _Target:
    path: Path
    rel: str
    doc: dict[str, Any] | None = None  # None: a file known by its hashes only
    sha256: str | None = None
    sm3: str | None = None
    what: str = "销毁清册"  # how the report names such a file
    kind: str = "disposal_list"


def verify(archive: Archive, year: int | None = None, jobs: int = 1,
           on_start: Callable[[int], None] | None = None, on_progress: Progress | None = None,
           log: bool = True, head: str | None = None, by: str | None = None) -> VerifyReport:  # fmt: skip
    """Re-hash every original against the index and the index against the event log,
    find unknown files and symlinks, check access copies, walk the event chain (and
    find ``head``, an anchor kept from an earlier run), and log the run (``log``, and
    only where the index can be written; ``by``: who ran it, from the web)."""
    index, layout = archive.index, archive.layout
    algorithms = verify_algorithms(archive.config)
    report = VerifyReport(year, algorithms, jobs, head=head)
    # The store is listed before the index is read: ingest writes the row before the
    # file, so every file seen here has its row in the snapshot below.
    on_disk = _store_files(layout.root, year)
    docs = index.documents(Filters(year=year))
    targets = _targets(archive, docs, report)
    links = _symlinks(
        layout.root, year, {d["original_path"]: d["archive_no"] for d in docs}, report
    )
    _report_unknown(on_disk - _known_files(index) - links, report)
    if on_start:
        on_start(sum(int(t.doc["size"]) if t.doc else 0 for t in targets))
    started = time.perf_counter()
    tick = on_progress or (lambda n: None)

    def done(i: int, digest: FileDigest) -> None:
        tick(digest.size)

    digests = digest_files([t.path for t in targets], algorithms, jobs, done)
    report.seconds = time.perf_counter() - started
    for target, digest in zip(targets, digests, strict=True):
        report.bytes += digest.size
        if target.doc is None:
            _compare_list(target, digest, report)
        else:
            report.documents += 0 if digest.missing or digest.error else 1
            _compare(target, digest, algorithms, report)
    events = index.events()
    _check_against_events(archive, docs, events, jobs, report)
    report.chain = index.chain_report()
    report.events_missing = (
        index.documents_without_event()
        + index.rows_without_event()
        + index.proposals_without_event()
    )
    if head is not None:
        report.head_found = index.event_with_hash(head)
    if log:
        report.logged = index.append_event_if_writable(
            archive.timestamp(),
            "verified",
            None,
            None,
            {**report.summary(), **({"by": by} if by else {})},
        )
    report.anchor = index.chain_head()
    return report


def _check_against_events(archive: Archive, docs: list[dict[str, Any]], events: list[dict[str, Any]], jobs: int,
                          report: VerifyReport) -> None:  # fmt: skip
    """Rows against the values their events recorded; access copies against their hash."""
    recorded = recorded_documents(events)
    for archive_no, rel, detail in document_mismatches(docs, recorded):
        report.problems.append(
            FileProblem("index_mismatch", rel, archive_no, f"索引与事件日志不符: {detail}")
        )
    if report.year is None:
        for intake_id, detail in intake_mismatches(archive.index.intakes(), events):
            report.problems.append(
                FileProblem("intake_mismatch", f"intake {intake_id}", None, detail)
            )
    copies = []
    for doc in docs:
        expected = recorded.get(doc["archive_no"], {}).get("access_sha256") or doc.get(
            "access_sha256"
        )
        if doc["status"] != "filed" or not doc["access_path"]:
            continue
        if expected:
            copies.append((doc, expected))
        else:
            report.access_unrecorded.append(doc["archive_no"])
    paths = [archive.layout.abs(d["access_path"]) for d, _ in copies]
    for (doc, expected), digest in zip(copies, digest_files(paths, ("sha256",), jobs), strict=True):
        if not digest.missing and digest.sha256 != expected:
            report.problems.append(FileProblem("access_changed", doc["access_path"], doc["archive_no"],
                                               f"利用副本已改变 (SHA-256 {digest.sha256}, 记录为 {expected}); "
                                               f"可重新生成: recordkit archive rebuild-copy {doc['archive_no']}"))  # fmt: skip


def _symlinks(
    root: Path, year: int | None, originals: dict[str, str], report: VerifyReport
) -> set[str]:
    """Symbolic links under store/ and access/: a link can stand in for an original while
    pointing outside the archive, so the archive holds none. Returns their paths."""
    found = set()
    for top in ("store", "access"):
        for folder, dirs, files in os.walk(root / top / (str(year) if year is not None else "")):
            for name in dirs + files:
                path = Path(folder) / name
                if path.is_symlink():
                    rel = path.relative_to(root).as_posix()
                    found.add(rel)
                    report.problems.append(FileProblem("symlink", rel, originals.get(rel),
                                                       f"档案库中不允许符号链接 (symlink → {os.readlink(path)})"))  # fmt: skip
    return found


def _known_files(index: Any) -> set[str]:
    """Every file of the original folders the index accounts for."""
    known = {d["original_path"] for d in index.documents()}
    others = index.other_originals()
    return known | {path for o in others for path in (o["original_path"], o["access_path"]) if path}


def _report_unknown(unknown: set[str], report: VerifyReport) -> None:
    for rel in sorted(unknown):
        name = rel.rsplit("/", 1)[-1]
        if name.startswith(".") and name.endswith(".tmp"):
            report.warnings.append(
                f"{rel}: 临时文件 (正在归档, 或归档进程崩溃后遗留; 再次运行 archive ingest 会清理)"
            )
        else:
            report.problems.append(
                FileProblem(
                    "unknown", rel, None, "档案库中有此文件, 但索引中没有 (not in the index)"
                )
            )


ORIGINAL_FOLDERS = ("store", "bundles", "versions")  # where originals are kept, by 年度


def _store_files(root: Path, year: int | None) -> set[str]:
    found = set()
    for top in ORIGINAL_FOLDERS:
        for folder, _dirs, files in os.walk(root / top / (str(year) if year is not None else "")):
            for name in files:
                found.add((Path(folder) / name).relative_to(root).as_posix())
    return found


def _targets(archive: Archive, docs: list[dict[str, Any]], report: VerifyReport) -> list[_Target]:
    layout = archive.layout
    targets = []
    for doc in docs:
        path = layout.abs(doc["original_path"])
        status = doc["status"]
        if status in ("filed", "filing"):
            if status == "filing" and not path.exists():
                report.warnings.append(f"{doc['archive_no']}: 归档中, 原件尚未存入 (ingest in progress; "
                                       "崩溃遗留的会在下次 archive ingest 时完成)")  # fmt: skip
                continue
            targets.append(_Target(path, doc["original_path"], doc))
            if (
                status == "filed"
                and doc["access_path"]
                and not layout.abs(doc["access_path"]).exists()
            ):
                report.warnings.append(f"{doc['archive_no']}: 利用副本缺失 {doc['access_path']} "
                                       "(原件完好时可重新生成: recordkit archive rebuild-copy --missing)")  # fmt: skip
        elif status == "destroying":
            report.warnings.append(
                f"{doc['archive_no']}: 销毁未完成 (再次运行 archive dispose 即可完成)"
            )
        elif status == "destroyed":
            for rel in (doc["original_path"], doc["access_path"]):
                if rel and layout.abs(rel).exists():
                    report.problems.append(FileProblem("not_destroyed", rel, doc["archive_no"],
                                                       "已登记销毁, 但文件仍在 (destroyed record still on disk)"))  # fmt: skip
    if report.year is None:
        # 销毁清册 of disposal batches, and of proposals (written before anything is deleted)
        for disposal in archive.index.disposals() + archive.index.proposals():
            for rel, sha in ((disposal["list_pdf"], disposal["list_pdf_sha256"]),
                             (disposal["list_xlsx"], disposal["list_xlsx_sha256"])):  # fmt: skip
                if rel and sha:
                    targets.append(_Target(layout.abs(rel), rel, None, sha))
    for other in archive.index.other_originals(report.year):
        what = "扫描合集原件" if other["kind"] == "bundle" else "后续扫描版本原件"
        rel = other["original_path"]
        targets.append(
            _Target(layout.abs(rel), rel, None, other["sha256"], other["sm3"], what, other["kind"])
        )
    return targets


def _compare(
    target: _Target, digest: FileDigest, algorithms: tuple[str, ...], report: VerifyReport
) -> None:
    doc = target.doc
    assert doc is not None
    archive_no = doc["archive_no"]
    if digest.missing:
        report.problems.append(
            FileProblem("missing", target.rel, archive_no, "原件缺失 (original missing)")
        )
        return
    if digest.error:
        report.problems.append(
            FileProblem("unreadable", target.rel, archive_no, f"原件无法读取 ({digest.error})")
        )
        return
    differences = []
    if digest.size != doc["size"]:
        differences.append(f"大小 {digest.size} 字节, 索引为 {doc['size']}")
    for algorithm in algorithms:
        actual = getattr(digest, algorithm)
        if actual != doc[algorithm]:
            differences.append(f"{ALGORITHM_LABELS[algorithm]} {actual}, 索引为 {doc[algorithm]}")
    if differences:
        report.problems.append(FileProblem("changed", target.rel, archive_no,
                                           "原件内容已改变 (changed): " + "; ".join(differences)))  # fmt: skip


def _compare_list(target: _Target, digest: FileDigest, report: VerifyReport) -> None:
    """A file known by its hashes only: a 销毁清册, a scanned bundle, a later version."""
    what, kind = target.what, target.kind
    if digest.missing:
        report.problems.append(FileProblem(kind, target.rel, None, f"{what}缺失 (missing)"))
    elif digest.error:
        report.problems.append(
            FileProblem(kind, target.rel, None, f"{what}无法读取 ({digest.error})")
        )
    elif "sha256" in report.algorithms and digest.sha256 != target.sha256:
        report.problems.append(
            FileProblem(
                kind,
                target.rel,
                None,
                f"{what}已改变 (SHA-256 {digest.sha256}, 索引为 {target.sha256})",
            )
        )
    elif target.sm3 and "sm3" in report.algorithms and digest.sm3 != target.sm3:
        report.problems.append(
            FileProblem(
                kind, target.rel, None, f"{what}已改变 (SM3 {digest.sm3}, 索引为 {target.sm3})"
            )
        )


def _head_lines(report: VerifyReport) -> list[str]:
    lines = []
    if report.head is not None:
        lines.append(f"链头锚点 {report.head} 在事件日志中: 事件 #{report.head_found}" if report.head_found else
                     f"链头锚点 {report.head} 不在事件日志中: 事件日志被截断或整体改写 (head anchor not found)")  # fmt: skip
    if report.access_unrecorded:
        lines.append(f"注意: {len(report.access_unrecorded)} 件较早归档的档案未记录利用副本校验值, 利用副本未核对: "
                     + "、".join(report.access_unrecorded))  # fmt: skip
    if not report.logged:
        lines.append("注意: 本次校验未记入事件日志 (档案库只读, 或用了 --no-log)")
    if report.anchor:
        lines.append(
            f"链头锚点 (请另行保存, 下次用 archive verify --head 核对): #{report.anchor[0]} {report.anchor[1]}"
        )
    return lines


def verify_lines(report: VerifyReport) -> list[str]:
    """What ``archive verify`` prints: problems by kind, the chain, one summary line."""
    lines = []
    titles = {"changed": "内容已改变", "missing": "原件缺失", "unknown": "未登记的文件", "unreadable": "无法读取",
              "not_destroyed": "应已销毁", "disposal_list": "销毁清册", "bundle": "扫描合集原件",
              "version": "后续扫描版本原件", "index_mismatch": "索引与事件日志不符",
              "intake_mismatch": "接收记录与事件日志不符", "access_changed": "利用副本已改变",
              "symlink": "符号链接"}  # fmt: skip
    for kind, title in titles.items():
        found = report.of(kind)
        if found:
            lines.append(f"{title} ({len(found)}):")
            lines += [f"  {p.line()}" for p in found]
    chain = report.chain
    if chain is not None:
        if chain.first_break:
            lines.append(
                f"事件日志哈希链断开 (共 {chain.breaks} 处), 第一处: {chain.first_break.problem}"
            )
        else:
            lines.append(
                f"事件日志哈希链完整: {chain.events} 个事件, 链头 #{chain.head_id} {chain.head_hash[:16]}…"
            )
    for archive_no, kind in report.events_missing:
        lines.append(f"事件日志缺少 {archive_no} 的 {kind} 事件 (events deleted from the log?)")
    lines += _head_lines(report)
    lines += [f"注意: {w}" for w in report.warnings]
    verdict = "通过" if report.ok else "发现问题"
    algos = " + ".join(ALGORITHM_LABELS[a] for a in report.algorithms)
    lines.append(
        f"校验{verdict}: {report.documents} 件原件 ({report.bytes / 1e6:.1f} MB, {algos}, {report.jobs} 线程, "
        f"{report.seconds:.2f} 秒, {report.rate:.0f} MB/s); 内容改变 {len(report.of('changed'))}, "
        f"缺失 {len(report.of('missing'))}, 未登记 {len(report.of('unknown'))}, "
        f"其他 {len(report.problems) - sum(len(report.of(k)) for k in ('changed', 'missing', 'unknown'))}; "
        f"事件链{'完整' if report.chain_ok else '有问题'}"
    )
    return lines


# --------------------------------------------------------------------------- check

# The main register form of each built-in profile: a closed case must have it signed
# and filed, with the reply (F18), the acceptance notice where the procedure sends one
# (F09, F13: only once acceptance is decided) and the extension notice (F19: only when
# an extension was granted). Conditions come from the catalog's kinds and `when`.
MAIN_FORMS = {
    "lab": "F03", "certification": "F08", "accreditation": "F01", "hospital": "F01",
    "consumer": "F12", "service-centre": "F12", "government": "F12", "enterprise-quality": "F11",
    "pharma": "F15", "construction": "F14", "after-sales": "F17", "dealer": "F07",
    "securities": "F06", "employee": "F01",
}  # fmt: skip
NOTICE_FORMS = {"certification": "F09", "accreditation": "F09", "consumer": "F13", "service-centre": "F13",
                "government": "F13"}  # fmt: skip
REPLY_FORM, EXTENSION_FORM = "F18", "F19"


@dataclass(frozen=True)
class RequiredForms:
    """Which signed forms a case must have in the archive: groups of alternatives
    (``"F03|F05"`` = either) for closed cases, and for every case (open ones too)."""

    profile: str
    closed: tuple[tuple[str, ...], ...]
    always: tuple[tuple[str, ...], ...] = ()
    origin: str = "内置默认"  # or "recordkit.toml [archive.required]"

    def to_dict(self) -> dict[str, Any]:
        return {"profile": self.profile, "closed": ["|".join(g) for g in self.closed],
                "open": ["|".join(g) for g in self.always], "origin": self.origin}  # fmt: skip


def default_required(profile: str) -> RequiredForms:
    codes = [MAIN_FORMS.get(profile, "F01"), NOTICE_FORMS.get(profile), REPLY_FORM, EXTENSION_FORM]
    return RequiredForms(profile, tuple((c,) for c in codes if c))


def required_forms(config: Config, catalog: Catalog | None) -> RequiredForms:
    """The rules for the working folder's profile: ``[archive.required]`` of
    recordkit.toml (by profile name, else its ``default``), else the built-in defaults.
    Codes a configured rule names must be in the catalog; built-in defaults skip codes
    the catalog lacks."""
    table = config.section("archive").get("required", {})
    where = f"{config.path or 'recordkit.toml'}: [archive.required]"
    if not isinstance(table, dict):
        raise ConfigError(f'{where}: 应为表, 如 lab = ["F03", "F18"]')
    profile = config.profile
    key = profile if profile in table else "default" if "default" in table else None
    if key is None:
        rules = default_required(profile)
        if catalog is not None:
            rules = replace(
                rules, closed=tuple(g for g in rules.closed if all(c in catalog.forms for c in g))
            )
        return rules
    value = table[key]
    closed, always = (value, []) if isinstance(value, list) else (
        (value.get("closed", []), value.get("open", [])) if isinstance(value, dict) else (None, None))  # fmt: skip
    if closed is None or (isinstance(value, dict) and set(value) - {"closed", "open"}):
        raise ConfigError(
            f'{where} {key}: 应为表单编号列表, 或含 closed / open 两个列表的表 (e.g. {key} = ["F03", "F18"])'
        )
    return RequiredForms(profile, _groups(closed, where, key, catalog), _groups(always, where, key, catalog),
                         f"recordkit.toml [archive.required] {key}")  # fmt: skip


def _groups(
    entries: Any, where: str, key: str, catalog: Catalog | None
) -> tuple[tuple[str, ...], ...]:
    if not isinstance(entries, list) or not all(isinstance(e, str) and e.strip() for e in entries):
        raise ConfigError(
            f'{where} {key}: 应为表单编号列表, 如 ["F03", "F18"]; "F03|F05" 表示其一即可'
        )
    groups = []
    for entry in entries:
        group = tuple(c.strip().upper() for c in entry.split("|") if c.strip())
        unknown = [c for c in group if catalog is not None and c not in catalog.forms]
        if unknown:
            raise ConfigError(
                f"{where} {key}: 表单目录中没有 {'、'.join(unknown)} (unknown form code)"
            )
        groups.append(group)
    return tuple(groups)


@dataclass
class Sequence:
    """One 件号 sequence: (年度, 保管期限, 机构)."""

    year: int
    retention: str
    dept_code: str
    count: int
    last: int
    gaps: list[int] = field(default_factory=list)
    repeats: list[int] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)  # 档号 whose number differs from its fields

    @property
    def ok(self) -> bool:
        return not (self.gaps or self.repeats or self.mismatched)

    @property
    def label(self) -> str:
        return f"{self.year}-{self.retention}" + (f"-{self.dept_code}" if self.dept_code else "")


@dataclass(frozen=True)
class IncompleteCase:
    case_no: str
    kind: str
    closed: bool
    missing: tuple[str, ...]  # "F18 投诉处理结果告知书", alternatives joined by " 或 "
    filed: tuple[str, ...]  # form codes in the archive


@dataclass(frozen=True)
class OverdueStep:
    case_no: str
    step: str
    due: str
    text: str


@dataclass
class CheckReport:
    year: int | None
    sequences: list[Sequence] = field(default_factory=list)
    check_counts: list[dict[str, Any]] = field(default_factory=list)
    failed_checks: list[dict[str, Any]] = field(default_factory=list)
    intake_outcomes: dict[str, int] = field(default_factory=dict)
    required: RequiredForms | None = None
    cases_checked: int = 0
    incomplete: list[IncompleteCase] = field(default_factory=list)
    case_errors: list[str] = field(default_factory=list)
    overdue: list[OverdueStep] = field(default_factory=list)
    clock_note: str = ""
    repeated_forms: list[dict[str, Any]] = field(
        default_factory=list
    )  # a warning: ok stays as it is
    metadata_problems: list[dict[str, Any]] = field(default_factory=list)  # 元数据值域 (DA/T 70)
    missing_attachments: list[dict[str, Any]] = field(
        default_factory=list
    )  # recorded, ok stays as it is
    batches: list[dict[str, Any]] = field(
        default_factory=list
    )  # 归档信息包: ingest runs, counts and bytes
    # 年度 with documents still under a provisional 预 number (numbering = "arrange"):
    # a finding to act on, not an error (ok stays as it is)
    awaiting_arrangement: list[dict[str, Any]] = field(default_factory=list)

    @property
    def sequence_problems(self) -> list[Sequence]:
        return [s for s in self.sequences if not s.ok]

    @property
    def ok(self) -> bool:
        return not (
            self.sequence_problems
            or self.failed_checks
            or self.incomplete
            or self.overdue
            or self.metadata_problems
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "year": self.year,
            "sequences": [{**asdict(s), "label": s.label, "ok": s.ok} for s in self.sequences],
            "checks": self.check_counts,
            "failed_checks": self.failed_checks,
            "intake_outcomes": self.intake_outcomes,
            "required": self.required.to_dict() if self.required else None,
            "cases_checked": self.cases_checked,
            "incomplete_cases": [asdict(c) for c in self.incomplete],
            "case_errors": self.case_errors,
            "overdue": [asdict(o) for o in self.overdue],
            "clock_note": self.clock_note,
            "repeated_forms": self.repeated_forms,
            "metadata_problems": self.metadata_problems,
            "missing_attachments": self.missing_attachments,
            "batches": self.batches,
            "awaiting_arrangement": self.awaiting_arrangement,
        }


def check(archive: Archive, year: int | None = None, now: datetime | None = None) -> CheckReport:
    report = CheckReport(year)
    docs = archive.index.documents(Filters(year=year))
    report.sequences = sequences(docs)
    report.check_counts = archive.index.check_counts(year)
    report.failed_checks = archive.index.failed_checks(year)
    report.intake_outcomes = archive.index.intake_outcomes()
    report.repeated_forms = archive.index.repeated_forms(year)
    catalog = archive.catalog()
    report.required = required_forms(archive.config, catalog)
    cases = _cases(archive.config, year, report)
    by_case: dict[str, set[str]] = {}
    for doc in archive.index.documents():
        by_case.setdefault(doc["case_no"], set()).add(doc["form_code"])
    for case in cases:
        filed = set(by_case.get(case.case_no, set()))
        # The CAPA's F26 is filed under the CAPA's own number (RK1|CA-2026-002|F26|…).
        if CAPA_FORM in by_case.get(capa_number(case.data), set()):
            filed.add(CAPA_FORM)
        gap = case_gap(case, filed, report.required, catalog)
        if gap is not None:
            report.incomplete.append(gap)
    report.cases_checked = len(cases)
    report.metadata_problems = [
        {"archive_no": d["archive_no"], "problems": p} for d in docs if (p := metadata_problems(d))
    ]
    report.missing_attachments = missing_attachments(cases, archive.index.documents())
    report.batches = archive.index.batches()
    report.awaiting_arrangement = awaiting_arrangement(docs)
    _overdue(archive.config, cases, now or datetime.now(), report)
    return report


def awaiting_arrangement(docs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per 年度, the documents still under a provisional 预 number: ``archive arrange``
    gives them their final 件号 (none when numbering is ``on_intake``)."""
    by_year: dict[int, list[str]] = {}
    for doc in docs:
        if doc["item_no"] < 0 and doc["status"] in ("filing", "filed"):
            by_year.setdefault(doc["year"], []).append(doc["archive_no"])
    return [
        {"year": year, "count": len(nos), "archive_nos": nos,
         "command": f"recordkit archive arrange --year {year}"}
        for year, nos in sorted(by_year.items())
    ]  # fmt: skip


def missing_attachments(
    cases: Iterable[Any], docs: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """A case's listed ``attachments`` (附件) not captured in the archive: an attachment
    counts as captured when a document of the case was filed from a file of that name
    (``现场照片.jpg`` → ``现场照片.pdf`` too, a scan of it)."""
    names: dict[str, set[str]] = {}
    for doc in docs:
        original = str(doc.get("original_name") or "")
        names.setdefault(doc["case_no"], set()).update({original, original.rsplit(".", 1)[0]})
    out = []
    for case in cases:
        listed = case.data.get("attachments") or []
        have = names.get(case.case_no, set())
        missing = [
            str(a) for a in listed if str(a) not in have and str(a).rsplit(".", 1)[0] not in have
        ]
        if missing:
            out.append({"case_no": case.case_no, "missing": missing, "listed": len(listed)})
    return out


def sequences(docs: Iterable[dict[str, Any]]) -> list[Sequence]:
    """Each (年度, 保管期限, 机构) sequence must run 0001, 0002, … with no gap or repeat."""
    grouped: dict[tuple[int, str, str], list[dict[str, Any]]] = {}
    for doc in docs:
        if doc["item_no"] < 0:
            continue  # a provisional number (预归档): not in the sequence until arranged
        grouped.setdefault((doc["year"], doc["retention"], doc["dept_code"]), []).append(doc)
    out = []
    for (year, retention, dept), rows in sorted(grouped.items()):
        numbers = [r["item_no"] for r in rows]
        present = set(numbers)
        last = max(numbers)
        seq = Sequence(year, retention, dept, len(rows), last)
        seq.gaps = [n for n in range(1, last + 1) if n not in present]
        seq.repeats = sorted({n for n in numbers if numbers.count(n) > 1})
        for row in rows:
            try:
                parsed = parse_archive_no(row["archive_no"])
            except ArchiveError:
                seq.mismatched.append(row["archive_no"])
                continue
            if (parsed.year, parsed.retention_code, parsed.dept_code, parsed.item_no) != (
                year,
                retention,
                dept,
                row["item_no"],
            ):
                seq.mismatched.append(row["archive_no"])
        out.append(seq)
    return out


def number_ranges(numbers: list[int]) -> str:
    """0003, 0007–0009 (a gap of a thousand numbers stays one short line)."""
    parts, start = [], None
    for i, n in enumerate(numbers):
        start = n if start is None else start
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            parts.append(f"{start:04d}" if start == n else f"{start:04d}–{n:04d}")
            start = None
    return ", ".join(parts)


def _cases(config: Config, year: int | None, report: CheckReport) -> list[Any]:
    cases, errors = CaseBook(config).scan()
    report.case_errors = [e.message.splitlines()[0] for e in errors]
    rule = ArchiveSettings.from_config(config).filing_year
    return sorted(
        (c for c in cases if year is None or filing_year(c, rule) == year), key=lambda c: c.case_no
    )


def case_gap(
    case: Any, filed: set[str], rules: RequiredForms, catalog: Catalog | None
) -> IncompleteCase | None:
    """The required forms a case lacks in the archive, or None when it has them all
    (``filed`` holds F26 when the linked CAPA's form is filed; see ``required_groups``)."""
    missing = [
        g.label
        for g in required_groups(case, rules, catalog)
        if not any(c in filed for c in g.codes)
    ]
    if not missing:
        return None
    return IncompleteCase(
        case.case_no, case.kind, case.is_closed, tuple(dict.fromkeys(missing)), tuple(sorted(filed))
    )


@dataclass(frozen=True)
class RequiredGroup:
    """One form a case must have in the archive: any of ``codes`` filed under ``case_no``."""

    codes: tuple[str, ...]
    label: str  # "F18 投诉处理结果告知书", alternatives joined by " 或 "
    case_no: str  # the case's own number; the CAPA's for its F26 ("" when not given)


def required_groups(
    case: Any, rules: RequiredForms, catalog: Catalog | None
) -> list[RequiredGroup]:
    """The forms ``rules`` require of this case, in rule order.

    A group applies when one of its forms applies to the case by the catalog's kinds and
    ``when`` (whatever profiles the catalog lists: the rule itself is per profile).
    A closed valid complaint also needs its CAPA's F26, unless it records why there is
    none (issue 14 point 4); that F26 is filed under the CAPA's own number."""
    groups = list(rules.always) + (list(rules.closed) if case.is_closed else [])
    out = []
    for group in groups:
        applicable = [c for c in group if _applies(c, case.data, rules.profile, catalog)]
        if applicable:
            out.append(
                RequiredGroup(
                    group, " 或 ".join(_form_label(c, catalog) for c in applicable), case.case_no
                )
            )
    if case.is_closed and needs_capa(case.data):
        number = capa_number(case.data)
        label = f"{_form_label(CAPA_FORM, catalog)} ({number or '有效投诉, 纠正措施编号未填写'})"
        out.append(RequiredGroup((CAPA_FORM,), label, number or ""))
    return out


@dataclass(frozen=True)
class FiledDocument:
    archive_no: str
    form_code: str
    filed_on: str  # 归档日期, YYYY-MM-DD
    status: str  # Chinese: 已归档, 已销毁, ...


@dataclass(frozen=True)
class FormFiling:
    """A required form of a case and the documents filed for it (none: 未归档)."""

    required: RequiredGroup
    documents: tuple[FiledDocument, ...]

    @property
    def filed(self) -> bool:
        return bool(self.documents)


@dataclass(frozen=True)
class CaseFiling:
    """What the archive holds for one case: every filed document by form code, and each
    required form (the rules of ``archive check``) with its documents."""

    case_no: str
    by_form: dict[str, tuple[FiledDocument, ...]]
    required: tuple[FormFiling, ...]
    archive_exists: bool

    @property
    def missing(self) -> list[FormFiling]:
        return [f for f in self.required if not f.filed]


def case_filing(
    case: Any, index: ArchiveIndex | None, rules: RequiredForms, catalog: Catalog | None
) -> CaseFiling:
    """The archive status of ``case`` (``index`` None: no archive yet, so nothing filed)."""

    def by_form(case_no: str) -> dict[str, tuple[FiledDocument, ...]]:
        rows = index.documents(Filters(case_no=case_no)) if index is not None and case_no else []
        out: dict[str, tuple[FiledDocument, ...]] = {}
        for r in rows:
            doc = FiledDocument(r["archive_no"], r["form_code"], str(r["filed_at"] or "")[:10],
                                STATUS_LABELS.get(r["status"], r["status"]))  # fmt: skip
            out[doc.form_code] = (*out.get(doc.form_code, ()), doc)
        return out

    own = by_form(case.case_no)
    required = []
    for group in required_groups(case, rules, catalog):
        held = own if group.case_no == case.case_no else by_form(group.case_no)
        required.append(FormFiling(group, tuple(d for c in group.codes for d in held.get(c, ()))))
    return CaseFiling(case.case_no, own, tuple(required), index is not None)


def _applies(code: str, data: dict[str, Any], profile: str, catalog: Catalog | None) -> bool:
    if catalog is None or code not in catalog.forms:
        return True
    form = catalog.forms[code]
    return replace(form, profiles=[]).needed_by(data, profile)


def _form_label(code: str, catalog: Catalog | None) -> str:
    form = catalog.forms.get(code) if catalog else None
    return f"{code} {form.title}" if form else code


def _overdue(config: Config, cases: list[Any], now: datetime, report: CheckReport) -> None:
    try:
        clock = clock_for(config)
    except RecordkitError as exc:
        report.clock_note = f"未检查办理期限: 程序时限配置无法加载 ({exc.message})"
        return
    if not clock.profile.steps:
        report.clock_note = f"未检查办理期限: 程序配置 {clock.profile.name} 没有时限步骤"
        return
    for case in cases:
        try:
            status = case_status(case.data, clock.profile, clock.calendar, now)
        except RecordkitError as exc:
            report.case_errors.append(f"{case.case_no}: 无法计算期限 ({exc.message})")
            continue
        for step in status.steps:
            if step.state == OVERDUE:
                report.overdue.append(
                    OverdueStep(
                        case.case_no,
                        step.name,
                        format_value(step.due) if step.due else "",
                        step.text,
                    )
                )


def check_lines(report: CheckReport) -> list[str]:
    """What ``archive check`` prints after its tables."""
    lines = []
    for seq in report.sequence_problems:
        if seq.gaps:
            lines.append(
                f"件号不连续 {seq.label}: 缺 {number_ranges(seq.gaps)} (共 {seq.count} 件, 最大件号 {seq.last:04d})"
            )
        if seq.repeats:
            lines.append(f"件号重复 {seq.label}: {number_ranges(seq.repeats)}")
        for archive_no in seq.mismatched:
            lines.append(f"档号与索引字段不一致 {seq.label}: {archive_no}")
    for row in report.failed_checks:
        lines.append(f"检测不通过 {row['archive_no']} ({row['case_no']} {row['form_code']}): "
                     f"{row['category']}/{row['name']}: {row['detail']}")  # fmt: skip
    for gap in report.incomplete:
        state = "已办结" if gap.closed else "办理中"
        have = " ".join(gap.filed) or "无"
        lines.append(
            f"案件文件不齐 {gap.case_no} ({gap.kind}, {state}): 缺 {'; '.join(gap.missing)} (已归档: {have})"
        )
    for step in report.overdue:
        lines.append(f"超期 {step.case_no}: {step.step}, 期限 {step.due} ({step.text})")
    for group in report.repeated_forms:
        lines.append(f"注意: 同一表单重复归档 {group['case_no']} {group['form_code']}: {', '.join(group['archive_nos'])}"
                     " (可能是同一份文件扫描了两次)")  # fmt: skip
    for row in report.metadata_problems:
        lines.append(f"元数据值域不符 {row['archive_no']}: {'; '.join(row['problems'])}")
    for b in report.batches:
        if not b["balanced"]:
            lines.append(
                f"归档信息包 #{b['id']} ({b['finished_at'][:16]}) 不平衡: 输入 {b['inputs']} 份 "
                f"{b['input_bytes']} 字节, 结果 {b['results']} 份 (归档 {b['filed']} 份 {b['filed_bytes']} 字节)"
            )
    for row in report.missing_attachments:
        lines.append(
            f"附件未归档 {row['case_no']}: {'、'.join(row['missing'])} (案件列出 {row['listed']} 个附件)"
        )
    for row in report.awaiting_arrangement:
        lines.append(f"待整理 {row['year']} 年度: {row['count']} 件仍为预归档号, "
                     f"运行 {row['command']} 编定正式件号")  # fmt: skip
    for error in report.case_errors:
        lines.append(f"案件文件有错误, 未检查: {error}")
    if report.clock_note:
        lines.append(f"注意: {report.clock_note}")
    rules = report.required
    if rules:
        closed = "、".join("|".join(g) for g in rules.closed) or "无"
        lines.append(f"齐全性规则 ({rules.profile}, {rules.origin}): 已办结案件须有 {closed}"
                     + (f"; 所有案件须有 {'、'.join('|'.join(g) for g in rules.always)}" if rules.always else "")
                     + "; 已办结的有效投诉另须其纠正措施的 F26 (或记录不采取纠正措施理由)")  # fmt: skip
    fails = sum(r["n"] for r in report.check_counts if r["result"] == "fail")
    lines.append(
        f"检查{'通过' if report.ok else '发现问题'}: 件号序列 {len(report.sequences)} 个 (有问题 {len(report.sequence_problems)}), "
        f"检测不通过 {fails} 项, 案件 {report.cases_checked} 个 (文件不齐 {len(report.incomplete)}), "
        f"超期步骤 {len(report.overdue)}"
    )
    return lines


# The words a 四性检测 result reads in: none = nothing to check (no signature), skipped =
# the check could not be run (no virus scanner); neither is a pass.
CHECK_WORDS = {"pass": "通过", "fail": "不通过", "warn": "警告", "none": "无", "skipped": "未执行"}
CHECK_COUNT_HEADERS = ["四性检测", "检查项", "通过", "警告", "不通过", "无", "未执行"]


def check_count_rows(report: CheckReport) -> list[list[Any]]:
    """四性检测 summary: one row per check, counts per result (``CHECK_COUNT_HEADERS``)."""
    table: dict[tuple[str, str], dict[str, int]] = {}
    for row in report.check_counts:
        table.setdefault((row["category"], row["name"]), {})[row["result"]] = row["n"]
    return [[cat, name, *(counts.get(r, 0) for r in ("pass", "warn", "fail", "none", "skipped"))]
            for (cat, name), counts in table.items()]  # fmt: skip


def sequence_rows(report: CheckReport) -> list[list[Any]]:
    return [[s.year, retention_label(s.retention), s.dept_code or "", s.count, f"{s.last:04d}",
             "连续" if s.ok else ("缺 " + number_ranges(s.gaps) if s.gaps else "有问题")]
            for s in report.sequences]  # fmt: skip
