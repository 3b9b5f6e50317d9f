"""The web's case rows kept between requests (``clock/rowcache.py``, issue 12 performance):
each call gives what a full scan gives, a change on disk shows on the next call, and a
clock status is reused only while time cannot change it (``status.fresh_until``)."""

from __future__ import annotations

import copy
import os
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE_CASE

from recordkit.cases import schema
from recordkit.cases.store import dump_case
from recordkit.clock import worklist
from recordkit.clock.calendar import WorkCalendar
from recordkit.clock.profiles import builtin_names, load_profile
from recordkit.clock.rowcache import CaseRowCache
from recordkit.clock.status import CaseStatus, case_status, fresh_until
from recordkit.config import Config
from recordkit.workspace import Workspace

NOW = datetime(2026, 3, 12, 10, 0)
LONG_AGO = time.time() - 3600
OPEN = {"closed_at": None, "reply": None, "follow_up": None}  # still being handled


def write(config: Config, case_no: str, settle: bool = True, **changes: Any) -> Path:
    """A valid case file; ``settle``: dated an hour ago, as files written long ago are."""
    data = copy.deepcopy(SAMPLE_CASE) | {"case_no": case_no} | changes
    path = config.cases_dir / "2026" / f"{case_no}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_case(data), encoding="utf-8")
    if settle:
        os.utime(path, (LONG_AGO, LONG_AGO))
    return path


def rows(cache: CaseRowCache, config: Config, now: datetime = NOW) -> list[worklist.CaseRow]:
    ws = Workspace(config)  # a new Workspace per call, as each web request opens one
    return cache.rows(ws.casebook(), ws.clock, now)


def full_scan(config: Config, now: datetime = NOW) -> list[worklist.CaseRow]:
    ws = Workspace(config)
    return worklist.case_rows(ws.casebook().scan()[0], ws.clock.profile, ws.clock.calendar, now)


def timeless(status: CaseStatus) -> CaseStatus:
    """A status without what moves with every second (``now``, ``remaining``)."""
    return replace(
        status, now=datetime.min, steps=tuple(replace(s, remaining=None) for s in status.steps)
    )


def names(found: list[worklist.CaseRow]) -> dict[str, str]:
    return {r.case.case_no: r.case.data["complainant"]["name"] for r in found}


def test_rows_are_those_of_a_full_scan(workdir: Config) -> None:
    write(workdir, "TS-2026-0001")
    write(workdir, "TS-2026-0002", received_at="2026-03-02 11:00", **OPEN)
    write(workdir, "TS-2026-0003", received_at="2026-03-01 16:00")
    write(workdir, "TS-2026-0004", kind="不存在的类别")  # does not load: not listed
    cache = CaseRowCache()
    for now in (NOW, NOW + timedelta(hours=3), NOW + timedelta(days=2)):
        got, want = rows(cache, workdir, now), full_scan(workdir, now)
        assert (
            [r.case.case_no for r in got]
            == [r.case.case_no for r in want]
            == ["TS-2026-0002", "TS-2026-0001", "TS-2026-0003"]
        )
        assert [timeless(r.status) for r in got] == [timeless(r.status) for r in want]
        assert [r.case.data for r in got] == [r.case.data for r in want]


def test_unchanged_files_are_not_read_again(workdir: Config) -> None:
    write(workdir, "TS-2026-0001")
    write(workdir, "TS-2026-0002", **OPEN)
    cache = CaseRowCache()
    first = rows(cache, workdir)
    again = rows(cache, workdir, NOW + timedelta(hours=1))
    assert all(a is b for a, b in zip(first, again, strict=True))  # same objects: nothing re-read


def test_a_case_edited_in_place_shows_on_the_next_call(workdir: Config) -> None:
    path = write(workdir, "TS-2026-0001")
    cache = CaseRowCache()
    assert names(rows(cache, workdir)) == {"TS-2026-0001": "李强"}
    path.write_text(path.read_text(encoding="utf-8").replace("李强", "李强强"), encoding="utf-8")
    assert names(rows(cache, workdir)) == {"TS-2026-0001": "李强强"}
    # Edited again and dated long ago (a copy keeping its time): the time moved, so it is read.
    path.write_text(path.read_text(encoding="utf-8").replace("李强强", "王五五"), encoding="utf-8")
    os.utime(path, (LONG_AGO + 5, LONG_AGO + 5))
    assert names(rows(cache, workdir)) == {"TS-2026-0001": "王五五"}


def test_a_file_replaced_with_the_same_size_shows(workdir: Config) -> None:
    """An atomic write (a new file renamed over the old one, as recordkit writes)."""
    path = write(workdir, "TS-2026-0001")
    cache = CaseRowCache()
    assert names(rows(cache, workdir)) == {"TS-2026-0001": "李强"}
    size = path.stat().st_size
    new = path.with_name("new.tmp")
    new.write_text(path.read_text(encoding="utf-8").replace("李强", "张三"), encoding="utf-8")
    assert new.stat().st_size == size
    os.replace(new, path)
    assert names(rows(cache, workdir)) == {"TS-2026-0001": "张三"}


def test_a_deleted_case_disappears_and_a_new_file_appears(workdir: Config) -> None:
    gone = write(workdir, "TS-2026-0001")
    write(workdir, "TS-2026-0002")
    cache = CaseRowCache()
    assert set(names(rows(cache, workdir))) == {"TS-2026-0001", "TS-2026-0002"}
    gone.unlink()
    assert set(names(rows(cache, workdir))) == {"TS-2026-0002"}
    write(workdir, "TS-2026-0003", settle=False)
    assert set(names(rows(cache, workdir))) == {"TS-2026-0002", "TS-2026-0003"}


def test_a_case_shows_once_the_capa_it_names_is_filed(workdir: Config) -> None:
    """The live check (the CAPA a case names must exist) runs again when records change."""
    write(
        workdir,
        "TS-2026-0001",
        resolution={**SAMPLE_CASE["resolution"], "corrective_action_no": "CA-2026-001"},
    )
    write(workdir, "TS-2026-0002")
    cache = CaseRowCache()
    assert set(names(rows(cache, workdir))) == {"TS-2026-0002"} == set(names(full_scan(workdir)))
    capa = workdir.record_dir(schema.CAPA.name, schema.CAPA.folder) / "2026" / "CA-2026-001.yaml"
    capa.parent.mkdir(parents=True)
    capa.write_text("record_no: CA-2026-001\nsource_case: TS-2026-0001\n", encoding="utf-8")
    assert (
        set(names(rows(cache, workdir)))
        == {"TS-2026-0001", "TS-2026-0002"}
        == set(names(full_scan(workdir)))
    )


def test_an_open_case_is_worked_out_again_the_next_day(workdir: Config) -> None:
    write(workdir, "TS-2026-0001", **OPEN)
    cache = CaseRowCache()
    morning = rows(cache, workdir, NOW)[0]
    assert rows(cache, workdir, NOW + timedelta(hours=13))[0] is morning  # 23:00, same day
    tomorrow = rows(cache, workdir, NOW + timedelta(days=1))[0]
    assert tomorrow is not morning and tomorrow.status.now == NOW + timedelta(days=1)
    assert tomorrow.status == full_scan(workdir, NOW + timedelta(days=1))[0].status
    assert [s.text for s in tomorrow.status.steps] != [s.text for s in morning.status.steps]


def test_a_profile_change_drops_every_row(workdir: Config) -> None:
    write(workdir, "TS-2026-0001")
    cache = CaseRowCache()
    before = rows(cache, workdir)[0]
    toml = workdir.root / "recordkit.toml"
    text = toml.read_text(encoding="utf-8")
    other = next(n for n in builtin_names() if n != workdir.profile)
    toml.write_text(
        text.replace(f'profile = "{workdir.profile}"', f'profile = "{other}"'), encoding="utf-8"
    )
    config = Workspace.open(toml).config
    assert config.profile == other
    after = rows(cache, config)[0]
    assert after is not before and after.status.profile == load_profile(other).name


# -- status.fresh_until: a status holds, apart from now and remaining, until then ---------

CLOCK_CASES = [
    {"case_no": "TS-2026-0001", "received_at": "2026-03-02 09:30"},  # just received
    {
        "case_no": "TS-2026-0002",
        "received_at": "2026-03-02",  # date only, accepted
        "acceptance": {"decision": "受理", "decided_at": "2026-03-03"},
    },
    {**copy.deepcopy(SAMPLE_CASE), "case_no": "TS-2026-0003"},  # closed, every step done
    {
        **copy.deepcopy(SAMPLE_CASE),
        "case_no": "TS-2026-0004",
        "reply": None,
    },  # closed, reply not recorded
    {
        "case_no": "TS-2026-0005",
        "received_at": "2026-12-30 17:45",
        "kind": "申诉",  # across the year end
        "subject": {"report_received_at": "2026-12-01"},
    },
]
MOMENTS = [
    datetime(2026, 3, 2, 9, 40),
    datetime(2026, 3, 3, 0, 0),
    datetime(2026, 3, 9, 16, 59),
    datetime(2026, 12, 31, 8, 0),
    datetime(2026, 12, 31, 23, 58),
]
LATER = [
    timedelta(minutes=1),
    timedelta(minutes=59),
    timedelta(hours=3),
    timedelta(hours=14),
    timedelta(days=1),
    timedelta(days=3),
]


@pytest.mark.parametrize("profile_name", builtin_names())
def test_a_status_holds_until_fresh_until(profile_name: str) -> None:
    profile, calendar = load_profile(profile_name), WorkCalendar()
    for case in CLOCK_CASES:
        for start in MOMENTS:
            status = case_status(case, profile, calendar, start)
            until = fresh_until(status)
            assert until >= start
            for later in (start + d for d in LATER if start + d < until):
                assert timeless(case_status(case, profile, calendar, later)) == timeless(status), (
                    case,
                    start,
                    later,
                )


def test_fresh_until_of_done_open_and_hourly_cases() -> None:
    profile, calendar = load_profile("hospital"), WorkCalendar()
    done = case_status(
        {**copy.deepcopy(SAMPLE_CASE), "case_no": "TS-2026-0003"}, profile, calendar, NOW
    )
    assert (
        all(s.done or s.state == "不适用" for s in done.steps) and fresh_until(done) == datetime.max
    )
    running = case_status(CLOCK_CASES[1], profile, calendar, NOW)
    assert fresh_until(running) == datetime(2026, 3, 13)  # midnight: the days left change
    hourly = [
        n for n in builtin_names() if any(s.unit in ("小时", "分钟") for s in load_profile(n).steps)
    ]
    assert hourly, "a bundled profile with a deadline in hours"
    status = case_status(
        CLOCK_CASES[0], load_profile(hourly[0]), calendar, datetime(2026, 3, 2, 9, 40)
    )
    assert fresh_until(status) == status.now  # hours left: never reused


def test_an_edit_keeps_the_other_rows_and_the_order(workdir: Config) -> None:
    write(workdir, "TS-2026-0001")
    edited = write(workdir, "TS-2026-0002", received_at="2026-03-02 11:00", **OPEN)
    write(workdir, "TS-2026-0003", received_at="2026-03-01 16:00")
    cache = CaseRowCache()
    before = rows(cache, workdir)
    edited.write_text(edited.read_text(encoding="utf-8").replace("李强", "李四"), encoding="utf-8")
    after = rows(cache, workdir)
    assert [r.case.case_no for r in after] == ["TS-2026-0002", "TS-2026-0001", "TS-2026-0003"]
    assert after[0] is not before[0] and after[0].case.data["complainant"]["name"] == "李四"
    assert after[1] is before[1] and after[2] is before[2]
    assert [timeless(r.status) for r in after] == [timeless(r.status) for r in full_scan(workdir)]
    # Received later now: it moves in the list.
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("2026-03-02 11:00", "2026-02-27 11:00"),
        encoding="utf-8",
    )
    assert (
        [r.case.case_no for r in rows(cache, workdir)]
        == [r.case.case_no for r in full_scan(workdir)]
        == ["TS-2026-0001", "TS-2026-0003", "TS-2026-0002"]
    )
