"""Retention: what has expired (``due``), its destruction with a named approver
(``dispose``, which writes the 销毁清册), and legal holds that stop it. See docs/audit.md.

A disposal is crash-safe the way ingest is: the approved batch is recorded and its
documents marked ``destroying`` in one durable transaction; then the 销毁清册 (PDF and
XLSX) is written and its SHA-256 recorded; then the originals and access copies are
removed; then the documents are marked ``destroyed`` with one event each. A crash at any
point leaves a batch that the next ``dispose`` finishes first. Index rows are never
deleted: a destroyed record keeps its metadata (and its 件号, so no gap appears).
"""

from __future__ import annotations

import getpass
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recordkit.archive.catalogue_list import (
    DISPOSAL_HEADERS,
    DISPOSAL_WIDTHS_MM,
    Section,
    day8,
    document_title,
    write_disposal_pdf,
    write_sheets_xlsx,
)
from recordkit.archive.fixity import file_digests
from recordkit.archive.identify import is_safe_case_no
from recordkit.archive.numbering import (
    check_retention,
    disposal_due,
    parse_archive_no,
    retention_label,
)
from recordkit.cases.spreadsheet import read_rows
from recordkit.errors import (
    ArchiveError,
    BadValueError,
    DisposalRefusedError,
    DocumentNotFoundError,
    UsageError,
)
from recordkit.files import fsync_dir
from recordkit.index.archive import DisposalItem, Filters

if TYPE_CHECKING:
    from recordkit.archive.service import Archive

SCOPE_LABELS = {"document": "档号", "case": "案件", "year": "年度"}
DEFAULT_OPINION = "保管期限已满, 经鉴定无继续保存价值, 同意销毁"


# --------------------------------------------------------------------------- holds


def describe_hold(hold: dict[str, Any]) -> str:
    """法律保全 #3 (案件 TS-2026-0007): 诉讼中, 张律师 于 2026-11-21 设置"""
    return (f"法律保全 #{hold['id']} ({SCOPE_LABELS[hold['scope']]} {hold['target']}): {hold['reason']}, "
            f"{hold['placed_by']} 于 {hold['placed_at'][:10]} 设置")  # fmt: skip


def hold_target(archive_no: str | None, case_no: str | None, year: int | None) -> tuple[str, str]:
    """(scope, target) from exactly one of 档号, case number, 年度."""
    given = [
        (s, v)
        for s, v in (("document", archive_no), ("case", case_no), ("year", year))
        if v not in (None, "")
    ]
    if len(given) != 1:
        raise UsageError(
            "请给出一个保全对象: 档号, 或 --case 案件编号, 或 --year 年度 (exactly one)"
        )
    scope, value = given[0]
    if scope == "document":
        return scope, str(parse_archive_no(str(value)))
    if scope == "case":
        if not is_safe_case_no(str(value)):
            raise BadValueError(f"--case: {value!r} 不是有效的案件编号")
        return scope, str(value)
    if not 1000 <= int(value) <= 9999:  # type: ignore[arg-type]
        raise BadValueError(f"--year: {value} 不是有效的年度 (4 digits)")
    return scope, str(value)


def required_text(value: str | None, option: str, what: str) -> str:
    text = (value or "").strip()
    if not text:  # left out: a malformed command line (2); given blank: a bad value (1)
        raise (UsageError if value is None else BadValueError)(f"{option}: 必须写明{what}")
    return text


def add_hold(archive: Archive, archive_no: str | None, case_no: str | None, year: int | None,
             reason: str | None, by: str | None) -> dict[str, Any]:  # fmt: skip
    scope, target = hold_target(archive_no, case_no, year)
    reason = required_text(reason, "--reason", "保全原因 (reason)")
    by = required_text(by, "--by", "设置人姓名 (who places the hold)")
    if scope == "document" and archive.index.document(target) is None:
        raise DocumentNotFoundError(target)
    hold_id = archive.index.add_hold(scope, target, reason, by, archive.timestamp(),
                                     target if scope == "document" else None)  # fmt: skip
    return hold_dict(archive, archive.index.hold(hold_id) or {})


def remove_hold(
    archive: Archive, hold_id: int, by: str | None, reason: str | None
) -> dict[str, Any]:
    by = required_text(by, "--by", "解除人姓名 (who releases the hold)")
    hold = archive.index.hold(hold_id)
    if hold is None:
        raise ArchiveError(
            f"没有编号为 {hold_id} 的法律保全 (no such hold; see recordkit archive hold list)"
        )
    if hold["released_at"]:
        raise ArchiveError(
            f"法律保全 #{hold_id} 已于 {hold['released_at'][:10]} 由 {hold['released_by']} 解除"
        )
    if not archive.index.release_hold(hold_id, by, archive.timestamp(), (reason or "").strip()):
        raise ArchiveError(f"法律保全 #{hold_id} 刚被另一个进程解除")
    return hold_dict(archive, archive.index.hold(hold_id) or {})


def list_holds(archive: Archive, include_released: bool = False) -> list[dict[str, Any]]:
    return [hold_dict(archive, h) for h in archive.index.holds(active_only=not include_released)]


def hold_dict(archive: Archive, hold: dict[str, Any]) -> dict[str, Any]:
    return {**hold, "scope_label": SCOPE_LABELS[hold["scope"]], "active": not hold["released_at"],
            "documents": archive.index.covered_count(hold["scope"], hold["target"])}  # fmt: skip


# --------------------------------------------------------------------------- per-record retention


def _years(code: str) -> float:
    """A retention code's length for comparison; 永久 is the longest."""
    years = check_retention(code)
    return float("inf") if years is None else years


def set_retention(archive: Archive, archive_no: str | None, case_no: str | None, to: str, reason: str | None,
                  by: str | None, force: bool) -> list[dict[str, Any]]:  # fmt: skip
    """Give a document, or every document of a case, another 保管期限 (e.g. 重大 quality
    incident or litigation → D30 / 永久). Each change is a ``retention_changed`` event with
    its reason; shortening is refused unless ``force``. The 档号 keeps the code it was
    numbered with (renumbering would break the 件号 sequence); the period in force, and
    so ``disposal_due``, is the new one."""
    if bool(archive_no) == bool(case_no):
        raise UsageError(
            "请给出档号, 或 --case 案件编号 (一个) (exactly one of an archive number or --case)"
        )
    scope, target = hold_target(archive_no, case_no, None)
    to = to.strip().upper()
    try:
        check_retention(to)
    except ArchiveError as exc:
        raise BadValueError(f"--to: {exc.message}") from None
    reason = required_text(reason, "--reason", "变更原因 (reason)")
    docs = _retention_targets(archive, scope, target)
    current = {d["archive_no"]: d.get("retention_period") or d["retention"] for d in docs}
    shorter = [n for n, code in current.items() if _years(to) < _years(code)]
    if shorter and not force:
        raise ArchiveError(
            f"{'、'.join(shorter)}: 保管期限 {retention_label(current[shorter[0]])} 不能缩短为 {retention_label(to)}; "
            "确需缩短时加 --force 并用 --reason 写明依据 (shortening needs --force)"
        )
    by = (by or "").strip() or login_name()
    changes = []
    for doc in docs:
        before = current[doc["archive_no"]]
        if before == to:
            continue
        due = disposal_due(doc["year"], to)
        detail = {
            "from": before,
            "to": to,
            "reason": reason,
            "by": by,
            "forced": _years(to) < _years(before),
        }
        archive.index.change_retention(
            doc["archive_no"], to, due.isoformat() if due else None, archive.timestamp(), detail
        )
        changes.append(
            {
                "archive_no": doc["archive_no"],
                **detail,
                "disposal_due": due.isoformat() if due else None,
            }
        )
    return changes


def _retention_targets(archive: Archive, scope: str, target: str) -> list[dict[str, Any]]:
    if scope == "document":
        doc = archive.index.document(target)
        if doc is None:
            raise DocumentNotFoundError(target)
        docs = [doc]
    else:
        docs = [d for d in archive.index.documents(Filters(case_no=target))]
        if not docs:
            raise ArchiveError(f"案件 {target} 没有已归档的档案 (nothing filed for this case)")
    gone = [d["archive_no"] for d in docs if d["status"] in ("destroying", "destroyed")]
    if gone:
        raise ArchiveError(f"{'、'.join(gone)}: 已销毁, 不能变更保管期限")
    return docs


# --------------------------------------------------------------------------- due


@dataclass
class DueReport:
    on: date
    due: list[dict[str, Any]] = field(default_factory=list)
    held: list[dict[str, Any]] = field(default_factory=list)  # due, but kept by a hold
    unfinished: list[int] = field(default_factory=list)  # disposal batches to finish

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "due": self.due,
            "held": self.held,
            "unfinished_disposals": self.unfinished,
        }


def _entry(archive: Archive, doc: dict[str, Any], titles: dict[str, str]) -> dict[str, Any]:
    return {"archive_no": doc["archive_no"], "case_no": doc["case_no"], "form_code": doc["form_code"],
            "title": document_title(doc, titles), "year": doc["year"], "retention": doc["retention"],
            "retention_label": retention_label(doc["retention"]), "pages": doc["pages"],
            "disposal_due": doc["disposal_due"], "status": doc["status"]}  # fmt: skip


def due(archive: Archive, on: date, xlsx: Path | None = None) -> DueReport:
    """Filed records whose period has ended on ``on``; those under a hold apart. With
    ``xlsx``, the due list is also written there as a spreadsheet to appraise."""
    report = DueReport(on)
    titles = archive.form_titles()
    for doc in archive.index.documents():
        if (
            doc["status"] != "filed"
            or not doc["disposal_due"]
            or doc["disposal_due"] > on.isoformat()
        ):
            continue
        if not archive.index.filing_finished(doc["archive_no"]):
            continue  # still being filed (or waiting in work/ for recovery): not yet
        if doc["item_no"] < 0:
            continue  # provisional (预): retention runs from the final arrangement
        entry = _entry(archive, doc, titles)
        holds = archive.index.holds_on(doc)
        if holds:
            report.held.append({**entry, "holds": [describe_hold(h) for h in holds]})
        else:
            report.due.append(entry)
    report.unfinished = [d["id"] for d in archive.index.disposals(unfinished_only=True)]
    if xlsx:
        write_due_xlsx(archive, report, xlsx)
    return report


def write_due_xlsx(archive: Archive, report: DueReport, path: Path) -> None:
    """The due list as a spreadsheet to appraise: delete the rows to keep, fill in
    鉴定意见, then ``dispose --list`` the file."""
    headers = ["序号", "档号", "题名", "年度", "保管期限", "页数", "到期日期", "鉴定意见"]
    rows = [[str(n), e["archive_no"], e["title"], str(e["year"]), e["retention_label"], str(e["pages"]),
             e["disposal_due"], ""] for n, e in enumerate(report.due, 1)]  # fmt: skip
    org = archive.config.organization
    heading = [("全宗号", org.fonds_no), ("全宗名称", org.name), ("截至", report.on.isoformat()),
               ("说明", "删去需续存的行, 填写鉴定意见后: recordkit archive dispose --list 本文件")]  # fmt: skip
    write_sheets_xlsx(path, "到期档案鉴定表", headers, [12, 52, 70, 14, 18, 12, 22, 60],
                      [Section(heading, rows, "到期档案")])  # fmt: skip


# --------------------------------------------------------------------------- dispose


@dataclass
class DisposalReport:
    dry_run: bool
    on: date
    approver: str
    reason: str
    by: str
    items: list[dict[str, Any]] = field(default_factory=list)
    held: list[dict[str, Any]] = field(default_factory=list)  # with --due: kept by a hold
    already_destroyed: list[str] = field(default_factory=list)
    resumed: list[int] = field(default_factory=list)  # unfinished batches finished first
    kept: list[dict[str, Any]] = field(
        default_factory=list
    )  # taken out of a resumed batch by a hold
    disposal_id: int | None = None
    list_pdf: str | None = None
    list_xlsx: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "on": self.on.isoformat(), "approver": self.approver, "reason": self.reason,
                "by": self.by, "disposal_id": self.disposal_id, "items": self.items, "held": self.held,
                "already_destroyed": self.already_destroyed, "resumed_disposals": self.resumed,
                "kept_by_hold": [{"archive_no": k["archive_no"], "disposal_id": k["disposal_id"],
                                  "holds": [describe_hold(h) for h in k["holds"]]} for k in self.kept],
                "list_pdf": self.list_pdf, "list_xlsx": self.list_xlsx}  # fmt: skip


def read_list(path: Path) -> list[tuple[str, str]]:
    """(档号, 鉴定意见 or "") from a text file (one 档号 a line, # comments) or a
    spreadsheet (.xlsx/.csv) with a 档号 column (else the first column) and an optional
    鉴定意见 column."""
    if not Path(path).is_file():
        raise BadValueError(f"--list: 文件不存在 {path}")
    if Path(path).suffix.lower() in (".xlsx", ".csv"):
        rows = [["" if v is None else str(v).strip() for v in row] for row in read_rows(Path(path))]
        header_at = next((i for i, r in enumerate(rows[:5]) if "档号" in r), None)
        if header_at is None:
            return [(r[0], "") for r in rows if r and r[0]]
        header = rows[header_at]
        col, opinion = (
            header.index("档号"),
            header.index("鉴定意见") if "鉴定意见" in header else None,
        )
        return [(r[col], r[opinion] if opinion is not None and opinion < len(r) else "")
                for r in rows[header_at + 1:] if col < len(r) and r[col]]  # fmt: skip
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = Path(path).read_bytes().decode("gb18030")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [(line.split()[0], "") for line in lines if line]


def dispose(archive: Archive, use_due: bool, list_file: Path | None, approver: str | None, reason: str | None,
            by: str | None = None, dry_run: bool = False, on: date | None = None) -> DisposalReport:  # fmt: skip
    """Destroy the due records (``use_due``) or those listed, with a named approver.
    ``on`` applies the expiry of another day: any day for a rehearsal (``dry_run``),
    never a day after today for a real disposal (records would go before their time)."""
    if use_due == (list_file is not None):
        raise UsageError("请用 --due (全部到期档案) 或 --list 文件 (指定清单) 之一")
    approver = required_text(
        approver, "--approver", "批准人姓名; 没有批准人不能销毁 (disposal needs a named approver)"
    )
    reason = required_text(reason, "--reason", "销毁原因 / 鉴定意见 (reason)")
    by = (by or "").strip() or login_name()
    today = archive.now().date()
    if on is not None and on > today and not dry_run:
        raise ArchiveError(
            f"--on: {on.isoformat()} 晚于今天 ({today.isoformat()}), 只能与 --dry-run 一起演练; "
            "到期前不能销毁 (a future date is for rehearsal only)"
        )
    on = on or today
    report = DisposalReport(dry_run, on, approver, reason, by)
    if not dry_run:
        report.resumed = finish_unfinished(archive, report.kept)
    if use_due:
        chosen = due(archive, on)
        report.held = chosen.held
        wanted = [(e["archive_no"], "") for e in chosen.due]
    else:
        assert list_file is not None
        wanted = read_list(list_file)
        if not wanted:
            raise BadValueError(f"--list: {list_file} 中没有档号")
    report.items = _approve(archive, wanted, on, reason, report)
    if dry_run or not report.items:
        return report
    return execute(archive, report)


def execute(
    archive: Archive, report: DisposalReport, proposal_id: int | None = None
) -> DisposalReport:
    """Destroy the approved ``report.items``: the batch recorded (and the proposal, if
    any, marked approved in the same transaction), then ``complete_disposal``."""
    for entry in report.items:
        entry["approver"], entry["date"] = report.approver, report.on.isoformat()
    items = [DisposalItem(e["archive_no"], e["title"], e["opinion"]) for e in report.items]
    report.disposal_id = archive.index.begin_disposal(
        items, report.approver, report.reason, report.by, report.on.isoformat(),
        archive.timestamp(), proposal_id,
    )  # fmt: skip
    disposal = complete_disposal(archive, report.disposal_id)
    report.kept += disposal["kept"]
    kept = {k["archive_no"] for k in disposal["kept"]}
    report.items = [e for e in report.items if e["archive_no"] not in kept]
    report.list_pdf, report.list_xlsx = disposal["list_pdf"], disposal["list_xlsx"]
    return report


# a 预 number is not yet the record's place in the 年度; retention is reckoned from the
# final arrangement, so nothing provisional may be destroyed (docs/audit.md)
PROVISIONAL_REFUSAL = (
    "预归档号, 尚未整理编号, 不能销毁; 先运行 recordkit archive arrange --year {year} "
    "(a provisional record cannot be disposed before arrangement)"
)


def _approve(archive: Archive, wanted: list[tuple[str, str]], on: date, reason: str,
             report: DisposalReport | ProposalReport) -> list[dict[str, Any]]:  # fmt: skip
    """The entries to destroy; every refusal at once (nothing destroyed) otherwise."""
    titles = archive.form_titles()
    refusals, items, seen = [], [], set()
    for raw, opinion in wanted:
        try:
            archive_no = str(parse_archive_no(raw))
        except ArchiveError as exc:
            refusals.append(exc.message)
            continue
        if archive_no in seen:
            continue
        seen.add(archive_no)
        doc = archive.index.document(archive_no)
        if doc is None:
            refusals.append(f"{archive_no}: 找不到此档号 (no such record)")
        elif doc["status"] in ("destroyed", "destroying"):
            report.already_destroyed.append(archive_no)
        elif doc["status"] != "filed" or not archive.index.filing_finished(archive_no):
            refusals.append(
                f"{archive_no}: 尚未完成归档 (接收未完成; 先运行 recordkit archive ingest 完成恢复), 不能销毁"
            )
        elif doc["item_no"] < 0:
            refusals.append(f"{archive_no}: {PROVISIONAL_REFUSAL.format(year=doc['year'])}")
        elif not doc["disposal_due"]:
            refusals.append(f"{archive_no}: 永久保管, 不能销毁")
        elif doc["disposal_due"] > on.isoformat():
            refusals.append(f"{archive_no}: 保管期限未满, {doc['disposal_due']} 到期, 不能销毁")
        else:
            holds = archive.index.holds_on(doc)
            if holds:
                refusals += [f"{archive_no}: 处于{describe_hold(h)}, 不能销毁; 解除后再处理 "
                             f"(recordkit archive hold remove {h['id']} --by 姓名)" for h in holds]  # fmt: skip
            else:
                items.append({**_entry(archive, doc, titles), "opinion": opinion.strip() or reason})
    if refusals:
        raise DisposalRefusedError(refusals)
    return items


# --------------------------------------------------------------------------- two-person disposal

PROPOSAL_STATES = {"pending": "待批准", "approved": "已批准并销毁", "rejected": "已驳回"}
SAME_PERSON = "批准人不能是申请人本人 ({name}); 销毁须由另一人批准 (two-person rule: the approver must not be the proposer)"


@dataclass
class ProposalReport:
    """What ``propose`` did: the proposal (``proposal_dict``) and what it left out."""

    on: date
    proposal: dict[str, Any] = field(default_factory=dict)
    held: list[dict[str, Any]] = field(default_factory=list)  # due, but kept by a hold
    already_destroyed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"on": self.on.isoformat(), "proposal": self.proposal, "held": self.held,
                "already_destroyed": self.already_destroyed}  # fmt: skip


def propose(archive: Archive, archive_nos: list[str] | None, proposer: str | None,
            reason: str | None) -> ProposalReport:  # fmt: skip
    """First person: propose destroying the due records (``archive_nos`` None) or the
    chosen ones. Refused as ``dispose`` refuses (held, not due, unknown); the 销毁清册 of
    the proposal (PDF + XLSX, 批准人 待批准) is written now, before anything is deleted;
    nothing is deleted until another person approves."""
    proposer = required_text(proposer, "--by", "申请人姓名 (who proposes)")
    reason = required_text(reason, "--reason", "销毁原因 / 鉴定意见 (reason)")
    report = ProposalReport(archive.now().date())
    if archive_nos is None:
        chosen = due(archive, report.on)
        report.held = chosen.held
        wanted = [(e["archive_no"], "") for e in chosen.due]
    else:
        wanted = [(n, "") for n in archive_nos if n.strip()]
    if not wanted:
        raise ArchiveError("没有可以申请销毁的档案 (nothing due, or no 档号 chosen)")
    entries = _approve(archive, wanted, report.on, reason, report)
    if not entries:
        raise ArchiveError(f"所选档案都已销毁: {'、'.join(report.already_destroyed)}")
    items = [DisposalItem(e["archive_no"], e["title"], e["opinion"]) for e in entries]
    proposal_id = archive.index.propose_disposal(
        items, proposer, reason, report.on.isoformat(), archive.timestamp()
    )
    proposal = archive.index.proposal(proposal_id) or {}
    pdf, xlsx = write_proposal_list(archive, proposal, archive.index.proposal_items(proposal_id))
    archive.index.set_proposal_lists(proposal_id, pdf, xlsx)
    report.proposal = proposal_dict(archive, archive.index.proposal(proposal_id) or {})
    return report


def write_proposal_list(
    archive: Archive, proposal: dict[str, Any], items: list[dict[str, Any]]
) -> tuple[tuple[str, str], tuple[str, str]]:
    """The proposal's 销毁清册 (批准人 待批准) under disposals/."""
    org = archive.config.organization
    day = day8(proposal["proposed_at"])
    rows = list_rows(items, "待批准", "")
    heading = [("全宗号", org.fonds_no), ("全宗名称", org.name), ("销毁申请", f"第 {proposal['id']} 号"),
               ("销毁原因", proposal["reason"]), ("申请人", proposal["proposer"]),
               ("申请日期", proposal["proposed_at"][:10]), ("批准人", "待批准 (须由申请人以外的另一人批准)"),
               ("数量", quantity(items)),
               ("依据", f"保管期限截至 {proposal['on_date']} 已满; 无法律保全")]  # fmt: skip
    pdf = archive.layout.root / "disposals" / f"销毁清册-申请{proposal['id']:04d}-{day}.pdf"
    return write_list_files(archive, pdf, heading, rows)


def _pending(archive: Archive, proposal_id: int) -> dict[str, Any]:
    proposal = archive.index.proposal(proposal_id)
    if proposal is None:
        raise ArchiveError(
            f"没有编号为 {proposal_id} 的销毁申请 (no such proposal; see recordkit archive disposal list)"
        )
    if proposal["state"] != "pending":
        raise ArchiveError(
            f"销毁申请 #{proposal_id} {PROPOSAL_STATES[proposal['state']]} "
            f"({proposal['decided_by']} {(proposal['decided_at'] or '')[:10]}), 不能再处理"
        )
    return proposal


def identities(person: str) -> set[str]:
    """The names a person goes by: "王芳 (wangfang)", as the web writes a user, is both
    王芳 and wangfang, so the CLI's --by 王芳 is recognised as the same person."""
    text = " ".join(person.replace("（", "(").replace("）", ")").split()).casefold()
    match = re.fullmatch(r"(.+?) ?\((.+)\)", text)
    return {match.group(1), match.group(2)} if match else {text}


def same_person(a: str, b: str) -> bool:
    return bool(identities(a) & identities(b))


def approve(archive: Archive, proposal_id: int, approver: str | None) -> DisposalReport:
    """Second person: approve a pending proposal, then destroy through the crash-safe
    disposal (``execute``). The approver must not be the proposer; every item is checked
    again (a hold placed since, or a changed 保管期限, refuses the whole approval)."""
    approver = required_text(approver, "--by", "批准人姓名 (who approves)")
    proposal = _pending(archive, proposal_id)
    if same_person(approver, proposal["proposer"]):
        raise ArchiveError(SAME_PERSON.format(name=proposal["proposer"]))
    report = DisposalReport(
        False, archive.now().date(), approver, proposal["reason"], proposal["proposer"]
    )
    report.resumed = finish_unfinished(archive, report.kept)
    wanted = [(i["archive_no"], i["opinion"]) for i in archive.index.proposal_items(proposal_id)]
    report.items = _approve(archive, wanted, report.on, proposal["reason"], report)
    if not report.items:
        raise ArchiveError(
            f"销毁申请 #{proposal_id} 中的档案都已销毁, 请驳回此申请 (nothing left to destroy)"
        )
    return execute(archive, report, proposal_id)


def reject(
    archive: Archive, proposal_id: int, by: str | None, reason: str | None
) -> dict[str, Any]:
    """Reject (or withdraw) a pending proposal, with a reason; nothing is deleted."""
    by = required_text(by, "--by", "驳回人姓名 (who rejects)")
    reason = required_text(reason, "--reason", "驳回原因 (reason)")
    _pending(archive, proposal_id)
    if not archive.index.reject_proposal(proposal_id, by, reason, archive.timestamp()):
        raise ArchiveError(f"销毁申请 #{proposal_id} 刚被他人处理, 请刷新后查看")
    return proposal_dict(archive, archive.index.proposal(proposal_id) or {})


def list_proposals(archive: Archive, state: str | None = None) -> list[dict[str, Any]]:
    return [proposal_dict(archive, p) for p in archive.index.proposals(state)]


def proposal_dict(archive: Archive, proposal: dict[str, Any]) -> dict[str, Any]:
    items = archive.index.proposal_items(proposal["id"])
    titles = archive.form_titles()
    disposal = archive.index.disposal(proposal["disposal_id"]) if proposal["disposal_id"] else None
    return {**proposal, "state_label": PROPOSAL_STATES[proposal["state"]],
            "items": [{**_entry(archive, d, titles), "opinion": d["opinion"]} for d in items],
            "pages": sum(int(d["pages"]) for d in items),
            "disposal_list_pdf": disposal["list_pdf"] if disposal else None,
            "disposal_list_xlsx": disposal["list_xlsx"] if disposal else None}  # fmt: skip


def disposal_list(archive: Archive, kind: str, number: int, fmt: str) -> Path:
    """The stored 销毁清册 of a proposal (``kind`` "proposal") or a batch ("batch")."""
    row = archive.index.proposal(number) if kind == "proposal" else archive.index.disposal(number)
    rel = row.get(f"list_{fmt}") if row and fmt in ("pdf", "xlsx") else None
    if not rel or not archive.layout.abs(rel).is_file():
        raise ArchiveError(f"没有这份销毁清册 ({kind} {number} {fmt})")
    return archive.layout.abs(rel)


def finish_unfinished(archive: Archive, kept: list[dict[str, Any]] | None = None) -> list[int]:
    """Finish the batches a crash or a kill left ``destroying``; documents a hold placed
    since covers are kept (and added to ``kept``)."""
    finished = []
    for disposal in archive.index.disposals(unfinished_only=True):
        held = complete_disposal(archive, disposal["id"])["kept"]
        if kept is not None:
            kept += held
        finished.append(disposal["id"])
    return finished


def complete_disposal(archive: Archive, disposal_id: int) -> dict[str, Any]:
    """From a recorded batch on: holds re-checked, the 销毁清册, then the files, then the
    index. Each step may be repeated. The result's ``kept`` lists the documents a hold
    took out of the batch."""
    disposal = archive.index.disposal(disposal_id)
    if disposal is None:
        raise ArchiveError(f"没有编号为 {disposal_id} 的销毁批次")
    kept: list[dict[str, Any]] = []
    if disposal["state"] != "done":
        kept = archive.index.keep_held_items(
            disposal_id,
            archive.timestamp(),
            lambda doc: not archive.layout.abs(doc["original_path"]).exists(),
        )
    items = archive.index.disposal_items(disposal_id)
    if disposal["state"] != "done":
        pdf, xlsx = write_disposal_list(archive, disposal, items)
        archive.index.set_disposal_lists(disposal_id, pdf, xlsx)
        for doc in items:
            for rel in (doc["original_path"], doc["access_path"]):
                if rel:
                    _remove(archive.layout.abs(rel))
        archive.index.finish_disposal(disposal_id, archive.timestamp())
    return {**(archive.index.disposal(disposal_id) or disposal), "kept": kept}


def write_disposal_list(
    archive: Archive, disposal: dict[str, Any], items: list[dict[str, Any]]
) -> tuple[tuple[str, str], tuple[str, str]]:
    """The 销毁清册 as PDF and XLSX under disposals/; ((path, sha256), (path, sha256))."""
    org = archive.config.organization
    day = day8(disposal["started_at"])
    rows = list_rows(items, disposal["approver"], day)
    proposal = archive.index.proposal_of_disposal(disposal["id"])
    asked = (
        [("申请人", proposal["proposer"]), ("销毁申请", f"第 {proposal['id']} 号")]
        if proposal
        else []
    )
    heading = [("全宗号", org.fonds_no), ("全宗名称", org.name), ("销毁批次", f"第 {disposal['id']} 批"),
               ("销毁原因", disposal["reason"]), *asked, ("批准人", disposal["approver"]),
               ("执行人", disposal["executed_by"]), ("销毁日期", disposal["started_at"][:10]),
               ("数量", quantity(items)),
               ("依据", f"保管期限截至 {disposal['on_date']} 已满; 无法律保全")]  # fmt: skip
    pdf = archive.layout.root / "disposals" / f"销毁清册-{disposal['id']:04d}-{day}.pdf"
    return write_list_files(archive, pdf, heading, rows)


def list_rows(items: list[dict[str, Any]], approver: str, day: str) -> list[list[str]]:
    """The rows of a 销毁清册 (``DISPOSAL_HEADERS``)."""
    return [[str(n), d["archive_no"], d["title"], str(d["year"]), retention_label(d["retention"]), str(d["pages"]),
             d["opinion"], approver, day] for n, d in enumerate(items, 1)]  # fmt: skip


def quantity(items: list[dict[str, Any]]) -> str:
    return f"{len(items)} 件, {sum(int(d['pages']) for d in items)} 页"


def write_list_files(
    archive: Archive, pdf: Path, heading: list[tuple[str, str]], rows: list[list[str]]
) -> tuple[tuple[str, str], tuple[str, str]]:
    """A 销毁清册 (``pdf`` and the same name .xlsx); ((path, sha256), (path, sha256))."""
    org = archive.config.organization
    xlsx = pdf.with_suffix(".xlsx")
    write_disposal_pdf(pdf, heading, rows, org.name)
    write_sheets_xlsx(
        xlsx,
        "档案销毁清册",
        DISPOSAL_HEADERS,
        DISPOSAL_WIDTHS_MM,
        [Section(heading, rows, "销毁清册")],
    )
    return (
        (archive.layout.rel(pdf), file_digests(pdf).sha256),
        (archive.layout.rel(xlsx), file_digests(xlsx).sha256),
    )


def _remove(path: Path) -> None:
    """Delete a stored file (read-only by design) and make the deletion durable."""
    try:
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)  # Windows refuses to delete read-only files
        path.unlink()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ArchiveError(
            f"{path}: 无法删除 ({exc.strerror or exc}); 修复后再次运行 archive dispose 即可完成"
        ) from exc
    fsync_dir(path.parent)


def login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (some services, containers)
        return ""
