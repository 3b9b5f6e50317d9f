"""The demo's stand-in for LibreOffice: a reportlab page with the form's QR, for cases and records."""

from __future__ import annotations

import shutil
from pathlib import Path

from pypdf import PdfReader

from recordkit.archive.identify import decode_qr_from_pdf
from recordkit.demo.archive import _reportlab_rendition
from recordkit.index.manifest import OutputRecord

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _row(number: str, code: str) -> OutputRecord:
    return OutputRecord(
        f"out/{number}/{code}.docx",
        number,
        code,
        f"{code}.docx",
        "1",
        "0" * 64,
        "",
        "0" * 64,
        "0" * 64,
        "2026-11-21T00:00:00",
    )


def test_rendition_of_a_record_form_carries_its_qr_and_fields(workdir, tmp_path):
    (workdir.cases_dir / "2026").mkdir(parents=True, exist_ok=True)
    shutil.copy(
        EXAMPLES / "cases" / "SS-2026-0001.yaml", workdir.cases_dir / "2026"
    )  # the CAPA's source case
    target = workdir.root / "records" / "capa" / "2026" / "CA-2026-002.yaml"
    target.parent.mkdir(parents=True)
    shutil.copy(EXAMPLES / "records" / "capa" / "CA-2026-002.yaml", target)
    pdf = _reportlab_rendition(workdir, _row("CA-2026-002", "F26"), tmp_path / "capa.pdf")
    assert [p.text() for p in decode_qr_from_pdf(pdf)] == ["RK1|CA-2026-002|F26|1"]
    text = PdfReader(str(pdf)).pages[0].extract_text()
    assert "CA-2026-002" in text and "纠正和预防措施表" in text


def test_rendition_of_a_case_form(workdir, book, sample_case, tmp_path):
    book.add(sample_case)
    pdf = _reportlab_rendition(workdir, _row("TS-2026-0001", "F01"), tmp_path / "case.pdf")
    assert [p.text() for p in decode_qr_from_pdf(pdf)] == ["RK1|TS-2026-0001|F01|1"]
    assert "李强" in PdfReader(str(pdf)).pages[0].extract_text()
