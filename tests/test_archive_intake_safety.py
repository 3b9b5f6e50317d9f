"""Issue 10 item 16: ingest and assign never take the archive's own files, the config or
the working folder's files, and a stored original is never overwritten."""

from __future__ import annotations

import os
import shutil

import pytest
from archive_setup import form_pdf, make_workdir, sha256

from recordkit.archive.service import Archive
from recordkit.cli import cli
from recordkit.index.archive import ArchiveIndex


@pytest.fixture
def work(tmp_path, monkeypatch):
    config = make_workdir(tmp_path / "w")
    monkeypatch.chdir(config.root)
    return config


def run(runner, *args):
    return runner.invoke(cli, list(args), obj={}, catch_exceptions=False)


def filed_one(runner, tmp_path) -> str:
    result = run(runner, "archive", "ingest", str(form_pdf(tmp_path / "a.pdf", serial=1)))
    assert result.exit_code == 0, result.output
    return "archive/store/2026/D10/Z109-WS_2026-D10-0001.pdf"


@pytest.mark.sqlite_only("archive/index.sqlite exists only on SQLite")
def test_assign_refuses_the_index_and_leaves_it_in_place(work, runner, tmp_path):
    filed_one(runner, tmp_path)
    result = run(
        runner,
        "archive",
        "assign",
        "archive/index.sqlite",
        "--case",
        "TS-2026-0007",
        "--form",
        "F03",
    )
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: archive/index.sqlite: 是档案库自身的文件 (index.sqlite), 不能接收\n"
    )
    assert (work.archive_dir / "index.sqlite").exists()
    listed = run(runner, "archive", "list")
    assert "共 1 件。" in listed.output


def test_ingest_refuses_the_config(work, runner):
    result = run(runner, "archive", "ingest", "recordkit.toml")
    assert result.exit_code == 1
    assert result.stderr == "Error: recordkit.toml: 是配置文件 recordkit.toml, 不能接收\n"
    assert (work.root / "recordkit.toml").exists()


def test_ingest_refuses_a_disposal_list_in_the_archive(work, runner):
    disposals = work.archive_dir / "disposals"
    disposals.mkdir()
    listing = form_pdf(disposals / "销毁清册-2037.pdf", serial=9)
    result = run(runner, "archive", "ingest", "archive/disposals/销毁清册-2037.pdf")
    assert result.exit_code == 1
    assert result.stderr == ("Error: archive/disposals/销毁清册-2037.pdf: "
                             "是档案库自身的文件 (disposals/销毁清册-2037.pdf), 不能接收\n")  # fmt: skip
    assert listing.exists()


def test_ingest_refuses_other_files_of_the_working_folder(work, runner):
    case = next((work.root / "cases").rglob("*.yaml"))
    rel = case.relative_to(work.root).as_posix()
    result = run(runner, "archive", "ingest", rel)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {rel}: 在工作目录中, 不能接收 (可能是案件或模板文件); "
                             "请把扫描件放入 archive/inbox/, 或从工作目录以外的位置接收\n")  # fmt: skip
    assert case.exists()


def test_ingest_and_assign_still_take_the_inbox_and_unidentified(work, tmp_path):
    inbox_file = form_pdf(work.archive_dir / "inbox" / "a.pdf", serial=1)
    with Archive(work) as archive:
        (result,) = archive.ingest([inbox_file]).results
        assert result.outcome == "filed"
        parked = work.archive_dir / "unidentified" / "x.pdf"
        form_pdf(parked, serial=2)
        assert archive.assign(parked, "TS-2026-0008", "F03").outcome == "filed"


@pytest.mark.sqlite_only("removes or empties index.sqlite itself")
def test_a_missing_index_beside_a_stored_original_stops_every_command(work, runner, tmp_path):
    stored = work.root / filed_one(runner, tmp_path)
    before = sha256(stored)
    (work.archive_dir / "index.sqlite").unlink()
    message = (f"Error: {work.archive_dir / 'index.sqlite'}: 档案库索引缺失或为空, 但 store/ 中已有原件 "
               "(如 store/2026/D10/Z109-WS_2026-D10-0001.pdf); 为防止覆盖已存原件, 档案命令已停止。"
               "请从备份恢复 index.sqlite 后重试 (index missing or empty beside a non-empty store)\n")  # fmt: skip
    for args in (
        ["ingest", str(form_pdf(tmp_path / "b.pdf", serial=2))],
        ["list"],
        ["verify"],
        ["check"],
    ):
        result = run(runner, "archive", *args)
        assert result.exit_code == 1, args
        assert result.stderr == message, args
    assert not (work.archive_dir / "index.sqlite").exists()
    assert sha256(stored) == before


@pytest.mark.sqlite_only("removes or empties index.sqlite itself")
def test_an_empty_index_beside_a_stored_original_is_an_error(work, runner, tmp_path):
    filed_one(runner, tmp_path)
    index = work.archive_dir / "index.sqlite"
    for suffix in ("", "-wal", "-shm"):
        index.with_name(index.name + suffix).unlink(missing_ok=True)
    ArchiveIndex(index).close()  # a fresh, empty index (what an earlier version created)
    result = run(runner, "archive", "ingest", str(form_pdf(tmp_path / "b.pdf", serial=2)))
    assert result.exit_code == 1
    assert "档案库索引缺失或为空, 但 store/ 中已有原件" in result.stderr


@pytest.mark.sqlite_only("restores index.sqlite from a VACUUM INTO backup")
def test_a_stored_original_is_never_overwritten(work, tmp_path):
    """The index lost a row (restored from an old backup): the next 件号 points at a file
    that exists. The original stays; the new file waits in work/ with an error."""
    with Archive(work) as archive:
        archive.ingest([form_pdf(tmp_path / "a.pdf", serial=1)])
    stored = work.archive_dir / "store/2026/D10/Z109-WS_2026-D10-0001.pdf"
    keep = sha256(stored)
    backup = tmp_path / "index-backup.sqlite"
    second = work.archive_dir / "store/2026/D10/Z109-WS_2026-D10-0002.pdf"
    with Archive(work) as archive:
        archive.index.conn.execute("VACUUM INTO ?", (str(backup),))
        archive.ingest([form_pdf(tmp_path / "b.pdf", serial=2)])
    keep2 = sha256(second)
    for suffix in ("-wal", "-shm"):
        (work.archive_dir / f"index.sqlite{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, work.archive_dir / "index.sqlite")  # knows only 0001
    with Archive(work) as archive:
        (result,) = archive.ingest([form_pdf(tmp_path / "c.pdf", serial=3)]).results
    assert result.outcome == "error"
    assert "目标位置已有另一份原件, 拒绝覆盖" in result.reason
    assert sha256(stored) == keep and sha256(second) == keep2
    assert not os.access(second, os.W_OK) or os.geteuid() == 0


def test_ingest_refuses_a_symlink_given_on_the_command_line(work, runner, tmp_path):
    target = form_pdf(tmp_path / "real.pdf", serial=4)
    link = tmp_path / "link.pdf"
    link.symlink_to(target)
    result = run(runner, "archive", "ingest", str(link))
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: {link}: 是符号链接, 不接收; 请给出实际文件 (symlinks are refused)\n"
    )
    assert link.is_symlink() and target.is_file()
