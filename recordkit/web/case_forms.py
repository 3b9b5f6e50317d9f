"""The case form, generated from the case schema (recordkit/cases/schema.py); the
same form serves the other record types (质量事故, 整改, 纠正预防, 售后服务) from their
field tables (``rtype``).

Every field of the contract becomes a form field with its Chinese label: choices as
selects, dates as date inputs, date-times as datetime-local, booleans as 是/否, lists
and table rows (调查人员, 处理进展) as repeatable rows. The form only converts what the
browser sends into the values a case file holds; the checks are the CLI's
(``validate_case``), and each problem is put beside its field.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join

from recordkit.cases import schema
from recordkit.cases.store import get_path, is_blank, set_path
from recordkit.errors import FieldProblem

HANDLER_PATHS = ("investigation.", "progress", "reply.", "follow_up.", "closed_at")
EXTRA_ROWS = 2  # empty rows offered below a list's values
_LONG_TEXT = (
    "content",
    "findings",
    "root_cause",
    "measures",
    "reason",
    "opinion",
    "description",
    "request",
    "responsibility",
    "preventive_action",
    "address",
    "note",
    "problem",
    "requirement",
    "nonconformity",
    "fault",
    "work_done",
    "cause",
    "corrective_action",
    "report",
    "immediate_actions",
    "notes",
)
_HELP = {
    schema.DATE: "日期",
    schema.DATETIME: "日期和时间",
    schema.NUMBER: "数字",
    schema.INTEGER: "整数",
    schema.LIST: "每行一项; 留空的行不保存",
    schema.ROWS: "每项一行; 留空的行不保存",
}
_NUMBER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")


def typed_text(value: str) -> str:
    """What a person typed: browsers send a line break in a textarea as CR LF."""
    return value.replace("\r\n", "\n")


class RepeatWidget(forms.Widget):
    """One text input per item, all with the same name; blank rows are offered to add."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        return data.getlist(name) if hasattr(data, "getlist") else list(data.get(name) or [])

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> str:
        items = [str(v) for v in (value or [])] + [""] * EXTRA_ROWS
        return format_html(
            '<div class="repeat" id="id_{}">{}</div>',
            name,
            format_html_join(
                "",
                '<textarea name="{}" rows="1"{}>{}</textarea>',
                ((name, " disabled" if self.attrs.get("disabled") else "", item) for item in items),
            ),
        )


class RowsWidget(forms.Widget):
    """A table with one row per item and one input per column (name ``path.column``)."""

    def __init__(self, columns: tuple[tuple[str, str], ...], attrs: Any = None) -> None:
        super().__init__(attrs)
        self.columns = columns

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[dict[str, str]]:
        cells = {key: data.getlist(f"{name}.{key}") for key, _label in self.columns}
        count = max((len(v) for v in cells.values()), default=0)
        return [
            {key: (cells[key][i] if i < len(cells[key]) else "") for key in cells}
            for i in range(count)
        ]

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> str:
        rows = [r if isinstance(r, dict) else {} for r in (value or [])] + [{}] * EXTRA_ROWS
        off = " disabled" if self.attrs.get("disabled") else ""
        head = format_html_join("", "<th>{}</th>", ((label,) for _key, label in self.columns))
        body = format_html_join(
            "",
            "<tr>{}</tr>",
            (
                (
                    format_html_join(
                        "",
                        '<td><textarea name="{}.{}" rows="1"{}>{}</textarea></td>',
                        (
                            (name, key, off, "" if row.get(key) is None else str(row.get(key)))
                            for key, _l in self.columns
                        ),
                    ),
                )
                for row in rows
            ),
        )
        return format_html('<table class="rows" id="id_{}"><tr>{}</tr>{}</table>', name, head, body)


class ListField(forms.Field):
    widget = RepeatWidget

    def to_python(self, value: Any) -> list[str]:
        return [typed_text(str(v)) for v in (value or []) if str(v).strip()]


class RowsField(forms.Field):
    def to_python(self, value: Any) -> list[dict[str, str]]:
        rows = [
            {k: typed_text(str(v)) for k, v in row.items()}
            for row in (value or [])
            if isinstance(row, dict)
        ]
        return [row for row in rows if any(v.strip() for v in row.values())]


class TextField(forms.CharField):
    def to_python(self, value: Any) -> str:
        return typed_text(super().to_python(value))


def _form_field(field: schema.Field) -> forms.Field:
    """The Django field of one contract field (labels and help in Chinese)."""
    common = {"label": field.label, "required": False, "help_text": _HELP.get(field.type, "")}
    if field.choices:
        return forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in field.choices], **common)
    if field.type == schema.BOOL:
        return forms.ChoiceField(choices=[("", "—"), ("true", "是"), ("false", "否")], **common)
    if field.type == schema.LIST:
        return ListField(**common)
    if field.type == schema.ROWS:
        return RowsField(widget=RowsWidget(field.columns), **common)
    if field.type in (schema.DATE, schema.DATETIME):
        kind = "date" if field.type == schema.DATE else "datetime-local"
        return TextField(strip=False, widget=forms.DateInput(attrs={"type": kind}), **common)
    long_text = field.path.rsplit(".", 1)[-1] in _LONG_TEXT
    widget = forms.Textarea(attrs={"rows": 3}) if long_text else forms.TextInput()
    return TextField(strip=False, widget=widget, **common)


def form_fields(rtype: schema.RecordType = schema.CASE) -> list[schema.Field]:
    """The contract fields the form shows (not the number: it is assigned, never typed)."""
    return [f for f in rtype.fields if f.path != rtype.number_key]


def _initial(field: schema.Field, value: Any) -> Any:
    """A case file's value as the browser input shows it."""
    if field.type == schema.BOOL:
        return {True: "true", False: "false"}.get(value, "")
    if field.type in (schema.LIST, schema.ROWS):
        return value if isinstance(value, list) else ([] if is_blank(value) else [value])
    if is_blank(value):
        return ""
    if field.type == schema.DATETIME:
        return str(value).replace(" ", "T", 1)
    return str(value)


def _stored(field: schema.Field, value: Any) -> Any:
    """What the browser sent as the value a case file holds (blank -> None)."""
    if field.type == schema.BOOL:
        return {"true": True, "false": False}.get(value)
    if field.type in (schema.LIST, schema.ROWS):
        return value
    if value == "":
        return None
    if field.type == schema.DATETIME:
        return value.replace("T", " ", 1)
    if field.type in (schema.NUMBER, schema.INTEGER) and _NUMBER.match(value.strip()):
        return int(value)
    if field.type == schema.NUMBER and _DECIMAL.match(value.strip()):
        return float(value)
    return value  # not a number: validation names the field


class CaseForm(forms.Form):
    """The form of a case (or of a record of ``rtype``); ``editable`` (paths or prefixes)
    limits what may change, the rest is disabled (Django then ignores what the browser
    sends for it)."""

    sha256 = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        data_before: dict[str, Any] | None = None,
        editable: tuple[str, ...] | None = None,
        rtype: schema.RecordType = schema.CASE,
        **kwargs: Any,
    ) -> None:
        self.before = data_before or {}
        self.rtype = rtype
        kwargs.setdefault(
            "initial",
            {f.path: _initial(f, get_path(self.before, f.path)) for f in form_fields(rtype)},
        )
        super().__init__(*args, **kwargs)
        for field in form_fields(rtype):
            self.fields[field.path] = _form_field(field)
            if editable is not None and not field.path.startswith(editable):
                self.fields[field.path].disabled = True
                self.fields[field.path].widget.attrs["disabled"] = True

    def case_data(self) -> dict[str, Any]:
        """The case as typed: the data before with every changed form field set (unknown
        keys, ``extra`` and fields left as they were keep their exact old values; a blank
        left blank keeps the old blank, so it is no change)."""
        data = copy.deepcopy(self.before)
        changed = set(self.changed_data)
        for field in form_fields(self.rtype):
            if field.path not in changed or self.fields[field.path].disabled:
                continue
            value = _stored(field, self.cleaned_data.get(field.path))
            old = get_path(data, field.path)
            if not (is_blank(value) and is_blank(old) and field.type != schema.BOOL):
                set_path(data, field.path, value)
        return data

    def add_problems(self, problems: list[FieldProblem]) -> None:
        """Each validation problem beside its field; the rest above the form. Works on an
        unbound form too (a file opened with problems shows them before any save)."""
        self.errors  # noqa: B018 - runs the form's own cleaning first
        self.cleaned_data = getattr(self, "cleaned_data", {})
        for problem in problems:
            name = next(
                (
                    f.path
                    for f in form_fields(self.rtype)
                    if problem.path == f.path
                    or problem.path.startswith((f"{f.path}.", f"{f.path}["))
                ),
                None,
            )
            message = (
                f"{problem.label}: {problem.problem}"
                if name is None and problem.label
                else problem.problem
            )
            self.add_error(name, message)

    def sections(self) -> list[tuple[str, list[Any]]]:
        """(Chinese heading, bound fields) per group of the contract, in contract order."""
        out: dict[str, list[Any]] = {}
        for field in form_fields(self.rtype):
            group = field.path.split(".", 1)[0] if "." in field.path else ""
            out.setdefault(self.rtype.group_labels.get(group, "基本信息"), []).append(
                self[field.path]
            )
        return list(out.items())
