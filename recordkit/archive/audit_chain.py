"""The index checked against the event chain, for ``archive verify``.

The hash chain proves the events were not edited; the index rows are plain SQL, so a
row changed together with the file it describes (a replaced original with its new
SHA-256, SM3 and size written into ``documents``) looks consistent on its own. Verify
therefore takes the values the events recorded when each document was filed (and
changed later by an event: an access copy rebuilt, a disposal) as the reference, and
reports every row that departs from them. The same goes for the intake journal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

# documents column -> Chinese label; the ``filed`` event records these (size and
# access_sha256 only since 0.2.0: older events lack the key, so it is not compared).
DOCUMENT_FIELDS = {
    "sha256": "SHA-256", "sm3": "SM3", "size": "大小", "case_no": "案件编号", "form_code": "表单",
    "original_name": "原文件名", "source": "来源", "original_path": "原件路径", "intake_id": "接收编号",
    "access_path": "利用副本路径", "access_sha256": "利用副本 SHA-256", "status": "状态",
}  # fmt: skip
INTAKE_FIELDS = {"original_name": "原文件名", "source": "来源", "destination": "去向", "sha256": "SHA-256",
                 "sm3": "SM3", "size": "大小", "archive_no": "档号"}  # fmt: skip


def recorded_documents(events: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """档号 -> the values the event log holds for it, applied in order."""
    recorded: dict[str, dict[str, Any]] = {}
    for event in events:
        kind, archive_no = event["kind"], event["archive_no"]
        detail = _detail(event)
        if kind == "filed" and archive_no:
            values = {k: detail[k] for k in DOCUMENT_FIELDS if k in detail}
            recorded[archive_no] = {**values, "intake_id": event["intake_id"] or detail.get("intake_id"),
                                    "status": "filed"}  # fmt: skip
        elif kind == "arranged" and detail.get("from") in recorded:
            # ``archive arrange`` gave a provisional (预) number its final 档号
            recorded[archive_no] = recorded.pop(detail["from"])
        elif kind == "disposal_started":
            for number in detail.get("archive_nos", []):
                if number in recorded:
                    recorded[number]["status"] = "destroying"
        elif archive_no in recorded:
            _apply(recorded[archive_no], kind, detail)
    return recorded


def _apply(values: dict[str, Any], kind: str, detail: dict[str, Any]) -> None:
    if kind == "access_copy_rebuilt":
        values["access_path"], values["access_sha256"] = (
            detail["access_path"],
            detail["access_sha256"],
        )
    elif kind == "disposal_item_held":
        values["status"] = "filed"
    elif kind == "destroyed":
        values["status"] = "destroyed"


def _detail(event: dict[str, Any]) -> dict[str, Any]:
    try:
        detail = json.loads(event["detail"])
    except ValueError:
        return {}  # the chain walk reports the altered event
    return detail if isinstance(detail, dict) else {}


def document_mismatches(
    docs: Iterable[dict[str, Any]], recorded: dict[str, dict[str, Any]]
) -> list[tuple[str, str, str]]:
    """(档号, original path, what differs) for rows that depart from their events."""
    found = []
    for doc in docs:
        values = recorded.get(doc["archive_no"])
        if values is None:
            continue  # no filed event: still filing, or reported as a missing event
        differences = [f"{label} 索引为 {doc.get(key)!r}, 事件日志记录为 {values[key]!r}"
                       for key, label in DOCUMENT_FIELDS.items() if key in values and doc.get(key) != values[key]]  # fmt: skip
        if differences:
            found.append((doc["archive_no"], doc["original_path"], "; ".join(differences)))
    return found


def intake_mismatches(
    intakes: Iterable[dict[str, Any]], events: Iterable[dict[str, Any]]
) -> list[tuple[str, str]]:
    """(intake id, what is wrong) for finished intake rows that depart from the event
    that closed them, or that no event closed."""
    closing: dict[str, dict[str, Any]] = {}
    for event in events:
        if event["intake_id"]:
            detail = _detail(event)
            if event["kind"] == "filed":
                detail = {**detail, "destination": detail.get("original_path")}
            elif event["kind"] == "arranged":  # the intake closed earlier; only its 档号 moved
                detail = {**closing.get(event["intake_id"], {})}
            closing[event["intake_id"]] = {**detail, "archive_no": event["archive_no"]}
    found = []
    for intake in intakes:
        if intake["state"] != "done":
            continue
        values = closing.get(intake["id"])
        if values is None:
            found.append(
                (intake["id"], "接收记录在事件日志中没有对应事件 (no event closes this intake)")
            )
            continue
        differences = [f"{label} 索引为 {intake.get(key)!r}, 事件日志记录为 {values[key]!r}"
                       for key, label in INTAKE_FIELDS.items() if key in values and intake.get(key) != values[key]]  # fmt: skip
        if differences:
            found.append((intake["id"], "; ".join(differences)))
    return found
