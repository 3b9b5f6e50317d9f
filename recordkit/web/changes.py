"""Record "who changed what": the changed fields of one save, as one change set.

Case editing (later) calls ``record_change_set(user, "case", case_no, before, after)``
after writing the YAML file; ``history`` reads it back for the case page.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

_MISSING = object()


def changed_fields(
    old: Mapping[str, Any], new: Mapping[str, Any], prefix: str = ""
) -> Iterator[tuple[str, Any, Any]]:
    """(dotted key, old, new) for every leaf that differs; nested mappings are walked (an
    added or removed section too), lists compared whole; a key present on one side only
    yields ``_MISSING`` on the other."""
    for key in list(old) + [k for k in new if k not in old]:
        path = f"{prefix}{key}"
        before, after = old.get(key, _MISSING), new.get(key, _MISSING)
        if isinstance(before, Mapping) and after is _MISSING:
            yield from changed_fields(before, {}, prefix=f"{path}.")
        elif isinstance(after, Mapping) and before is _MISSING:
            yield from changed_fields({}, after, prefix=f"{path}.")
        elif isinstance(before, Mapping) and isinstance(after, Mapping):
            yield from changed_fields(before, after, prefix=f"{path}.")
        elif before is _MISSING or after is _MISSING or not _same(before, after):
            yield path, before, after


def _same(a: Any, b: Any) -> bool:
    # 1 == True and 0 == 0.0 in Python; a changed type is a change here.
    return type(a) is type(b) and a == b


def _text(value: Any) -> str:
    from django.core.serializers.json import DjangoJSONEncoder

    from recordkit.web.models import ABSENT

    if value is _MISSING:
        return ABSENT
    return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)


def record_change_set(
    user: Any, object_kind: str, object_id: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> list[Any]:
    """Store one row per changed field, all with the same time and change-set id.

    ``user`` is a Django user (or None for a change made at the command line). Returns the
    stored ``Change`` rows; an unchanged object stores nothing.
    """
    from django.db import transaction
    from django.utils import timezone

    from recordkit.web.models import Change

    at, batch = timezone.now(), uuid.uuid4()
    username = getattr(user, "username", "") or "命令行"
    rows = [
        Change(
            user=user if getattr(user, "pk", None) else None,
            username=username,
            at=at,
            change_set=batch,
            object_kind=object_kind,
            object_id=object_id,
            field=field,
            old=_text(before),
            new=_text(after),
        )
        for field, before, after in changed_fields(old, new)
    ]
    with transaction.atomic():
        Change.objects.bulk_create(rows)
    return rows


def history(object_kind: str, object_id: str) -> list[Any]:
    """The object's changes, newest first."""
    from recordkit.web.models import Change

    return list(
        Change.objects.filter(object_kind=object_kind, object_id=object_id).order_by("-at", "id")
    )
