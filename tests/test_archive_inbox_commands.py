"""`archive inbox|retry|discard` and the inbox library under them: status with reasons,
filing a routed file again, discarding into discarded/ with a logged reason; uploads saved
into inbox/ safely (names, size limit, never over a file)."""

from __future__ import annotations

import json
import re

import pdf_factory as pf
import pytest
from archive_setup import add_case, form_pdf, make_workdir
from test_archive_cli import run, work  # noqa: F401

from recordkit.archive.service import Archive
from recordkit.errors import ArchiveError


def _unknown_case_scan(work, runner, tmp_path):
    """A scan whose QR names a case not registered yet: routed with the reason."""
    src = form_pdf(tmp_path / "晚登记.pdf", case_no="TS-2026-0099", form="F01", serial=9)
    result = run(runner, "archive", "ingest", str(src))
    assert result.exit_code == 1, result.output
    (routed,) = [p for p in work.archive_dir.rglob("晚登记*.pdf") if p.parent.name != "inbox"]
    return routed


def test_inbox_lists_waiting_routed_and_filed_files_with_reasons(work, runner, tmp_path):
    form_pdf(tmp_path / "a.pdf", serial=1)
    assert run(runner, "archive", "ingest", str(tmp_path / "a.pdf")).exit_code == 0
    pf.born_digital(tmp_path / "无码.pdf", payload=None, case_no=None)
    run(runner, "archive", "ingest", str(tmp_path / "无码.pdf"))
    form_pdf(work.archive_dir / "inbox" / "等待.pdf", serial=2)
    (work.archive_dir / "inbox" / "说明.docx").write_bytes(b"x")

    result = run(runner, "archive", "inbox", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["file"]: row for row in json.loads(result.output)}
    assert rows["inbox/等待.pdf"]["label"] == "等待归档"
    assert rows["inbox/说明.docx"]["label"] == "不处理"
    assert "不是 PDF 或图像" in rows["inbox/说明.docx"]["reason"]
    unidentified = rows["unidentified/无码.pdf"]
    assert unidentified["label"] == "待识别" and unidentified["reason"]
    assert "recordkit archive assign" in unidentified["advice"]
    filed = rows["Z109-WS·2026-D10-0001"]
    assert filed["label"] == "已归档" and filed["name"] == "a.pdf"
    assert filed["case_no"] == "TS-2026-0007" and filed["form_code"] == "F01"

    table = run(runner, "archive", "inbox")
    assert re.search(r"^待识别 +unidentified/无码.pdf +\S+ +无法识别案件", table.output, re.M)


def test_retry_files_a_routed_scan_once_its_case_exists(work, runner, tmp_path):
    routed = _unknown_case_scan(work, runner, tmp_path)
    label = routed.relative_to(work.archive_dir).as_posix()
    again = run(runner, "archive", "retry", label)
    assert again.exit_code == 1 and label in again.output  # still no case: routed again

    add_case(work.root, "TS-2026-0099", 2026)
    (routed,) = [p for p in work.archive_dir.rglob("晚登记*.pdf") if p.parent.name != "inbox"]
    result = run(runner, "archive", "retry", str(routed.relative_to(work.root)), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["outcome"] == "filed" and data["archive_no"] == "Z109-WS·2026-D10-0001"
    assert not list(work.archive_dir.rglob("晚登记*"))  # reason file gone with the file
    shown = json.loads(run(runner, "archive", "show", data["archive_no"], "--json").output)
    assert shown["original_name"] == "晚登记.pdf"


def test_retry_refuses_files_outside_the_inbox_folders(work, runner, tmp_path):
    form_pdf(tmp_path / "a.pdf", serial=1)
    run(runner, "archive", "ingest", str(tmp_path / "a.pdf"))
    (stored,) = list((work.archive_dir / "store").rglob("*.pdf"))
    result = run(runner, "archive", "retry", str(stored))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {stored}: 不在 inbox/、quarantine/、unidentified/ 或 duplicates/ 中, "
        "只能重试或作废这些文件夹中的文件\n"
    )
    missing = run(runner, "archive", "retry", "unidentified/没有.pdf")
    assert missing.exit_code == 1
    assert missing.output == "Error: unidentified/没有.pdf: 文件不存在 (file not found)\n"


def test_discard_moves_to_discarded_with_reason_and_event(work, runner, tmp_path):
    routed = _unknown_case_scan(work, runner, tmp_path)
    before = routed.read_bytes()
    label = routed.relative_to(work.archive_dir).as_posix()
    no_reason = run(runner, "archive", "discard", label, "--reason", "  ")
    assert no_reason.exit_code == 1
    assert no_reason.output == "Error: 作废原因: 不能为空, 请写明为何作废 (a reason is required)\n"
    assert routed.exists()
    missing_option = run(runner, "archive", "discard", label)
    assert missing_option.exit_code == 2

    result = run(runner, "archive", "discard", label, "--reason", "扫错了案件")
    assert result.exit_code == 0, result.output
    assert result.output == f"已作废: {label} → discarded/晚登记.pdf (原因: 扫错了案件)\n"
    kept = work.archive_dir / "discarded" / "晚登记.pdf"
    assert kept.read_bytes() == before and not routed.exists()
    note = (work.archive_dir / "discarded" / "晚登记.pdf.reason.txt").read_text(encoding="utf-8")
    assert "作废原因 (why): 扫错了案件" in note and "原处理结果 (earlier outcome):" in note
    assert not list(routed.parent.glob("晚登记*"))

    with Archive(work) as archive:
        (event,) = [e for e in archive.index.events() if e["kind"] == "discarded"]
        assert json.loads(event["detail"])["reason"] == "扫错了案件"
        assert archive.verify(log=False).ok

    # A second file of the same name never replaces the first one discarded.
    form_pdf(work.archive_dir / "inbox" / "晚登记.pdf", serial=3)
    again = run(runner, "archive", "discard", "inbox/晚登记.pdf", "--reason", "重复")
    assert "discarded/晚登记 (2).pdf" in again.output
    assert kept.read_bytes() == before


def test_uploads_are_saved_safely_into_the_inbox(work, tmp_path):
    data = form_pdf(tmp_path / "a.pdf", serial=1).read_bytes()
    with Archive(work) as archive:
        first = archive.save_upload("C:\\扫描\\..\\报告 1.pdf", [data[:100], data[100:]])
        assert first == work.archive_dir / "inbox" / "报告 1.pdf"
        assert first.read_bytes() == data
        second = archive.save_upload("报告 1.pdf", [b"%PDF-other"])
        assert second.name == "报告 1 (2).pdf" and first.read_bytes() == data
        assert archive.save_upload(".隐藏.pdf", [data]).name == "隐藏.pdf"
        with pytest.raises(ArchiveError) as refused:
            archive.save_upload("病毒.exe", [data])
        assert refused.value.message == (
            "病毒.exe: 不是 PDF 或图像: 只接收 PDF、JPEG、PNG 和 TIFF (not a PDF or image), 未上传"
        )
        with pytest.raises(ArchiveError) as empty:
            archive.save_upload("空.pdf", [b""])
        assert empty.value.message == "空.pdf: 文件是空的, 未上传 (empty file)"
    names = sorted(p.name for p in (work.archive_dir / "inbox").iterdir())
    assert names == ["报告 1 (2).pdf", "报告 1.pdf", "隐藏.pdf"]  # no temporary left behind


def test_upload_over_the_size_limit_is_refused(tmp_path):
    config = make_workdir(tmp_path / "w", extra="max_file_mb = 0.01")
    with Archive(config) as archive, pytest.raises(ArchiveError) as refused:
        archive.save_upload("大.pdf", [b"%PDF-" + b"x" * 20_000])
    assert refused.value.message == (
        "大.pdf: 文件超过 0.01 MB ([archive] max_file_mb), 未上传 (file over the size limit)"
    )
    assert list((config.archive_dir / "inbox").iterdir()) == []
