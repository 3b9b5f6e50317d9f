"""The change log: who changed which field of which object, old -> new, exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from web_setup import make_user, web, web_root  # noqa: F401

from recordkit.web.roles import REGISTRAR

BEFORE = {
    "content": "报告数据不符",
    "assignment": {"handler": "王芳", "investigators": ["王芳"], "recused": []},
    "investigation": {"valid": None},
    "resolution": {"compensation": 0},
    "received_at": dt.date(2026, 3, 2),
    "closed_at": None,
}
AFTER = {
    "content": "报告数据不符\n<script>alert('x')</script> 😀",
    "assignment": {"handler": "赵雷", "investigators": ["王芳", "赵雷"], "recused": []},
    "investigation": {"valid": False},
    "resolution": {"compensation": 0.0},
    "received_at": dt.date(2026, 3, 2),
    "reply": {"method": "书面"},
}


def test_a_change_set_records_each_changed_field(web: Path) -> None:  # noqa: F811
    from recordkit.web.changes import history, record_change_set

    user = make_user("wangfang", REGISTRAR)
    rows = record_change_set(user, "case", "TS-2026-0001", BEFORE, AFTER)
    changes = {c.field: c for c in history("case", "TS-2026-0001")}
    assert set(changes) == {
        "content",
        "assignment.handler",
        "assignment.investigators",
        "investigation.valid",
        "resolution.compensation",
        "closed_at",
        "reply.method",
    }
    assert len(rows) == 7 and len({c.change_set for c in changes.values()}) == 1
    assert len({c.at for c in changes.values()}) == 1
    assert all(c.user == user and c.username == "wangfang" for c in changes.values())
    # Values come back exactly, type included.
    assert changes["content"].new_value == AFTER["content"]
    assert changes["assignment.investigators"].old_value == ["王芳"]
    assert changes["assignment.investigators"].new_value == ["王芳", "赵雷"]
    assert (
        changes["investigation.valid"].old == "null"
        and changes["investigation.valid"].new == "false"
    )
    assert (
        changes["resolution.compensation"].old == "0"
        and changes["resolution.compensation"].new == "0.0"
    )
    # A removed field and an added one are told apart from a null value.
    assert changes["closed_at"].old == "null" and changes["closed_at"].new == ""
    assert changes["reply.method"].old == "" and changes["reply.method"].new_value == "书面"


def test_dates_are_kept_as_iso_text_and_nothing_changed_stores_nothing(web: Path) -> None:  # noqa: F811
    from recordkit.web.changes import history, record_change_set

    rows = record_change_set(
        None,
        "case",
        "TS-2026-0002",
        {"received_at": dt.date(2026, 3, 2)},
        {"received_at": dt.date(2026, 3, 3)},
    )
    assert rows[0].old == '"2026-03-02"' and rows[0].new == '"2026-03-03"'
    assert rows[0].username == "命令行" and rows[0].user is None
    assert record_change_set(None, "case", "TS-2026-0003", BEFORE, dict(BEFORE)) == []
    assert history("case", "TS-2026-0003") == []


def test_history_is_newest_first_and_per_object(web: Path) -> None:  # noqa: F811
    from recordkit.web.changes import history, record_change_set

    record_change_set(None, "case", "TS-2026-0004", {"a": 1}, {"a": 2})
    record_change_set(None, "case", "TS-2026-0004", {"a": 2}, {"a": 3})
    record_change_set(None, "incident", "TS-2026-0004", {"a": 1}, {"a": 9})
    assert [(c.old, c.new) for c in history("case", "TS-2026-0004")] == [("2", "3"), ("1", "2")]
