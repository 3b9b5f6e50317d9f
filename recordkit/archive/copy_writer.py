"""The one writer of an access copy (利用副本) after filing: stamped from the original
with the 归档章 of the document's current 档号 and, when ``[archive.ocr] text_layer`` is
on, the invisible OCR text layer over it.

``archive rebuild-copy``, ``archive arrange`` (through ``access_copies.rebuild_one``) and
the OCR queue's text layer all write here, so a re-stamp never drops the text layer and
the text layer never goes on an outdated stamp. The OCR lines come from the index
(``document_text.layout``), so re-stamping does not OCR again. The caller checks the
original and records the event.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recordkit.archive.fixity import digest_file
from recordkit.archive.images import kind_of_stored
from recordkit.archive.stamp import StampFields, StampStyle, stamp_access_copy
from recordkit.archive.steps import Intake, access_source
from recordkit.errors import ConfigError
from recordkit.files import write_atomic
from recordkit.index.ocr import OcrQueue
from recordkit.ocr import PageText
from recordkit.ocr.layer import page_from_layout, with_text_layer

if TYPE_CHECKING:
    from recordkit.archive.service import Archive


@dataclass(frozen=True)
class Written:
    access_path: str  # archive-relative
    sha256: str
    placement: str  # the stamp placement rule used
    text_layer: bool  # OCR text laid over the copy


def text_layer_wanted(archive: Archive) -> bool:
    """``[archive.ocr] text_layer = true`` in recordkit.toml (off by default)."""
    raw = archive.config.section("archive").get("ocr", {})
    value = raw.get("text_layer", False) if isinstance(raw, dict) else None
    if not isinstance(value, bool):
        raise ConfigError(
            f"{archive.config.path or 'recordkit.toml'}: [archive.ocr] text_layer: 应为 true 或 false"
        )
    return value


def stored_text_layer(archive: Archive, archive_no: str) -> list[PageText]:
    """The document's OCR pages with their lines, as the OCR queue stored them."""
    return [page_from_layout(*row) for row in OcrQueue(archive.index).layouts(archive_no)]


def write_access_copy(
    archive: Archive, doc: dict[str, Any], original: Path, text: list[PageText] | None = None
) -> Written:
    """Write ``doc``'s access copy from ``original`` (checked by the caller). ``text``:
    the OCR pages to lay over it; None takes the stored ones when the text layer is on."""
    number = doc["archive_no"]
    access_path = doc["access_path"] or archive.layout.plan_paths(number)[1]
    dest = archive.layout.abs(access_path)
    fields = StampFields.from_archive_no(number, int(doc["pages"]))
    style = StampStyle(
        color=archive.settings.stamp_color, show_labels=archive.settings.stamp_labels
    )
    if text is None:
        text = stored_text_layer(archive, number) if text_layer_wanted(archive) else []
    layered = any(p.source == "ocr" and p.lines for p in text)
    # As at ingest: an image original through its lossless PDF, pages turned upright.
    with tempfile.TemporaryDirectory(prefix="recordkit-copy-") as scratch:
        item = Intake(
            number, Path(scratch), original.name, "", "", kind=kind_of_stored(doc["original_path"])
        )
        source, _, _ = access_source(item, original, int(doc["pages"]))
        stamped = Path(scratch) / "stamped.pdf" if layered else dest
        placement = stamp_access_copy(source, stamped, fields, style)
        if layered:
            write_atomic(dest, with_text_layer(stamped, text))
    sha256 = digest_file(dest, ("sha256",)).sha256 or ""
    return Written(access_path, sha256, placement.rule, layered)
