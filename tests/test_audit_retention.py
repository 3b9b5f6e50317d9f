"""Retention: `archive due`, `archive dispose` (销毁清册, crash-safe) and legal holds."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from audit_setup import DUE, run, stored, work_folder
from index_db import connect_index
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from recordkit.archive.catalogue_list import DISPOSAL_HEADERS
from recordkit.archive.retention import complete_disposal
from recordkit.archive.service import Archive
from recordkit.index.archive import DisposalItem


@pytest.fixture
def work(tmp_path, monkeypatch):
    return work_folder(tmp_path, monkeypatch)


def snapshot(config):
    """Everything a disposal could change: files, document rows, events, holds."""
    root = config.archive_dir
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
             if p.is_file() and not p.name.startswith("index.sqlite")}  # fmt: skip
    with Archive(config) as archive:
        return files, archive.index.documents(), archive.index.events(), archive.index.disposals()


def test_due_lists_expired_records(work, runner):
    result = run(runner, "archive", "due", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [d["archive_no"] for d in data["due"]] == DUE
    assert data["held"] == []
    later = json.loads(run(runner, "archive", "due", "--on", "2037-01-01", "--json").output)
    assert len(later["due"]) == 4  # the 2026 D10 records expire on 2037-01-01
    assert (
        run(runner, "archive", "due", "--on", "2037-13-01").exit_code == 1
    )  # a bad value (issue 10 item 11)


def test_due_shows_held_records_apart(work, runner):
    run(runner, "archive", "hold", "add", DUE[1], "--reason", "诉讼中", "--by", "张律师")
    result = run(runner, "archive", "due")
    assert (
        f"保留 (法律保全) {DUE[1]}: 法律保全 #1 (档号 {DUE[1]}): 诉讼中, 张律师 于" in result.output
    )
    assert "到期 1 件, 因法律保全保留 1 件" in result.output


def test_due_writes_an_appraisal_sheet_that_dispose_reads(work, runner, tmp_path):
    sheet = tmp_path / "鉴定表.xlsx"
    run(runner, "archive", "due", "--xlsx", str(sheet))
    book = load_workbook(sheet)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[2][:2] == ("序号", "档号") and rows[2][-1] == "鉴定意见"
    assert [r[1] for r in rows[3:]] == DUE
    book.active.delete_rows(5)  # keep the second record
    book.active.cell(row=4, column=8, value="无继续保存价值")
    book.save(sheet)
    result = run(runner, "archive", "dispose", "--list", str(sheet), "--approver", "陈主任", "--reason", "保管期满",
                 "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)["items"]
    assert [(i["archive_no"], i["opinion"]) for i in items] == [(DUE[0], "无继续保存价值")]


def test_dispose_without_an_approver_is_refused(work, runner):
    before = snapshot(work)
    result = run(runner, "archive", "dispose", "--due", "--reason", "保管期满")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "Error: --approver: 必须写明批准人姓名; 没有批准人不能销毁 (disposal needs a named approver)\n"
    )
    blank = run(runner, "archive", "dispose", "--due", "--approver", "  ", "--reason", "保管期满")
    assert blank.exit_code == 1  # a bad value exits 1 (issue 10 item 11)
    assert snapshot(work) == before


def test_dispose_of_a_held_record_is_refused_naming_the_hold(work, runner, tmp_path):
    run(
        runner,
        "archive",
        "hold",
        "add",
        "--case",
        "TS-2015-0002",
        "--reason",
        "复议进行中",
        "--by",
        "质量负责人",
    )
    listed = tmp_path / "清单.txt"
    listed.write_text("\n".join(DUE) + "\n", encoding="utf-8")
    before = snapshot(work)
    result = run(
        runner,
        "archive",
        "dispose",
        "--list",
        str(listed),
        "--approver",
        "陈主任",
        "--reason",
        "保管期满",
    )
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: 销毁被拒绝, 未销毁任何档案 (disposal refused, nothing destroyed):"
    assert lines[1].startswith(
        f"{DUE[1]}: 处于法律保全 #1 (案件 TS-2015-0002): 复议进行中, 质量负责人 于 "
    )
    assert lines[1].endswith(
        " 设置, 不能销毁; 解除后再处理 (recordkit archive hold remove 1 --by 姓名)"
    )
    assert len(lines) == 2
    assert snapshot(work) == before  # the other, unheld record was not destroyed either


def test_dispose_due_keeps_held_records_and_destroys_the_rest(work, runner):
    run(
        runner, "archive", "hold", "add", "--year", "2015", "--reason", "上级检查", "--by", "档案室"
    )
    result = run(
        runner, "archive", "dispose", "--due", "--approver", "陈主任", "--reason", "保管期满"
    )
    assert result.exit_code == 0
    assert "没有需要销毁的档案" in result.output
    assert result.output.count("保留 (法律保全)") == 2
    run(runner, "archive", "hold", "remove", "1", "--by", "档案室", "--reason", "检查结束")
    result = run(
        runner, "archive", "dispose", "--due", "--approver", "陈主任", "--reason", "保管期满"
    )
    assert "已销毁 2 件 (第 1 批, 批准人 陈主任" in result.output


def test_dry_run_changes_nothing(work, runner):
    before = snapshot(work)
    result = run(
        runner,
        "archive",
        "dispose",
        "--due",
        "--approver",
        "陈主任",
        "--reason",
        "保管期满",
        "--dry-run",
    )
    assert result.exit_code == 0
    assert "演练 (dry run): 将销毁 2 件, 批准人 陈主任; 未做任何改动。" in result.output
    assert snapshot(work) == before
    assert not (work.archive_dir / "disposals").exists()


def test_dispose_writes_the_list_removes_files_and_keeps_the_rows(work, runner):
    paths = [stored(work, n) for n in DUE]
    with Archive(work) as archive:
        access = [archive.show(n)["access_path"] for n in DUE]
    result = run(runner, "archive", "dispose", "--due", "--approver", "陈主任", "--reason", "保管期满经鉴定无保存价值",
                 "--by", "档案员王芳", "--json")  # fmt: skip
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["disposal_id"] == 1 and [i["archive_no"] for i in data["items"]] == DUE
    for path, copy in zip(paths, access, strict=True):
        assert not path.exists() and not Path(copy).exists()
    with Archive(work) as archive:
        for number in DUE:
            doc = archive.show(number)
            assert doc["status"] == "destroyed" and doc["sha256"]  # metadata kept
        kinds = [e["kind"] for e in archive.index.events()]
        assert kinds[-4:] == ["disposal_started", "destroyed", "destroyed", "disposal_finished"]
        assert archive.verify().ok  # nothing missing: destroyed records are expected to be gone
        assert all(s.ok for s in archive.check().sequences)  # no gap: rows are kept
    pdf = work.archive_dir / data["list_pdf"]
    xlsx = work.archive_dir / data["list_xlsx"]
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    for expected in (
        "档案销毁清册",
        "陈主任",
        "档案员王芳",
        DUE[0],
        "保管期满经鉴定无保存价值",
        "TS-2015-0001 投诉处理结果告知书",
    ):
        assert expected.replace("·", "") in text.replace("·", "")
    rows = list(load_workbook(xlsx).active.iter_rows(values_only=True))
    assert list(rows[2]) == DISPOSAL_HEADERS
    assert rows[3][1:] == (DUE[0], "TS-2015-0001 投诉处理结果告知书", 2015, "10年", 2, "保管期满经鉴定无保存价值", "陈主任",
                           datetime.fromisoformat(data["on"]))  # fmt: skip  # a date (issue 10 item 7)


def test_records_not_yet_due_or_permanent_are_refused(work, runner, tmp_path):
    listed = tmp_path / "清单.txt"
    listed.write_text(
        "# 不该销毁的\nZ109-WS_2026-D10-0001\nZ109-WS·2015-D30-0001\nZ109-WS·2015-D10-0099\n",
        encoding="utf-8",
    )
    result = run(
        runner,
        "archive",
        "dispose",
        "--list",
        str(listed),
        "--approver",
        "陈主任",
        "--reason",
        "保管期满",
    )
    assert result.exit_code == 1
    assert "Z109-WS·2026-D10-0001: 保管期限未满, 2037-01-01 到期, 不能销毁" in result.stderr
    assert "Z109-WS·2015-D30-0001: 保管期限未满, 2046-01-01 到期, 不能销毁" in result.stderr
    assert "Z109-WS·2015-D10-0099: 找不到此档号 (no such record)" in result.stderr


def test_a_crash_after_marking_is_finished_by_the_next_dispose(work, runner):
    with Archive(work) as archive:
        items = [DisposalItem(n, "题名", "保管期满") for n in DUE]
        archive.index.begin_disposal(
            items, "陈主任", "保管期满", "王芳", "2026-11-21", archive.timestamp()
        )
    # the process died here: rows say destroying, files are still there, no list yet
    assert stored(work, DUE[0]).exists()
    with Archive(work) as archive:
        assert "销毁未完成" in " ".join(archive.verify().warnings)
    result = run(
        runner, "archive", "dispose", "--due", "--approver", "陈主任", "--reason", "保管期满"
    )
    assert result.exit_code == 0
    assert "已完成上次中断的第 1 批销毁" in result.output and "没有需要销毁的档案" in result.output
    with Archive(work) as archive:
        assert [archive.show(n)["status"] for n in DUE] == ["destroyed", "destroyed"]
        disposal = archive.index.disposal(1)
        assert disposal["state"] == "done" and disposal["list_pdf"].startswith(
            "disposals/销毁清册-0001-"
        )
        assert not stored(work, DUE[0]).exists()
        assert complete_disposal(archive, 1)["state"] == "done"  # again: nothing happens
        assert archive.verify().ok


def test_a_crash_after_removing_some_files_is_finished(work):
    with Archive(work) as archive:
        items = [DisposalItem(n, "题名", "保管期满") for n in DUE]
        archive.index.begin_disposal(
            items, "陈主任", "保管期满", "王芳", "2026-11-21", archive.timestamp()
        )
    path = stored(work, DUE[0])
    path.chmod(0o600)
    path.unlink()
    with Archive(work) as archive:
        report = archive.dispose(True, None, "陈主任", "保管期满")
        assert report.resumed == [1] and report.items == []
        assert [e["kind"] for e in archive.index.events()].count("destroyed") == 2


def test_a_hold_placed_between_check_and_commit_stops_the_batch(work):
    with Archive(work) as archive:
        archive.add_hold(DUE[0], reason="诉讼", by="张律师")
        items = [DisposalItem(n, "题名", "保管期满") for n in DUE]
        with pytest.raises(Exception, match="刚被设置了法律保全"):
            archive.index.begin_disposal(
                items, "陈主任", "保管期满", "王芳", "2026-11-21", archive.timestamp()
            )
        assert archive.index.disposals() == []
        assert {archive.show(n)["status"] for n in DUE} == {"filed"}


def test_hold_add_list_remove(work, runner):
    added = json.loads(run(runner, "archive", "hold", "add", "--case", "TS-2015-0001", "--reason", "诉讼中", "--by", "张律师",
                           "--json").output)  # fmt: skip
    assert (
        added["id"] == 1
        and added["scope"] == "case"
        and added["documents"] == 2
        and added["active"]
    )
    listed = run(runner, "archive", "hold", "list")
    assert "1     案件  TS-2015-0001  2         诉讼中  张律师" in listed.output
    removed = run(runner, "archive", "hold", "remove", "1", "--by", "张律师", "--reason", "已结案")
    assert removed.exit_code == 0 and "已解除法律保全 #1" in removed.output
    assert json.loads(run(runner, "archive", "hold", "list", "--json").output) == []
    everything = json.loads(run(runner, "archive", "hold", "list", "--all", "--json").output)
    assert everything[0]["released_by"] == "张律师" and everything[0]["release_reason"] == "已结案"
    again = run(runner, "archive", "hold", "remove", "1", "--by", "张律师")
    assert again.exit_code == 1 and "法律保全 #1 已于" in again.stderr
    with Archive(work) as archive:
        kinds = [e["kind"] for e in archive.index.events()]
    assert kinds[-2:] == ["hold_placed", "hold_released"]


def test_hold_errors(work, runner):
    unknown = run(
        runner, "archive", "hold", "add", "Z109-WS·2015-D10-0099", "--reason", "x", "--by", "y"
    )
    assert unknown.exit_code == 1
    assert (
        unknown.stderr
        == "Error: 找不到档号为 Z109-WS·2015-D10-0099 的档案 (no archived document with this number)\n"
    )
    two = run(
        runner, "archive", "hold", "add", DUE[0], "--year", "2015", "--reason", "x", "--by", "y"
    )
    assert two.exit_code == 2 and "请给出一个保全对象" in two.stderr
    no_reason = run(runner, "archive", "hold", "add", DUE[0], "--by", "y")
    assert (
        no_reason.exit_code == 2
        and no_reason.stderr == "Error: --reason: 必须写明保全原因 (reason)\n"
    )
    missing = run(runner, "archive", "hold", "remove", "9", "--by", "y")
    assert missing.exit_code == 1 and "没有编号为 9 的法律保全" in missing.stderr


def test_a_list_spreadsheet_needs_archive_numbers(work, runner, tmp_path):
    sheet = tmp_path / "空.xlsx"
    book = Workbook()
    book.active.append(["档号", "鉴定意见"])
    book.save(sheet)
    result = run(
        runner,
        "archive",
        "dispose",
        "--list",
        str(sheet),
        "--approver",
        "陈主任",
        "--reason",
        "保管期满",
    )
    assert result.exit_code == 1 and "中没有档号" in result.stderr  # a bad value (issue 10 item 11)


def test_index_rows_of_destroyed_records_keep_their_metadata(work, runner):
    run(runner, "archive", "dispose", "--due", "--approver", "陈主任", "--reason", "保管期满")
    conn = connect_index(work)
    rows = conn.execute(
        "SELECT archive_no, status, case_no, pages FROM documents WHERE status = 'destroyed'"
    ).fetchall()
    texts = conn.execute(
        "SELECT COUNT(*) FROM doc_text WHERE archive_no IN (?, ?)", DUE
    ).fetchone()[0]
    conn.close()
    assert rows == [
        (DUE[0], "destroyed", "TS-2015-0001", 2),
        (DUE[1], "destroyed", "TS-2015-0002", 2),
    ]
    assert texts == 0  # the content is destroyed with the file; the metadata stays
