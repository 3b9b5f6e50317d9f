"""Issue 10 items 13 and 23 in ``archive watch``: a symlink is refused into quarantine/,
and an entry the inbox does not take is reported once, with its reason."""

from __future__ import annotations

import threading
import time

from archive_setup import form_pdf, make_workdir

from recordkit.archive.service import Archive


def test_the_watcher_refuses_symlinks_and_reports_what_it_skips(tmp_path):
    config = make_workdir(tmp_path / "w", stability=0.2)
    inbox = config.archive_dir / "inbox"
    (inbox / "notes.txt").write_text("会议记录", encoding="utf-8")
    (inbox / "link.pdf").symlink_to(form_pdf(tmp_path / "outside.pdf", serial=1))
    results, events, stop = [], [], threading.Event()

    def run() -> None:
        with Archive(config) as archive:
            archive.watch(on_result=results.append, on_event=events.append, stop=stop)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not results and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.5)  # one more rescan: the skipped file is not reported again
    stop.set()
    thread.join(30)
    assert [(r.source, r.outcome, r.destination) for r in results] == [
        ("inbox/link.pdf", "quarantine", "quarantine/link.pdf")
    ]
    assert (tmp_path / "outside.pdf").is_file()
    skipped = [e for e in events if e.startswith("未接收")]
    assert skipped == [
        "未接收 (not taken): inbox/notes.txt  不是 PDF 或图像: 只接收 PDF、JPEG、PNG 和 TIFF (not a PDF or image)"
    ]  # issue 13
