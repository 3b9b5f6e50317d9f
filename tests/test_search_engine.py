"""The search engine (recordkit/search/) on plain records: Chinese queries, case data,
OCR text, filters, ranking, snippets, rebuild, crash repair and a reader beside a writer."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from recordkit.search import SearchFilters, SearchIndex, SearchRecord, grams

RECORDS = [
    SearchRecord(
        "Z109-WS·2026-D10-0001",
        "TS-2026-0001",
        "F01",
        "投诉登记表",
        "投诉",
        "filed",
        "D10",
        2026,
        "2026-03-02",
        complainant="黄国栋",
        respondent="质检二科",
        subject="花生油酸价超标",
        content="购买的花生油有哈喇味，要求退款并赔偿。",
        stamp="1",
    ),
    SearchRecord(
        "Z109-WS·2026-D10-0002",
        "TS-2026-0002",
        "F05",
        "调查记录",
        "投诉",
        "filed",
        "D10",
        2026,
        "2026-05-10",
        complainant="李明",
        respondent="检测中心",
        subject="报告延迟",
        content="检测报告迟迟未出具。",
        text="扫描件中的抗压强度数据有误",
        stamp="1",
    ),
    SearchRecord(
        "Z109-WS·2025-D30-0001",
        "TS-2025-0001",
        "F01",
        "投诉登记表",
        "申诉",
        "filed",
        "D30",
        2025,
        "2025-11-20",
        complainant="王芳",
        respondent="计量所",
        subject="退款纠纷",
        content="申请退款，退款至今未到账，退款金额三百元。",
        stamp="1",
    ),
]


def by_no(records: list[SearchRecord]):
    table = {r.archive_no: r for r in records}
    return lambda nos: [table[n] for n in nos]


def filled(folder: Path, records: list[SearchRecord] = RECORDS) -> SearchIndex:
    index = SearchIndex(folder)
    index.sync("head-1", lambda: {r.archive_no: r.stamp for r in records}, by_no(records))
    return index


def found(index: SearchIndex, text: str, **filters: object) -> list[str]:
    return [h.archive_no for h in index.search(text, SearchFilters(**filters))]  # type: ignore[arg-type]


def test_grams_are_unigram_or_bigrams() -> None:
    assert grams("黄") == ["黄"]
    assert grams("退款") == ["退款"]
    assert grams("抗压强度") == ["抗压", "压强", "强度"]


def test_one_and_two_character_chinese_queries(tmp_path: Path) -> None:
    index = filled(tmp_path / "search")
    assert found(index, "黄") == ["Z109-WS·2026-D10-0001"]
    assert set(found(index, "退款")) == {"Z109-WS·2026-D10-0001", "Z109-WS·2025-D30-0001"}
    assert found(index, "黄国栋") == ["Z109-WS·2026-D10-0001"]  # complainant, from the case data
    assert found(index, "国黄") == []  # bigrams must match, not just the characters


def test_word_only_in_ocr_text_is_found(tmp_path: Path) -> None:
    assert found(filled(tmp_path / "search"), "抗压强度") == ["Z109-WS·2026-D10-0002"]


def test_case_number_and_archive_no_match_exactly(tmp_path: Path) -> None:
    index = filled(tmp_path / "search")
    assert found(index, "TS-2026-0002")[0] == "Z109-WS·2026-D10-0002"
    assert found(index, "ts-2026-0002")[0] == "Z109-WS·2026-D10-0002"
    assert found(index, "Z109-WS·2025-D30-0001")[0] == "Z109-WS·2025-D30-0001"


def test_filters(tmp_path: Path) -> None:
    index = filled(tmp_path / "search")
    assert found(index, "退款", year=2025) == ["Z109-WS·2025-D30-0001"]
    assert found(index, "退款", retention="d10") == ["Z109-WS·2026-D10-0001"]
    assert found(index, "投诉", kind="申诉") == ["Z109-WS·2025-D30-0001"]
    assert found(index, "", form_code="F05") == ["Z109-WS·2026-D10-0002"]
    assert found(index, "", status="filing") == []
    assert found(index, "", date_from="2026-04-01", date_to="2026-12-31") == [
        "Z109-WS·2026-D10-0002"
    ]
    assert len(found(index, "", date_to="2026-04-01")) == 2


def test_ranking_puts_the_denser_match_first(tmp_path: Path) -> None:
    # 退款 is four times in 2025-0001 (three in the text, once in the subject) and once in 2026-0001
    assert found(filled(tmp_path / "search"), "退款") == [
        "Z109-WS·2025-D30-0001",
        "Z109-WS·2026-D10-0001",
    ]


def test_snippet_marks_the_match(tmp_path: Path) -> None:
    index = filled(tmp_path / "search")
    (hit,) = index.search("抗压强度")
    assert hit.snippet == "检测报告迟迟未出具。 扫描件中的【抗压强度】数据有误"
    (hit,) = index.search("黄国栋", marks=("<mark>", "</mark>"))
    assert "<mark>黄国栋</mark>" in hit.snippet


def test_rebuild_drops_and_readds(tmp_path: Path) -> None:
    index = filled(tmp_path / "search")
    fewer = RECORDS[:2]
    report = index.rebuild("head-2", lambda: {r.archive_no: r.stamp for r in fewer}, by_no(fewer))
    assert report.added == 2 and index.count() == 2
    assert found(index, "王芳") == []


def test_sync_adds_missing_and_drops_gone(tmp_path: Path) -> None:
    """Crash repair: documents in SQL but not in the search index are added on the next sync."""
    index = filled(tmp_path / "search", RECORDS[:1])
    index.close()
    reopened = SearchIndex(tmp_path / "search")
    report = reopened.sync(
        "head-2", lambda: {r.archive_no: r.stamp for r in RECORDS[1:]}, by_no(RECORDS)
    )
    assert (report.added, report.removed) == (2, 1)
    assert found(reopened, "王芳") == ["Z109-WS·2025-D30-0001"] and found(reopened, "黄国栋") == []
    assert reopened.sync("head-2", dict, by_no(RECORDS)).skipped == "current"


def test_search_index_killed_after_commit_before_state(tmp_path: Path) -> None:
    """The index committed but its state did not: the next sync re-adds without duplicates."""
    index = filled(tmp_path / "search")
    index.state.drop([RECORDS[0].archive_no])
    index.sync("head-2", lambda: {r.archive_no: r.stamp for r in RECORDS}, by_no(RECORDS))
    assert index.count() == 3 and found(index, "黄国栋") == ["Z109-WS·2026-D10-0001"]


def test_reader_while_writing(tmp_path: Path) -> None:
    writer = filled(tmp_path / "search")
    reader = SearchIndex(tmp_path / "search")
    more = [
        SearchRecord(
            f"Z109-WS·2026-D10-{n:04d}", f"TS-2026-{n:04d}", content=f"第{n}号退款申请", stamp="1"
        )
        for n in range(10, 400)
    ]
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                assert "Z109-WS·2025-D30-0001" in found(reader, "退款")
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for start in range(0, len(more), 50):
            writer.upsert(more[start : start + 50])
    finally:
        done.set()
        thread.join()
    assert errors == []
    assert reader.count() == 3 + len(more)


def test_busy_writer_makes_sync_read_only(tmp_path: Path) -> None:
    from filelock import FileLock

    index = filled(tmp_path / "search", RECORDS[:1])
    with FileLock(str(tmp_path / "search" / "write.lock")):
        other = SearchIndex(tmp_path / "search")
        report = other.sync(
            "head-2", lambda: {r.archive_no: r.stamp for r in RECORDS}, by_no(RECORDS)
        )
    assert report.skipped == "busy" and other.count() == 1
    assert (
        index.sync("head-2", lambda: {r.archive_no: r.stamp for r in RECORDS}, by_no(RECORDS)).added
        == 2
    )


@pytest.mark.parametrize("query", ['"', "(", "a:b", "*", "——"])
def test_odd_queries_do_not_fail(tmp_path: Path, query: str) -> None:
    assert isinstance(found(filled(tmp_path / "search"), query), list)
