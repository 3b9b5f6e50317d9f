"""Issue 10 items 13, 23 and 4: what the inbox did not take is listed with its reason,
symlinks are refused into quarantine/, each ingester balances its own files, and one
form filed twice is reported."""

from __future__ import annotations

import json
import os

import pytest
from archive_setup import form_pdf, make_workdir
from unprivileged import give_to_user, run_as_user, user_folder

from recordkit.archive.service import Archive
from recordkit.cli import cli


@pytest.fixture
def work(tmp_path, monkeypatch):
    config = make_workdir(tmp_path / "w")
    monkeypatch.chdir(config.root)
    return config


def run(runner, *args):
    return runner.invoke(cli, list(args), obj={}, catch_exceptions=False)


def test_non_pdf_files_are_listed_with_their_reason(work, runner):
    # Issue 13: image names are taken now (what they are is checked by content), so
    # a .jpg/.png that is not an image is quarantined rather than left in the inbox.
    inbox = work.archive_dir / "inbox"
    for name in ("photo.jpg", "scan.png", "notes.txt", "memo.docx"):
        (inbox / name).write_bytes(b"not a pdf")
    result = run(runner, "archive", "ingest")
    assert (
        "未接收 (not taken): inbox/notes.txt  不是 PDF 或图像: 只接收 PDF、JPEG、PNG 和 TIFF (not a PDF or image)"
        in result.output
    )
    assert "未接收 (not taken): inbox/memo.docx  不是 PDF 或图像" in result.output
    assert "未接收 (not taken): inbox/photo.jpg" not in result.output
    assert (
        "输入 2 个文件 (恢复 0 个): 归档 0, 重复 0, 待识别 0, 隔离 2, 出错 0, 未接收 2"
        in result.output
    )
    (inbox / "notes2.txt").write_bytes(b"x")
    data = json.loads(run(runner, "archive", "ingest", "--json").output)
    assert {
        "file": "memo.docx",
        "reason": "不是 PDF 或图像: 只接收 PDF、JPEG、PNG 和 TIFF (not a PDF or image)",
    } in data["skipped"]


def test_a_symlink_to_an_outside_pdf_is_refused_into_quarantine(work, runner, tmp_path):
    outside = form_pdf(tmp_path / "elsewhere.pdf", serial=1)
    before = outside.read_bytes()
    link = work.archive_dir / "inbox" / "link.pdf"
    link.symlink_to(outside)
    result = run(runner, "archive", "ingest", "--json")
    assert result.exit_code == 1
    (one,) = json.loads(result.output)["results"]
    assert (one["source"], one["outcome"], one["destination"]) == (
        "inbox/link.pdf",
        "quarantine",
        "quarantine/link.pdf",
    )
    assert one["reason"] == f"是符号链接 (指向 {outside}), 不接收"
    moved = work.archive_dir / "quarantine" / "link.pdf"
    assert moved.is_symlink() and not os.path.lexists(link)
    assert outside.read_bytes() == before  # the target is neither moved nor filed
    reason = (work.archive_dir / "quarantine" / "link.pdf.reason.txt").read_text(encoding="utf-8")
    assert "检查项 (check): 安全性 — 符号链接" in reason
    assert list((work.archive_dir / "store").rglob("*.pdf")) == []


def test_dangling_links_and_linked_folders_are_refused_not_silently_skipped(work, runner, tmp_path):
    inbox = work.archive_dir / "inbox"
    (inbox / "gone.pdf").symlink_to(tmp_path / "nothing-here.pdf")
    folder = tmp_path / "folder"
    folder.mkdir()
    form_pdf(folder / "inside.pdf", serial=2)
    (inbox / "linked").symlink_to(folder)
    result = run(runner, "archive", "ingest", "--json")
    data = json.loads(result.output)
    assert sorted((r["source"], r["outcome"]) for r in data["results"]) == [
        ("inbox/gone.pdf", "quarantine"),
        ("inbox/linked", "quarantine"),
    ]
    assert data["balanced"] is True and data["inputs"] == 2
    assert (folder / "inside.pdf").exists()


@pytest.fixture
def users_work(tmp_path, monkeypatch):
    """A working folder the command's user owns (``nobody`` when the tests run as root)."""
    with user_folder(tmp_path) as base:
        config = make_workdir(base / "w")
        monkeypatch.chdir(config.root)
        yield config


def test_an_unreadable_subfolder_is_reported(users_work, runner):
    work = users_work
    locked = work.archive_dir / "inbox" / "locked"
    locked.mkdir()
    form_pdf(locked / "a.pdf", serial=3)
    give_to_user(work.root)
    locked.chmod(0)
    try:
        result = run_as_user(runner, "archive", "ingest")
    finally:
        locked.chmod(0o755)
    assert "未接收 (not taken): inbox/locked  无法读取文件夹, 其中的文件未处理" in result.output


def test_two_ingesters_each_report_their_own_files_balanced(work):
    inbox = work.archive_dir / "inbox"
    for n in range(3):
        form_pdf(inbox / f"{n}.pdf", serial=n)
    other: list = []

    def the_other_ingester_runs_now(total: int) -> None:
        with Archive(work) as second:
            other.append(second.ingest(inbox=True))

    with Archive(work) as first:
        mine = first.ingest(inbox=True, on_start=the_other_ingester_runs_now)
    assert other[0].balanced and other[0].inputs == 3
    assert mine.results == [] and mine.inputs == 0 and mine.balanced
    assert sorted(mine.taken_elsewhere) == ["inbox/0.pdf", "inbox/1.pdf", "inbox/2.pdf"]


def test_the_same_form_filed_twice_is_reported(work, runner, tmp_path):
    run(runner, "archive", "ingest", str(form_pdf(tmp_path / "a.pdf", serial=1)))
    result = run(runner, "archive", "ingest", str(form_pdf(tmp_path / "b.pdf", serial=2)))
    assert result.exit_code == 0
    assert (
        "注意: 同一表单重复归档 (same form filed twice): TS-2026-0007 F01: "
        "Z109-WS·2026-D10-0001, Z109-WS·2026-D10-0002; 请确认是否为同一份文件的两次扫描"
    ) in result.output
    data = json.loads(
        run(
            runner, "archive", "ingest", str(form_pdf(tmp_path / "c.pdf", serial=3)), "--json"
        ).output
    )
    assert data["repeated_forms"] == [
        {
            "case_no": "TS-2026-0007",
            "form_code": "F01",
            "archive_nos": [
                "Z109-WS·2026-D10-0001",
                "Z109-WS·2026-D10-0002",
                "Z109-WS·2026-D10-0003",
            ],
        }
    ]


def test_archive_check_reports_the_same_form_filed_twice(work, runner, tmp_path):
    for n in (1, 2):
        run(runner, "archive", "ingest", str(form_pdf(tmp_path / f"{n}.pdf", serial=n)))
    result = run(runner, "archive", "check")
    assert (
        "注意: 同一表单重复归档 TS-2026-0007 F01: Z109-WS·2026-D10-0001, Z109-WS·2026-D10-0002"
        " (可能是同一份文件扫描了两次)"
    ) in result.output
    data = json.loads(run(runner, "archive", "check", "--json").output)
    assert data["repeated_forms"] == [
        {
            "case_no": "TS-2026-0007",
            "form_code": "F01",
            "archive_nos": ["Z109-WS·2026-D10-0001", "Z109-WS·2026-D10-0002"],
        }
    ]
    assert (
        json.loads(run(runner, "archive", "check", "--year", "2025", "--json").output)[
            "repeated_forms"
        ]
        == []
    )
