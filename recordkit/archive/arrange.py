"""Arrangement before numbering (DA/T 22-2015 整理, issue 14 point 8): ``archive arrange``.

With ``[archive] numbering = "arrange"`` intake gives each document a provisional number
(``WS·2026-D10-预0003``, its access copy stamped so). ``arrange --year Y`` then sorts the
年度's provisional documents by case (事由: a record linked to a case by ``source_case``
goes with that case), then by the date the document was formed and the form's order in
the catalog, and gives them the final, gap-free 件号 after any final numbers the
sequence already has; the 年度 is sealed. It is crash-safe in two steps: the numbers
change in one durable transaction (with an ``arranged`` event per document and one
``year_arranged`` event), then each access copy is re-stamped from its verified original
(``access_copies.rebuild_one``, the one stamping path), which clears its pending mark.
Run again after an interruption, it re-stamps what is still pending and changes no number.

A sealed 年度 takes later scans as provisional too; giving them final numbers changes a
sealed year, so it needs ``--reopen --reason`` and is recorded with that reason.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from recordkit.archive.access_copies import rebuild_one
from recordkit.archive.audit_chain import recorded_documents
from recordkit.archive.export import document_facts
from recordkit.archive.numbering import format_archive_no
from recordkit.archive.retention import login_name, required_text
from recordkit.clock.setup import open_library
from recordkit.errors import ArchiveError, RecordkitError

if TYPE_CHECKING:
    from recordkit.archive.service import Archive


@dataclass(frozen=True)
class Move:
    """One document's provisional number and the final one it gets (or got)."""

    provisional: str
    final: str
    case: str  # the case (事由) it is arranged under
    case_no: str  # its own case or record number
    form_code: str
    date8: str  # the date it was formed


@dataclass
class Arrangement:
    """What ``archive arrange`` did (or, with ``--dry-run``, would do)."""

    year: int
    dry_run: bool
    moves: list[Move] = field(default_factory=list)
    restamped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # access copies not re-stamped, and why
    reason: str = ""
    sealed_at: str = ""  # the 年度 was sealed then (before this run): final numbers need a reason

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def arrange(archive: Archive, year: int, dry_run: bool = False, reopen: bool = False,
            reason: str | None = None, by: str | None = None) -> Arrangement:  # fmt: skip
    """Arrange the 年度's provisional documents (see the module docstring)."""
    index = archive.index
    provisional = index.provisional_documents(year)
    pending = index.restamps_pending(year)
    _refuse(archive, year, provisional, pending, reopen or dry_run)
    why = required_text(reason, "--reason", "重新整理已封存年度的原因 (reason)") if reopen else ""
    sealed = index.sealed_year(year)
    report = Arrangement(
        year, dry_run, reason=why, sealed_at=sealed["sealed_at"][:16] if sealed else ""
    )
    if provisional:
        report.moves = _plan(archive, year, provisional)
    if dry_run:
        return report
    if provisional:
        detail = {"by": (by or "").strip() or login_name(), "reason": why, "reopened": reopen}
        done = index.arrange(year, [m.provisional for m in report.moves], _final_number,
                             archive.timestamp(), detail)  # fmt: skip
        report.moves = [_with_final(m, dict(done)[m.provisional]) for m in report.moves]
    _restamp(archive, year, report)
    return report


def _refuse(archive: Archive, year: int, provisional: list[dict[str, Any]],
            pending: list[dict[str, Any]], reopen: bool) -> None:  # fmt: skip
    """The Chinese error for a year with nothing to arrange, or that may not be arranged
    (a sealed one without ``reopen``; a dry run only looks, so it may look at one)."""
    if archive.index.year_count(year) == 0:
        raise ArchiveError(f"{year} 年度没有档案, 无从整理 (no documents filed for {year})")
    if not provisional and not pending:
        how = (
            ""
            if archive.settings.arranges
            else '; 本档案库接收时即编正式件号 ([archive] numbering = "on_intake")'
        )
        raise ArchiveError(
            f"{year} 年度没有待整理的预归档文件, 件号均已是正式编号{how} (nothing to arrange)"
        )
    sealed = archive.index.sealed_year(year)
    if provisional and sealed and not reopen:
        raise ArchiveError(f"{year} 年度已于 {sealed['sealed_at'][:16]} 整理封存; 封存后接收的 {len(provisional)} "
                           "件预归档文件须加 --reopen --reason \"原因\" 编入 (year sealed)")  # fmt: skip
    unfinished = [
        d["archive_no"] for d in provisional if not archive.index.filing_finished(d["archive_no"])
    ]
    if unfinished:
        raise ArchiveError(f"{'、'.join(unfinished)}: 仍在归档中, 请等 archive ingest 完成后再整理 "
                           "(still filing)")  # fmt: skip


def _plan(archive: Archive, year: int, docs: list[dict[str, Any]]) -> list[Move]:
    """The documents in arrangement order, each with the final number it will get."""
    facts = document_facts(archive, docs)
    catalog = archive.catalog()
    order = {code: form.order for code, form in (catalog.forms if catalog else {}).items()}
    cases = _case_of(archive, {d["case_no"] for d in docs})
    ranked = sorted(docs, key=lambda d: (cases[d["case_no"]], facts[d["archive_no"]].date8,
                                         order.get(d["form_code"], 10**6), d["case_no"], -d["item_no"]))  # fmt: skip
    following = archive.index.next_final_numbers(year)
    moves = []
    for doc in ranked:
        seq = (doc["retention"], doc["dept_code"])
        final = _final_number(doc, following[seq])
        following[seq] += 1
        moves.append(Move(doc["archive_no"], final, cases[doc["case_no"]], doc["case_no"],
                          doc["form_code"], facts[doc["archive_no"]].date8))  # fmt: skip
    return moves


def _case_of(archive: Archive, case_nos: set[str]) -> dict[str, str]:
    """Case or record number → the case (事由) it is arranged under: a record linked to a
    complaint case (``source_case``, e.g. its CAPA) goes with that case."""
    library = open_library(archive.config)
    found = {}
    for case_no in case_nos:
        try:
            linked = str(library.get(case_no).data.get("source_case") or "").strip()
        except RecordkitError:  # removed or unreadable: arranged under its own number
            linked = ""
        found[case_no] = linked or case_no
    return found


def _final_number(doc: dict[str, Any], item_no: int) -> str:
    return format_archive_no(doc["fonds_no"], doc["category_code"], doc["year"], doc["retention"],
                             doc["dept_code"], item_no)  # fmt: skip


def _with_final(move: Move, final: str) -> Move:
    return Move(move.provisional, final, move.case, move.case_no, move.form_code, move.date8)


def _restamp(archive: Archive, year: int, report: Arrangement) -> None:
    """Every arranged access copy still showing its provisional number, stamped anew
    from its checked original; a failure is reported and the others go on."""
    recorded = recorded_documents(archive.index.events())
    for doc in archive.index.restamps_pending(year):
        try:
            rebuild_one(archive, doc, recorded.get(doc["archive_no"], {}))
        except RecordkitError as exc:
            report.errors.append(exc.message)
            continue
        report.restamped.append(doc["archive_no"])
