"""A real watcher on a real inbox: slow writers, floods, bad files, signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pdf_factory as pf
import pytest
from archive_setup import assert_each_input_ended_once, form_pdf, make_workdir, sha256

from recordkit.archive.service import Archive
from recordkit.archive.steps import IngestResult


@contextmanager
def watching(config, jobs: int = 1) -> Iterator[list[IngestResult]]:
    """The watcher in a thread (the SQLite connection lives and dies in that thread)."""
    results: list[IngestResult] = []
    stop = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            with Archive(config) as archive:
                archive.watch(jobs=jobs, on_result=results.append, stop=stop)
        except BaseException as exc:  # surfaced in the test thread
            failure.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield results
    finally:
        stop.set()
        thread.join(60)
    assert not thread.is_alive(), "watcher did not stop"
    assert not failure, failure


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_a_file_written_in_chunks_over_5_seconds_is_taken_once_and_complete(tmp_path):
    config = make_workdir(tmp_path / "w", stability=1.0)
    data = form_pdf(tmp_path / "full.pdf", serial=1, pages=3).read_bytes()
    target = config.archive_dir / "inbox" / "慢速扫描.pdf"
    chunks = 10
    size = -(-len(data) // chunks)
    with watching(config) as results:
        with open(target, "wb") as fh:
            for i in range(chunks):  # 10 chunks, 0.5 s apart: 5 s of writing
                fh.write(data[i * size : (i + 1) * size])
                fh.flush()
                time.sleep(0.5)
        written = time.monotonic()
        wait_for(lambda: len(results) >= 1)
        taken_after = time.monotonic() - written
        time.sleep(1.5)  # a second, late take would show up here
    (result,) = results
    assert result.outcome == "filed", result
    with Archive(config) as archive:
        doc = archive.show(result.archive_no)
        assert len(archive.index.intakes()) == 1
    assert Path(doc["original_path"]).read_bytes() == data
    assert taken_after < 1.0 + 2.0


def test_300_files_dropped_at_once(tmp_path):
    config = make_workdir(tmp_path / "w", stability=0.5)
    staging = tmp_path / "staging"
    staging.mkdir()
    bases = [form_pdf(staging / f"base{i}.pdf", case_no=("TS-2026-0007", "TS-2026-0008")[i % 2], serial=i)
             for i in range(10)]  # fmt: skip
    shas = []
    for n in range(300):  # unique bytes: a trailing comment, as some scanners add
        path = staging / f"扫描 {n:03d}.pdf"
        path.write_bytes(bases[n % 10].read_bytes() + f"% copy {n}\n".encode())
        shas.append(sha256(path))
    inbox = config.archive_dir / "inbox"
    with watching(config, jobs=2) as results:
        time.sleep(0.5)
        for n in range(300):
            os.replace(staging / f"扫描 {n:03d}.pdf", inbox / f"扫描 {n:03d}.pdf")
        wait_for(lambda: len(results) >= 300, timeout=150)
    assert {r.outcome for r in results} == {"filed"}
    assert_each_input_ended_once(config, shas)
    with Archive(config) as archive:
        numbers = [d["item_no"] for d in archive.list()]
    assert numbers == list(range(1, 301))


def test_bad_files_are_quarantined_and_the_watcher_keeps_going(tmp_path):
    config = make_workdir(tmp_path / "w", stability=0.3)
    inbox = config.archive_dir / "inbox"
    with watching(config) as results:
        pf.text_renamed(inbox / "text.pdf")
        pf.zero_byte(inbox / "empty.pdf")
        pf.with_javascript(inbox / "js.pdf")
        pf.truncated(inbox / "cut.pdf", form_pdf(tmp_path / "src.pdf", serial=9))
        wait_for(lambda: len(results) >= 4)
        form_pdf(inbox / "good.pdf", serial=1)
        wait_for(lambda: len(results) >= 5)
    outcomes = {r.original_name: r.outcome for r in results}
    assert outcomes == {"text.pdf": "quarantine", "empty.pdf": "quarantine", "js.pdf": "quarantine",
                        "cut.pdf": "quarantine", "good.pdf": "filed"}  # fmt: skip
    for name in ("text.pdf", "empty.pdf", "js.pdf", "cut.pdf"):
        assert (config.archive_dir / "quarantine" / f"{name}.reason.txt").is_file()


def test_files_there_at_start_and_in_subfolders_are_taken_and_temporaries_are_not(tmp_path):
    config = make_workdir(tmp_path / "w", stability=0.3)
    inbox = config.archive_dir / "inbox"
    form_pdf(inbox / "before.pdf", serial=1)  # arrived while the watcher was stopped
    with watching(config) as results:
        (inbox / "扫描仪" / "2026-03").mkdir(parents=True)
        form_pdf(inbox / "扫描仪" / "2026-03" / "deep.pdf", serial=2)
        for temp in ("~$x.pdf", "y.pdf.part", ".z.pdf", "w.tmp"):
            (inbox / temp).write_bytes(b"%PDF-1.4 partial")
        wait_for(lambda: len(results) >= 2)
        time.sleep(1.0)
    assert sorted(r.source for r in results) == [
        "inbox/before.pdf",
        "inbox/扫描仪/2026-03/deep.pdf",
    ]
    assert all(r.outcome == "filed" for r in results)
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == [
        ".z.pdf",
        "w.tmp",
        "y.pdf.part",
        "~$x.pdf",
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigterm_finishes_the_file_in_hand_and_exits(tmp_path, jobs):
    config = make_workdir(tmp_path / "w", stability=0.3)
    inbox = config.archive_dir / "inbox"
    shas = [sha256(form_pdf(inbox / f"f{i:02d}.pdf", serial=i)) for i in range(25)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "recordkit.cli", "archive", "watch", "--jobs", jobs], cwd=config.root,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )  # fmt: skip
    try:
        wait_for(lambda: any((config.archive_dir / "store").rglob("*.pdf")), timeout=60)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err.decode()
    assert "已停止监视" in err.decode()
    work = config.archive_dir / "work"
    assert [p for p in work.iterdir() if p.is_dir()] == []  # nothing half done
    filed = out.decode().count("已归档")
    assert 0 < filed
    # What it did not reach is still in the inbox, untouched; the next run takes it.
    with Archive(config) as archive:
        archive.ingest(inbox=True)
    assert_each_input_ended_once(config, shas)
