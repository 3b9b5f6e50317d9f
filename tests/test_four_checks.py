"""Issue 14 point 12: the 四性检测 (DA/T 70-2018) complete and honest — no signature reads
无, the long-term format is identified, ClamAV scans where installed (未执行 otherwise)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import zipfile
from pathlib import Path

import pytest
from archive_setup import form_pdf, make_workdir
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, StreamObject

from recordkit.archive.service import Archive
from recordkit.cli import cli

PDFA_XMP = b"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="2" pdfaid:conformance="B"/>
</rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""


@pytest.fixture
def config(tmp_path):
    return make_workdir(tmp_path / "w")


def fake_scanner(folder: Path, name: str, exit_code: int, line: str) -> Path:
    """A stand-in ClamAV on PATH: the real program is a system edge this test cannot install."""
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / name
    exe.write_text(
        f'#!/bin/sh\nfor f; do last="$f"; done\necho "$last: {line}"\nexit {exit_code}\n'
    )
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return exe


def only_path(monkeypatch, folder: Path) -> None:
    """PATH holding only ``folder`` (and /bin for sh), so a real ClamAV never answers."""
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}/bin")


def checks_of(config, scan: Path) -> tuple[object, dict[str, tuple[str, str]]]:
    with Archive(config) as archive:
        result = archive.ingest([scan], jobs=1).results[0]
        if result.archive_no:
            doc = archive.show(result.archive_no)
            return result, {c["name"]: (c["result"], c["detail"]) for c in doc["checks"]}
        return result, {}


def test_no_signature_reads_none_never_passed(config, tmp_path):
    _, checks = checks_of(config, form_pdf(tmp_path / "a.pdf"))
    assert checks["数字签名"] == ("none", "无数字签名 (none)")
    out = CliRunner().invoke(
        cli, ["--config", str(config.path), "archive", "show", "Z109-WS·2026-D10-0001"]
    )
    assert out.exit_code == 0, out.output
    assert [line for line in out.output.splitlines() if "数字签名" in line][0].split()[2] == "无"


def test_plain_pdf_is_identified_and_not_called_pdfa(config, tmp_path):
    _, checks = checks_of(config, form_pdf(tmp_path / "a.pdf"))
    result, detail = checks["长期保存格式"]
    assert result == "warn" and detail.startswith("PDF-1.") and "未声明 PDF/A" in detail


def test_pdfa_claim_is_read_from_xmp(config, tmp_path):
    source = form_pdf(tmp_path / "src.pdf")
    writer = PdfWriter(clone_from=PdfReader(str(source)))
    metadata = StreamObject()
    metadata.set_data(PDFA_XMP)
    metadata[NameObject("/Type")] = NameObject("/Metadata")
    metadata[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(metadata)
    target = tmp_path / "pdfa.pdf"
    with open(target, "wb") as fh:
        writer.write(fh)
    _, checks = checks_of(config, target)
    assert checks["长期保存格式"][0] == "pass"
    assert "声明符合 PDF/A-2b" in checks["长期保存格式"][1]


def test_ofd_is_recognised(config, tmp_path):
    ofd = tmp_path / "通知书.ofd"
    with zipfile.ZipFile(ofd, "w") as package:
        package.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
        package.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    result, _ = checks_of(config, ofd)
    assert result.outcome == "quarantine"
    assert "OFD 版式文件 (GB/T 33190-2016), 已识别" in result.reason


def test_without_clamav_the_scan_is_recorded_as_not_run(config, tmp_path, monkeypatch):
    only_path(monkeypatch, tmp_path / "empty-bin")
    _, checks = checks_of(config, form_pdf(tmp_path / "a.pdf"))
    assert checks["病毒检测"] == ("skipped", "未安装 ClamAV (clamscan / clamdscan), 未执行病毒检测")
    out = CliRunner().invoke(
        cli, ["--config", str(config.path), "archive", "show", "Z109-WS·2026-D10-0001"]
    )
    assert [line for line in out.output.splitlines() if "病毒检测" in line][0].split()[
        2
    ] == "未执行"


def test_clamscan_clean(config, tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    fake_scanner(bin_dir, "clamscan", 0, "OK")
    only_path(monkeypatch, bin_dir)
    _, checks = checks_of(config, form_pdf(tmp_path / "a.pdf"))
    assert checks["病毒检测"] == ("pass", "clamscan: 未发现病毒")


def test_clamscan_finding_a_virus_quarantines(config, tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    fake_scanner(bin_dir, "clamscan", 1, "Eicar-Test-Signature FOUND")
    only_path(monkeypatch, bin_dir)
    result, _ = checks_of(config, form_pdf(tmp_path / "a.pdf"))
    assert result.outcome == "quarantine"
    assert result.check == "安全性 — 病毒检测"
    assert result.reason == "clamscan: 发现病毒 Eicar-Test-Signature FOUND"


def test_an_index_from_before_accepts_the_new_results(config, tmp_path):
    checks_of(config, form_pdf(tmp_path / "a.pdf", serial=1))
    conn = sqlite3.connect(config.archive_dir / "index.sqlite")
    new = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'checks'").fetchone()[0]
    old = (
        new.replace(", 'none', 'skipped')", ")")
        .replace("TABLE checks", "TABLE old_checks")
        .replace('TABLE "checks"', "TABLE old_checks")
    )
    with conn:
        conn.execute(old)
        conn.execute(
            "INSERT INTO old_checks SELECT * FROM checks WHERE result NOT IN ('none', 'skipped')"
        )
        conn.execute("DROP TABLE checks")
        conn.execute("ALTER TABLE old_checks RENAME TO checks")
    conn.close()
    _, checks = checks_of(config, form_pdf(tmp_path / "b.pdf", serial=2))
    assert checks["数字签名"][0] == "none"


def test_metadata_value_domains_at_filing_and_in_archive_check(config, tmp_path):
    _, checks = checks_of(config, form_pdf(tmp_path / "a.pdf"))
    assert checks["元数据值域"][0] == "pass"
    conn = sqlite3.connect(config.archive_dir / "index.sqlite")
    with conn:
        conn.execute("UPDATE documents SET signed = 'maybe', disposal_due = '2037-02-30'")
    conn.close()
    out = CliRunner().invoke(cli, ["--config", str(config.path), "archive", "check"])
    assert out.exit_code == 1
    assert ("元数据值域不符 Z109-WS·2026-D10-0001: 数字签名 'maybe' 不在值域 none|valid|invalid 内; "
            "到期鉴定日期 '2037-02-30' 不是有效日期") in out.output  # fmt: skip


def test_listed_attachments_are_captured_or_reported_missing(config, tmp_path):
    path = config.root / "cases" / "2026" / "TS-2026-0007.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "attachments: [现场照片.jpg, 检验报告复印件.pdf]\n",
        encoding="utf-8",
    )
    checks_of(
        config, form_pdf(tmp_path / "检验报告复印件.pdf")
    )  # filed under TS-2026-0007 by its QR
    out = CliRunner().invoke(cli, ["--config", str(config.path), "archive", "check", "--json"])
    report = json.loads(out.output)
    assert report["missing_attachments"] == [
        {"case_no": "TS-2026-0007", "missing": ["现场照片.jpg"], "listed": 2}
    ]
    text = CliRunner().invoke(cli, ["--config", str(config.path), "archive", "check"]).output
    assert "附件未归档 TS-2026-0007: 现场照片.jpg (案件列出 2 个附件)" in text


def test_each_ingest_batch_records_its_counts_and_bytes(config, tmp_path):
    first, second = form_pdf(tmp_path / "a.pdf", serial=1), form_pdf(tmp_path / "b.pdf", serial=2)
    bad = tmp_path / "c.pdf"
    bad.write_bytes(b"%PDF-1.4\nnot really a pdf")  # no %%EOF: quarantined
    sizes = first.stat().st_size + second.stat().st_size + bad.stat().st_size
    with Archive(config) as archive:
        report = archive.ingest([first, second, bad], jobs=1)
        filed_bytes = sum(
            archive.show(r.archive_no)["size"] for r in report.results if r.archive_no
        )
    batch = report.to_dict()["batch"]
    assert (batch["inputs"], batch["input_bytes"], batch["results"], batch["balanced"]) == (
        3,
        sizes,
        3,
        True,
    )
    assert (batch["filed"], batch["filed_bytes"]) == (2, filed_bytes)
    assert batch["counts"] == {"filed": 2, "quarantine": 1}
    assert batch["archive_nos"] == ["Z109-WS·2026-D10-0001", "Z109-WS·2026-D10-0002"]
    out = CliRunner().invoke(cli, ["--config", str(config.path), "archive", "check", "--json"])
    assert [b["id"] for b in json.loads(out.output)["batches"]] == [batch["id"]]


def test_the_clamd_client_is_preferred_and_passes_the_file_descriptor(
    config, tmp_path, monkeypatch
):
    bin_dir = tmp_path / "bin"
    fake_scanner(bin_dir, "clamscan", 1, "should not run FOUND")
    exe = fake_scanner(bin_dir, "clamdscan", 0, "OK")
    exe.write_text('#!/bin/sh\n[ "$2" = "--fdpass" ] || exit 2\necho OK\nexit 0\n')
    only_path(monkeypatch, bin_dir)
    _, checks = checks_of(config, form_pdf(tmp_path / "a.pdf"))
    assert checks["病毒检测"] == ("pass", "clamdscan: 未发现病毒")
