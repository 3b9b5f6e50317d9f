"""The ingest pipeline on real PDFs: what gets filed, what is routed where, and why."""

from __future__ import annotations

import json
import os
import shutil
import stat
import time
from pathlib import Path

import pdf_factory as pf
import pytest
from archive_setup import (
    add_case,
    assert_each_input_ended_once,
    form_pdf,
    make_workdir,
    scan_pdf,
    sha256,
)
from pypdf import PdfReader

from recordkit.archive.intake import safe_name
from recordkit.archive.service import Archive
from recordkit.archive.settings import ArchiveSettings
from recordkit.archive.steps import STEPS
from recordkit.config import load_config
from recordkit.errors import (
    ArchiveError,
    CaseNotFoundError,
    ConfigError,
    DocumentNotFoundError,
    UnknownFormError,
)

JSON_KEYS = {"archive_no", "case_no", "form_code", "year", "retention", "item_no", "pages", "sha256", "sm3",
             "signed", "disposal_due", "status", "original_path", "access_path", "filed_at", "checks"}  # fmt: skip


@pytest.fixture
def config(tmp_path):
    return make_workdir(tmp_path / "w")


@pytest.fixture
def archive(config):
    with Archive(config) as a:
        yield a


def ingest(archive: Archive, *paths: Path, jobs: int = 1):
    report = archive.ingest(list(paths), jobs=jobs)
    return report.results


def reason_of(config, result) -> str:
    return (config.archive_dir / (result.destination + ".reason.txt")).read_text(encoding="utf-8")


def test_steps_are_declared_in_pipeline_order():
    assert [s.__name__ for s in STEPS] == [
        "check_file", "check_fixity", "refuse_duplicate", "inspect_scan", "identify_format", "scan_for_viruses",
        "identify", "classify",
        "assign_number", "store_original", "stamp_copy", "mark_filed", "log_filing",
    ]  # fmt: skip


def test_born_digital_form_is_filed_stamped_and_indexed(config, archive, tmp_path):
    src = form_pdf(tmp_path / "登记表.pdf", serial=1)
    original = src.read_bytes()
    (result,) = ingest(archive, src)
    assert result.outcome == "filed"
    assert result.archive_no == "Z109-WS·2026-D10-0001"
    assert not src.exists()  # taken out of where it was
    doc = archive.show(result.archive_no)
    assert JSON_KEYS <= set(doc)
    assert doc["case_no"] == "TS-2026-0007" and doc["form_code"] == "F01" and doc["year"] == 2026
    assert doc["retention"] == "D10" and doc["disposal_due"] == "2037-01-01"
    assert doc["item_no"] == 1 and doc["pages"] == 2 and doc["signed"] == "none"
    assert doc["status"] == "filed" and doc["identified_by"] == "qr"
    assert doc["original_name"] == "登记表.pdf"
    stored = Path(doc["original_path"])
    assert stored.name == "Z109-WS_2026-D10-0001.pdf"
    assert stored.read_bytes() == original  # bit for bit
    assert doc["sha256"] == sha256(stored)
    assert not os.stat(stored).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    access = Path(doc["access_path"])
    assert access.read_bytes() != original
    stamp_text = PdfReader(str(access)).pages[0].extract_text()
    for cell in ("Z109", "2026", "0001", "10年", "2"):
        assert cell in stamp_text
    categories = {c["category"] for c in doc["checks"]}
    assert categories == {"真实性", "完整性", "可用性", "安全性"}
    # issue 14 point 12: no signature reads 无 (none), a plain PDF is flagged as not PDF/A
    not_passed = {
        c["name"]: c["result"]
        for c in doc["checks"]
        if c["result"] != "pass" and c["name"] != "病毒检测"
    }
    assert not_passed == {"数字签名": "none", "长期保存格式": "warn"}
    assert archive.index.chain_problems() == []
    kinds = [e["kind"] for e in archive.index.events()]
    assert kinds == ["filed"]


def test_scanned_looking_form_is_identified_by_its_qr_and_stamped(config, archive, tmp_path):
    src = scan_pdf(tmp_path / "SCAN0001.pdf", tmp_path, form="F03", serial=3)
    (result,) = ingest(archive, src)
    assert result.outcome == "filed", result.reason
    doc = archive.show(result.archive_no)
    assert doc["identified_by"] == "qr" and doc["form_code"] == "F03"
    assert doc["retention"] == "D30" and doc["disposal_due"] == "2057-01-01"
    assert result.archive_no == "Z109-WS·2026-D30-0001"
    assert "30年" in PdfReader(doc["access_path"]).pages[0].extract_text()


def test_each_year_and_retention_has_its_own_unbroken_sequence(config, archive, tmp_path):
    files = [
        form_pdf(tmp_path / "a.pdf", "TS-2026-0007", "F01", 1),
        form_pdf(tmp_path / "b.pdf", "TS-2026-0008", "F01", 2),
        form_pdf(tmp_path / "c.pdf", "TS-2025-0003", "F01", 3),
        form_pdf(tmp_path / "d.pdf", "TS-2026-0007", "F19", 4),
        form_pdf(tmp_path / "e.pdf", "TS-2026-0008", "F01", 5),
    ]
    results = ingest(archive, *files)
    assert [r.archive_no for r in results] == [
        "Z109-WS·2026-D10-0001", "Z109-WS·2026-D10-0002", "Z109-WS·2025-D10-0001",
        "Z109-WS·2026-Y-0001", "Z109-WS·2026-D10-0003",
    ]  # fmt: skip
    permanent = archive.show("Z109-WS·2026-Y-0001")
    assert permanent["disposal_due"] is None
    assert [d["item_no"] for d in archive.list(2026) if d["retention"] == "D10"] == [1, 2, 3]


def test_retention_table_and_department_code_from_recordkit_toml(tmp_path):
    config = make_workdir(tmp_path / "w", retention='F01 = "D30"\nD30 = "D50"', department="ZLB")
    with Archive(config) as archive:
        results = ingest(archive, form_pdf(tmp_path / "a.pdf", form="F01", serial=1),
                         form_pdf(tmp_path / "b.pdf", form="F03", serial=2))  # fmt: skip
        assert [r.archive_no for r in results] == [
            "Z109-WS·2026-D30-ZLB-0001",
            "Z109-WS·2026-D50-ZLB-0001",
        ]
        assert archive.show(results[1].archive_no)["disposal_due"] == "2077-01-01"


def test_bad_retention_setting_is_a_config_error(tmp_path):
    config = make_workdir(tmp_path / "w", retention='F01 = "forever"')
    with pytest.raises(
        ConfigError, match=r"\[archive\]\.retention F01: 保管期限代码 'forever' 格式不对"
    ):
        ArchiveSettings.from_config(load_config(config.path))


def test_signed_pdf_is_filed_with_its_signature_status(config, archive, tmp_path):
    (result,) = ingest(archive, pf.signed(tmp_path / "signed.pdf"))
    assert result.outcome == "filed"
    doc = archive.show(result.archive_no)
    assert doc["signed"] == "valid"
    (sig,) = [c for c in doc["checks"] if c["name"] == "数字签名"]
    assert sig["result"] == "warn" and "不受信任" in sig["detail"]  # self-signed test certificate
    assert doc["signatures"][0]["status"] == "valid"


def test_signed_pdf_changed_after_signing_is_quarantined(config, archive, tmp_path):
    signed = pf.signed(tmp_path / "signed.pdf")
    tampered = pf.tampered_copy(tmp_path / "tampered.pdf", signed)
    data = tampered.read_bytes()
    (result,) = ingest(archive, tampered)
    assert result.outcome == "quarantine"
    assert result.destination == "quarantine/tampered.pdf"
    reason = reason_of(config, result)
    assert "检查项 (check): 真实性 — 数字签名" in reason
    assert "签名后文件被修改" in reason and "处理办法" in reason
    assert (config.archive_dir / "quarantine/tampered.pdf").read_bytes() == data


def test_invalid_signature_can_be_filed_when_configured(tmp_path):
    config = make_workdir(tmp_path / "w", extra='invalid_signature = "file"')
    signed = pf.signed(tmp_path / "signed.pdf")
    with Archive(config) as archive:
        (result,) = ingest(archive, pf.tampered_copy(tmp_path / "tampered.pdf", signed))
        assert result.outcome == "filed"
        doc = archive.show(result.archive_no)
    assert doc["signed"] == "invalid"
    assert [c["result"] for c in doc["checks"] if c["name"] == "数字签名"] == ["fail"]


@pytest.mark.parametrize(
    ("maker", "check", "words"),
    [
        (lambda d: pf.encrypted(d / "x.pdf"), "可用性 — 加密", "需要密码"),
        (lambda d: pf.with_javascript(d / "x.pdf"), "安全性 — 活动内容", "JavaScript"),
        (lambda d: pf.with_launch_annotation(d / "x.pdf"), "安全性 — 活动内容", "Launch"),
        (lambda d: pf.with_embedded_file(d / "x.pdf"), "安全性 — 活动内容", "EmbeddedFiles"),
        (
            lambda d: pf.truncated(d / "x.pdf", form_pdf(d / "src.pdf")),
            "完整性 — 文件完整",
            "%%EOF",
        ),
        (lambda d: pf.zero_byte(d / "x.pdf"), "完整性 — 文件大小", "文件为空"),
        (lambda d: pf.text_renamed(d / "x.pdf"), "可用性 — 文件格式", "不是 PDF"),
        (lambda d: pf.garbage_with_header(d / "x.pdf"), "可用性 — 文件解析", "无法解析"),
    ],
    ids=[
        "encrypted",
        "javascript",
        "launch",
        "embedded",
        "truncated",
        "zero-byte",
        "text-as-pdf",
        "garbage",
    ],
)
def test_bad_files_are_quarantined_with_a_chinese_reason(
    config, archive, tmp_path, maker, check, words
):
    src = maker(tmp_path)
    data = src.read_bytes()
    (result,) = ingest(archive, src)
    assert result.outcome == "quarantine", result
    assert result.check == check
    reason = reason_of(config, result)
    assert f"检查项 (check): {check}" in reason and words in reason
    assert "文件 (file): x.pdf" in reason and "处理办法 (what to do):" in reason
    assert (config.archive_dir / result.destination).read_bytes() == data  # untouched
    assert archive.list() == []
    (row,) = archive.index.intakes()
    assert (
        row["state"] == "done"
        and row["outcome"] == "quarantine"
        and row["destination"] == result.destination
    )


def test_too_large_file_is_quarantined(tmp_path):
    config = make_workdir(tmp_path / "w", extra="max_file_mb = 0.001")
    with Archive(config) as archive:
        (result,) = ingest(archive, form_pdf(tmp_path / "big.pdf", serial=1))
    assert result.outcome == "quarantine" and result.check == "可用性 — 文件大小"
    assert "max_file_mb" in reason_of(config, result)


def test_a_500_page_file_is_filed_with_all_its_pages(config, archive, tmp_path):
    src = pf.many_pages(tmp_path / "TS-2026-0042_F01_整卷扫描.pdf", pages=500)
    started = time.perf_counter()
    (result,) = ingest(archive, src)
    elapsed = time.perf_counter() - started
    assert result.outcome == "filed", result.reason
    doc = archive.show(result.archive_no)
    assert (
        doc["pages"] == 500
        and doc["identified_by"] == "filename"
        and doc["case_no"] == "TS-2026-0042"
    )
    assert len(PdfReader(doc["access_path"]).pages) == 500
    assert elapsed < 60


def test_same_bytes_twice_go_to_duplicates_naming_the_filed_document(config, archive, tmp_path):
    first = form_pdf(tmp_path / "a.pdf", serial=1)
    (tmp_path / "again").mkdir()
    second = tmp_path / "again" / "a.pdf"
    shutil.copyfile(first, second)
    results = ingest(archive, first, second)
    assert [r.outcome for r in results] == ["filed", "duplicate"]
    assert results[1].archive_no == results[0].archive_no
    assert results[1].destination == "duplicates/a.pdf"
    assert f"与已归档的 {results[0].archive_no} 内容完全相同" in reason_of(config, results[1])
    assert [e["kind"] for e in archive.index.events()] == ["filed", "duplicate"]


def test_qr_of_an_unknown_case_goes_to_unidentified_then_assign_files_it(config, archive, tmp_path):
    src = form_pdf(tmp_path / "x.pdf", case_no="TS-2026-0999", serial=1)
    (result,) = ingest(archive, src)
    assert result.outcome == "unidentified"
    reason = reason_of(config, result)
    assert "二维码中的案件编号 TS-2026-0999 不在案件库中" in reason
    assert "recordkit archive assign" in reason
    parked = config.archive_dir / result.destination
    filed = archive.assign(parked, "TS-2026-0008", "F03")
    assert filed.outcome == "filed" and filed.case_no == "TS-2026-0008"
    assert not parked.exists() and not Path(str(parked) + ".reason.txt").exists()
    doc = archive.show(filed.archive_no)
    assert (
        doc["identified_by"] == "assign"
        and doc["original_name"] == "x.pdf"
        and doc["retention"] == "D30"
    )
    first, second = archive.index.intakes()
    assert first["superseded_by"] == second["id"] and second["outcome"] == "filed"


def test_assign_checks_case_and_form_before_moving_anything(config, archive, tmp_path):
    src = form_pdf(tmp_path / "x.pdf", case_no="TS-2026-0999", serial=1)
    with pytest.raises(CaseNotFoundError):
        archive.assign(src, "TS-2026-0999", "F01")
    with pytest.raises(UnknownFormError):
        archive.assign(src, "TS-2026-0007", "F77")
    with pytest.raises(ArchiveError, match="文件不存在"):
        archive.assign(tmp_path / "nope.pdf", "TS-2026-0007", "F01")
    assert src.exists()


def test_case_found_later_can_be_assigned(config, archive, tmp_path):
    (result,) = ingest(archive, form_pdf(tmp_path / "x.pdf", case_no="TS-2026-0100", serial=1))
    assert result.outcome == "unidentified"
    add_case(config.root, "TS-2026-0100", 2026)
    filed = archive.assign(config.archive_dir / result.destination, "TS-2026-0100", "F01")
    assert filed.outcome == "filed"


def test_identification_by_file_name_and_by_text(config, archive, tmp_path):
    by_name = pf.born_digital(
        tmp_path / "TS-2026-0008_F03_签字版 (1).pdf", payload=None, case_no=None
    )
    by_text = pf.born_digital(tmp_path / "scan.pdf", payload=None, case_no="TS-2026-0007")
    results = ingest(archive, by_name, by_text)
    assert [r.outcome for r in results] == ["filed", "filed"], results
    docs = [archive.show(r.archive_no) for r in results]
    assert [(d["identified_by"], d["case_no"], d["form_code"]) for d in docs] == [
        ("filename", "TS-2026-0008", "F03"), ("text", "TS-2026-0007", "F01"),
    ]  # fmt: skip


def test_nothing_to_identify_goes_to_unidentified(config, archive, tmp_path):
    (result,) = ingest(archive, pf.born_digital(tmp_path / "scan.pdf", payload=None, case_no=None))
    assert result.outcome == "unidentified"
    assert "未找到二维码" in reason_of(config, result)


def test_awkward_names_are_stored_under_the_archive_number(config, archive, tmp_path):
    names = [
        "带 空格 的 扫描件.pdf",
        "..双点..pdf",
        "a" * 100 + "很长的名字" * 9 + ".pdf",
        "name with spaces.pdf",
    ]
    files = [form_pdf(tmp_path / n, serial=i) for i, n in enumerate(names)]
    results = ingest(archive, *files)
    assert [r.outcome for r in results] == ["filed"] * 4
    for result, name in zip(results, names, strict=True):
        doc = archive.show(result.archive_no)
        assert doc["original_name"] == name
        assert Path(doc["original_path"]).name.startswith("Z109-WS_2026-D10-")
        assert doc["original_path"].isascii()


def test_colliding_names_in_quarantine_are_kept_apart(config, archive, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = pf.text_renamed(tmp_path / "a" / "扫描.pdf")
    two = pf.zero_byte(tmp_path / "b" / "扫描.pdf")
    long = pf.text_renamed(tmp_path / ("长" * 80 + ".pdf"))
    results = ingest(archive, one, two, long)
    assert [r.destination for r in results[:2]] == [
        "quarantine/扫描.pdf",
        "quarantine/扫描 (2).pdf",
    ]
    assert len(results[2].destination.split("/")[-1].encode()) <= 180
    for result in results:
        assert (config.archive_dir / (result.destination + ".reason.txt")).is_file()


def test_safe_names():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name(".hidden.pdf") == "hidden.pdf"
    assert safe_name("a:b*c?.pdf") == "a_b_c_.pdf"
    assert safe_name("") == "file.pdf"


def test_inbox_subfolders_are_walked_and_temporary_files_left_alone(config, archive, tmp_path):
    inbox = config.archive_dir / "inbox"
    (inbox / "2026" / "三月").mkdir(parents=True)
    form_pdf(inbox / "2026" / "三月" / "a.pdf", serial=1)
    form_pdf(inbox / "b.pdf", serial=2)
    for temp in ("~$b.pdf", "c.pdf.part", "d.tmp", ".hidden.pdf", "notes.txt"):
        (inbox / temp).write_bytes(b"%PDF-1.4 still being written")
    report = archive.ingest(inbox=True)
    assert sorted(r.source for r in report.results) == ["inbox/2026/三月/a.pdf", "inbox/b.pdf"]
    assert all(r.outcome == "filed" for r in report.results)
    assert sorted(report.ignored) == sorted(
        [".hidden.pdf", "c.pdf.part", "d.tmp", "notes.txt", "~$b.pdf"]
    )
    assert (inbox / "c.pdf.part").exists() and (inbox / "~$b.pdf").exists()


def test_one_shot_ingest_waits_for_a_file_that_is_still_growing(tmp_path):
    config = make_workdir(tmp_path / "w", stability=0.5)
    inbox = config.archive_dir / "inbox"
    data = form_pdf(tmp_path / "full.pdf", serial=1).read_bytes()
    target = inbox / "slow.pdf"
    target.write_bytes(data[:100])
    with Archive(config) as archive:
        ticks = iter(range(1000))
        clock = [0.0]

        def fake_sleep(seconds: float) -> None:  # the writer finishes after a few polls
            clock[0] += seconds
            if next(ticks) == 3:
                target.write_bytes(data)
                os.utime(target, (time.time() + 1, time.time() + 1))

        stable, writing = archive.wait_until_stable(
            [target], clock=lambda: clock[0], sleep=fake_sleep
        )
        assert stable == [target] and writing == []
        assert clock[0] >= 0.5 + 0.5  # the clock restarted when the file changed
        stable, writing = archive.wait_until_stable(
            [target], clock=lambda: clock[0], sleep=fake_sleep, max_wait=0
        )
        assert stable == [] and writing == [target]


def test_search_by_text_case_form_year_and_retention(config, archive, tmp_path):
    ingest(
        archive,
        form_pdf(tmp_path / "a.pdf", "TS-2026-0007", "F01", 1),
        form_pdf(tmp_path / "b.pdf", "TS-2026-0008", "F03", 2),
        form_pdf(tmp_path / "c.pdf", "TS-2025-0003", "F01", 3),
    )
    # ranked by relevance now (issue 13), so compared as a set
    assert sorted(d["case_no"] for d in archive.search("投诉处理")) == [
        "TS-2025-0003",
        "TS-2026-0007",
        "TS-2026-0008",
    ]
    assert [d["case_no"] for d in archive.search("TS-2026-0008")] == ["TS-2026-0008"]
    assert [d["archive_no"] for d in archive.search(case_no="TS-2026-0007")] == [
        "Z109-WS·2026-D10-0001"
    ]
    assert [d["form_code"] for d in archive.search(form_code="f03")] == ["F03"]
    assert [d["year"] for d in archive.search(year=2025)] == [2025]
    assert [d["retention"] for d in archive.search(retention="D30")] == ["D30"]
    assert archive.search("不存在的文字") == []
    assert archive.search("100%_") == []  # LIKE wildcards are literal
    assert archive.index.has_trigram


def test_show_accepts_the_stored_name_form_and_rejects_unknown_numbers(config, archive, tmp_path):
    (result,) = ingest(archive, form_pdf(tmp_path / "a.pdf", serial=1))
    assert archive.show("Z109-WS_2026-D10-0001")["archive_no"] == result.archive_no
    with pytest.raises(DocumentNotFoundError, match="找不到档号为 Z109-WS·2026-D10-0002 的档案"):
        archive.show("Z109-WS·2026-D10-0002")
    with pytest.raises(ArchiveError, match="不是有效的档号"):
        archive.show("../etc")


def test_every_input_ends_exactly_once_and_the_journal_says_where(config, archive, tmp_path):
    files = [form_pdf(tmp_path / f"f{i}.pdf", serial=i) for i in range(6)]
    shutil.copyfile(files[0], tmp_path / "dup.pdf")
    files.append(tmp_path / "dup.pdf")
    files.append(pf.text_renamed(tmp_path / "bad.pdf"))
    files.append(form_pdf(tmp_path / "who.pdf", case_no="TS-2026-0555", serial=99))
    shas = [sha256(f) for f in files]
    report = archive.ingest(files, jobs=2)
    assert report.balanced and report.counts() == {
        "filed": 6, "duplicate": 1, "unidentified": 1, "quarantine": 1, "error": 0,
    }  # fmt: skip
    assert_each_input_ended_once(config, shas)
    journal = archive.index.intakes()
    assert len(journal) == len(files) and all(r["state"] == "done" for r in journal)
    for row in journal:
        assert (config.archive_dir / row["destination"]).is_file()
    assert sorted(d["item_no"] for d in archive.list()) == [1, 2, 3, 4, 5, 6]
    assert archive.index.chain_problems() == []
    events = archive.index.events()
    assert len(events) == len(files)
    json.dumps(report.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize("printer", ["libreoffice", "reportlab"])
def test_demo_prints_signs_scans_and_files_generated_forms(tmp_path, monkeypatch, printer):
    from conftest import soffice_missing

    from recordkit.cases import schema
    from recordkit.cases.store import CaseBook, read_case_file
    from recordkit.clock.setup import open_casebook
    from recordkit.config import init_workdir
    from recordkit.demo.archive import demo_archive
    from recordkit.demo.samples import EXAMPLES
    from recordkit.forms.generator import make_generator

    if printer == "libreoffice" and soffice_missing():
        pytest.skip(soffice_missing())
    if printer == "reportlab":
        monkeypatch.setenv("RECORDKIT_SOFFICE", str(tmp_path / "no-such-soffice"))
    config = init_workdir(tmp_path / "w", fonds_no="Z109", profile="hospital")
    # SS-2026-0001 names its CAPA, which must exist first (issue 14, point 4).
    CaseBook(config, rtype=schema.record_type("capa")).add(
        read_case_file(EXAMPLES / "records" / "capa" / "CA-2026-002.yaml")[0]
    )
    book = open_casebook(config)
    for name in ("TS-2026-0001.yaml", "SS-2026-0001.yaml"):
        book.add(read_case_file(EXAMPLES / "cases" / name)[0])
    generator = make_generator(config)
    cases, _ = generator.load_cases(None)
    generator.run(generator.plan(cases, ["F01", "F03", "F12"]))
    generator.close()
    lines: list[str] = []
    tables: list[tuple[list[str], list[list]]] = []
    report = demo_archive(config, lines.append, lambda h, r: tables.append((h, r)), limit=3)
    assert report.counts()["filed"] == 3 and report.counts()["duplicate"] == 1, report.to_dict()
    (headers, rows), (catalogue_headers, catalogue_rows) = (
        tables  # issue 14 point 10: the catalogue excerpt
    )
    assert catalogue_headers == ["档号", "责任者", "题名", "日期"] and len(catalogue_rows) == 3
    assert all(row[2].startswith("关于") for row in catalogue_rows)
    assert headers[0] == "档号" and len(rows) == 3
    assert {row[1] for row in rows} == {"TS-2026-0001", "SS-2026-0001"}
    assert {row[7] for row in rows} == {"qr"}  # every scan identified by its QR code
    assert any(
        ("LibreOffice" if printer == "libreoffice" else "reportlab") in line for line in lines
    )


def test_scan_of_a_record_form_is_filed_under_the_record(config, tmp_path):
    """Incidents, CAPAs, rectification notices and service sheets carry their own numbers
    (SG-/CA-/ZG-/FW-) in the QR; the archive finds them like cases."""
    import shutil

    catalog = config.templates_dir / "catalog.yaml"
    catalog.write_text(
        catalog.read_text(encoding="utf-8")
        + "  - {code: F23, title: 质量事故调查处理报告表, file: F23.docx, retention: D30, kinds: []}\n",
        encoding="utf-8",
    )
    example = (
        Path(__file__).resolve().parent.parent
        / "examples"
        / "records"
        / "incident"
        / "SG-2026-0002.yaml"
    )
    target = config.root / "records" / "incident" / "2026" / example.name
    target.parent.mkdir(parents=True)
    shutil.copy(example, target)
    with Archive(config) as archive:
        (result,) = ingest(
            archive,
            form_pdf(tmp_path / "事故报告.pdf", case_no="SG-2026-0002", form="F23", serial=9),
        )
        assert result.outcome == "filed", result.reason
        doc = archive.show(result.archive_no)
    assert doc["case_no"] == "SG-2026-0002" and doc["form_code"] == "F23" and doc["year"] == 2026
    assert result.archive_no == "Z109-WS·2026-D30-0001"
