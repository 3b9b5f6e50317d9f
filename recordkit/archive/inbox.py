"""The inbox as a person sees it (`archive inbox|retry|discard`, the web's 收件箱).

Uploads are written into inbox/ under a safe name, within ``[archive] max_file_mb``, as a
hidden temporary file first and then moved in under a name nobody holds (never over an
existing file), so the watcher only ever sees whole files. The status lists what waits in
inbox/, what intake routed to quarantine/, unidentified/ and duplicates/ (with the reason
its ``.reason.txt`` gives) and what was filed last. Retrying files a routed file again
where it lies (the earlier intake is marked superseded, as ``assign`` does); discarding
moves it to discarded/ with a reason file and an archive event: nothing is deleted.
"""

from __future__ import annotations

import getpass
import os
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recordkit.archive.intake import numbered_name, reason_path, safe_name
from recordkit.archive.settings import (
    DUPLICATE,
    FILED,
    OUTCOME_LABELS,
    QUARANTINE,
    UNIDENTIFIED,
    existing_index,
)
from recordkit.archive.stability import ignore_reason
from recordkit.cases.upload import upload_name
from recordkit.errors import ArchiveError, FileWriteError
from recordkit.files import fsync_dir, move_no_clobber, process_umask, write_atomic

if TYPE_CHECKING:
    from recordkit.archive.service import Archive

WAITING = "waiting"
IGNORED = "ignored"
DISCARDED_FOLDER = "discarded"
STATUS_LABELS = {WAITING: "等待归档", IGNORED: "不处理", **OUTCOME_LABELS}
# Folder under the archive root -> the status of the files in it.
ROUTED = {"quarantine": QUARANTINE, "unidentified": UNIDENTIFIED, "duplicates": DUPLICATE}
RECENT_FILED = 20
MAX_REASON_CHARS = 500


@dataclass(frozen=True)
class InboxEntry:
    """One file of the inbox page: where it is and why."""

    status: str  # waiting | ignored | quarantine | unidentified | duplicate | filed
    file: str  # archive-relative (inbox/…, unidentified/…); the 档号 for a filed document
    name: str
    time: str  # last modified (waiting, routed) or filed at
    reason: str = ""
    advice: str = ""
    archive_no: str | None = None
    case_no: str | None = None
    form_code: str | None = None

    @property
    def label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def actionable(self) -> bool:
        """Retry, assign and discard apply (a file still waiting or routed)."""
        return self.status in (WAITING, *ROUTED.values())

    def to_dict(self) -> dict[str, Any]:
        return dict(asdict(self), label=self.label)


@dataclass(frozen=True)
class Discarded:
    file: str  # where it was (archive-relative)
    destination: str  # discarded/…
    reason: str
    by: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------- uploads


def upload_file_name(name: str) -> str:
    """The inbox name of an uploaded file: its last path part, NFC, without separators,
    control characters or leading dots, not too long; refused (ArchiveError) when the
    inbox would not take it (not a PDF or image, a temporary file)."""
    shown = upload_name(name)
    safe = safe_name(unicodedata.normalize("NFC", shown))
    why = ignore_reason(safe)
    if why is not None:
        raise ArchiveError(f"{shown}: {why}, 未上传")
    return safe


def save_upload(
    archive: Archive, name: str, chunks: Iterable[bytes], by: str | None = None
) -> Path:
    """Write an uploaded scan into inbox/ (whole or not at all); its path there. The
    upload is an ``uploaded`` event naming who sent it (the filing events follow)."""
    final = upload_file_name(name)
    inbox = archive.layout.inbox
    inbox.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".upload-", suffix=".tmp", dir=inbox)
    tmp = Path(tmp_name)  # hidden: neither ingest nor the watcher takes it meanwhile
    try:
        size = _write_limited(fd, chunks, archive.settings.max_file_bytes, upload_name(name))
        os.chmod(tmp, 0o666 & ~process_umask())
        dest = _move_in(tmp, inbox, final)
    except OSError as exc:
        raise FileWriteError(inbox / final, exc) from exc
    finally:
        tmp.unlink(missing_ok=True)
    log_request(archive, "uploaded", by, {"file": archive.label(dest), "name": upload_name(name),
                                          "size": size})  # fmt: skip
    return dest


def log_request(archive: Archive, kind: str, by: str | None, detail: dict[str, Any]) -> None:
    """An archive event for what a person asked of the inbox, and who asked."""
    who = (by or "").strip() or getpass.getuser()
    archive.index.append_event(archive.timestamp(), kind, None, None, {**detail, "by": who})


def _write_limited(fd: int, chunks: Iterable[bytes], limit: int, shown: str) -> int:
    size = 0
    with os.fdopen(fd, "wb") as out:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise ArchiveError(
                    f"{shown}: 文件超过 {limit / 1024 / 1024:.3g} MB ([archive] max_file_mb), "
                    "未上传 (file over the size limit)"
                )
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if size == 0:
        raise ArchiveError(f"{shown}: 文件是空的, 未上传 (empty file)")
    return size


def _move_in(source: Path, folder: Path, name: str) -> Path:
    """Move ``source`` into ``folder`` as ``name``, or ``name (2)`` … if that is taken."""
    for n in range(1, 10_000):
        dest = folder / numbered_name(name, n)
        if dest.is_symlink() or reason_path(dest).exists():
            continue
        try:
            if source.is_symlink():  # moved as itself (a refused link in quarantine/)
                if dest.exists() or dest.is_symlink():
                    continue
                os.rename(source, dest)
                fsync_dir(folder)
            else:
                move_no_clobber(source, dest)
        except FileExistsError:
            continue
        except FileNotFoundError:  # taken meanwhile (the watcher claimed it, say)
            raise ArchiveError(
                f"{source.name}: 文件已不在原处, 可能刚被另一个进程取走 (file gone)"
            ) from None
        return dest
    raise ArchiveError(f"{folder}: 同名文件过多, 无法放入 {name}")  # pragma: no cover


# --------------------------------------------------------------------------- status


def inbox_status(archive: Archive, recent: int = RECENT_FILED) -> list[InboxEntry]:
    """Waiting and not-taken files of inbox/, the routed files, the last filed ones."""
    root = archive.layout.root
    waiting, skipped = archive.inbox_files()
    entries = [_file_entry(path, WAITING, root) for path in waiting]
    entries += [
        InboxEntry(IGNORED, f"inbox/{s.file}", Path(s.file).name, "", s.reason) for s in skipped
    ]
    for folder, status in ROUTED.items():
        entries += _routed_entries(archive, root / folder, status)
    index = existing_index(archive.layout)  # None before the first ingest; a lost one raises
    if index is not None:
        try:
            entries += [_filed_entry(row) for row in index.recently_filed(recent)]
        finally:
            index.close()
    return entries


def _mtime(path: Path) -> str:
    try:
        stamp = path.lstat().st_mtime
    except OSError:
        return ""
    return datetime.fromtimestamp(stamp).isoformat(timespec="seconds")


def _file_entry(path: Path, status: str, root: Path) -> InboxEntry:
    return InboxEntry(status, path.relative_to(root).as_posix(), path.name, _mtime(path))


def _routed_entries(archive: Archive, folder: Path, status: str) -> list[InboxEntry]:
    if not folder.is_dir():
        return []
    entries = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name.endswith(".reason.txt"):
            continue
        if path.is_dir() and not path.is_symlink():
            continue
        reason, advice = read_reason(path)
        entry = _file_entry(path, status, archive.layout.root)
        archive_no = _duplicate_of(archive, entry.file) if status == DUPLICATE else None
        entries.append(
            InboxEntry(status, entry.file, entry.name, entry.time, reason, advice, archive_no)
        )
    return entries


def read_reason(path: Path) -> tuple[str, str]:
    """(原因, 处理办法) from the ``.reason.txt`` intake wrote beside a routed file."""
    try:
        text = reason_path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "", ""
    found = {"原因": "", "处理办法": ""}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        word = key.split(" (")[0].strip()
        if word in found and not found[word]:
            found[word] = value.strip()
    return found["原因"], found["处理办法"]


def _duplicate_of(archive: Archive, label: str) -> str | None:
    if not archive.layout.index_path.exists():
        return None
    row = archive.index.intake_at(label)
    return row["archive_no"] if row else None


def _filed_entry(row: dict[str, Any]) -> InboxEntry:
    return InboxEntry(FILED, row["archive_no"], row["original_name"] or row["archive_no"],
                      (row["filed_at"] or "")[:19], archive_no=row["archive_no"],
                      case_no=row["case_no"], form_code=row["form_code"])  # fmt: skip


# --------------------------------------------------------------------------- retry, discard


def inbox_file(archive: Archive, file: str | Path) -> Path:
    """The file a person named, which must wait in inbox/ or lie in quarantine/,
    unidentified/ or duplicates/: a path as typed, or archive-relative (inbox/x.pdf)."""
    given = Path(file)
    path = given if given.is_absolute() or given.exists() or given.is_symlink() else None
    if path is None:
        path = archive.layout.root / given
    if not (path.exists() or path.is_symlink()) or (path.is_dir() and not path.is_symlink()):
        raise ArchiveError(f"{file}: 文件不存在 (file not found)")
    root = archive.layout.root.resolve()
    where = path.parent.resolve() / path.name
    top = where.relative_to(root).parts[0] if where.is_relative_to(root) else ""
    if top not in ("inbox", *ROUTED) or where.name.endswith(".reason.txt"):
        raise ArchiveError(
            f"{file}: 不在 inbox/、quarantine/、unidentified/ 或 duplicates/ 中, "
            "只能重试或作废这些文件夹中的文件"
        )
    return where


def discard(archive: Archive, file: str | Path, reason: str, by: str | None = None) -> Discarded:
    """Move a waiting or routed file to discarded/ with the reason, and log it."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ArchiveError("作废原因: 不能为空, 请写明为何作废 (a reason is required)")
    if len(reason) > MAX_REASON_CHARS:
        raise ArchiveError(f"作废原因: 超过 {MAX_REASON_CHARS} 字, 请写得简短些")
    path = inbox_file(archive, file)
    by = (by or "").strip() or getpass.getuser()
    label = archive.label(path)
    earlier, _advice = read_reason(path)
    folder = archive.layout.root / DISCARDED_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    dest = _move_in(path, folder, path.name)
    at = archive.timestamp()
    lines = [f"文件 (file): {path.name}", f"原位置 (was): {label}", f"时间 (time): {at}",
             f"作废人 (by): {by}", f"作废原因 (why): {reason}"]  # fmt: skip
    if earlier:
        lines.append(f"原处理结果 (earlier outcome): {earlier}")
    write_atomic(reason_path(dest), ("\n".join(lines) + "\n").encode("utf-8"))
    old_reason = reason_path(path)
    if old_reason.exists():  # its text is kept in the new reason file and the event
        old_reason.unlink()
    destination = archive.layout.rel(dest)
    detail = {"file": label, "destination": destination, "reason": reason, "by": by,
              "earlier_reason": earlier}  # fmt: skip
    archive.index.append_event(at, "discarded", None, None, detail)
    return Discarded(label, destination, reason, by)
