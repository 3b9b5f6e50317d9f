"""`archive verify`: every original re-hashed against the index, the event chain walked."""

from __future__ import annotations

import json
import os
import stat

import pytest
from audit_setup import run, stored, work_folder
from index_db import connect_index

from recordkit.archive.fixity import ALGORITHMS, digest_file, digest_files, file_digests
from recordkit.archive.service import Archive

FIRST = "Z109-WS·2026-D10-0001"


@pytest.fixture
def work(tmp_path, monkeypatch):
    return work_folder(tmp_path, monkeypatch)


def flip_one_byte(path):
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def events(config):
    with Archive(config) as archive:
        return archive.index.events()


def test_a_clean_archive_verifies_and_the_run_is_logged(work, runner):
    before = len(events(work))
    result = run(runner, "archive", "verify")
    assert result.exit_code == 0, result.output
    assert "校验通过: 7 件原件" in result.output
    assert "SHA-256 + SM3" in result.output
    assert f"事件日志哈希链完整: {before} 个事件" in result.output
    logged = events(work)
    assert len(logged) == before + 1
    assert logged[-1]["kind"] == "verified"
    detail = json.loads(logged[-1]["detail"])
    assert (
        detail["ok"] is True
        and detail["documents"] == 7
        and detail["algorithms"] == ["sha256", "sm3"]
    )
    assert run(runner, "archive", "verify").exit_code == 0  # the logged run keeps the chain intact


def test_one_byte_changed_names_the_archive_number(work, runner):
    flip_one_byte(stored(work, FIRST))
    result = run(runner, "archive", "verify")
    assert result.exit_code == 1
    assert "内容已改变 (1):" in result.output
    line = next(x for x in result.output.splitlines() if FIRST in x)
    assert "store/2026/D10/Z109-WS_2026-D10-0001.pdf" in line
    assert "SHA-256" in line and "SM3" in line
    assert "内容改变 1, 缺失 0, 未登记 0" in result.output


def test_a_deleted_original_is_reported_missing(work, runner):
    stored(work, FIRST).unlink()
    result = run(runner, "archive", "verify", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["ok"] is False
    assert data["missing"] == [{"kind": "missing", "path": "store/2026/D10/Z109-WS_2026-D10-0001.pdf",
                                "archive_no": FIRST, "detail": "原件缺失 (original missing)"}]  # fmt: skip
    assert data["changed"] == [] and data["unknown"] == []
    assert data["documents"] == 6


def test_a_stray_file_in_the_store_is_unknown(work, runner):
    stray = work.archive_dir / "store" / "2026" / "D10" / "别人放的.pdf"
    stray.write_bytes(b"%PDF-1.4\n%%EOF\n")
    result = run(runner, "archive", "verify")
    assert result.exit_code == 1
    assert "未登记的文件 (1):" in result.output
    assert (
        "store/2026/D10/别人放的.pdf: 档案库中有此文件, 但索引中没有 (not in the index)"
        in result.output
    )


def test_an_edited_event_breaks_the_chain_at_that_event(work, runner):
    conn = connect_index(work)
    conn.execute("UPDATE events SET detail = replace(detail, 'F01', 'F99') WHERE id = 3")
    conn.commit()
    conn.close()
    result = run(runner, "archive", "verify", "--json")
    assert result.exit_code == 1
    chain = json.loads(result.output)["chain"]
    assert chain["ok"] is False
    assert chain["first_break"]["event_id"] == 3
    assert "该事件被改写" in chain["first_break"]["problem"]


def test_a_deleted_event_is_the_first_broken_link(work, runner):
    conn = connect_index(work)
    conn.execute("DELETE FROM events WHERE id = 4")
    conn.commit()
    conn.close()
    result = run(runner, "archive", "verify")
    assert result.exit_code == 1
    assert (
        "事件日志哈希链断开 (共 1 处), 第一处: 事件 5 记录的前一哈希与事件 3的哈希不符"
        in result.output
    )
    # the document whose `filed` event went is named as well
    assert "事件日志缺少" in result.output and " 的 filed 事件" in result.output


def test_a_truncated_log_is_caught_by_the_documents(work, runner):
    conn = connect_index(work)
    last = conn.execute("SELECT archive_no FROM events ORDER BY id DESC LIMIT 1").fetchone()[0]
    conn.execute("DELETE FROM events WHERE id = (SELECT MAX(id) FROM events)")
    conn.commit()
    conn.close()
    result = run(runner, "archive", "verify")
    assert result.exit_code == 1
    assert f"事件日志缺少 {last} 的 filed 事件" in result.output


def test_year_limits_the_originals_read(work, runner):
    flip_one_byte(stored(work, "Z109-WS·2015-D10-0001"))
    result = run(runner, "archive", "verify", "--year", "2026", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["documents"] == 3 and data["year"] == 2026
    assert run(runner, "archive", "verify", "--year", "2015").exit_code == 1


def test_sha256_only_when_configured(work, runner):
    text = work.path.read_text(encoding="utf-8")
    work.path.write_text(
        text.replace("[archive]\n", '[archive]\nverify_algorithms = ["sha256"]\n', 1),
        encoding="utf-8",
    )
    result = run(runner, "archive", "verify", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["algorithms"] == ["sha256"]


def test_bad_algorithm_setting_is_a_config_error(work, runner):
    text = work.path.read_text(encoding="utf-8")
    work.path.write_text(
        text.replace("[archive]\n", '[archive]\nverify_algorithms = ["md5"]\n', 1), encoding="utf-8"
    )
    result = run(runner, "archive", "verify")
    assert result.exit_code == 1
    assert "[archive] verify_algorithms: 应为" in result.stderr


def test_threads_give_the_same_digests_as_fixity(work):
    paths = sorted((work.archive_dir / "store").rglob("*.pdf"))
    threaded = digest_files(paths, ALGORITHMS, jobs=4)
    for path, digest in zip(paths, threaded, strict=True):
        expected = file_digests(path)
        assert (digest.size, digest.sha256, digest.sm3) == (
            expected.size,
            expected.sha256,
            expected.sm3,
        )
    assert digest_file(work.root / "nope.pdf").missing


def test_a_destroyed_record_still_on_disk_is_a_problem(work):
    path = stored(work, FIRST)
    conn = connect_index(work)
    conn.execute("UPDATE documents SET status = 'destroyed' WHERE archive_no = ?", (FIRST,))
    conn.commit()
    conn.close()
    with Archive(work) as archive:
        report = archive.verify()
    assert [(p.kind, p.archive_no, p.path) for p in report.problems] == [
        ("not_destroyed", FIRST, "store/2026/D10/Z109-WS_2026-D10-0001.pdf"),
        ("not_destroyed", FIRST, "access/2026/D10/Z109-WS_2026-D10-0001.pdf"),
        # since 0.2.0 the row is also checked against the log, which never said destroyed
        ("index_mismatch", FIRST, "store/2026/D10/Z109-WS_2026-D10-0001.pdf"),
    ]
    assert path.exists()
