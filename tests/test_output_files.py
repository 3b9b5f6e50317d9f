"""Files recordkit writes: permissions follow the umask like a plain open() (colleagues on
a shared machine can open them), and a full disk is one Chinese error, exit 1, with no
half-written file left behind."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pdf_factory as pf
import pytest

from recordkit.archive.stamp import StampFields, stamp_access_copy
from recordkit.cli import cli
from recordkit.files import process_umask


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022():
    """The usual umask, so the expected mode (0644) differs from mkstemp's 0600."""
    old = os.umask(0o022)
    process_umask.cache_clear()
    yield 0o644
    os.umask(old)
    process_umask.cache_clear()


def test_case_docx_and_xlsx_follow_the_umask(workdir, runner, book, sample_case, umask_022):
    case = book.add(sample_case)
    assert runner.invoke(cli, ["fill", "F01", case.case_no]).exit_code == 0
    result = runner.invoke(cli, ["register", "--year", "2026", "--xlsx"])
    assert result.exit_code == 0, result.output
    written = [case.path, *workdir.out_dir.rglob("*.docx"), *workdir.out_dir.rglob("*.xlsx")]
    assert len(written) >= 4
    assert {p.name: _mode(p) for p in written} == {p.name: umask_022 for p in written}


def test_stamped_access_copy_follows_the_umask(tmp_path, umask_022):
    born = pf.born_digital(tmp_path / "born.pdf")
    dest = tmp_path / "access" / "copy.pdf"
    stamp_access_copy(born, dest, StampFields.from_archive_no("Z109-WS·2026-D10-ZLB-0001", pages=2))
    assert _mode(dest) == umask_022


def test_umask_is_read_without_changing_it(umask_022):
    assert process_umask() == 0o022
    assert os.umask(0o022) == 0o022  # still what the user set


# --------------------------------------------------------------------------- disk full


class _FullDisk:
    """A file whose writes fail as on a full disk (the system edge: the OS refuses bytes)."""

    def __init__(self, handle) -> None:
        self._handle = handle

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._handle.close()

    def write(self, data) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self._handle, name)


@pytest.fixture
def disk_full(monkeypatch):
    """Fill the disk after ``files_that_fit`` more files have been written."""
    real = os.fdopen

    def arm(files_that_fit: int = 0) -> None:
        left = [files_that_fit]

        def fdopen(fd, *args, **kwargs):
            left[0] -= 1
            handle = real(fd, *args, **kwargs)
            return handle if left[0] >= 0 else _FullDisk(handle)

        monkeypatch.setattr(os, "fdopen", fdopen)

    return arm


FULL = "磁盘已满, 文件未写入 (no space left on device); 请清理磁盘后重试"


def _no_temp_files(root: Path) -> None:
    assert [p for p in root.rglob("*") if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize(
    ("args", "written"),
    [
        (["generate", "--form", "F01"], "F01-申诉和投诉处理及反馈表.docx"),
        (["fill", "--bundle", "TS-2026-0001"], "TS-2026-0001-打印合集.docx"),
    ],
)
def test_disk_full_while_filling_is_a_chinese_error(
    workdir, runner, book, sample_case, disk_full, args, written
):
    book.add(sample_case)
    disk_full()
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    target = workdir.out_dir / "TS-2026-0001" / written
    assert f"{target}: {FULL}" in result.stderr
    assert isinstance(result.exception, SystemExit)  # no traceback
    assert not target.exists()
    _no_temp_files(workdir.root)


def test_disk_full_while_writing_register_xlsx(workdir, runner, book, sample_case, disk_full):
    book.add(sample_case)
    disk_full(files_that_fit=1)  # the .docx is written; the disk fills before the .xlsx
    result = runner.invoke(cli, ["register", "--year", "2026", "--xlsx"])
    xlsx = next((workdir.out_dir / "registers").glob("*.docx")).with_suffix(".xlsx")
    assert result.exit_code == 1, result.output
    assert result.stderr == f"Error: {xlsx}: {FULL}\n"
    assert not xlsx.exists()
    _no_temp_files(workdir.root)


def test_write_error_crosses_process_boundaries():
    import pickle

    from recordkit.errors import FileWriteError

    error = pickle.loads(
        pickle.dumps(
            FileWriteError("/out/a.docx", OSError(errno.ENOSPC, "No space left on device"))
        )
    )
    assert (error.message, error.errno) == (f"/out/a.docx: {FULL}", errno.ENOSPC)
