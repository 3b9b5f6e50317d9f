"""What a template sees: case data shaped by the contract, organisation, form, clock.

Every field of the contract is present (missing ones as empty text), so a template
never fails because a case left a field out, while a name that is not in the contract
still fails ``forms check``. Dates print in one normalised form (ISO, minutes when a
time was given); text prints exactly as typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from recordkit.cases import schema
from recordkit.cases.store import MISSING, get_path
from recordkit.config import Config
from recordkit.dates import format_value, parse_datetime
from recordkit.forms.render import Record, clip, expected_text

ORG_KEYS = ("name", "fonds_no", "category_code", "department_code")
FORM_KEYS = ("code", "title", "version", "effective")
CLOCK_KEYS = (
    "acceptance_due",
    "reply_due",
    "acceptance_limit",
    "reply_limit",
    "original_due",
    "extended_due",
    "extension_days",
    "calendar_warning",
)
ROW_EXTRA_KEYS = ("overdue",)
REGISTER_KEYS = ("rows", "period", "count")
SUMMARY_NOTE = "(详见案卷)"


def _display(field: schema.Field, value: Any) -> Any:
    if value is MISSING or value is None:
        return ""
    if field.type in (schema.DATE, schema.DATETIME):
        try:
            return format_value(parse_datetime(value))
        except ValueError:
            return str(value)
    if field.type == schema.LIST:
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if field.type == schema.ROWS:
        items = value if isinstance(value, list) else []
        return [
            Record(
                {
                    key: _row_cell(field, key, item.get(key) if isinstance(item, Mapping) else None)
                    for key, _ in field.columns
                }
            )
            for item in items
        ]
    if field.type == schema.BOOL:
        return value if isinstance(value, bool) else str(value)
    return value if isinstance(value, str) else str(value)


def _row_cell(field: schema.Field, key: str, value: Any) -> str:
    """A table cell; a date column prints like every other date (2026-03-05 09:30)."""
    if key in field.date_columns and value not in (None, ""):
        try:
            return format_value(parse_datetime(value))
        except ValueError:
            return _cell(value)
    return _cell(value)


def _cell(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def _loose(value: Any) -> Any:
    """Keys outside the contract (round-tripped or extra): mappings readable with dots."""
    if isinstance(value, Mapping):
        return Record({str(k): _loose(v) for k, v in value.items()}, lenient=True)
    if isinstance(value, list):
        return [_loose(v) for v in value]
    return "" if value is None else value


def case_record(
    data: Mapping[str, Any],
    row_extras: Mapping[str, Any] | None = None,
    rtype: schema.RecordType = schema.CASE,
    derived: Mapping[str, Any] | None = None,
) -> Record:
    """The ``case`` (or register row) a template reads: a case, or a record of ``rtype``,
    whose number templates also read as ``case.case_no`` (printed under the QR code)."""
    tree: dict[str, Any] = {}
    for key, value in data.items():
        if key not in rtype.groups and key not in rtype.by_path:
            tree[str(key)] = _loose(value)
    for field in rtype.fields:
        node = tree
        *groups, leaf = field.path.split(".")
        for group in groups:
            node = node.setdefault(group, {})
        node[leaf] = _display(field, get_path(dict(data), field.path))
    if rtype is not schema.CASE:
        tree["case_no"] = tree[rtype.number_key]
    for key, value in (derived or {}).items():
        tree[key] = {**tree.get(key, {}), **value} if isinstance(value, Mapping) else value
    extra = data.get("extra")
    tree["extra"] = _loose(extra if isinstance(extra, Mapping) else {})
    for key in ROW_EXTRA_KEYS:
        tree[key] = (row_extras or {}).get(key, "")
    return Record({k: Record(v) if isinstance(v, dict) else v for k, v in tree.items()})


def register_summary(data: Mapping[str, Any], chars: int) -> str:
    """A register's 内容摘要: the case's own ``summary``, else the first ``chars``
    characters of its content and "(详见案卷)" (the full text is on the case's forms)."""
    summary = data.get("summary")
    if summary not in (None, ""):
        return expected_text(summary)
    return clip(data.get("content"), chars, SUMMARY_NOTE)


def org_record(config: Config) -> Record:
    org = config.organization
    return Record({key: getattr(org, key) for key in ORG_KEYS})


def form_record(code: str, title: str, version: str, effective: str = "") -> Record:
    return Record({"code": code, "title": title, "version": version, "effective": effective})


def clock_record(deadlines: Mapping[str, str] | None) -> Record:
    return Record({key: (deadlines or {}).get(key, "") for key in CLOCK_KEYS})


def form_context(
    config: Config,
    form: Record,
    case_data: Mapping[str, Any],
    deadlines: Mapping[str, str] | None = None,
    rtype: schema.RecordType = schema.CASE,
    derived: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "case": case_record(case_data, None, rtype, derived),
        "org": org_record(config),
        "form": form,
        "clock": clock_record(deadlines),
    }


def register_context(
    config: Config, form: Record, register_id: str, rows: list[Record], period: str
) -> dict[str, Any]:
    return {
        "case": case_record({"case_no": register_id}),
        "org": org_record(config),
        "form": form,
        "clock": clock_record(None),
        "rows": rows,
        "period": period,
        "count": len(rows),
    }


def unknown_use(root: str, path: str, rtype: schema.RecordType = schema.CASE) -> str | None:
    """Why a name a template reads does not exist, or None (the ``forms check`` rule);
    a form's ``case`` is its record type's record."""
    if root in ("case", "row"):
        if (
            not path
            or schema.is_known_path(path, rtype)
            or (root == "row" and path in ROW_EXTRA_KEYS)
        ):
            return None
        if rtype is not schema.CASE:
            return f"{rtype.label}记录格式中没有字段 {path} (not in the {rtype.name} record format)"
        return f"案件格式中没有字段 {path} (not in the case format)"
    known = {"org": ORG_KEYS, "form": FORM_KEYS, "clock": CLOCK_KEYS}
    if root in known:
        head = path.split(".", 1)[0]
        return (
            None
            if not path or head in known[root]
            else f"{root} 没有 {head} (known: {', '.join(known[root])})"
        )
    if root in REGISTER_KEYS or root in ("local", "loop"):
        return None
    return f"未知变量 {root} (templates can read case, org, form, clock, rows, period, count)"
