"""The scanned print bundle and the search part of ``recordkit demo`` (issue 13).

The demo case's print bundle (every form of the case in one PDF) is signed and scanned as
one file, like an office that scans the whole signed pile at once. The archive splits it
by the QR on each page into one document per form. Then OCR reads a scan, and two
searches show what an archivist asks in an audit: every file about the complainant, and
a phrase that only the scanned paper carries (printed by the form, in no case data).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from recordkit.config import Config
from recordkit.workspace import Workspace

Echo = Callable[..., None]
Table = Callable[[list[str], list[list[Any]]], None]

BUNDLE_SCAN_PREFIX = "打印合集扫描"
# Printed by F01 (the bundle's first form) as a field label, and in no sample case, record
# or form title (not even its two-character pieces 及事, 事项): only OCR can find it.
SCANNED_ONLY = "涉及事项"


def bundle_scan_name(case_no: str) -> str:
    return f"{BUNDLE_SCAN_PREFIX}_{case_no}.pdf"


def bundle_parts(docs: list[dict[str, Any]], case_no: str) -> list[dict[str, Any]]:
    """The documents the bundle scan was split into (their names carry the scan's stem)."""
    stem = bundle_scan_name(case_no).removesuffix(".pdf")
    return [d for d in docs if d["original_name"].startswith(stem)]


def show_bundle_parts(echo: Echo, table: Table, docs: list[dict[str, Any]], case_no: str) -> None:
    """The documents the one bundle scan became: one 档号 per form, each with its pages."""
    parts = bundle_parts(docs, case_no)
    echo(f"== 打印合集扫描件 {bundle_scan_name(case_no)}: 按每页二维码拆分为 {len(parts)} 份文件")
    table(
        ["档号", "案件/记录", "表单", "页数"],
        [[d["archive_no"], d["case_no"], d["form_code"], d["pages"]] for d in parts],
    )


def _read_now(archive: Any, numbers: list[str], echo: Echo) -> None:
    report = archive.ocr(jobs=1, only=numbers)
    counts, left = report.counts(), report.queue.get("queued", 0)
    failed = f", 识别失败 {counts['failed']} 份" if counts["failed"] else ""
    echo(f"== 文字识别 (recordkit archive ocr {' '.join(numbers)}): 识别 {counts['done']} 份 "
         f"(OCR {counts['ocr_pages']} 页){failed}; 其余 {left} 份留在识别队列中 "
         f"(archive watch 空闲时或 recordkit archive ocr 处理)")  # fmt: skip


def demo_search(
    config: Config, echo: Echo, table: Table, case_no: str, complainant: str
) -> dict[str, int]:
    """OCR the bundle's F01, then search for the complainant and for scanned-only text.

    Only that one document is read now, to keep the demo quick; the other scans stay in
    the OCR queue, as after any filing (``archive watch`` reads them when idle)."""
    queries = (
        (complainant, "投诉人姓名, 来自案件数据"),
        (SCANNED_ONLY, "只印在纸面上的文字, 来自 OCR"),
    )
    with Workspace(config).archive() as archive:
        first = [
            d["archive_no"]
            for d in bundle_parts(archive.list(), case_no)
            if d["form_code"] == "F01"
        ]
        if first:  # no bundle scan without LibreOffice: nothing is read (not everything)
            _read_now(archive, first, echo)
        else:
            echo("== 文字识别: 没有打印合集扫描件 (需要 LibreOffice 打印合集 PDF), 跳过")
        hits_of = {query: archive.search(query, limit=10) for query, _why in queries}
    found = {}
    for query, why in queries:
        hits = hits_of[query]
        found[query] = len(hits)
        echo(f"== 检索 (recordkit archive search {query}): {why}, 找到 {len(hits)} 份")
        table(
            ["档号", "案件", "表单", "摘录"],
            [
                [h["archive_no"], h["case_no"], h["form_code"], h.get("snippet", "")]
                for h in hits[:5]
            ],
        )
    return found
