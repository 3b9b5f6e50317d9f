"""Is a file in the inbox finished? Pure logic, fed with stat values by the watcher.

A scanner or a copy tool writes a file over seconds; taking it early would archive a
truncated PDF or move it away under the writer's feet. A file is taken only once its
size and mtime have stayed the same for ``delay_seconds`` (default 2 s) of the caller's
clock. No filesystem access here, so the rules are tested with fake stat results.

An empty file waits longer (``empty_delay_seconds``, default 30 s): copy tools create
the file first and may stall before writing; quarantining it as "empty" meanwhile would
tear the file away from the writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

DEFAULT_DELAY_SECONDS = 2.0
DEFAULT_EMPTY_DELAY_SECONDS = 30.0

# Suffixes of files still being written: browsers, rsync/WinSCP/Explorer copies, Office.
TEMP_SUFFIXES = (
    ".part",
    ".partial",
    ".tmp",
    ".temp",
    ".crdownload",
    ".download",
    ".filepart",
    "~",
)
# What the inbox takes by name; what a file really is, the intake decides by content.
INBOX_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff")
# Office lock files (~$x.docx), Word/Acrobat temporaries (~WRL0001.tmp, ~x.pdf).
TEMP_PREFIXES = ("~$", "~")


def is_ignored(path: PurePath | str) -> bool:
    """True for files the inbox must never take: temporaries, hidden, not PDF or image.

    Pass the path relative to the watched folder: every part is checked, so a file
    inside a hidden folder (``.sync/x.pdf``) is ignored too.
    """
    return ignore_reason(path) is not None


def ignore_reason(path: PurePath | str) -> str | None:
    """Why the inbox does not take ``path`` (relative to the inbox), in Chinese; None if it does."""
    p = PurePath(path)
    if not p.parts:
        return "不是文件"
    if any(part.startswith(".") for part in p.parts):
        return "隐藏文件, 不处理 (hidden)"
    name = p.name.lower()
    if name.startswith(TEMP_PREFIXES) or name.endswith(TEMP_SUFFIXES):
        return "临时文件, 可能仍在写入, 不处理 (temporary)"
    if name.endswith(".ofd"):
        return "OFD 版式文件 (GB/T 33190), 已识别; 目前只归档 PDF 和图像 (JPEG、PNG、TIFF), 请导出为 PDF 后放入 (OFD recognised)"
    if not name.endswith(INBOX_SUFFIXES):
        return "不是 PDF 或图像: 只接收 PDF、JPEG、PNG 和 TIFF (not a PDF or image)"
    return None


@dataclass
class _Observation:
    size: int
    mtime: float
    since: float  # when this (size, mtime) was first seen, on the caller's clock


class StabilityTracker:
    """Remembers the last (size, mtime) per path and since when it has been unchanged."""

    def __init__(
        self,
        delay_seconds: float = DEFAULT_DELAY_SECONDS,
        empty_delay_seconds: float = DEFAULT_EMPTY_DELAY_SECONDS,
    ) -> None:
        if delay_seconds < 0 or empty_delay_seconds < 0:
            raise ValueError("delays must not be negative")
        self.delay_seconds = delay_seconds
        self.empty_delay_seconds = max(empty_delay_seconds, delay_seconds)
        self._seen: dict[str, _Observation] = {}

    def observe(self, path: PurePath | str, size: int, mtime: float, now: float) -> bool:
        """Record one stat of ``path``; True once it is ready to be taken."""
        key = str(path)
        seen = self._seen.get(key)
        # A clock that went backwards (NTP step, suspend) restarts the wait: waiting a
        # little longer is harmless, taking a half-written file is not.
        if seen is None or seen.size != size or seen.mtime != mtime or now < seen.since:
            seen = self._seen[key] = _Observation(size, mtime, now)
        delay = self.empty_delay_seconds if size == 0 else self.delay_seconds
        return now - seen.since >= delay

    def forget(self, path: PurePath | str) -> None:
        """Drop a path that was taken, moved or deleted."""
        self._seen.pop(str(path), None)

    def retain_only(self, present: set[str]) -> None:
        """Drop every path not in ``present`` (the current listing of the inbox)."""
        for key in list(self._seen):
            if key not in present:
                del self._seen[key]

    def pending(self) -> list[str]:
        """Paths seen but not yet forgotten, sorted."""
        return sorted(self._seen)
