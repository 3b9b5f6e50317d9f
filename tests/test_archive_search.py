"""`recordkit archive search` / `archive reindex` on a real archive (issue 13, point 3):
the query box covers the case data and the scan's text, results are ranked with a
marked snippet, and the derived search index repairs itself from index.sqlite."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from archive_setup import form_pdf, make_workdir

from recordkit.archive.service import Archive
from recordkit.cases.store import dump_case
from recordkit.cli import cli


@pytest.fixture
def work(tmp_path, monkeypatch):
    config = make_workdir(tmp_path / "w")
    set_case(
        config.root / "cases" / "2026" / "TS-2026-0008.yaml",
        name="黄国栋",
        subject="花生油酸价超标",
    )
    monkeypatch.chdir(config.root)
    return config


def set_case(path, name: str, subject: str) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["complainant"]["name"] = name
    data["subject"]["description"] = subject
    data["content"] = f"{subject}，要求退款。"
    path.write_text(dump_case(data), encoding="utf-8")


def run(runner, *args):
    return runner.invoke(cli, list(args), obj={}, catch_exceptions=False)


def filed(runner, tmp_path) -> None:
    result = run(runner, "archive", "ingest", str(form_pdf(tmp_path / "a.pdf", "TS-2026-0007", "F01", 1)),
                 str(form_pdf(tmp_path / "b.pdf", "TS-2026-0008", "F03", 2)),
                 str(form_pdf(tmp_path / "c.pdf", "TS-2025-0003", "F01", 3)))  # fmt: skip
    assert result.exit_code == 0, result.output


def search(runner, *args) -> list[dict]:
    result = run(runner, "archive", "search", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_complainant_and_subject_found_through_the_case_data(work, runner, tmp_path):
    filed(runner, tmp_path)
    for query in ("黄国栋", "花生油", "退款"):
        assert [d["case_no"] for d in search(runner, query)] == ["TS-2026-0008"], query
    result = run(runner, "archive", "search", "黄国栋")
    assert "Z109-WS·2026-D30-0001: " in result.output and "【黄国栋】" in result.output
    assert "共 1 件。" in result.output


def test_one_and_two_character_queries(work, runner, tmp_path):
    filed(runner, tmp_path)
    assert [d["case_no"] for d in search(runner, "黄")] == ["TS-2026-0008"]
    assert len(search(runner, "李强")) == 2  # the other cases keep the sample complainant


def test_word_only_in_the_scan_text_is_found(work, runner, tmp_path):
    filed(runner, tmp_path)
    found = search(runner, "Signed")  # page 2 of each form; in no case file
    assert len(found) == 3 and all("【Signed】" in d["snippet"] for d in found)


def test_case_number_and_archive_no(work, runner, tmp_path):
    filed(runner, tmp_path)
    assert [d["case_no"] for d in search(runner, "TS-2025-0003")][0] == "TS-2025-0003"
    assert [d["archive_no"] for d in search(runner, "Z109-WS·2026-D10-0001")][
        0
    ] == "Z109-WS·2026-D10-0001"


def test_filters(work, runner, tmp_path):
    filed(runner, tmp_path)
    assert [d["case_no"] for d in search(runner, "李强", "--year", "2025")] == ["TS-2025-0003"]
    assert [d["form_code"] for d in search(runner, "投诉", "--form", "f03")] == ["F03"]
    assert [d["retention"] for d in search(runner, "投诉", "--retention", "d30")] == ["D30"]
    assert search(runner, "投诉", "--kind", "申诉") == []
    assert len(search(runner, "--kind", "投诉")) == 3
    assert (
        len(
            search(
                runner, "投诉", "--from", "2000-01-01", "--to", "2199-12-31", "--status", "filed"
            )
        )
        == 3
    )
    assert search(runner, "投诉", "--to", "2000-01-01") == []
    bad = run(runner, "archive", "search", "投诉", "--from", "昨天")
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: --from: ")


def test_ranking_puts_the_stronger_match_first(work, runner, tmp_path):
    other = work.root / "cases" / "2025" / "TS-2025-0003.yaml"
    data = yaml.safe_load(other.read_text(encoding="utf-8"))
    data["content"] = "同一批次的问题黄国栋也反映过。"
    other.write_text(dump_case(data), encoding="utf-8")
    filed(runner, tmp_path)
    ranked = search(runner, "黄国栋")  # the complainant of 0008; only mentioned in 0003's text
    assert [d["case_no"] for d in ranked] == ["TS-2026-0008", "TS-2025-0003"]
    assert ranked[0]["score"] > ranked[1]["score"]
    scores = [d["score"] for d in search(runner, "投诉")]
    assert len(scores) == 3 and scores == sorted(scores, reverse=True)


def test_new_documents_and_a_lost_search_index_are_repaired(work, runner, tmp_path):
    run(runner, "archive", "ingest", str(form_pdf(tmp_path / "a.pdf", "TS-2026-0008", "F01", 1)))
    assert len(search(runner, "黄国栋")) == 1
    # filed after the last search: in index.sqlite, not yet in the search index
    run(runner, "archive", "ingest", str(form_pdf(tmp_path / "b.pdf", "TS-2026-0008", "F03", 2)))
    assert len(search(runner, "黄国栋")) == 2
    shutil.rmtree(work.archive_dir / "search")  # a crash or a lost folder: derived, so rebuilt
    assert len(search(runner, "黄国栋")) == 2


def test_reindex_picks_up_an_edited_case_file(work, runner, tmp_path):
    filed(runner, tmp_path)
    assert search(runner, "林小慧") == []
    set_case(
        work.root / "cases" / "2026" / "TS-2026-0008.yaml", name="林小慧", subject="花生油酸价超标"
    )
    result = run(runner, "archive", "reindex")
    assert result.exit_code == 0 and result.output == "检索索引已重建: 3 件。\n"
    assert [d["case_no"] for d in search(runner, "林小慧")] == ["TS-2026-0008"]
    assert search(runner, "黄国栋") == []


def test_library_list_keeps_the_sql_path(work, runner, tmp_path):
    filed(runner, tmp_path)
    with Archive(work) as archive:
        assert [d["year"] for d in archive.list(2025)] == [2025]
        assert not (
            work.archive_dir / "search"
        ).exists()  # the complete listing never opens the search index
