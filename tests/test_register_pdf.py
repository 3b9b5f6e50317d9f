"""`register --pdf`: the register's PDF is made by the generator and recorded in the
manifest's derived table with the hash of the register's .docx, like a form's PDF, so
`regenerate` lists it as stale after a data edit and remakes it (issue 11, point 4)."""

from __future__ import annotations

import json

import pytest
from conftest import soffice_missing
from test_derived_staleness import dry_run, pdf_text

from recordkit.cli import cli
from recordkit.index.manifest import Manifest

pytestmark = pytest.mark.skipif(soffice_missing() is not None, reason=soffice_missing() or "")


def test_register_pdf_is_recorded_and_stale_after_data_edit(workdir, book, sample_case, runner):
    book.add(sample_case)
    made = runner.invoke(cli, ["register", "--year", "2026", "--pdf", "--json"])
    assert made.exit_code == 0, made.output
    pdf = workdir.root / json.loads(made.stdout)["pdf"]
    docx = json.loads(made.stdout)["path"]
    assert pdf.is_file() and "李强" in pdf_text(pdf)
    rel_pdf = pdf.relative_to(workdir.root).as_posix()
    rows = {
        r.output_path: r
        for r in Manifest(workdir.manifest_path, workdir.database_url).derived(None)
    }
    assert rows[rel_pdf].kind == "pdf" and rows[rel_pdf].form_code == "R01"
    assert docx.endswith(rows[rel_pdf].params["source"])  # made from the register's .docx
    assert dry_run(runner) == []

    case_file = workdir.cases_dir / "2026" / "TS-2026-0001.yaml"
    case_file.write_text(
        case_file.read_text(encoding="utf-8").replace("李强", "李强强"), encoding="utf-8"
    )
    stale = {(s["kind"], s["output_path"]): s["reason"] for s in dry_run(runner)}
    assert stale == {
        ("register", rows[rel_pdf].params["source"]): "inputs changed",
        ("pdf", rel_pdf): "inputs changed",
    }
    result = runner.invoke(cli, ["regenerate", "--jobs", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert sorted(r["path"] for r in json.loads(result.stdout)["regenerated"]) == sorted(
        [docx, str(pdf)]
    )
    assert "李强强" in pdf_text(pdf)
    assert dry_run(runner) == []


def test_register_pdf_text_output_unchanged(workdir, book, sample_case, runner):
    book.add(sample_case)
    result = runner.invoke(cli, ["register", "--year", "2026", "--pdf"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("2026年度: 1 件  ") and lines[1].strip().endswith(".pdf")
