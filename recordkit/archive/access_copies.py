"""Rebuild access copies (利用副本) from their untouched originals: ``archive rebuild-copy``.

``archive check`` and ``verify`` report an access copy that is missing or changed; the
original is the record, so the copy is re-stamped from it with the same stamping code
ingest uses, through the one writer (copy_writer.py: the OCR text layer is kept). The original is only read, and only after its SHA-256 and SM3 are found
equal to the index and to the ``filed`` event: a copy is never made from a doubtful
original. Each rebuild is an ``access_copy_rebuilt`` event carrying the new copy's hash.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from recordkit.archive.audit import STATUS_LABELS
from recordkit.archive.audit_chain import recorded_documents
from recordkit.archive.copy_writer import write_access_copy
from recordkit.archive.fixity import digest_file
from recordkit.archive.numbering import parse_archive_no
from recordkit.errors import ArchiveError, DocumentNotFoundError, RecordkitError, UsageError

if TYPE_CHECKING:
    from recordkit.archive.service import Archive


@dataclass(frozen=True)
class Rebuilt:
    archive_no: str
    access_path: str = ""
    sha256: str = ""
    error: str = ""  # why it was not rebuilt

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def rebuild_copies(archive: Archive, archive_no: str | None, missing: bool) -> list[Rebuilt]:
    """One 档号 (an error stops it), or every filed document whose access copy is gone
    (``missing``: each failure is reported and the others go on)."""
    if (archive_no is None) == (not missing):
        raise UsageError("请给出一个档号, 或用 --missing 重新生成全部缺失的利用副本 (exactly one)")
    recorded = recorded_documents(archive.index.events())
    if archive_no is not None:
        number = str(parse_archive_no(archive_no))
        doc = archive.index.document(number)
        if doc is None:
            raise DocumentNotFoundError(number)
        return [rebuild_one(archive, doc, recorded.get(number, {}))]
    results = []
    for doc in archive.index.documents():
        if doc["status"] != "filed" or (
            doc["access_path"] and archive.layout.abs(doc["access_path"]).exists()
        ):
            continue
        try:
            results.append(rebuild_one(archive, doc, recorded.get(doc["archive_no"], {})))
        except RecordkitError as exc:
            results.append(Rebuilt(doc["archive_no"], error=exc.message))
    return results


def rebuild_one(archive: Archive, doc: dict[str, Any], recorded: dict[str, Any]) -> Rebuilt:
    """Re-stamp one access copy from its original, checked first; log the event."""
    number, layout = doc["archive_no"], archive.layout
    if doc["status"] != "filed":
        raise ArchiveError(f"{number}: 状态为{STATUS_LABELS.get(doc['status'], doc['status'])}, "
                           "只能为已归档的档案重新生成利用副本")  # fmt: skip
    original = layout.abs(doc["original_path"])
    if original.is_symlink() or not original.is_file():
        raise ArchiveError(f"{number}: 原件缺失或不是普通文件 ({doc['original_path']}), 无法重新生成利用副本; "
                           "请运行 recordkit archive verify")  # fmt: skip
    digest = digest_file(original)
    expected = [
        (doc["sha256"], doc["sm3"]),
        (recorded.get("sha256", doc["sha256"]), recorded.get("sm3", doc["sm3"])),
    ]
    if digest.error or any((digest.sha256, digest.sm3) != pair for pair in expected):
        raise ArchiveError(f"{number}: 原件与索引或事件日志中的校验值不符, 不能据此重新生成利用副本; "
                           "请运行 recordkit archive verify")  # fmt: skip
    written = write_access_copy(archive, doc, original)
    detail = {"access_path": written.access_path, "access_sha256": written.sha256,
              "original_sha256": digest.sha256, "previous_access_sha256": doc.get("access_sha256"),
              "placement": written.placement, "text_layer": written.text_layer}  # fmt: skip
    archive.index.set_access_copy(number, written.access_path, written.sha256,
                                  archive.timestamp(), "access_copy_rebuilt", detail)  # fmt: skip
    return Rebuilt(number, written.access_path, written.sha256)
