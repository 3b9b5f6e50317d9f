"""Process rules an assessor checks on a complaint file (issue 14, points 1, 2 and 4).

* Impartiality (seeds 000 and 001 回避, ISO/IEC 17025 §7.9.6): the person complained
  about may not act on the case — handler, investigator, approver, follow-up visitor or
  reviewer. An error, like a person listed under ``assignment.recused``.
* No closure while the complainant is dissatisfied (seed 002 第五条 不服 → 重新核实):
  a closed case whose follow-up says 不满意 needs a recorded 复核 / 重新核实 step and its
  decision (``review.*``). Without them validation warns and the clock keeps it open.
* CAPA links (ISO/IEC 17025 §7.9.x / seed 000 6.4.1): ``resolution.corrective_action_no``
  must name a CAPA record that exists (an error); a valid complaint counts as closed only
  with a linked CAPA that is verified, or with ``resolution.no_capa_reason`` (a warning
  otherwise, and the clock keeps it open). The archive then requires the CAPA's F26.

Errors here return ``(key path, message)`` pairs like every other validation rule; the
closure rules return warnings of the same shape (a case may be saved while it is still
being worked on, but it does not count as closed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from recordkit.cases import schema
from recordkit.cases.store import CaseBook, read_case_file
from recordkit.cases.values import MISSING, get_path, is_blank
from recordkit.config import Config
from recordkit.errors import RecordkitError
from recordkit.files import check_case_no

REVIEW_METHODS = schema.REVIEW_METHODS
VERIFIED = ("有效", "基本有效")  # CAPA verification results that count as verified
CAPA_FORM = "F26"

CapaLookup = Callable[[str], "dict[str, Any] | None"]


# --------------------------------------------------------------------------- point 4 (errors)


def capa_lookup(config: Config) -> CapaLookup:
    """A CAPA record by number, read from ``records/capa/`` (None when there is none).

    A CAPA file with its own errors still exists: it is read, not validated, here.
    """
    book = CaseBook(config, rtype=schema.CAPA)
    seen: dict[str, dict[str, Any] | None] = {}

    def lookup(number: str) -> dict[str, Any] | None:
        if number not in seen:
            try:
                seen[number] = read_case_file(book.locate(number))[0]
            except RecordkitError:
                seen[number] = None
        return seen[number]

    return lookup


def capa_link_check(config: Config) -> Callable[[dict[str, Any]], list[tuple[str, str]]]:
    """Live check of a case book: the CAPA a case names exists and names this case."""
    lookups = [capa_lookup(config)]

    def check(data: dict[str, Any]) -> list[tuple[str, str]]:
        # CAPA files read once per book (a case list of thousands names few CAPAs); a
        # problem is confirmed with fresh reads, since another process may just have
        # filed or corrected the CAPA.
        found = list(capa_link_problems(data, lookups[0]))
        if found:
            lookups[0] = capa_lookup(config)
            found = list(capa_link_problems(data, lookups[0]))
        return found

    return check


def capa_link_problems(data: Mapping[str, Any], lookup: CapaLookup) -> Iterator[tuple[str, str]]:
    key = "resolution.corrective_action_no"
    number = get_path(data, key)
    if is_blank(number) or not isinstance(number, str) or check_case_no(number.strip()):
        return  # blank is allowed; a wrong type or unsafe number is a field problem
    number = number.strip()
    capa = lookup(number)
    if capa is None:
        yield (
            key,
            (
                f"找不到纠正和预防措施记录 {number} (no CAPA record with this number; "
                f"先用 recordkit record new --type capa 登记)"
            ),
        )
        return
    source, case_no = capa.get("source_case"), data.get("case_no")
    if (
        not is_blank(source)
        and not is_blank(case_no)
        and str(source).strip() != str(case_no).strip()
    ):
        yield (
            key,
            f"纠正和预防措施 {number} 的投诉编号 (source_case) 是 {source}, 不是本案件 {case_no}",
        )


# --------------------------------------------------------------------------- closure (points 2 and 4)


def closure_warnings(
    data: Mapping[str, Any], lookup: CapaLookup | None = None
) -> list[tuple[str, str]]:
    """Why a case with ``closed_at`` does not count as closed yet ([] when it does, or when
    it is not closed). ``lookup`` finds CAPA records; without it a named CAPA is trusted."""
    if is_blank(get_path(data, "closed_at")):
        return []
    return [*_dissatisfied(data), *_capa_missing(data, lookup)]


def _dissatisfied(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if get_path(data, "follow_up.satisfaction") != "不满意":
        return
    missing = [
        f"{path} ({schema.label_of(path)})"
        for path in ("review.method", "review.decision", "review.decided_at")
        if is_blank(get_path(data, path))
    ]
    if missing:
        yield (
            "closed_at",
            (
                f"回访满意度为不满意, 未记录复核或重新核实及其决定 (缺 {', '.join(missing)}), "
                "不算办结 (dissatisfied complainant: record the review and its decision before closing)"
            ),
        )


def needs_capa(data: Mapping[str, Any]) -> bool:
    """A valid complaint without a recorded reason for taking no corrective action."""
    return get_path(data, "investigation.valid") is True and is_blank(
        get_path(data, "resolution.no_capa_reason")
    )


def _capa_missing(data: Mapping[str, Any], lookup: CapaLookup | None) -> Iterator[tuple[str, str]]:
    if not needs_capa(data):
        return
    number = get_path(data, "resolution.corrective_action_no")
    if is_blank(number):
        yield (
            "resolution.corrective_action_no",
            (
                "有效投诉办结须关联已验证的纠正措施 (F26), 或在 resolution.no_capa_reason (不采取纠正措施理由) "
                "中写明理由; 不算办结 (a valid complaint closes with a verified CAPA or a reason for none)"
            ),
        )
        return
    capa = lookup(str(number).strip()) if lookup is not None else MISSING
    if capa is None or capa is MISSING:
        return  # a CAPA that does not exist is an error of its own; no lookup: trusted
    result = get_path(capa, "verification.result")
    if result not in VERIFIED or is_blank(get_path(capa, "verification.at")):
        shown = "未填写" if is_blank(result) else str(result)
        yield (
            "resolution.corrective_action_no",
            (
                f"纠正措施 {str(number).strip()} 尚未验证有效 (verification.result 验证结论: {shown}); 不算办结 "
                "(the linked CAPA is not verified yet)"
            ),
        )


def capa_number(data: Mapping[str, Any]) -> str:
    value = get_path(data, "resolution.corrective_action_no")
    return "" if is_blank(value) else str(value).strip()
