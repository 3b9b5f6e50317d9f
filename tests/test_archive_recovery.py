"""Crashes and concurrency: nothing lost, nothing filed twice, no gap in the 件号.

Deterministic crash points come from the declared step list: running only the first k
steps of a claimed file is exactly what a process killed after step k leaves behind.
Then real processes are killed with SIGKILL mid-batch, and two ingesters share one inbox.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pdf_factory as pf
import pytest
from archive_setup import assert_each_input_ended_once, form_pdf, make_workdir, sha256
from index_db import connect_index

from recordkit.archive.intake import claim, new_claim_id, run_steps
from recordkit.archive.service import Archive
from recordkit.archive.settings import IngestContext
from recordkit.archive.steps import STEPS, assign_number
from recordkit.index.backend import DB_ERRORS

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")


@pytest.fixture
def config(tmp_path):
    return make_workdir(tmp_path / "w")


def claimed(config, source: Path):
    ctx = IngestContext.open(config)
    item = claim(source, ctx.layout, new_claim_id(), f"inbox/{source.name}", ctx.timestamp())
    assert item is not None
    return ctx, item


def item_numbers(archive: Archive) -> list[int]:
    return [d["item_no"] for d in archive.list()]


@pytest.mark.parametrize("k", range(1, len(STEPS)), ids=[f"after-{s.__name__}" for s in STEPS[:-1]])
def test_a_crash_after_any_step_is_finished_by_recovery(config, tmp_path, k):
    inbox = config.archive_dir / "inbox"
    first = form_pdf(inbox / "first.pdf", serial=1)
    crashed = form_pdf(inbox / "crashed.pdf", serial=2)
    shas = [sha256(first), sha256(crashed)]
    with Archive(config) as archive:
        archive.ingest([first])
    ctx, item = claimed(config, crashed)
    assert run_steps(item, ctx, STEPS[:k]) is None  # the process dies here
    ctx.close()
    later = form_pdf(inbox / "later.pdf", serial=3)
    shas.append(sha256(later))
    with Archive(config) as archive:
        report = archive.ingest(inbox=True)
        assert [r.original_name for r in report.recovered] == ["crashed.pdf"]
        assert report.recovered[0].resumed and report.recovered[0].outcome == "filed"
        assert item_numbers(archive) == [1, 2, 3]
        assert [d["original_name"] for d in archive.list()] == [
            "first.pdf",
            "crashed.pdf",
            "later.pdf",
        ]
        assert all(d["status"] == "filed" for d in archive.list())
        assert archive.index.chain_problems() == []
        assert [e["kind"] for e in archive.index.events()] == ["filed"] * 3
    assert_each_input_ended_once(config, shas)


def test_a_crash_in_the_middle_of_the_copy_leaves_a_temporary_that_recovery_replaces(config):
    inbox = config.archive_dir / "inbox"
    src = form_pdf(inbox / "a.pdf", serial=1)
    sha = sha256(src)
    ctx, item = claimed(config, src)
    run_steps(
        item, ctx, STEPS[: STEPS.index(assign_number) + 1]
    )  # numbered (by name: steps were added before it)
    dest = ctx.layout.abs(item.original_path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    half = dest.with_name(f".{dest.name}.{item.id}.tmp")
    half.write_bytes(item.work_path.read_bytes()[:500])
    ctx.close()
    with Archive(config) as archive:
        (result,) = archive.recover()
        assert result.outcome == "filed"
        assert sha256(Path(archive.show(result.archive_no)["original_path"])) == sha
    assert not half.exists()
    assert_each_input_ended_once(config, [sha])


def test_a_crash_while_routing_is_finished_without_losing_the_file(config):
    inbox = config.archive_dir / "inbox"
    bad = pf.text_renamed(inbox / "bad.pdf")
    sha = sha256(bad)
    ctx, item = claimed(config, bad)
    # The journal says where the file goes, the link is made, then the process dies
    # before the work copy is unlinked and before the reason file is written.
    ctx.index.begin_route(item.ref(), outcome="quarantine", destination="quarantine/bad.pdf",
                          check_name="可用性 — 文件格式", reason="不是 PDF 文件\n请提供 PDF", archive_no=None,
                          digests=None, checks=[])  # fmt: skip
    os.link(item.work_path, config.archive_dir / "quarantine" / "bad.pdf")
    ctx.close()
    with Archive(config) as archive:
        (result,) = archive.recover()
    assert result.outcome == "quarantine"
    assert (config.archive_dir / "quarantine/bad.pdf.reason.txt").read_text(encoding="utf-8").count(
        "不是 PDF"
    ) == 1
    assert_each_input_ended_once(config, [sha])


def test_a_claim_cut_before_the_rename_leaves_the_file_in_the_inbox(config):
    inbox = config.archive_dir / "inbox"
    src = form_pdf(inbox / "a.pdf", serial=1)
    (config.archive_dir / "work" / new_claim_id()).mkdir(parents=True)
    with Archive(config) as archive:
        report = archive.ingest(inbox=True)
    assert report.recovered == [] and [r.outcome for r in report.results] == ["filed"]
    assert list((config.archive_dir / "work").iterdir()) == [] or all(
        p.suffix == ".lock" for p in (config.archive_dir / "work").iterdir()
    )
    assert not src.exists()


def test_a_stale_copy_from_a_lost_transaction_is_kept_not_replaced(config, tmp_path):
    """Power loss can undo an unsynced numbering transaction after the copy was written.
    Issue 10 item 16 changed this: a stored original is never overwritten, whatever the
    index says; the new file waits in work/ with an error for a person to decide."""
    with Archive(config) as archive:
        archive.ingest([form_pdf(tmp_path / "first.pdf", serial=9)])
    stale = config.archive_dir / "store/2026/D10/Z109-WS_2026-D10-0002.pdf"
    stale.write_bytes(b"%PDF-1.4 an orphan copy\n%%EOF\n")
    os.chmod(stale, 0o444)
    src = form_pdf(tmp_path / "a.pdf", serial=1)
    with Archive(config) as archive:
        (result,) = archive.ingest([src]).results
    assert result.outcome == "error" and "拒绝覆盖" in result.reason
    assert stale.read_bytes() == b"%PDF-1.4 an orphan copy\n%%EOF\n"
    assert len(list((config.archive_dir / "work").rglob("a.pdf"))) == 1


def test_a_claim_held_by_a_live_process_is_not_touched(config):
    from recordkit.archive.intake import claim_lock

    inbox = config.archive_dir / "inbox"
    src = form_pdf(inbox / "a.pdf", serial=1)
    ctx, item = claimed(config, src)
    with claim_lock(ctx.layout, item.id) as locked:
        assert locked
        with Archive(config) as archive:
            assert archive.recover() == []
        assert item.work_path.exists()
    with Archive(config) as archive:
        (result,) = archive.recover()
    assert result.outcome == "filed"
    ctx.close()


# --------------------------------------------------------------------------- real processes


def _ingest_process(config, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "recordkit.cli", "archive", "ingest", "--inbox", *args],
        cwd=config.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )  # fmt: skip


def _filed_count(config) -> int:
    if not config.database_url and not (config.archive_dir / "index.sqlite").exists():
        return 0
    try:
        conn = connect_index(config)
        try:
            return conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        finally:
            conn.close()
    except DB_ERRORS:
        return 0


def _drop_files(config, tmp_path: Path, count: int, start: int = 0) -> list[str]:
    """Unique forms, written beside the inbox and renamed in (as a copy tool finishes)."""
    inbox = config.archive_dir / "inbox"
    staging = tmp_path / "staging"
    staging.mkdir(exist_ok=True)
    shas = []
    for i in range(start, start + count):
        path = form_pdf(
            staging / f"扫描 {i:03d}.pdf", case_no=("TS-2026-0007", "TS-2026-0008")[i % 2], serial=i
        )
        shas.append(sha256(path))
        os.replace(path, inbox / path.name)
    return shas


def _check_archive(config, shas: list[str]) -> None:
    assert_each_input_ended_once(config, shas)
    with Archive(config) as archive:
        docs = archive.list()
        by_sequence: dict[tuple[int, str], list[int]] = {}
        for doc in docs:
            assert doc["status"] == "filed"
            by_sequence.setdefault((doc["year"], doc["retention"]), []).append(doc["item_no"])
        for numbers in by_sequence.values():
            assert numbers == list(range(1, len(numbers) + 1))  # no gap, no repeat
        assert archive.index.chain_problems() == []
        journal = archive.index.intakes()
        assert all(row["state"] == "done" for row in journal)
        assert len({row["sha256"] for row in journal if row["outcome"] == "filed"}) == len(docs)


@pytest.mark.parametrize("jobs", [1, 2])
def test_kill_9_in_the_middle_of_a_batch_then_restart(config, tmp_path, jobs):
    shas = _drop_files(config, tmp_path, 40)
    for stop_at in (6, 18):
        proc = _ingest_process(config, "--jobs", str(jobs))
        deadline = time.monotonic() + 60
        while (
            _filed_count(config) < stop_at and proc.poll() is None and time.monotonic() < deadline
        ):
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)  # the whole process group, like a power cut
        proc.wait()
    assert 0 < _filed_count(config) < 40
    final = _ingest_process(config, "--jobs", str(jobs))
    out, err = final.communicate(timeout=120)
    assert final.returncode == 0, err.decode()
    _check_archive(config, shas)
    assert _filed_count(config) == 40


def test_two_ingesters_on_one_inbox(config, tmp_path):
    shas = _drop_files(config, tmp_path, 50)
    inbox = config.archive_dir / "inbox"
    originals = sorted(inbox.iterdir())[:8]
    for path in originals:  # identical copies under other names: one filed, one duplicate
        shutil.copyfile(path, inbox / f"副本 {path.name}")
        shas.append(sha256(path))
    procs = [_ingest_process(config), _ingest_process(config, "--jobs", "2")]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    _check_archive(config, shas)
    with Archive(config) as archive:
        assert len(archive.list()) == 50
        assert sum(1 for r in archive.index.intakes() if r["outcome"] == "duplicate") == 8


def test_a_busy_database_leaves_the_file_in_work_for_a_retry(config, tmp_path):
    src = form_pdf(tmp_path / "a.pdf", serial=1)
    sha = sha256(src)
    with Archive(config) as archive:
        archive.context().index.conn.execute("PRAGMA busy_timeout = 200")
        blocker = connect_index(config)  # SQLite's write lock, or PostgreSQL's advisory lock
        blocker.execute("BEGIN IMMEDIATE")  # another process holding the write lock too long
        (result,) = archive.ingest([src]).results
        blocker.execute("ROLLBACK")
        blocker.close()
        assert result.outcome == "error" and "数据库" in result.reason
        assert list((config.archive_dir / "quarantine").iterdir()) == []
        (recovered,) = archive.recover()
    assert recovered.outcome == "filed" and recovered.resumed
    assert_each_input_ended_once(config, [sha])


def test_killed_while_writing_the_claim_record(config, tmp_path):
    """kill -9 during the claim record's atomic write leaves only its scratch file: the
    input never moved, so recovery drops the claim and quarantines nothing."""
    src = form_pdf(config.archive_dir / "inbox" / "登记表.pdf", serial=71)
    work = config.archive_dir / "work" / "20260101-claim-killed"
    work.mkdir(parents=True)
    (work / ".claim.json.k3j2.tmp").write_bytes(b'{"id": "20260101-claim-ki')
    with Archive(config) as archive:
        results = archive.ingest([], inbox=True).results
    assert [r.outcome for r in results] == ["filed"]
    assert not work.exists()
    assert not src.exists()
    assert not any((config.archive_dir / "quarantine").iterdir())


def test_unreadable_claim_with_several_files_is_left_for_a_person(config):
    """Without its claim record recovery cannot tell which file is the input: it never
    deletes what might be one."""
    work = config.archive_dir / "work" / "20260101-claim-odd"
    work.mkdir(parents=True)
    form_pdf(work / "a.pdf", serial=72)
    form_pdf(work / "b.pdf", serial=73)
    with Archive(config) as archive:
        archive.ingest([], inbox=True)
    assert sorted(p.name for p in work.iterdir()) == ["a.pdf", "b.pdf"]
