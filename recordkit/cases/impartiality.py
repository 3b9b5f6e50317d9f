"""Impartiality (回避): the person complained about may not act on the case.

ISO/IEC 17025 §7.9.6 and the procedures' 回避 rules: whoever is named in ``respondent``
may not handle, investigate, approve, visit or review the case.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from recordkit.cases import schema
from recordkit.cases.values import get_path, is_blank

# People who act on a case and so must be impartial (also checked against `recused`).
ACTING = schema.ACTING_PEOPLE

# Where a "department + person" text splits into parts: spaces and punctuation.
_SEPARATORS = re.compile(r"[\s,，、;；/／·:：()（）\[\]【】<>《》\"'“”‘’]+")
# What may follow a name inside one part: titles and plural words (刘某等, 叶俊峰同志).
_SUFFIXES = (
    "等",
    "等人",
    "同志",
    "先生",
    "女士",
    "老师",
    "医生",
    "护士",
    "律师",
    "经理",
    "主任",
    "组长",
)


def names_person(respondent: str, person: str) -> bool:
    """Whether the 被投诉对象 text names ``person``.

    The text is split at spaces and punctuation ("检测二室 刘某", "销售部（销售顾问叶俊峰）").
    A part names the person when it is the name, ends with it (a title or department in
    front: 销售顾问叶俊峰, 检测二室刘某) or is the name followed by a title or plural word
    (刘某等, 叶俊峰同志). A name only inside a longer name does not count: 刘某 is not
    刘某某, 张明 is not 张明华. Names of one character are never matched.
    """
    person = person.strip()
    if len(person) < 2:
        return False
    for part in _SEPARATORS.split(respondent):
        if part == person or part.endswith(person):
            return True
        if part.startswith(person) and part[len(person) :] in _SUFFIXES:
            return True
    return False


def respondent_problems(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """The person complained about acting on the case: an error naming both fields."""
    respondent = get_path(data, "respondent")
    if is_blank(respondent) or not isinstance(respondent, str):
        return
    for path in ACTING:
        for person in _people(get_path(data, path)):
            if names_person(respondent, person):
                yield (
                    path,
                    (
                        f"{person} 是被投诉对象 (respondent 被投诉对象: {respondent.strip()}), 应当回避, "
                        "不能担任此角色 (the person complained about must not act on the case)"
                    ),
                )


def _people(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if is_blank(value) or isinstance(value, (dict, bool)):
        return []
    return [str(value).strip()]
