"""Issue 14 point 8: arrangement before numbering (DA/T 22-2015). With ``[archive]
numbering = "arrange"`` intake gives provisional 预 numbers; ``archive arrange --year``
sorts by case (a CAPA goes with its case), then formation date, then form order, gives
the final gap-free 件号, re-stamps the access copies and seals the 年度."""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from archive_setup import form_pdf, make_workdir
from audit_setup import run
from conftest import SAMPLE_CASE, sample_for
from index_db import clone_database, fresh_database
from pypdf import PdfReader

from recordkit.archive.arrange import arrange
from recordkit.archive.service import Archive
from recordkit.cases.store import dump_case
from recordkit.config import DATABASE_ENV, Config, load_config
from recordkit.index.archive import Filters
from recordkit.index.ocr import OcrQueue

CATALOG = """\
forms:
  - {code: F01, title: 投诉登记表, file: F01.docx, retention: D10, kinds: [投诉], order: 1}
  - {code: F03, title: 投诉处理及反馈表, file: F03.docx, retention: D10, kinds: [投诉], order: 3}
  - {code: N02, title: 受理通知书, file: N02.docx, type: notice, when: acceptance, retention: D10, kinds: [投诉], order: 5}
  - {code: F26, title: 纠正和预防措施表, file: F26.docx, retention: D10, record_type: capa, kinds: [], order: 30}
"""

# In scan order: the two cases' documents interleaved, TS-2026-0005's CAPA in between.
SCANS = [
    ("TS-2026-0007", "F03"),  # 预0001
    ("TS-2026-0005", "F03"),  # 预0002
    ("CA-2026-001", "F26"),  # 预0003, source_case TS-2026-0005, closed 2026-04-15
    ("TS-2026-0007", "F01"),  # 预0004
    ("TS-2026-0005", "N02"),  # 预0005, dated by acceptance: 2026-03-03
    ("TS-2026-0005", "F01"),  # 预0006, dated by closing: 2026-03-21
]
P = "Z109-WS·2026-D10-预{:04d}".format
F = "Z109-WS·2026-D10-{:04d}".format
# case first, then formation date, then form order; the CAPA with its case
ARRANGED = [(P(5), F(1)), (P(6), F(2)), (P(2), F(3)), (P(3), F(4)), (P(4), F(5)), (P(1), F(6))]

_BUILT_DB: dict[str, str] = {}
_BUILT: dict[str, Path] = {}


def build(root: Path, numbering: str) -> Config:
    config = make_workdir(root, cases={}, extra=f'numbering = "{numbering}"')
    (root / "test_forms" / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    for case_no in ("TS-2026-0005", "TS-2026-0007"):
        path = root / "cases" / "2026" / f"{case_no}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            dump_case({"case_no": case_no, **copy.deepcopy(SAMPLE_CASE)}), encoding="utf-8"
        )
    capa = root / "records" / "capa" / "2026" / "CA-2026-001.yaml"
    capa.parent.mkdir(parents=True, exist_ok=True)
    data = {"record_no": "CA-2026-001", **sample_for("capa"), "source_case": "TS-2026-0005"}
    capa.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    sources = root.parent / f"{root.name}-sources"
    sources.mkdir()
    with Archive(config) as archive:
        for n, (case_no, form) in enumerate(SCANS, 1):  # one at a time: scan order is known
            report = archive.ingest([form_pdf(sources / f"{n}.pdf", case_no, form, serial=n)])
            assert report.ok, report.to_dict()
    shutil.rmtree(sources)
    return load_config(config.path)


def scanned(tmp_path: Path, monkeypatch, numbering: str = "arrange") -> Config:
    """A copy of the archive with SCANS ingested (built once per numbering rule)."""
    url = os.environ.get(DATABASE_ENV)
    if numbering not in _BUILT:
        folder = tmp_path.parent / f"arrange-template-{numbering}"
        if url:  # PostgreSQL: the template's index is a database of its own, kept as built
            _BUILT_DB[numbering] = fresh_database(url)
            monkeypatch.setenv(DATABASE_ENV, _BUILT_DB[numbering])
        build(folder / "w", numbering)
        _BUILT[numbering] = folder / "w"
    shutil.copytree(_BUILT[numbering], tmp_path / "w")
    if url:  # the copy of the folder gets a copy of its index
        monkeypatch.setenv(DATABASE_ENV, clone_database(_BUILT_DB[numbering]))
    monkeypatch.chdir(tmp_path / "w")
    return load_config(tmp_path / "w" / "recordkit.toml")


def documents(config: Config) -> list[dict]:
    """The index rows (archive-relative paths)."""
    with Archive(config) as archive:
        return archive.index.documents()


def stamped_text(config: Config, doc: dict) -> str:
    return PdfReader(config.archive_dir / doc["access_path"]).pages[0].extract_text()


def test_intake_gives_provisional_numbers_stamped_as_such(tmp_path, monkeypatch):
    config = scanned(tmp_path, monkeypatch)
    docs = {d["archive_no"]: d for d in documents(config)}
    assert sorted(docs) == sorted(P(n) for n in range(1, 7))
    doc = docs[P(2)]
    assert (doc["item_no"], doc["case_no"], doc["form_code"]) == (-2, "TS-2026-0005", "F03")
    assert doc["original_path"] == "store/2026/D10/Z109-WS_2026-D10-P0002.pdf"  # ASCII name
    assert "预0002" in stamped_text(config, doc)
    with Archive(config) as archive:
        checks = {c.name: c.detail for c in archive.index.checks(doc["intake_id"])}
    assert (
        checks["整理编号"]
        == f"预归档 {P(2)}; 整理后编定件号: recordkit archive arrange --year 2026"
    )


def test_arrange_sorts_by_case_date_and_form_order_gap_free_and_restamps(
    tmp_path, monkeypatch, runner
):
    config = scanned(tmp_path, monkeypatch)
    with Archive(config) as archive:  # OCR queued and one page read: rows that name the 档号
        queue = OcrQueue(archive.index)
        assert queue.enqueue_filed(archive.timestamp()) == 6
        queue.finish(P(3), [(1, "扫描识别的文字 王某某", "ocr")], archive.timestamp())
    result = run(runner, "archive", "arrange", "--year", "2026", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [(m["provisional"], m["final"]) for m in report["moves"]] == ARRANGED
    assert [m["case"] for m in report["moves"]] == ["TS-2026-0005"] * 4 + ["TS-2026-0007"] * 2
    assert sorted(report["restamped"]) == [F(n) for n in range(1, 7)] and report["ok"]
    docs = {d["archive_no"]: d for d in documents(config)}
    assert sorted(d["item_no"] for d in docs.values()) == [1, 2, 3, 4, 5, 6]
    capa = docs[F(4)]
    assert (capa["case_no"], capa["form_code"]) == ("CA-2026-001", "F26")
    # the original keeps its name (never moved); the access copy now shows the final 件号
    assert capa["original_path"] == "store/2026/D10/Z109-WS_2026-D10-P0003.pdf"
    text = stamped_text(config, capa)
    assert "0004" in text and "预" not in text
    with Archive(config) as archive:  # the text layer and the OCR queue follow the 档号
        assert [
            d["archive_no"] for d in archive.index.documents(Filters(text="CA-2026-001 #3"))
        ] == [F(4)]
        ocr = archive.index.documents(Filters(text="王某某"))
        queued = {r[0] for r in archive.index.conn.execute("SELECT archive_no FROM ocr_queue")}
    assert queued and not any("预" in number for number in queued)
    assert [d["archive_no"] for d in ocr] == [F(4)]
    assert run(runner, "archive", "verify").exit_code == 0
    check = json.loads(run(runner, "archive", "check", "--year", "2026", "--json").output)
    assert [s["ok"] for s in check["sequences"]] == [True]
    assert check["metadata_problems"] == [], check


def test_arrange_records_an_event_per_document_and_seals_the_year(tmp_path, monkeypatch, runner):
    config = scanned(tmp_path, monkeypatch)
    assert run(runner, "archive", "arrange", "--year", "2026").exit_code == 0
    with Archive(config) as archive:
        events = archive.index.events()
        assert archive.index.sealed_year(2026) is not None
        assert archive.index.chain_problems() == []
    moved = [json.loads(e["detail"]) for e in events if e["kind"] == "arranged"]
    assert [(m["from"], m["to"]) for m in moved] == ARRANGED
    (sealing,) = [json.loads(e["detail"]) for e in events if e["kind"] == "year_arranged"]
    assert (sealing["year"], sealing["count"], sealing["reopened"]) == (2026, 6, False)


def test_the_printout_and_a_dry_run(tmp_path, monkeypatch, runner):
    config = scanned(tmp_path, monkeypatch)
    dry = run(runner, "archive", "arrange", "--year", "2026", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "预览: 2026 年度将编定 6 件 (未改动; 去掉 --dry-run 执行)" in dry.output
    assert sorted(d["archive_no"] for d in documents(config)) == sorted(P(n) for n in range(1, 7))
    done = run(runner, "archive", "arrange", "--year", "2026")
    assert "2026 年度已整理: 编定 6 件, 重新加盖归档章 6 件; 年度已封存。" in done.output
    assert F(1) in done.output and P(5) in done.output


def test_an_interrupted_arrangement_finishes_when_run_again(tmp_path, monkeypatch, runner):
    """Numbers assigned (the one transaction), then stopped before re-stamping: the rerun
    re-stamps the copies and changes no number."""
    config = scanned(tmp_path, monkeypatch)
    with Archive(config) as archive:
        plan = arrange(archive, 2026, dry_run=True)
        archive.index.arrange(2026, [m.provisional for m in plan.moves],
                              lambda doc, n: F(n), archive.timestamp(), {"by": "test"})  # fmt: skip
        assert len(archive.index.restamps_pending(2026)) == 6
    assert "预" in stamped_text(
        config, next(d for d in documents(config) if d["archive_no"] == F(1))
    )
    result = run(runner, "archive", "arrange", "--year", "2026", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["moves"] == [] and sorted(report["restamped"]) == [F(n) for n in range(1, 7)]
    docs = documents(config)
    assert sorted(d["item_no"] for d in docs) == [1, 2, 3, 4, 5, 6]
    assert all("预" not in stamped_text(config, d) for d in docs)
    assert run(runner, "archive", "verify").exit_code == 0
    again = run(runner, "archive", "arrange", "--year", "2026")
    assert again.exit_code == 1
    assert (
        "Error: 2026 年度没有待整理的预归档文件, 件号均已是正式编号 (nothing to arrange)"
        in again.output
    )


def test_a_sealed_year_takes_later_scans_only_with_a_reason(tmp_path, monkeypatch, runner):
    config = scanned(tmp_path, monkeypatch)
    assert run(runner, "archive", "arrange", "--year", "2026").exit_code == 0
    late = form_pdf(tmp_path / "late.pdf", "TS-2026-0007", "N02", serial=77)
    with Archive(config) as archive:
        (result,) = archive.ingest([late]).results
        sealed_at = archive.index.sealed_year(2026)["sealed_at"][:16]
    assert result.archive_no == P(7)  # a provisional number is never handed out twice
    refused = run(runner, "archive", "arrange", "--year", "2026")
    assert refused.exit_code == 1
    assert (f"Error: 2026 年度已于 {sealed_at} 整理封存; 封存后接收的 1 件预归档文件须加 --reopen "
            '--reason "原因" 编入 (year sealed)') in refused.output  # fmt: skip
    assert run(runner, "archive", "arrange", "--year", "2026", "--reopen").exit_code == 2
    done = run(
        runner,
        "archive",
        "arrange",
        "--year",
        "2026",
        "--reopen",
        "--reason",
        "补扫受理通知书",
        "--json",
    )
    assert done.exit_code == 0, done.output
    assert [(m["provisional"], m["final"]) for m in json.loads(done.output)["moves"]] == [
        (P(7), F(7))
    ]
    with Archive(config) as archive:
        last = [
            json.loads(e["detail"]) for e in archive.index.events() if e["kind"] == "year_arranged"
        ][-1]
    assert (last["reason"], last["reopened"], last["count"]) == ("补扫受理通知书", True, 1)


def test_numbering_on_intake_is_unchanged(tmp_path, monkeypatch, runner):
    config = scanned(tmp_path, monkeypatch, numbering="on_intake")
    docs = sorted(documents(config), key=lambda d: d["item_no"])
    assert [(d["archive_no"], d["case_no"], d["form_code"]) for d in docs[:2]] == [
        (F(1), "TS-2026-0007", "F03"),
        (F(2), "TS-2026-0005", "F03"),
    ]
    result = run(runner, "archive", "arrange", "--year", "2026")
    assert result.exit_code == 1
    assert ("Error: 2026 年度没有待整理的预归档文件, 件号均已是正式编号; 本档案库接收时即编正式件号 "
            '([archive] numbering = "on_intake") (nothing to arrange)') in result.output  # fmt: skip


def test_a_year_without_documents(tmp_path, monkeypatch, runner):
    scanned(tmp_path, monkeypatch)
    result = run(runner, "archive", "arrange", "--year", "2030")
    assert result.exit_code == 1
    assert "Error: 2030 年度没有档案, 无从整理 (no documents filed for 2030)" in result.output


def test_a_bad_numbering_setting_is_named(tmp_path, monkeypatch, runner):
    config = make_workdir(tmp_path / "w", extra='numbering = "by_case"')
    monkeypatch.chdir(config.root)
    result = run(runner, "archive", "arrange", "--year", "2026")
    assert result.exit_code == 1
    assert f"Error: {config.path}: [archive] numbering: 应为 on_intake | arrange" in result.output


@pytest.mark.parametrize("number", [P(3), "Z109-WS_2026-D10-P0003"])
def test_a_provisional_number_is_shown_by_either_form(tmp_path, monkeypatch, runner, number):
    scanned(tmp_path, monkeypatch)
    result = run(runner, "archive", "show", number, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["archive_no"] == P(3)
