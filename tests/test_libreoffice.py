"""Real client: every form and register converts with LibreOffice and carries its case number."""

from __future__ import annotations

import pytest
from conftest import soffice_missing
from pypdf import PdfReader

from recordkit.generate import Generator
from recordkit.office import convert_to_pdf

pytestmark = pytest.mark.skipif(soffice_missing() is not None, reason=soffice_missing() or "")


def test_every_form_and_register_converts(workdir, book, sample_case):
    generator = Generator(workdir)
    case = book.add(sample_case)
    docs = []
    for form in generator.catalog.forms.values():
        if form.is_register:
            docs.append(generator.register(form.code, year=2026).path)
        else:
            docs.append(generator.fill(form, case)[0].path)
    generator.close()
    pdfs = convert_to_pdf(docs)
    assert len(pdfs) == len(docs)
    for pdf, form in zip(pdfs, generator.catalog.forms.values(), strict=False):
        reader = PdfReader(pdf)
        text = "".join(page.extract_text() or "" for page in reader.pages)
        expected = f"{form.code}-2026" if form.is_register else "TS-2026-0001"
        assert expected in text, f"{form.code}: case number not in PDF text"
        width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
        if form.is_register:
            assert width > height, f"{form.code} should be landscape"
        else:
            assert abs(width - 595) < 3 and abs(height - 842) < 3, f"{form.code} should be A4 portrait"
