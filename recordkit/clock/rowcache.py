"""A per-process cache of the web's case rows, so the 工作台 and the 案件列表 stay fast with
10,000 cases (issue 12).

Each call walks the case folder once (``CaseBook.file_stamps``: one ``stat`` per file) and
reloads only the files whose stamp (modification time, size, inode) moved — through
``CaseBook.load``, so the SQLite case cache still spares the parsing — and forgets deleted
ones. A file changed within the last two seconds is read again on every call until it is
older (the "racily clean" rule of the case cache: its time may not move on a second edit).
A clock status is reused only while ``status.fresh_until`` says time cannot change it (a
case whose steps are all done: always; a step still to do: until midnight; a deadline in
hours: never). The checks that read other files (the CAPA a case names) run on every call.
Everything is dropped when the folder, the profile or the calendar file change. So a
change made at the command line or by another server process shows on the next request.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from recordkit.cases.store import RACY_NS, Case, CaseBook, FileStamp, file_stamps
from recordkit.clock.setup import ClockSetup
from recordkit.clock.status import case_status, fresh_until
from recordkit.clock.worklist import CaseRow
from recordkit.dates import sort_key
from recordkit.errors import RecordkitError


@dataclass
class _Entry:
    """One file as last read: its case (None when it does not load) and its row."""

    stamp: FileStamp
    settled: bool  # read more than RACY_NS after its last change: the stamp can be trusted
    case: Case | None
    order: tuple[datetime | date, str] = (datetime.min, "")  # received, number: the list order
    live_ok: bool = False  # the live checks passed when last run
    row: CaseRow | None = None
    fresh_until: datetime = datetime.min  # the row's status may be shown until then


def _calendar_stamp(clock: ClockSetup) -> tuple[str, FileStamp | None]:
    """The calendar's override file and its stamp (the rest of the calendar is code)."""
    path = clock.calendar.override_file
    if path is None:
        return "", None
    try:
        stat = Path(path).stat()
    except OSError:
        return str(path), None
    return str(path), (stat.st_mtime_ns, stat.st_size, stat.st_ino)


class CaseRowCache:
    """The rows of a working folder's case book with their clock, kept between calls
    (thread-safe: one call at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset(())

    def _reset(self, key: tuple[object, ...]) -> None:
        self._key = key
        self._entries: dict[str, _Entry] = {}
        self._records: dict[str, FileStamp] = {}  # what the live checks read, as last seen
        self._stamps: dict[str, FileStamp] = {}  # the case files, as last seen
        self._unsettled: set[str] = set()  # files to read again even with the same stamp
        self._order: list[str] | None = None  # paths of the cases listed, in list order
        self._at: dict[str, int] = {}  # path -> place in _order
        self._rows: list[CaseRow] | None = None  # their rows as last given (same order)
        self._shown = (datetime.max, datetime.min)  # the rows hold from .. until

    def rows(self, book: CaseBook, clock: ClockSetup, now: datetime) -> list[CaseRow]:
        """What ``worklist.case_rows(book.scan()[0], clock.profile, clock.calendar, now)``
        gives — every case that loads, with its clock at ``now``, newest received first —
        reading only what changed since the last call."""
        now = now.replace(tzinfo=None)
        with self._lock:
            key = (str(book.root), book.rtype.name, book.check_context, _calendar_stamp(clock))
            if key != self._key:
                self._reset(key)
            moved, reloaded = self._refresh(book)
            # The case book's live checks read the records (the CAPA a case names).
            records = file_stamps(book.config.records_dir)
            if records != self._records:
                self._records, moved = records, True
                for entry in self._entries.values():
                    entry.live_ok = entry.case is not None and not book.live_problems(
                        entry.case.data
                    )
            if moved or self._order is None:
                self._order = self._in_order()
                self._at, self._rows = {path: i for i, path in enumerate(self._order)}, None
            elif self._rows is not None:
                self._replace(reloaded, clock, now)  # same places in the list: new rows only
            if self._rows is None or not self._shown[0] <= now < self._shown[1]:
                self._rows = [self._row(self._entries[path], clock, now) for path in self._order]
                self._shown = (
                    max((r.status.now for r in self._rows), default=now),
                    min((self._entries[p].fresh_until for p in self._order), default=datetime.max),
                )
            return list(self._rows)

    def _refresh(self, book: CaseBook) -> tuple[bool, list[str]]:
        """Bring the entries up to the folder as it is now: whether the list changed (a
        case added, gone, or moved), and the files read again."""
        stamps = book.file_stamps()
        if stamps == self._stamps and not self._unsettled:
            return False, []  # nothing changed (one comparison, for 10,000 files)
        self._stamps = stamps
        gone = [path for path in self._entries if path not in stamps]
        for path in gone:
            del self._entries[path]
            self._unsettled.discard(path)
        moved, reloaded = bool(gone), []
        for path, stamp in stamps.items():
            old = self._entries.get(path)
            if old is None or old.stamp != stamp or not old.settled:
                new = self._entries[path] = self._load(book, path, stamp)
                reloaded.append(path)
                if new.settled:
                    self._unsettled.discard(path)
                else:
                    self._unsettled.add(path)
                moved = (
                    moved
                    or old is None
                    or (old.case is None, old.order, old.live_ok)
                    != (new.case is None, new.order, new.live_ok)
                )
        return moved, reloaded

    def _replace(self, paths: list[str], clock: ClockSetup, now: datetime) -> None:
        """New rows for the files read again, in their places."""
        assert self._rows is not None
        for path in paths:
            place = self._at.get(path)
            if place is not None:
                entry = self._entries[path]
                row = self._rows[place] = self._row(entry, clock, now)
                self._shown = (
                    max(self._shown[0], row.status.now),
                    min(self._shown[1], entry.fresh_until),
                )

    @staticmethod
    def _load(book: CaseBook, path: str, stamp: FileStamp) -> _Entry:
        settled = time.time_ns() - stamp[0] > RACY_NS
        try:
            case = book.load(Path(path), live=False)
        except RecordkitError:
            return _Entry(stamp, settled, None)  # `case validate` names its problems
        order = (sort_key(case.data.get("received_at")), case.case_no)
        return _Entry(stamp, settled, case, order, live_ok=not book.live_problems(case.data))

    def _in_order(self) -> list[str]:
        """The paths listed (loaded, live checks passed), newest received first; equal
        ones in file order, as ``case_rows`` keeps them."""
        entries = self._entries
        listed = [
            path
            for path in sorted(entries)
            if entries[path].case is not None and entries[path].live_ok
        ]
        return sorted(listed, key=lambda path: entries[path].order, reverse=True)

    @staticmethod
    def _row(entry: _Entry, clock: ClockSetup, now: datetime) -> CaseRow:
        """The entry's row with its clock at ``now``: the one computed before while time
        cannot have changed it, else computed again."""
        row = entry.row
        if row is None or not row.status.now <= now < entry.fresh_until:
            assert entry.case is not None
            status = case_status(entry.case.data, clock.profile, clock.calendar, now)
            row = entry.row = CaseRow(entry.case, status)
            entry.fresh_until = fresh_until(status)
        return row
