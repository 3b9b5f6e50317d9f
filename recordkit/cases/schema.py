"""The case file contract as data: key path, Chinese label, type and allowed values.

One table serves validation, spreadsheet import (columns by key path or label), the
template check (a template may only name fields that exist here) and the context a
template renders with (every field present, missing ones as empty text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

# Value types. "datetime" accepts a date or a date with time, as CASE-FORMAT.md says.
TEXT = "text"
DATE = "date"
DATETIME = "datetime"
BOOL = "bool"
NUMBER = "number"
INTEGER = "integer"
LIST = "list"  # list of text
ROWS = "rows"  # list of mappings with fixed columns (e.g. 换件: 名称 / 数量 / 原因)

KINDS = ("投诉", "申诉", "争议", "意见建议")
CHANNELS = ("电话", "来访", "信函", "传真", "电子邮件", "网上", "第三方转交", "满意度调查")
SOURCES = ("客户直接", "走访调查", "消费者协会", "主管部门转交", "媒体", "市场调研", "内部员工")
CATEGORIES = ("质量", "服务", "价格", "诚信", "事故", "其他")
SEVERITIES = ("一般", "重大", "一级", "二级", "三级")
DECISIONS = ("受理", "不予受理", "转办")
REPLY_METHODS = ("书面", "电话", "面谈", "电子邮件")
SATISFACTION = ("满意", "基本满意", "不满意")
REVIEW_METHODS = ("复核", "重新核实")  # seed 002 第五条: 不服 → 重新核实


@dataclass(frozen=True)
class Field:
    path: str
    label: str
    type: str = TEXT
    choices: tuple[str, ...] = field(default=())
    required: bool = False
    columns: tuple[tuple[str, str], ...] = field(default=())  # ROWS: (key, 中文标签) of each column
    date_columns: tuple[str, ...] = field(default=())  # ROWS: columns that must hold a date
    required_columns: tuple[str, ...] = field(default=())  # ROWS: columns no row may leave empty


FIELDS: tuple[Field, ...] = (
    Field("case_no", "编号"),
    Field("kind", "类别", choices=KINDS, required=True),
    Field("received_at", "接收时间", DATETIME, required=True),
    # Seed 001 (4S 店) 1.4: taken outside working hours and judged not urgent.
    Field("received_after_hours", "非工作时间接到(非紧急)", BOOL),
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
    # A register's 内容摘要 (R01); when empty the register prints the start of the content.
    Field("summary", "内容摘要"),
    Field("request", "投诉请求"),
    Field("category", "分类", choices=CATEGORIES),
    Field("severity", "严重程度", choices=SEVERITIES),
    # ISO 10002 §7.4: receipt of each complaint is acknowledged to the complainant.
    Field("acknowledged_at", "确认收到时间", DATETIME),
    Field("acceptance.decision", "受理意见", choices=DECISIONS),
    Field("acceptance.decided_at", "受理日期", DATE),
    Field("acceptance.reason", "不予受理/转办理由"),
    Field("acceptance.transferred_to", "转办部门"),
    # 首问负责制 (seed 002 医院): the first receiver hands the complaint over and both sign.
    Field("handover.department", "交接科室"),
    Field("handover.person", "交接责任人"),
    Field("handover.signed_by", "交接签字"),
    Field("handover.at", "交接时间", DATETIME),
    # 12315 (seed 003 3.3): a copy goes to the respondent, who answers (答辩) in 15 工作日.
    Field("respondent_answer.copy_sent_at", "投诉书副本发送日期", DATE),
    Field("respondent_answer.received_at", "收到答辩日期", DATE),
    Field("respondent_answer.content", "答辩意见"),
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
    Field("resolution.no_capa_reason", "不采取纠正措施理由"),
    Field("resolution.preventive_action", "预防措施"),
    Field("resolution.compensation", "赔偿金额", NUMBER),
    Field("resolution.approved_by", "批准人"),
    Field("resolution.approved_at", "批准日期", DATE),
    # ISO 10002 §7.3 tracking / seed 001 2.1.6 提供投诉进展情况的报告: dated progress notes.
    Field(
        "progress",
        "处理进展",
        ROWS,
        columns=(("date", "日期"), ("note", "进展情况"), ("method", "告知方式")),
        date_columns=("date",),
        required_columns=("date", "note"),
    ),
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
    Field("review.method", "复核方式", choices=REVIEW_METHODS),
    Field("review.requested_at", "复核提出日期", DATE),
    Field("review.by", "复核人"),
    Field("review.findings", "复核情况"),
    Field("review.decision", "复核决定"),
    Field("review.decided_at", "复核决定日期", DATE),
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
    "acknowledged_at",
    "handover.at",
    "respondent_answer.copy_sent_at",
    "respondent_answer.received_at",
    "acceptance.decided_at",
    "resolution.approved_at",
    "reply.replied_at",
    "extension.granted_at",
    "follow_up.visited_at",
    "review.requested_at",
    "review.decided_at",
    "closed_at",
)

# People who act on a case; none of them may be a recused person.
ACTING_PEOPLE: tuple[str, ...] = (
    "assignment.handler",
    "assignment.investigators",
    "resolution.approved_by",
    "follow_up.by",
    "review.by",
)


GROUP_LABELS: dict[str, str] = {
    "complainant": "投诉人信息",
    "subject": "涉及事项",
    "acceptance": "受理",
    "handover": "首问交接",
    "respondent_answer": "被投诉人答辩",
    "assignment": "分办",
    "investigation": "调查核实",
    "resolution": "处理",
    "reply": "答复",
    "extension": "延期",
    "follow_up": "回访",
    "review": "复核",
    "extra": "表单专用字段",
}


def label_of(path: str, rtype: RecordType | None = None) -> str:
    """Chinese label of a key path; for extra.* and list items, the nearest known one."""
    by_path = rtype.by_path if rtype else BY_PATH
    group_labels = rtype.group_labels if rtype else GROUP_LABELS
    if path in by_path:
        return by_path[path].label
    if path in group_labels:
        return group_labels[path]
    if path.startswith("extra."):
        return "表单专用字段"
    base = path.split("[", 1)[0]
    if base in by_path:
        return by_path[base].label
    return ""


def is_known_path(path: str, rtype: RecordType | None = None) -> bool:
    """True if a template may name this path (a field, a group, or anything under extra)."""
    if rtype is not None and rtype is not CASE:
        return (
            path in rtype.by_path
            or path in rtype.groups
            or path in rtype.derived
            or path in ("case_no", "extra")
            or path.startswith("extra.")
        )
    return path in BY_PATH or path in GROUPS or path == "extra" or path.startswith("extra.")


# --------------------------------------------------------------------------- record types
# Complaint cases are one kind of record an office keeps. Quality incidents, rectification
# notices, corrective/preventive actions and service visits are the others: each is its
# own numbered register in the office (CASE-FORMAT.md already cites `CA-2026-003`), so
# each has its own file folder, number sequence and field table, validated, imported and
# rendered by the same code as cases (docs/case-format.md, "其他记录").


@dataclass(frozen=True)
class DateRule:
    """``later`` may not come before ``earlier`` (both key paths of the same record)."""

    later: str
    earlier: str
    why: str = ""  # Chinese explanation appended to the message


@dataclass(frozen=True)
class RecordType:
    name: str  # case | incident | rectification | capa | service
    label: str  # 中文名称
    number_key: str  # the key holding the record's number
    date_field: str  # the date that places a record in a year and a register period
    fields: tuple[Field, ...]
    folder: str = ""  # sub-folder of [folders] records ("" = cases, which have their own folder)
    pattern: str = ""  # default numbering pattern ("" = by kind, for cases)
    date_rules: tuple[DateRule, ...] = ()
    text_only: tuple[str, ...] = ()  # bare YAML numbers here already lost leading zeros
    identity: tuple[str, ...] = ()  # what identifies one record in a spreadsheet import
    group_labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    derived: dict[str, str] = field(
        default_factory=dict, compare=False, hash=False
    )  # computed for forms
    summary: str = ""  # the field `record list` shows as the gist

    @cached_property
    def by_path(self) -> dict[str, Field]:
        return {f.path: f for f in self.fields}

    @cached_property
    def by_label(self) -> dict[str, Field]:
        return {f.label: f for f in self.fields}

    @cached_property
    def groups(self) -> tuple[str, ...]:
        return tuple(
            sorted({f.path.split(".", 1)[0] for f in self.fields if "." in f.path} | {"extra"})
        )

    @property
    def kinds(self) -> tuple[str, ...]:
        kind = self.by_path.get("kind")
        return kind.choices if kind else ()

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.path for f in self.fields if f.required)


# What a record's form prints about the complaint case it came from (``source_case``).
LINKED_CASE = {
    "linked.kind": "来源案件类别",
    "linked.received_at": "来源案件接收时间",
    "linked.complainant": "来源案件投诉人",
    "linked.description": "来源案件事项",
}


def _after(date_field: str, *paths: str) -> tuple[DateRule, ...]:
    return tuple(DateRule(p, date_field) for p in paths)


CASE = RecordType(
    name="case",
    label="案件",
    number_key="case_no",
    date_field="received_at",
    fields=FIELDS,
    date_rules=(
        *_after("received_at", *AFTER_RECEIPT),
        DateRule("review.decided_at", "review.requested_at", "复核决定在提出复核之后"),
    ),
    text_only=(
        "complainant.phone",
        "complainant.id_no",
        "subject.report_no",
        "subject.batch_no",
        "subject.order_no",
    ),
    identity=("kind", "received_at", "complainant.name", "content"),
    group_labels=GROUP_LABELS,
    summary="content",
)

INCIDENT_GRADES = ("一般", "重大")
# seed 002: 重大质量事故 ①假冒伪劣 ②因质量问题整批报废 ③保管不善霉烂变质、污染破损 ④损失达到
# 重大标准; 造成人身伤亡或性质恶劣、造成重大影响的重大事故立即上报.
SERIOUS_REASONS = (
    "损失金额达到重大标准",
    "假冒伪劣",
    "整批报废",
    "保管不善霉烂变质、污染破损",
    "人员伤亡",
    "性质恶劣、造成重大影响",
)

INCIDENT = RecordType(
    name="incident",
    label="质量事故",
    number_key="record_no",
    date_field="occurred_at",
    folder="incident",
    pattern="SG-{year}-{seq:04d}",
    fields=(
        Field("record_no", "事故编号"),
        Field("occurred_at", "发生时间", DATETIME, required=True),
        Field("place", "发生地点"),
        Field("department", "发生部门"),
        Field("reported_by", "报告人"),
        Field("reported_at", "报告时间", DATETIME),
        Field("source_case", "来源案件"),
        Field("product.name", "品名"),
        Field("product.spec", "规格型号"),
        Field("product.batch_no", "批号"),
        Field("product.quantity", "数量"),
        Field("product.manufacturer", "生产企业"),
        Field("scope", "事故范围"),
        Field("description", "事故经过", required=True),
        Field("casualties", "人员伤亡", BOOL),
        Field("casualty_details", "伤亡情况"),
        Field("loss_amount", "损失金额", NUMBER),
        Field("grade", "事故等级", choices=INCIDENT_GRADES),
        Field("serious_reason", "重大事故情形", choices=SERIOUS_REASONS),
        Field("immediate_actions", "紧急措施"),
        Field("investigation.investigators", "调查人员", LIST),
        Field("investigation.findings", "调查情况"),
        Field("investigation.cause", "事故原因"),
        Field("investigation.responsibility", "责任范围"),
        Field("investigation.responsible_party", "责任部门及责任人"),
        Field("corrective_action", "纠正措施"),
        Field("capa_no", "纠正措施编号"),
        Field("report.to", "上报单位"),
        Field("report.reported_at", "上报时间", DATETIME),
        Field("report.written_at", "书面报告日期", DATE),
        Field("handling.opinion", "处理意见"),
        Field("handling.result", "处理结果"),
        Field("handling.leader_opinion", "企业负责人意见"),
        Field("handling.leader", "企业负责人"),
        Field("handling.decided_at", "批准日期", DATE),
        Field("handling.published_at", "公布日期", DATE),
        Field("handling.published_how", "公布情况"),
        Field("closed_at", "结案日期", DATE),
        Field("attachments", "附件", LIST),
    ),
    date_rules=_after(
        "occurred_at",
        "reported_at",
        "report.reported_at",
        "report.written_at",
        "handling.decided_at",
        "handling.published_at",
        "closed_at",
    ),
    text_only=("product.batch_no",),
    identity=("occurred_at", "place", "description"),
    group_labels={
        "product": "涉及产品",
        "investigation": "事故调查",
        "report": "上报",
        "handling": "事故处理",
        "extra": "表单专用字段",
    },
    derived={
        "grade_rule": "事故等级标准",
        "report_rule": "上报时限",
        "report_due": "上报期限",
        **LINKED_CASE,
    },
    summary="description",
)

RECTIFICATION_RESULTS = ("合格", "不合格")
RECTIFICATION_SOURCES = ("质量检查", "投诉处理", "质量事故", "监督抽查", "上级检查", "其他")

RECTIFICATION = RecordType(
    name="rectification",
    label="整改通知",
    number_key="record_no",
    date_field="issued_at",
    folder="rectification",
    pattern="ZG-{year}-{seq:04d}",
    fields=(
        Field("record_no", "通知单编号"),
        Field("issued_at", "签发日期", DATE, required=True),
        Field("issuer", "签发部门", required=True),
        Field("issued_by", "签发人"),
        Field("recipient", "被通知单位", required=True),
        Field("recipient_contact", "被通知单位负责人"),
        Field("project", "工程（项目）名称"),
        Field("location", "部位"),
        Field("source", "问题来源", choices=RECTIFICATION_SOURCES),
        Field("source_case", "来源案件"),
        Field("problem", "问题描述", required=True),
        Field("requirement", "整改要求", required=True),
        Field("deadline", "整改期限", DATE),
        Field("serious", "重大问题整改", BOOL),
        Field("plan.content", "整改方案"),
        Field("plan.approved_by", "方案审核人"),
        Field("plan.approved_at", "方案批准日期", DATE),
        Field("received_by", "签收人"),
        Field("received_at", "签收日期", DATE),
        Field("completion.report", "整改情况"),
        Field("completion.completed_at", "整改完成日期", DATE),
        Field("recheck.by", "复查人"),
        Field("recheck.at", "复查日期", DATE),
        Field("recheck.result", "复查结论", choices=RECTIFICATION_RESULTS),
        Field("recheck.opinion", "复查意见"),
        Field("closed_at", "关闭日期", DATE),
        Field("attachments", "附件", LIST),
    ),
    date_rules=(
        *_after(
            "issued_at",
            "deadline",
            "plan.approved_at",
            "received_at",
            "completion.completed_at",
            "recheck.at",
            "closed_at",
        ),
        DateRule("recheck.at", "completion.completed_at", "复查验收在整改完成之后"),
    ),
    identity=("issued_at", "recipient", "problem"),
    group_labels={
        "plan": "整改方案",
        "completion": "整改完成",
        "recheck": "复查验收",
        "extra": "表单专用字段",
    },
    derived=dict(LINKED_CASE),
    summary="problem",
)

CAPA_TYPES = ("纠正措施", "预防措施", "纠正和预防措施")
CAPA_SOURCES = ("投诉", "申诉", "内部审核", "管理评审", "监督检查", "外部评审", "质量事故", "其他")
# seed 000 6.4.1 (纠正措施 a–d) and 6.4.2 (预防措施 a–b).
CAPA_BASES = (
    "质量体系适应性和有效性方面的问题",
    "检验检测工作质量方面的问题",
    "责任人职业道德方面的问题",
    "计量器具、仪器设备失准方面的问题",
    "客户或其它方面的期望、要求",
    "通过调研引发的其它潜在的不符合倾向",
)
CAPA_RESULTS = ("有效", "基本有效", "无效")

CAPA = RecordType(
    name="capa",
    label="纠正和预防措施",
    number_key="record_no",
    date_field="opened_at",
    folder="capa",
    pattern="CA-{year}-{seq:03d}",
    fields=(
        Field("record_no", "措施编号"),
        Field("opened_at", "提出日期", DATE, required=True),
        Field("action_type", "措施类型", choices=CAPA_TYPES, required=True),
        Field("source", "不符合来源", choices=CAPA_SOURCES),
        Field("source_case", "投诉编号"),
        Field("source_ref", "来源记录编号"),
        Field("basis", "启动情形", choices=CAPA_BASES),
        Field("nonconformity", "不符合事实", required=True),
        Field("raised_by", "提出人"),
        Field("department", "责任部门"),
        Field("owner", "责任人"),
        Field("cause", "原因分析"),
        Field("correction", "纠正（立即处置）"),
        Field("corrective_action", "纠正措施"),
        Field("preventive_action", "预防措施"),
        Field("due", "完成期限", DATE),
        Field("approved_by", "批准人"),
        Field("approved_at", "批准日期", DATE),
        Field("completed_at", "完成日期", DATE),
        Field("verification.by", "验证人"),
        Field("verification.at", "验证日期", DATE),
        Field("verification.result", "验证结论", choices=CAPA_RESULTS),
        Field("verification.notes", "验证情况"),
        Field("closed_at", "关闭日期", DATE),
        Field("attachments", "附件", LIST),
    ),
    date_rules=(
        *_after("opened_at", "due", "approved_at", "completed_at", "verification.at", "closed_at"),
        DateRule("verification.at", "completed_at", "验证在措施完成之后"),
    ),
    identity=("opened_at", "nonconformity"),
    group_labels={"verification": "验证", "extra": "表单专用字段"},
    derived=dict(LINKED_CASE),
    summary="nonconformity",
)

SERVICE_KINDS = ("维修", "安装调试", "保养", "巡检", "技术培训")
SERVICE_CHANNELS = ("电话", "来函", "来访", "传真", "电子邮件", "网上", "走访")
ACCEPTANCE_RESULTS = ("验收合格", "基本合格，需整改", "不合格")

SERVICE = RecordType(
    name="service",
    label="售后服务",
    number_key="record_no",
    date_field="requested_at",
    folder="service",
    pattern="FW-{year}-{seq:04d}",
    fields=(
        Field("record_no", "服务单编号"),
        Field("kind", "服务类别", choices=SERVICE_KINDS, required=True),
        Field("requested_at", "报修时间", DATETIME, required=True),
        Field("channel", "报修方式", choices=SERVICE_CHANNELS),
        Field("source_case", "来源案件"),
        Field("customer.organization", "用户单位", required=True),
        Field("customer.contact", "联系人"),
        Field("customer.phone", "联系电话"),
        Field("customer.address", "用户地址"),
        Field("product.name", "产品名称"),
        Field("product.model", "产品型号"),
        Field("product.serial_no", "产品编号"),
        Field("product.installed_on", "安装日期", DATE),
        Field("fault", "故障现象"),
        Field("warranty", "是否三包", BOOL),
        Field("engineers", "服务工程师", LIST),
        Field("distance_km", "服务距离（km）", NUMBER),
        Field("arrived_at", "到达时间", DATETIME),
        Field("completed_at", "完成时间", DATETIME),
        Field("diagnosis", "故障原因"),
        Field("work_done", "处理情况"),
        Field(
            "parts",
            "换件",
            ROWS,
            columns=(("name", "名称"), ("quantity", "数量"), ("reason", "换件原因")),
        ),
        Field("charge", "收费金额", NUMBER),
        Field("commissioning", "安装调试情况"),
        Field("training", "培训情况"),
        Field("acceptance", "验收意见", choices=ACCEPTANCE_RESULTS),
        Field("open_issues", "遗留问题"),
        Field("rating", "用户评价", choices=SATISFACTION),
        Field("customer_opinion", "用户意见"),
        Field("customer_signer", "用户签字人"),
        Field("customer_signed_at", "用户签字时间", DATETIME),
        Field("verified_by", "回访验证人"),
        Field("verified_at", "回访验证日期", DATE),
        Field("closed_at", "关闭日期", DATE),
        Field("attachments", "附件", LIST),
    ),
    date_rules=(
        *_after(
            "requested_at",
            "arrived_at",
            "completed_at",
            "customer_signed_at",
            "verified_at",
            "closed_at",
        ),
        DateRule("completed_at", "arrived_at", "服务在到达现场之后完成"),
        DateRule(
            "customer_signed_at",
            "completed_at",
            "用户只能在服务完成后签字确认 (不允许在服务前要求用户签字)",
        ),
    ),
    text_only=("customer.phone", "product.serial_no"),
    identity=("kind", "requested_at", "customer.organization", "product.serial_no", "fault"),
    group_labels={"customer": "用户", "product": "产品", "extra": "表单专用字段"},
    derived=dict(LINKED_CASE),
    summary="fault",
)

RECORD_TYPES: dict[str, RecordType] = {
    t.name: t for t in (CASE, INCIDENT, RECTIFICATION, CAPA, SERVICE)
}
OTHER_TYPES: tuple[RecordType, ...] = (INCIDENT, RECTIFICATION, CAPA, SERVICE)


def record_type(name: str) -> RecordType:
    """The record type called ``name`` (KeyError for an unknown one)."""
    return RECORD_TYPES[name]
