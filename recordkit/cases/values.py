"""Reading and writing values by dotted key path (``complainant.name``) in case data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MISSING = object()  # what get_path returns for an absent key (None is a value a file may hold)


def get_path(data: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted key path, or MISSING."""
    node: Any = data
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return MISSING
        node = node[key]
    return node


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    keys = path.split(".")
    node = data
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value


def is_blank(value: Any) -> bool:
    return value is MISSING or value is None or (isinstance(value, str) and not value.strip())
