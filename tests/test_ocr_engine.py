"""OCR of real scans: a generated form, printed by the demo's renderer, signed and scanned
(image only, noise, skew, JPEG), read back by the bundled PP-OCR models."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import soffice_missing
from reportlab.pdfgen import canvas

from recordkit.demo.archive import _reportlab_rendition, sign_and_scan
from recordkit.fonts import reportlab_font
from recordkit.forms.generator import Generator
from recordkit.forms.libreoffice import convert_to_pdf
from recordkit.index.manifest import OutputRecord
from recordkit.ocr import read_pdf


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


def scanned_form(workdir, book, sample_case, tmp_path: Path) -> Path:
    """F01 of the sample case (complainant 李强), filled by the generator, printed with
    LibreOffice (the demo's reportlab rendition where it is missing), signed and scanned."""
    record = book.add(sample_case)
    if soffice_missing() is None:
        generator = Generator(workdir)
        docx = generator.fill(generator.catalog.get("F01"), record)[0].path
        generator.close()
        (printed,) = convert_to_pdf([docx], outdir=tmp_path / "printed")
    else:
        printed = _reportlab_rendition(
            workdir, _row("TS-2026-0001", "F01"), tmp_path / "printed.pdf"
        )
    return sign_and_scan(printed, tmp_path / "scan.pdf", seed=7)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test: the models ship in the wheel."""

    def refuse(*args, **kwargs):
        raise AssertionError("OCR tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_a_scanned_form_is_read_with_case_number_name_and_content(
    workdir, book, sample_case, tmp_path, no_network
):
    scan = scanned_form(workdir, book, sample_case, tmp_path)
    pages = read_pdf(scan)
    assert [p.source for p in pages] == ["ocr"] * len(pages)
    assert [p.page for p in pages] == list(range(1, len(pages) + 1))
    page = pages[0]
    text = "".join(p.text for p in pages).replace(" ", "")
    assert "TS-2026-0001" in text
    assert "李强" in text
    assert "抗压强度数据与我方送检记录不符" in text
    assert page.lines and all(len(line.box) == 4 for line in page.lines)
    assert page.width > 1500 and page.height > 2000  # 200 dpi A4


def test_a_page_with_a_text_layer_is_not_ocred(tmp_path, no_network):
    path = tmp_path / "born-digital.pdf"
    c = canvas.Canvas(str(path))
    c.setFont(reportlab_font(), 12)
    c.drawString(72, 700, "投诉登记表 TS-2026-0009 王小明")
    c.save()
    (page,) = read_pdf(path)
    assert page.source == "pdf" and page.lines == []
    assert "王小明" in page.text


def test_the_heavy_ocr_libraries_load_only_when_a_page_is_read():
    code = (
        "import sys, recordkit.cli, recordkit.ocr, recordkit.archive.ocr_queue; "
        "print(sorted(m for m in ('rapidocr_onnxruntime', 'onnxruntime', 'cv2') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
