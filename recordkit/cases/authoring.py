"""New cases and records: from a YAML/JSON file (refusing a probable duplicate) or blank,
with the next number reserved and a Chinese comment beside every key for the person who
fills it in."""

from __future__ import annotations

import copy
import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from recordkit.cases import schema
from recordkit.cases.spreadsheet import fingerprint
from recordkit.cases.store import (
    Case,
    CaseBook,
    display_path,
    normalise_dates,
    parse_case_text,
    read_case_file,
    validate_case,
    write_case_file,
)
from recordkit.errors import CaseValidationError, RecordkitError


def new_case_from_file(book: CaseBook, source: Path, allow_duplicate: bool = False) -> Case:
    """A new case (or record of the book's type) from a YAML/JSON file, validated, numbered.

    Unless ``allow_duplicate``, refuses a file whose identity (for cases: kind, received
    time, complainant, content) matches a case already in the book: running the same
    command twice must not make two cases, just as `case import` skips such rows.
    """
    data, _raw = read_case_file(source)
    problems = validate_case(data, display_path(source), book.checks, book.rtype)
    if problems:
        raise CaseValidationError(problems)
    existing = None if allow_duplicate else probable_duplicate(book, data)
    if existing:
        rtype = book.rtype
        same = "、".join(schema.label_of(p, rtype) for p in rtype.identity)
        raise RecordkitError(
            f"{display_path(source)}: 可能与已有的{'案件' if rtype is schema.CASE else rtype.label + '记录'} "
            f"{existing} 重复 ({same}相同), 未新建; 确需新建请加 --allow-duplicate"
        )
    return book.add(data, source=display_path(source))


def probable_duplicate(book: CaseBook, data: dict[str, Any]) -> str | None:
    """The number of a case in ``book`` with the same identity as ``data``, or None."""
    mark = fingerprint(normalise_dates(copy.deepcopy(data), book.rtype), book.rtype)
    cases, _errors = book.scan()
    return next((c.case_no for c in cases if fingerprint(c.data, book.rtype) == mark), None)


def blank_case(
    kind: str, now: datetime | None = None, rtype: schema.RecordType = schema.CASE
) -> dict[str, Any]:
    """Every contract key (of cases, or of ``rtype``), empty, for a person to fill in."""
    now = now or datetime.now()
    data: dict[str, Any] = {}
    for f in rtype.fields:
        if f.path == rtype.number_key:
            continue
        empty: Any = (
            [] if f.type in (schema.LIST, schema.ROWS) else False if f.type == schema.BOOL else None
        )
        node = data
        *groups, leaf = f.path.split(".")
        for g in groups:
            node = node.setdefault(g, {})
        node[leaf] = empty
    if "kind" in rtype.by_path:
        data["kind"] = kind
    date_field = rtype.by_path[rtype.date_field]
    data[rtype.date_field] = now.strftime(
        "%Y-%m-%d %H:%M" if date_field.type == schema.DATETIME else "%Y-%m-%d"
    )
    for required in rtype.required:
        if required not in ("kind", rtype.date_field) and "." not in required:
            data[required] = ""
    data["extra"] = {}
    return data


def new_blank_case(book: CaseBook, kind: str) -> Case:
    """Reserve the next number and write a blank case (or record) file, filled in later."""
    rtype = book.rtype
    data = blank_case(kind, rtype=rtype)
    with book.lock():
        case_no = book.next_number(kind, datetime.now().year)
        data = {rtype.number_key: case_no, **data}
        path = book.path_for(case_no, datetime.now().year)
        text = blank_case_text(data, rtype)
        write_case_file(path, text)
    return Case(
        path, parse_case_text(text, path), hashlib.sha256(text.encode("utf-8")).hexdigest(), rtype
    )


_HINTS = {
    schema.DATE: "YYYY-MM-DD",
    schema.DATETIME: "YYYY-MM-DD HH:MM",
    schema.BOOL: "true 或 false",
    schema.NUMBER: "数字",
    schema.INTEGER: "整数",
    schema.LIST: "列表, 如 [甲, 乙]",
}


def _field_comment(path: str, rtype: schema.RecordType) -> str:
    """The Chinese label of a key and what it accepts, for the comment beside it."""
    if path == "extra":
        return "其他信息 (表单专用字段), 每行一项, 如 内部编号: NB-01"
    label = schema.label_of(path, rtype) or path
    field = rtype.by_path.get(path)
    if field is None:
        return label
    if field.choices:
        return f"{label}: {' | '.join(field.choices)}"
    if field.type == schema.ROWS:
        example = ", ".join(f"{k}: {lab}" for k, lab in field.columns)
        return f"{label}: 每项一行, 如 - {{{example}}}"
    hint = _HINTS.get(field.type)
    return f"{label} ({hint})" if hint else label


def _scalar_text(value: Any) -> str:
    """A value as YAML writes it inside a line; empty lists and mappings stay empty."""
    if value is None or value == [] or value == {}:
        return ""
    return yaml.safe_dump([value], allow_unicode=True, default_flow_style=True, width=1000).strip()[
        1:-1
    ]


def _padded(text: str, width: int = 40) -> str:
    """``text`` padded so the comments line up; a CJK character takes two columns."""
    used = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(width - used, 0)


def blank_case_text(data: dict[str, Any], rtype: schema.RecordType = schema.CASE) -> str:
    """A blank case file with a Chinese comment naming each key and its allowed values,
    instead of dozens of bare nulls; empty keys load as blank, so it validates like
    any other file once filled in."""
    what = "案件" if rtype is schema.CASE else f"{rtype.label}记录"
    lines = [f"# {what}文件: 在冒号后填写, 不需要的项留空即可 (docs/case-format.md)"]

    def emit(node: dict[str, Any], prefix: str, indent: str) -> None:
        for key, value in node.items():
            path = f"{prefix}{key}"
            if isinstance(value, dict) and value:
                lines.append(_padded(f"{indent}{key}:") + f"  # {_field_comment(path, rtype)}")
                emit(value, f"{path}.", indent + "  ")
            else:
                text = f"{indent}{key}: {_scalar_text(value)}".rstrip()
                lines.append(_padded(text) + f"  # {_field_comment(path, rtype)}")

    emit(data, "", "")
    return "\n".join(lines) + "\n"
