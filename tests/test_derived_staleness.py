"""PDFs, print bundles and registers are recorded with their inputs and go stale with them (issue 10, item 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import soffice_missing
from docx_text import docx_text
from pypdf import PdfReader
from test_regenerate import bump_version

from recordkit.cli import cli

F03 = "F03-投诉(申诉)登记及处理表"


def dry_run(runner) -> list[dict]:
    result = runner.invoke(cli, ["regenerate", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["stale"]


def pdf_text(path: Path) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


@pytest.mark.skipif(soffice_missing() is not None, reason=soffice_missing() or "")
def test_pdf_is_regenerated_after_template_revision(workdir, book, sample_case, runner):
    book.add(sample_case)
    assert runner.invoke(cli, ["fill", "F03", "TS-2026-0001", "--pdf"]).exit_code == 0
    pdf = workdir.out_dir / "TS-2026-0001" / f"{F03}.pdf"
    assert "第 1 版" in pdf_text(pdf) or "第1版" in pdf_text(pdf)
    bump_version(workdir.templates_dir / f"{F03}.docx")
    stale = {(s["kind"], s["output_path"]): s["reason"] for s in dry_run(runner)}
    assert stale == {
        ("form", f"out/TS-2026-0001/{F03}.docx"): "template",
        ("pdf", f"out/TS-2026-0001/{F03}.pdf"): "inputs changed",
    }
    result = runner.invoke(cli, ["regenerate", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "第2版" in pdf_text(pdf).replace(" ", "")
    assert len(list((pdf.parent / ".history").glob("*.pdf"))) == 1
    assert dry_run(runner) == []


def test_bundle_is_listed_and_regenerated_after_revision(workdir, book, sample_case, runner):
    book.add(sample_case)
    assert runner.invoke(cli, ["fill", "--bundle", "TS-2026-0001"]).exit_code == 0
    bundle = workdir.out_dir / "TS-2026-0001" / "TS-2026-0001-打印合集.docx"
    bump_version(workdir.templates_dir / f"{F03}.docx")
    assert [(s["kind"], s["output_path"], s["reason_text"]) for s in dry_run(runner)] == [
        ("bundle", "out/TS-2026-0001/TS-2026-0001-打印合集.docx", "生成它的表单、模板或数据已更新")
    ]
    result = runner.invoke(cli, ["regenerate", "--jobs", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert [r["path"] for r in json.loads(result.stdout)["regenerated"]] == [str(bundle)]
    assert "第2版" in docx_text(bundle)
    assert dry_run(runner) == []


def test_register_is_recorded_and_stale_after_data_edit(workdir, book, sample_case, runner):
    book.add(sample_case)
    assert runner.invoke(cli, ["register", "--year", "2026"]).exit_code == 0
    assert dry_run(runner) == []
    case_file = workdir.cases_dir / "2026" / "TS-2026-0001.yaml"
    case_file.write_text(
        case_file.read_text(encoding="utf-8").replace("李强", "李强强"), encoding="utf-8"
    )
    stale = dry_run(runner)
    assert [(s["kind"], s["form_code"], s["reason"]) for s in stale] == [
        ("register", "R01", "inputs changed")
    ]
    result = runner.invoke(cli, ["regenerate", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "李强强" in docx_text(workdir.root / stale[0]["output_path"])
    assert dry_run(runner) == []
