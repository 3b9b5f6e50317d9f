"""Rules of the record types beside cases that depend on the working folder or on other
files: incident grading by loss amount (``[incidents]`` in recordkit.toml), the link from
a record to the complaint case it came from, and the values forms print that are
computed rather than typed (等级标准, 上报时限, the linked case's details).

The field tables themselves are data in ``schema.py``; validation that needs nothing but
the record is in ``store.py``. Checks here plug into a ``CaseBook`` like the case clock's
extension check does (``recordkit.clock.setup.open_library`` wires them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from recordkit.cases import schema
from recordkit.cases.store import MISSING, Case, CaseBook, check_case_no, get_path, is_blank
from recordkit.config import Config
from recordkit.dates import as_datetime, format_value, parse_datetime
from recordkit.errors import BadValueError, ConfigError

Check = Callable[[dict[str, Any]], list[tuple[str, str]]]


def _number(value: Any) -> float | None:
    if value is MISSING or value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _yuan(amount: float) -> str:
    return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"


@dataclass(frozen=True)
class IncidentRules:
    """Grading of quality incidents by the loss of one batch (seed 002: 500 / 5000 元;
    another procedure uses 20000 元, hence configuration)."""

    minor_loss: float = 500
    serious_loss: float = 5000

    @classmethod
    def from_config(cls, config: Config) -> IncidentRules:
        section = config.section("incidents")
        values = {}
        for key, attr, default in (
            ("minor_loss_yuan", "minor_loss", 500),
            ("serious_loss_yuan", "serious_loss", 5000),
        ):
            value = section.get(key, default)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ConfigError(
                    f"{config.path or 'recordkit.toml'}: [incidents] {key}: 应为不小于 0 的数字 (元)"
                )
            values[attr] = float(value)
        if values["minor_loss"] > values["serious_loss"]:
            raise ConfigError(
                f"{config.path or 'recordkit.toml'}: [incidents] minor_loss_yuan 不能大于 serious_loss_yuan"
            )
        return cls(**values)

    @property
    def signature(self) -> str:
        return f"incidents:{self.minor_loss}:{self.serious_loss}"

    def rule_text(self) -> str:
        return (
            f"因质量问题每批（次）损失 {_yuan(self.minor_loss)} 元以上（含）{_yuan(self.serious_loss)} 元以下为一般质量事故；"
            f"{_yuan(self.serious_loss)} 元以上（含），或假冒伪劣、整批报废、保管不善霉烂变质污染破损、"
            "造成人员伤亡、性质恶劣造成重大影响的，为重大质量事故。"
        )

    def grade_for_loss(self, loss: float | None) -> str:
        if loss is None:
            return ""
        return "重大" if loss >= self.serious_loss else "一般"

    def effective_grade(self, data: dict[str, Any]) -> str:
        """The grade written in the record, else the one its loss amount gives."""
        grade = get_path(data, "grade")
        if not is_blank(grade):
            return str(grade)
        if get_path(data, "casualties") is True or not is_blank(get_path(data, "serious_reason")):
            return "重大"
        return self.grade_for_loss(_number(get_path(data, "loss_amount")))

    def check(self, data: dict[str, Any]) -> list[tuple[str, str]]:
        """The grade must agree with the loss amount and the serious-incident reasons."""
        grade = get_path(data, "grade")
        loss = _number(get_path(data, "loss_amount"))
        reason = get_path(data, "serious_reason")
        casualties = get_path(data, "casualties") is True
        found: list[tuple[str, str]] = []
        limit = f"{_yuan(self.serious_loss)} 元 ([incidents] serious_loss_yuan)"
        if grade == "一般" and loss is not None and loss >= self.serious_loss:
            found.append(
                ("grade", f"损失金额 {_yuan(loss)} 元 ≥ 重大质量事故标准 {limit}, 应为 重大")
            )
        if grade == "一般" and (casualties or not is_blank(reason)):
            found.append(("grade", "有人员伤亡或已填写重大事故情形 (serious_reason), 应为 重大"))
        if (
            grade == "重大"
            and (loss is None or loss < self.serious_loss)
            and not casualties
            and is_blank(reason)
        ):
            shown = "未填写" if loss is None else f"{_yuan(loss)} 元"
            found.append(
                (
                    "grade",
                    f"损失金额 {shown} 未达到重大质量事故标准 {limit}; "
                    "请在 serious_reason (重大事故情形) 中写明为何属于重大事故",
                )
            )
        if reason == "损失金额达到重大标准" and (loss is None or loss < self.serious_loss):
            found.append(("serious_reason", f"损失金额未达到 {limit}"))
        if reason == "人员伤亡" and get_path(data, "casualties") is False:
            found.append(("serious_reason", "与 casualties (人员伤亡): false 矛盾"))
        return found

    def report_rule(self, data: dict[str, Any]) -> str:
        """上报时限 as the procedure (seed 002) sets it for this incident's grade."""
        grade = self.effective_grade(data)
        if grade == "重大" and self._urgent(data):
            return "重大事故造成人身伤亡或性质恶劣、造成重大影响：立即报企业负责人，24 小时内报告药品监督管理部门；查清原因后书面报告，一般不超过 15 日。"
        if grade == "重大":
            return "其他重大质量事故：3 日内向上级汇报；查清原因后书面汇报，一般不超过 15 日。"
        if grade == "一般":
            return "一般质量事故：及时汇报部门领导，并将信息反馈质量管理部。"
        return "按事故等级：重大事故 24 小时（人身伤亡、性质恶劣）或 3 日内上报，书面报告不超过 15 日；一般事故及时汇报部门领导。"

    def report_due(self, data: dict[str, Any]) -> str:
        """The report deadlines counted from the incident (calendar hours and days)."""
        try:
            occurred = parse_datetime(get_path(data, "occurred_at"))
        except ValueError:
            return ""
        start = as_datetime(occurred)
        grade = self.effective_grade(data)
        if grade != "重大":
            return ""
        first = timedelta(hours=24) if self._urgent(data) else timedelta(days=3)
        first_text = "24 小时" if self._urgent(data) else "3 日"
        return (
            f"首次报告 {_when(start + first, occurred)} 前（{first_text}）；"
            f"书面报告 {_when(start + timedelta(days=15), occurred)} 前（15 日）"
        )

    @staticmethod
    def _urgent(data: dict[str, Any]) -> bool:
        reason = get_path(data, "serious_reason")
        return get_path(data, "casualties") is True or reason in (
            "人员伤亡",
            "性质恶劣、造成重大影响",
        )


def _when(moment: datetime, occurred: Any) -> str:
    """Hours keep the time of day; a bare incident date gives a date."""
    return format_value(moment) if isinstance(occurred, datetime) else moment.date().isoformat()


def link_check(cases: CaseBook) -> Check:
    """``source_case`` must name a complaint case that exists (the forms print the link)."""

    def check(data: dict[str, Any]) -> list[tuple[str, str]]:
        ref = get_path(data, "source_case")
        if is_blank(ref) or check_case_no(str(ref)):
            return []  # blank is allowed; an unsafe number is reported by the field check
        if not cases.exists(str(ref).strip()):
            return [
                (
                    "source_case",
                    f"找不到案件 {ref} (no case with this number in {cases.root.name}/)",
                )
            ]
        return []

    return check


def linked_case_values(record: Case, cases: CaseBook | None) -> dict[str, Any]:
    """What a record's form prints about the complaint case it came from."""
    empty = {"kind": "", "received_at": "", "complainant": "", "description": ""}
    ref = str(record.data.get("source_case") or "").strip()
    if not ref or cases is None or check_case_no(ref):
        return empty
    try:
        case = cases.get(ref)
    except Exception:  # noqa: BLE001 - a missing or broken linked case leaves the details blank
        return empty
    data = case.data
    name = get_path(data, "complainant.name")
    anonymous = get_path(data, "complainant.anonymous") is True
    org = get_path(data, "complainant.organization")
    who = "（匿名）" if anonymous else "　".join(str(v) for v in (org, name) if not is_blank(v))
    description = get_path(data, "subject.description")
    if is_blank(description):
        description = (
            str(data.get("content") or "").strip().splitlines()[0] if data.get("content") else ""
        )
    try:
        received = format_value(parse_datetime(data.get("received_at")))
    except ValueError:
        received = str(data.get("received_at") or "")
    return {
        "kind": case.kind,
        "received_at": received,
        "complainant": who,
        "description": str(description),
    }


def derived_values(record: Case, config: Config, cases: CaseBook | None) -> dict[str, Any]:
    """The computed values a record type declares (``RecordType.derived``), as a tree."""
    rtype = record.rtype
    if rtype is schema.CASE or not rtype.derived:
        return {}
    values: dict[str, Any] = {}
    if any(path.startswith("linked.") for path in rtype.derived):
        values["linked"] = linked_case_values(record, cases)
    if rtype is schema.INCIDENT:
        rules = IncidentRules.from_config(config)
        values["grade_rule"] = rules.rule_text()
        values["report_rule"] = rules.report_rule(record.data)
        values["report_due"] = rules.report_due(record.data)
        values["grade"] = rules.effective_grade(record.data)
    return values


def record_type(name: str) -> schema.RecordType:
    """A record type by its name (incident …) or Chinese label (质量事故 …)."""
    for rtype in schema.RECORD_TYPES.values():
        if name in (rtype.name, rtype.label):
            return rtype
    known = ", ".join(f"{t.name} ({t.label})" for t in schema.OTHER_TYPES)
    raise BadValueError(f"未知的记录类型 {name} (known: {known})")
