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
        self._key: tuple[object, ...] = ()
        self._entries: dict[str, _Entry] = {}
        self._records: dict[str, FileStamp] = {}  # what the live checks read, as last seen
        self._listed: list[_Entry] | None = None  # the cases that load, in list order
        self._rows: list[CaseRow] | None = None  # their rows as last given, and when
        self._shown = (datetime.max, datetime.min)  # the rows hold from .. until

    def rows(self, book: CaseBook, clock: ClockSetup, now: datetime) -> list[CaseRow]:
        """What ``worklist.case_rows(book.scan()[0], clock.profile, clock.calendar, now)``
        gives — every case that loads, with its clock at ``now``, newest received first —
        reading only what changed since the last call."""
        now = now.replace(tzinfo=None)
        with self._lock:
            key = (str(book.root), book.rtype.name, book.check_context, _calendar_stamp(clock))
            if key != self._key:
                self._key, self._entries, self._records, self._listed = key, {}, {}, None
                self._rows = None
            changed = self._refresh(book)
            # The case book's live checks read the records (the CAPA a case names).
            records = file_stamps(book.config.records_dir)
            if records != self._records:
                self._records, changed = records, True
                for entry in self._entries.values():
                    entry.live_ok = entry.case is not None and not book.live_problems(entry.case.data)
            if changed or self._listed is None:
                self._listed, self._rows = self._in_order(), None
            if self._rows is None or not self._shown[0] <= now < self._shown[1]:
                self._rows = [self._row(entry, clock, now) for entry in self._listed]
                self._shown = (max((r.status.now for r in self._rows), default=now),
                               min((e.fresh_until for e in self._listed), default=datetime.max))
            return list(self._rows)

    def _refresh(self, book: CaseBook) -> bool:
        """Bring the entries up to the folder as it is now; whether any file changed."""
        stamps = book.file_stamps()
        gone = [path for path in self._entries if path not in stamps]
        for path in gone:
            del self._entries[path]
        changed = bool(gone)
        for path, stamp in stamps.items():
            entry = self._entries.get(path)
            if entry is None or entry.stamp != stamp or not entry.settled:
                self._entries[path] = self._load(book, path, stamp)
                changed = True
        return changed

    @staticmethod
    def _load(book: CaseBook, path: str, stamp: FileStamp) -> _Entry:
        settled = time.time_ns() - stamp[0] > RACY_NS
        try:
            case = book.load(Path(path), live=False)
        except RecordkitError:
            return _Entry(stamp, settled, None)  # `case validate` names its problems
        order = (sort_key(case.data.get("received_at")), case.case_no)
        return _Entry(stamp, settled, case, order, live_ok=not book.live_problems(case.data))

    def _in_order(self) -> list[_Entry]:
        """The entries listed (loaded, live checks passed), newest received first; equal
        ones in file order, as ``case_rows`` keeps them."""
        listed = [self._entries[path] for path in sorted(self._entries)]
        listed = [entry for entry in listed if entry.case is not None and entry.live_ok]
        return sorted(listed, key=lambda entry: entry.order, reverse=True)

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
