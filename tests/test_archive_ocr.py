"""The OCR queue of the archive: filing queues, ``archive ocr`` reads, a crash is resumed,
text-layer pages are taken as they are, the access copy can get a text layer, and
``archive watch`` drains the queue when the inbox is quiet."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from archive_setup import form_pdf, make_workdir, sha256
from click.testing import CliRunner
from index_db import connect_index

from recordkit.archive.service import Archive
from recordkit.cli import cli
from recordkit.config import load_config
from recordkit.demo.archive import _reportlab_rendition, sign_and_scan
from recordkit.index.manifest import OutputRecord
from recordkit.ocr import read_pdf

CASE = "TS-2026-0007"  # complainant 李强 (the sample case)


def scan_into_inbox(config, tmp_path: Path, form: str = "F01") -> Path:
    """The case's form as the demo prints it, signed and scanned into the inbox."""
    row = OutputRecord(
        f"out/{CASE}/{form}.docx",
        CASE,
        form,
        f"{form}.docx",
        "3",
        "0" * 64,
        "",
        "0" * 64,
        "0" * 64,
        "2026-11-21T00:00:00",
    )
    printed = _reportlab_rendition(config, row, tmp_path / f"{form}-printed.pdf")
    return sign_and_scan(printed, config.archive_dir / "inbox" / f"扫描_{form}.pdf", seed=3)


def cli_in(config, args: list[str]):
    return CliRunner().invoke(cli, ["--config", str(config.path), *args], catch_exceptions=False)


def index_rows(config, sql: str) -> list[tuple]:
    conn = connect_index(config)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_filed_scan_is_queued_then_read_and_found_by_the_complainants_name(tmp_path):
    config = make_workdir(tmp_path / "w")
    scan_into_inbox(config, tmp_path)
    filed = cli_in(config, ["archive", "ingest", "--jobs", "1"])
    assert filed.exit_code == 0, filed.output
    assert index_rows(config, "SELECT * FROM document_text") == []  # not read yet

    result = cli_in(config, ["archive", "ocr", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["counts"] == {
        "done": 1,
        "failed": 0,
        "ocr_pages": 1,
        "skipped_pages": 0,
        "requeued": 0,
    }
    assert report["queue"] == {"done": 1}
    ((page, source, text),) = index_rows(config, "SELECT page, source, text FROM document_text")
    assert (page, source) == (1, "ocr") and CASE in text
    found = json.loads(cli_in(config, ["archive", "search", "李强", "--json"]).output)
    assert [d["case_no"] for d in found] == [CASE]
    # A word printed on the scan but in neither the case file nor the form title is found
    # only through the OCR text (the complainant's name is also found through the case data).
    case_text = "".join(p.read_text(encoding="utf-8") for p in config.cases_dir.rglob("*.yaml"))
    cjk = [
        text[i : i + 2]
        for i in range(len(text) - 1)
        if all("\u4e00" <= ch <= "\u9fff" for ch in text[i : i + 2])
    ]
    only_scanned = next(w for w in cjk if w not in case_text and w not in "申诉和投诉处理及反馈表")
    found = json.loads(cli_in(config, ["archive", "search", only_scanned, "--json"]).output)
    assert CASE in [d["case_no"] for d in found]

    again = cli_in(config, ["archive", "ocr"])  # nothing pending: nothing done
    assert again.exit_code == 0
    assert "完成 0 件, 失败 0 件; 识别 0 页, 已有文本层跳过 0 页" in again.output


def test_pages_with_a_text_layer_are_taken_as_they_are(tmp_path):
    config = make_workdir(tmp_path / "w")
    form_pdf(config.archive_dir / "inbox" / "born.pdf", CASE, "F01", pages=2)
    assert cli_in(config, ["archive", "ingest", "--jobs", "1"]).exit_code == 0
    result = cli_in(config, ["archive", "ocr"])
    assert result.exit_code == 0, result.output
    assert "完成 1 件, 失败 0 件; 识别 0 页, 已有文本层跳过 2 页" in result.output
    assert index_rows(config, "SELECT page, source FROM document_text ORDER BY page") == [
        (1, "pdf"),
        (2, "pdf"),
    ]


def test_a_job_left_running_by_a_killed_process_is_retried(tmp_path):
    config = make_workdir(tmp_path / "w")
    scan_into_inbox(config, tmp_path)
    assert cli_in(config, ["archive", "ingest", "--jobs", "1"]).exit_code == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "recordkit.cli", "--config", str(config.path), "archive", "ocr"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if index_rows(config, "SELECT state FROM ocr_queue") == [("running",)]:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # killed mid-OCR: the job stays 'running'
    proc.wait()
    assert index_rows(config, "SELECT state, attempts FROM ocr_queue") == [("running", 1)]

    result = cli_in(config, ["archive", "ocr"])
    assert result.exit_code == 0, result.output
    assert "完成 1 件" in result.output and "重新排队 1 件 (上次中断)" in result.output
    assert index_rows(config, "SELECT state, attempts FROM ocr_queue") == [("done", 2)]


def with_ocr_setting(config, line: str):
    with config.path.open("a", encoding="utf-8") as f:
        f.write(f"\n[archive.ocr]\n{line}\n")
    return load_config(config.path)


def test_the_access_copy_gets_an_invisible_text_layer_and_the_original_is_untouched(tmp_path):
    config = with_ocr_setting(make_workdir(tmp_path / "w"), "text_layer = true")
    scan_into_inbox(config, tmp_path)
    assert cli_in(config, ["archive", "ingest", "--jobs", "1"]).exit_code == 0
    with Archive(config) as archive:
        (doc,) = archive.list()
    original, access = Path(doc["original_path"]), Path(doc["access_path"])
    before = sha256(original)
    (stamped,) = read_pdf(access, ocr=False)
    assert "李强" not in stamped.text  # a scan: only the 归档章's own text

    result = cli_in(config, ["archive", "ocr"])
    assert result.exit_code == 0, result.output
    assert "利用副本已加文本层" in result.output
    (page,) = read_pdf(access, ocr=False)
    assert page.source == "pdf" and "李强" in page.text.replace(" ", "")
    assert sha256(original) == before
    events = index_rows(
        config,
        "SELECT kind, json_extract(detail, '$.reason') FROM events "
        "WHERE kind = 'access_copy_rebuilt'",
    )
    assert events == [("access_copy_rebuilt", "ocr_text_layer")]
    verify = cli_in(config, ["archive", "verify"])
    assert verify.exit_code == 0, verify.output


def test_archive_watch_drains_the_queue_when_the_inbox_is_quiet(tmp_path):
    config = make_workdir(tmp_path / "w")
    scan_into_inbox(config, tmp_path)
    stop, read = threading.Event(), []
    archive = Archive(config)

    def run() -> None:
        archive.watch(stop=stop, on_ocr=read.append)
        archive.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not read and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    thread.join(30)
    assert [(d.error, d.ocr_pages) for d in read] == [("", 1)]
    assert index_rows(config, "SELECT state FROM ocr_queue") == [("done",)]


def test_a_bad_text_layer_setting_is_a_chinese_error_before_any_work(tmp_path):
    config = with_ocr_setting(make_workdir(tmp_path / "w"), 'text_layer = "yes"')
    result = cli_in(config, ["archive", "ocr"])
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == f"Error: {config.path}: [archive.ocr] text_layer: 应为 true 或 false"
    )


def test_several_processes_share_the_queue(tmp_path):
    config = make_workdir(tmp_path / "w")
    for serial in range(3):
        form_pdf(
            config.archive_dir / "inbox" / f"born-{serial}.pdf", CASE, "F01", serial=serial, pages=1
        )
    assert cli_in(config, ["archive", "ingest", "--jobs", "1"]).exit_code == 0
    report = json.loads(cli_in(config, ["archive", "ocr", "--jobs", "2", "--json"]).output)
    assert report["counts"]["done"] == 3 and report["queue"] == {"done": 3}
    assert sorted(d["archive_no"] for d in report["documents"]) == sorted(
        r[0] for r in index_rows(config, "SELECT archive_no FROM documents")
    )


def test_an_unreadable_original_fails_with_a_reason_and_is_given_up_after_three_tries(tmp_path):
    config = make_workdir(tmp_path / "w")
    form_pdf(config.archive_dir / "inbox" / "born.pdf", CASE, "F01", pages=1)
    assert cli_in(config, ["archive", "ingest", "--jobs", "1"]).exit_code == 0
    with Archive(config) as archive:
        (doc,) = archive.list()
    original = Path(doc["original_path"])
    original.chmod(0o644)
    original.write_bytes(b"not a pdf any more")  # a damaged original (verify reports it)
    for attempt in (1, 2, 3):
        result = cli_in(config, ["archive", "ocr"])
        assert result.exit_code == 1
        assert (
            "完成 0 件, 失败 1 件" in result.output and "无法打开 PDF 进行文字识别" in result.output
        )
        assert index_rows(config, "SELECT attempts FROM ocr_queue") == [(attempt,)]  # once per run
    assert index_rows(config, "SELECT state, attempts FROM ocr_queue") == [("failed", 3)]
    assert (
        "完成 0 件, 失败 0 件" in cli_in(config, ["archive", "ocr"]).output
    )  # given up: not tried again
