"""The case file contract as data: key path, Chinese label, type and allowed values.

One table serves validation, spreadsheet import (columns by key path or label), the
template check (a template may only name fields that exist here) and the context a
template renders with (every field present, missing ones as empty text).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Value types. "datetime" accepts a date or a date with time, as CASE-FORMAT.md says.
TEXT = "text"
DATE = "date"
DATETIME = "datetime"
BOOL = "bool"
NUMBER = "number"
INTEGER = "integer"
LIST = "list"  # list of text

KINDS = ("投诉", "申诉", "争议", "意见建议")
CHANNELS = ("电话", "来访", "信函", "传真", "电子邮件", "网上", "第三方转交", "满意度调查")
SOURCES = ("客户直接", "走访调查", "消费者协会", "主管部门转交", "媒体", "市场调研", "内部员工")
CATEGORIES = ("质量", "服务", "价格", "诚信", "事故", "其他")
SEVERITIES = ("一般", "重大", "一级", "二级", "三级")
DECISIONS = ("受理", "不予受理", "转办")
REPLY_METHODS = ("书面", "电话", "面谈", "电子邮件")
SATISFACTION = ("满意", "基本满意", "不满意")


@dataclass(frozen=True)
class Field:
    path: str
    label: str
    type: str = TEXT
    choices: tuple[str, ...] = field(default=())
    required: bool = False


FIELDS: tuple[Field, ...] = (
    Field("case_no", "编号"),
    Field("kind", "类别", choices=KINDS, required=True),
    Field("received_at", "接收时间", DATETIME, required=True),
    Field("channel", "投诉方式", choices=CHANNELS),
    Field("source", "信息来源", choices=SOURCES),
    Field("receiver", "接待人"),
    Field("complainant.name", "投诉人"),
    Field("complainant.organization", "投诉人单位"),
    Field("complainant.phone", "联系电话"),
    Field("complainant.address", "通讯地址"),
    Field("complainant.email", "电子邮件"),
    Field("complainant.occupation", "职业"),
    Field("complainant.id_no", "证件号码"),
    Field("complainant.anonymous", "匿名", BOOL),
    Field("respondent", "被投诉对象"),
    Field("subject.description", "涉及事项"),
    Field("subject.report_no", "报告编号"),
    Field("subject.report_received_at", "收到报告日期", DATE),
    Field("subject.product_name", "产品名称"),
    Field("subject.spec", "规格"),
    Field("subject.batch_no", "生产批号"),
    Field("subject.quantity", "投诉量"),
    Field("subject.purchase_place", "购买地点"),
    Field("subject.order_no", "订单编号"),
    Field("content", "投诉内容", required=True),
    Field("request", "投诉请求"),
    Field("category", "分类", choices=CATEGORIES),
    Field("severity", "严重程度", choices=SEVERITIES),
    Field("acceptance.decision", "受理意见", choices=DECISIONS),
    Field("acceptance.decided_at", "受理日期", DATE),
    Field("acceptance.reason", "不予受理/转办理由"),
    Field("acceptance.transferred_to", "转办部门"),
    Field("assignment.department", "责任部门"),
    Field("assignment.handler", "处理人"),
    Field("assignment.investigators", "调查人员", LIST),
    Field("assignment.recused", "回避人员", LIST),
    Field("investigation.findings", "调查情况"),
    Field("investigation.root_cause", "原因分析"),
    Field("investigation.valid", "有效投诉", BOOL),
    Field("investigation.responsibility", "责任认定"),
    Field("resolution.measures", "处理意见"),
    Field("resolution.corrective_action_no", "纠正措施编号"),
    Field("resolution.preventive_action", "预防措施"),
    Field("resolution.compensation", "赔偿金额", NUMBER),
    Field("resolution.approved_by", "批准人"),
    Field("resolution.approved_at", "批准日期", DATE),
    Field("reply.replied_at", "答复日期", DATE),
    Field("reply.method", "答复方式", choices=REPLY_METHODS),
    Field("reply.content", "答复内容"),
    Field("extension.granted_at", "延期批准日期", DATE),
    Field("extension.days", "延长天数", INTEGER),
    Field("extension.reason", "延期理由"),
    Field("follow_up.visited_at", "回访日期", DATE),
    Field("follow_up.by", "回访人"),
    Field("follow_up.satisfaction", "满意度", choices=SATISFACTION),
    Field("follow_up.opinion", "回访意见"),
    Field("closed_at", "办结日期", DATE),
    Field("attachments", "附件", LIST),
)

BY_PATH: dict[str, Field] = {f.path: f for f in FIELDS}
BY_LABEL: dict[str, Field] = {f.label: f for f in FIELDS}

# Groups (mappings) of the contract: a value there must be a mapping.
GROUPS: tuple[str, ...] = tuple(
    sorted({f.path.split(".", 1)[0] for f in FIELDS if "." in f.path} | {"extra"})
)

# Dates that must not come before the receiving date (date order rule).
AFTER_RECEIPT: tuple[str, ...] = (
    "acceptance.decided_at",
    "resolution.approved_at",
    "reply.replied_at",
    "extension.granted_at",
    "follow_up.visited_at",
    "closed_at",
)

# People who act on a case; none of them may be a recused person.
ACTING_PEOPLE: tuple[str, ...] = (
    "assignment.handler",
    "assignment.investigators",
    "resolution.approved_by",
)


GROUP_LABELS: dict[str, str] = {
    "complainant": "投诉人信息",
    "subject": "涉及事项",
    "acceptance": "受理",
    "assignment": "分办",
    "investigation": "调查核实",
    "resolution": "处理",
    "reply": "答复",
    "extension": "延期",
    "follow_up": "回访",
    "extra": "表单专用字段",
}


def label_of(path: str) -> str:
    """Chinese label of a key path; for extra.* and list items, the nearest known one."""
    if path in BY_PATH:
        return BY_PATH[path].label
    if path in GROUP_LABELS:
        return GROUP_LABELS[path]
    if path.startswith("extra."):
        return "表单专用字段"
    base = path.split("[", 1)[0]
    if base in BY_PATH:
        return BY_PATH[base].label
    return ""


def is_known_path(path: str) -> bool:
    """True if a template may name this path (a field, a group, or anything under extra)."""
    return path in BY_PATH or path in GROUPS or path == "extra" or path.startswith("extra.")
