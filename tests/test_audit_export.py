"""`archive export`: a BagIt bag the bagit library validates; `archive verify-export`."""

from __future__ import annotations

import csv
import json
import os
import stat
import zipfile

import bagit
import pytest
from audit_setup import DUE, run, stored, work_folder
from openpyxl import load_workbook
from pypdf import PdfReader

from recordkit.archive.catalogue_list import CATALOGUE_HEADERS
from recordkit.archive.service import Archive


@pytest.fixture
def work(tmp_path, monkeypatch):
    return work_folder(tmp_path, monkeypatch)


def export(runner, tmp_path, *extra):
    bag = tmp_path / "审计" / "2026年度"
    result = run(runner, "archive", "export", "--year", "2026", "--to", str(bag), *extra)
    assert result.exit_code == 0, result.output
    return bag


def test_the_bag_validates_with_the_bagit_library(work, runner, tmp_path):
    bag = export(runner, tmp_path)
    parsed = bagit.Bag(str(bag))
    parsed.validate()  # raises on any problem
    assert parsed.algorithms == ["sha256"]
    assert sorted(p.name for p in bag.iterdir()) == ["bag-info.txt", "bagit.txt", "data", "manifest-sha256.txt",
                                                    "tagmanifest-sha256.txt"]  # fmt: skip
    info = parsed.info
    assert info["Source-Organization"] == "漳州市示例检验检测中心"
    assert info["Fonds-Number"] == "Z109" and info["Archive-Year"] == "2026"
    assert info["Document-Count"] == "3" and info["Original-Count"] == "3"
    assert info["External-Identifier"] == "Z109-WS·2026"
    assert info["Payload-Oxum"].endswith(".11")
    originals = sorted(
        p.relative_to(bag).as_posix() for p in (bag / "data" / "originals").rglob("*.pdf")
    )
    assert originals == ["data/originals/2026/D10/Z109-WS_2026-D10-0001.pdf",
                         "data/originals/2026/D10/Z109-WS_2026-D10-0002.pdf",
                         "data/originals/2026/D30/Z109-WS_2026-D30-0001.pdf"]  # fmt: skip
    for rel in originals:
        name = rel.rsplit("/", 1)[1]
        assert (bag / rel).read_bytes() == next(
            work.archive_dir.glob(f"store/*/*/{name}")
        ).read_bytes()
    result = run(runner, "archive", "verify-export", str(bag))
    assert result.exit_code == 0
    assert "BagIt 包有效" in result.output and "原件 3 件" in result.output


def test_a_tampered_export_fails_validation(work, runner, tmp_path):
    bag = export(runner, tmp_path)
    original = bag / "data/originals/2026/D10/Z109-WS_2026-D10-0001.pdf"
    data = bytearray(original.read_bytes())
    data[100] ^= 0x20
    original.write_bytes(bytes(data))
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(bag)).validate()
    result = run(runner, "archive", "verify-export", str(bag))
    assert result.exit_code == 1
    assert (
        "data/originals/2026/D10/Z109-WS_2026-D10-0001.pdf: 内容已改变 (sha256 应为"
        in result.output
    )
    assert "Z109-WS·2026-D10-0001 的 SHA256 与档案元数据不符" in result.output


def test_an_added_file_and_an_edited_event_log_fail(work, runner, tmp_path):
    bag = export(runner, tmp_path)
    (bag / "data" / "多出来的.txt").write_text("x", encoding="utf-8")
    events = bag / "data/metadata/events.jsonl"
    lines = events.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("F0", "F9")
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(runner, "archive", "verify-export", str(bag), "--json")
    assert result.exit_code == 1
    problems = json.loads(result.output)["problems"]
    assert any("多出来的.txt" in p for p in problems)
    assert "data/metadata/events.jsonl: 内容已改变" in " ".join(problems)
    assert "data/metadata/events.jsonl: 事件 2 的内容与其哈希不符" in " ".join(problems)


def test_a_zip_export_validates(work, runner, tmp_path):
    target = tmp_path / "out" / "TS-2026-0007"
    result = run(runner, "archive", "export", "--year", "2026", "--case", "TS-2026-0007", "--to", str(target), "--zip",
                 "--json")  # fmt: skip
    assert result.exit_code == 0
    report = json.loads(result.output)
    zipped = tmp_path / "out" / "TS-2026-0007.zip"
    assert report["path"] == str(zipped) and report["documents"] == 2
    assert not target.exists()
    with zipfile.ZipFile(zipped) as zf:
        assert "TS-2026-0007/bagit.txt" in zf.namelist()
        zf.extractall(tmp_path / "unzipped")
    bagit.Bag(str(tmp_path / "unzipped" / "TS-2026-0007")).validate()
    checked = run(runner, "archive", "verify-export", str(zipped))
    assert checked.exit_code == 0, checked.output


def test_index_rows_events_and_catalogue(work, runner, tmp_path):
    bag = export(runner, tmp_path)
    meta = bag / "data" / "metadata"
    docs = json.loads((meta / "documents.json").read_text(encoding="utf-8"))
    assert [d["archive_no"] for d in docs] == [
        "Z109-WS·2026-D10-0001",
        "Z109-WS·2026-D10-0002",
        "Z109-WS·2026-D30-0001",
    ]
    # issue 14 point 10: a meaningful 题名 (who, about what, which document), not the case number
    assert (
        docs[0]["title"] == "关于漳州某某建材有限公司李强对检验报告 No.2026-0311投诉的处理及反馈表"
    )
    assert docs[0]["sm3"] and docs[0]["checks"]
    with open(meta / "documents.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["archive_no"] for r in rows] == [d["archive_no"] for d in docs]
    assert rows[0]["sha256"] == docs[0]["sha256"]
    with Archive(work) as archive:
        exported_events = len(archive.index.events()) - 1  # the export itself is logged afterwards
        assert archive.index.events()[-1]["kind"] == "exported"
    assert len((meta / "events.jsonl").read_text(encoding="utf-8").splitlines()) == exported_events
    pdf = PdfReader(bag / "data" / "归档文件目录-2026.pdf")
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    fonts = [f.get_object() for page in pdf.pages for f in page["/Resources"]["/Font"].values()]
    assert fonts and all("/FontFile2" in f["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                         if "/DescendantFonts" in f else "/FontFile2" in f["/FontDescriptor"] for f in fonts)  # fmt: skip
    cover = pdf.pages[0].extract_text()
    for label in (
        "归档文件目录",
        "全宗号",
        "Z109",
        "全宗名称",
        "漳州市示例检验检测中心",
        "年度",
        "2026",
        "保管期限",
        "10年",
    ):
        assert label in cover
    sheets = load_workbook(bag / "data" / "归档文件目录-2026.xlsx")
    assert sheets.sheetnames == ["2026-D10", "2026-D30"]
    rows = list(sheets["2026-D10"].iter_rows(values_only=True))
    assert list(rows[2]) == CATALOGUE_HEADERS
    assert rows[3][:5] == (
        1,
        "Z109-WS·2026-D10-0001",
        None,
        "漳州市示例检验检测中心质量信息管理科",
        "关于漳州某某建材有限公司李强对检验报告 No.2026-0311投诉的处理及反馈表",
    )  # issue 14 point 10
    filed = sheets["2026-D10"][
        "F4"
    ]  # the 8-digit 日期 of the PDF is an Excel date (issue 10 item 7)
    assert filed.is_date and filed.number_format == "yyyy-mm-dd" and rows[3][7] == 2


def test_destroyed_records_are_listed_without_their_files(work, runner, tmp_path):
    run(runner, "archive", "dispose", "--due", "--approver", "陈主任", "--reason", "保管期满")
    bag = tmp_path / "2015"
    result = run(runner, "archive", "export", "--year", "2015", "--to", str(bag), "--json")
    assert json.loads(result.output)["destroyed"] == 2
    docs = {
        d["archive_no"]: d
        for d in json.loads((bag / "data/metadata/documents.json").read_text(encoding="utf-8"))
    }
    assert docs[DUE[0]]["status"] == "destroyed" and docs[DUE[0]]["bag_path"] is None
    disposals = json.loads((bag / "data/metadata/disposals.json").read_text(encoding="utf-8"))
    assert disposals[0]["items"] == DUE and disposals[0]["approver"] == "陈主任"
    rows = list(
        load_workbook(bag / "data/归档文件目录-2015.xlsx")["2015-D10"].iter_rows(values_only=True)
    )
    assert rows[3][8].startswith("已销毁 ")
    assert run(runner, "archive", "verify-export", str(bag)).exit_code == 0


def test_export_refuses_a_changed_original(work, runner, tmp_path):
    path = stored(work, "Z109-WS·2026-D10-0002")
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    path.write_bytes(path.read_bytes() + b"\n")
    result = run(runner, "archive", "export", "--year", "2026", "--to", str(tmp_path / "bag"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Z109-WS·2026-D10-0002: 原件与索引中的校验值不符")
    assert not (tmp_path / "bag").exists()
    assert [
        p.name for p in tmp_path.iterdir() if p.name.startswith(".")
    ] == []  # no half-built bag left


def test_export_errors(work, runner, tmp_path):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x.txt").write_text("x", encoding="utf-8")
    result = run(runner, "archive", "export", "--year", "2026", "--to", str(busy))
    assert result.exit_code == 1 and "已存在且不为空" in result.stderr
    result = run(
        runner,
        "archive",
        "export",
        "--year",
        "2026",
        "--case",
        "TS-2099-0001",
        "--to",
        str(tmp_path / "b"),
    )
    assert result.exit_code == 1 and "2026 年度的档案中没有案件 TS-2099-0001" in result.stderr
    result = run(runner, "archive", "export", "--year", "2020", "--to", str(tmp_path / "b"))
    assert result.exit_code == 1 and "没有 2020 年度的档案可以导出" in result.stderr
    result = run(runner, "archive", "export", "--year", "2026", "--to", "archive/导出")
    assert result.exit_code == 1 and "在档案库文件夹之内" in result.stderr
    result = run(runner, "archive", "verify-export", str(tmp_path / "nothing"))
    assert result.exit_code == 1 and "不存在" in result.stderr
    assert run(runner, "archive", "verify-export", str(busy)).exit_code == 1
