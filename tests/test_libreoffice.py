"""Real client: every form and register converts with LibreOffice and carries its number."""

from __future__ import annotations

import pytest
from conftest import FIRST_NUMBER, sample_for, soffice_missing
from pypdf import PdfReader

from recordkit.cases.store import CaseBook
from recordkit.forms.generator import Generator
from recordkit.forms.libreoffice import convert_to_pdf

pytestmark = pytest.mark.skipif(soffice_missing() is not None, reason=soffice_missing() or "")


def test_every_form_and_register_converts(workdir):
    generator = Generator(workdir)
    records = {}
    for form in generator.catalog.forms.values():
        if form.record_type not in records:
            records[form.record_type] = CaseBook(workdir, rtype=form.rtype).add(
                sample_for(form.record_type)
            )
    docs = []
    for form in generator.catalog.forms.values():
        if form.is_register:
            docs.append(generator.register(form.code, year=2026).path)
        else:
            docs.append(generator.fill(form, records[form.record_type])[0].path)
    generator.close()
    assert len(docs) == 32
    pdfs = convert_to_pdf(docs)
    assert len(pdfs) == len(docs)
    for pdf, form in zip(pdfs, generator.catalog.forms.values(), strict=True):
        reader = PdfReader(pdf)
        text = "".join(page.extract_text() or "" for page in reader.pages)
        expected = f"{form.code}-2026" if form.is_register else FIRST_NUMBER[form.record_type]
        assert expected in text, f"{form.code}: number not in PDF text"
        assert form.title in text.replace(" ", ""), f"{form.code}: title not in PDF text"
        width, height = (
            float(reader.pages[0].mediabox.width),
            float(reader.pages[0].mediabox.height),
        )
        if form.is_register:
            assert width > height, f"{form.code} should be landscape"
            assert "第1页共" in text.replace(" ", ""), f"{form.code}: page numbers"
        else:
            assert abs(width - 595) < 3 and abs(height - 842) < 3, (
                f"{form.code} should be A4 portrait"
            )
        assert len(reader.pages) <= 2, f"{form.code}: a normal record should fit on 1–2 pages"
