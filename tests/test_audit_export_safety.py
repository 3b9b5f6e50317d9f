"""`archive export`: an impossible target, and formulas in documents.csv (issue 10, 21 and 23)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from audit_setup import run, work_folder
from index_db import connect_index
from unprivileged import give_to_user, run_as_user, user_folder

from recordkit.cases.spreadsheet import csv_safe


@pytest.fixture
def work(tmp_path, monkeypatch):
    return work_folder(tmp_path, monkeypatch)


def test_export_under_a_file_is_a_chinese_error(work, runner, tmp_path):
    blocker = tmp_path / "a-file.txt"
    blocker.write_text("x", encoding="utf-8")
    result = run(runner, "archive", "export", "--year", "2026", "--to", str(blocker / "bag"))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {blocker / 'bag'}: 无法写入导出目标, 请换一个可写的位置 ("
    )
    assert "Traceback" not in result.output


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_export_into_a_read_only_folder_is_a_chinese_error(runner, tmp_path, monkeypatch):
    with user_folder(tmp_path) as base:  # as root, the export runs as nobody (root writes anywhere)
        work = work_folder(base, monkeypatch)
        locked = base / "locked"
        locked.mkdir()
        give_to_user(work.root)
        give_to_user(locked)
        locked.chmod(0o500)
        try:
            result = run_as_user(
                runner, "archive", "export", "--year", "2026", "--to", str(locked / "bag")
            )
        finally:
            locked.chmod(0o700)
        assert result.exit_code == 1
        assert result.stderr.startswith(
            f"Error: {locked / 'bag'}: 无法写入导出目标, 请换一个可写的位置 ("
        )
        assert list(locked.iterdir()) == []


def test_a_formula_file_name_is_escaped_in_documents_csv(work, runner, tmp_path):
    formula = '=HYPERLINK("http://evil.example/","点击")'
    db = connect_index(work)
    db.execute(
        "UPDATE documents SET original_name = ? WHERE archive_no = 'Z109-WS·2026-D10-0001'",
        (formula,),
    )
    db.commit()
    db.close()
    assert (
        run(runner, "archive", "export", "--year", "2026", "--to", str(tmp_path / "bag")).exit_code
        == 0
    )
    with open(
        tmp_path / "bag" / "data" / "metadata" / "documents.csv", encoding="utf-8-sig", newline=""
    ) as fh:
        names = {r["archive_no"]: r["original_name"] for r in csv.DictReader(fh)}
    assert names["Z109-WS·2026-D10-0001"] == "'" + formula
    assert not any(n.startswith(("=", "+", "-", "@")) for n in names.values())


def test_csv_safe_keeps_plain_text_and_neutralises_triggers():
    assert csv_safe("投诉登记表.pdf") == "投诉登记表.pdf"
    assert [csv_safe(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx")] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
    ]
    assert csv_safe("a\x01b") == "a\ufffdb"


def test_export_prints_the_chain_head_anchor(work, runner, tmp_path):
    result = run(runner, "archive", "export", "--year", "2026", "--to", str(tmp_path / "bag"))
    assert result.exit_code == 0, result.output
    info = (tmp_path / "bag" / "bag-info.txt").read_text(encoding="utf-8")
    head = next(
        line.split(": ", 1)[1] for line in info.splitlines() if line.startswith("Event-Chain-Head")
    )
    head_id, head_hash = head.split()
    assert (
        f"链头锚点 (请另行保存, 以后用 archive verify --head 核对): #{head_id} {head_hash}"
        in result.output
    )
    assert run(runner, "archive", "verify", "--head", head_hash).exit_code == 0


def test_a_full_disk_during_export_is_a_chinese_error(work, runner, tmp_path, monkeypatch):
    real_write = Path.write_text

    def full_disk(self, *args, **kwargs):
        if str(self).startswith(str(tmp_path / ".bag")):
            raise OSError(28, "No space left on device")
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full_disk)  # the system edge: the disk fills up
    result = run(runner, "archive", "export", "--year", "2026", "--to", str(tmp_path / "bag"))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {tmp_path / 'bag'}: 无法写入导出目标, 请换一个可写的位置 (No space left on device)"
    )
    assert not (tmp_path / "bag").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
