"""Print bundles: every form a case needs (and its linked records') in one .docx / PDF,
one section per form, each with its own header, QR code and page numbering."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import zxingcpp
from conftest import sample_for, soffice_missing
from docx import Document
from docx_text import docx_text, strict_parse_all
from lxml import etree
from PIL import Image

from recordkit.cases import schema
from recordkit.cli import cli
from recordkit.clock.setup import open_book
from recordkit.forms.generator import make_generator
from recordkit.forms.render import expected_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NASTY = "A&B <tag> \"dq\" 'sq' \x0bshift\r\ncrlf\ttab \x1fctl 😀 {{ 7*7 }} {% if x %}"


@pytest.fixture
def linked_case(workdir, book, sample_case):
    """A complaint with a CAPA and a repair visit that name it as their source."""
    case = book.add(sample_case)
    for type_name in ("capa", "service"):
        data = sample_for(type_name)
        data["source_case"] = case.case_no
        open_book(workdir, schema.RECORD_TYPES[type_name]).add(data)
    return case


def _qr_payloads(path) -> list[str]:
    """The QR code of each form in the bundle, read back from the picture in the header of
    each section (every page repeats it), in section order."""
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    with zipfile.ZipFile(path) as archive:
        document = etree.fromstring(archive.read("word/document.xml"))
        rels = etree.fromstring(archive.read("word/_rels/document.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        payloads = []
        for section in document.iter(f"{W}sectPr"):
            ref = next(
                h for h in section.iter(f"{W}headerReference") if h.get(f"{W}type") == "default"
            )
            name = "word/" + targets[ref.get(f"{rel_ns}id")]
            header = etree.fromstring(archive.read(name))
            header_rels = etree.fromstring(
                archive.read(name.replace("word/", "word/_rels/") + ".rels")
            )
            media = {r.get("Id"): r.get("Target") for r in header_rels}
            for drawing in header.iter(f"{W}drawing"):
                if not any(p.get("name") == "RK_QR" for p in drawing.iter("{*}docPr")):
                    continue
                embed = next(drawing.iter("{*}blip")).get(f"{rel_ns}embed")
                image = Image.open(io.BytesIO(archive.read("word/" + media[embed])))
                payloads.append(zxingcpp.read_barcodes(image.convert("L"))[0].text)
    return payloads


def test_bundle_has_one_section_per_form_in_procedure_order(workdir, linked_case):
    generator = make_generator(workdir)
    result = generator.bundle(linked_case.case_no)
    order = list(generator.catalog.forms)
    generator.close()
    codes = [code for code, _number in result.contents]
    assert codes == sorted(codes, key=order.index), "procedure (catalog) order"
    assert ("F26", "CA-2026-001") in result.contents and ("F27", "FW-2026-0001") in result.contents
    assert {"F01", "F03", "F18"} <= set(codes)  # the lab profile's forms of this case
    assert result.path.name == "TS-2026-0001-打印合集.docx"

    strict_parse_all(result.path)
    document = Document(str(result.path))  # python-docx opens it
    assert len(document.sections) == len(result.contents)
    for section, (code, _number) in zip(document.sections, result.contents, strict=True):
        header = " ".join(
            p.text
            for t in section.header.tables
            for r in t.rows
            for c in r.cells
            for p in c.paragraphs
        )
        assert f"表单编号 {code}" in header, header  # each form keeps its own header
        assert section.page_height.mm == pytest.approx(297, abs=1)
        number_type = section._sectPr.find(f"{W}pgNumType")
        assert (
            number_type is not None and number_type.get(f"{W}start") == "1"
        )  # page numbers restart per form
    with zipfile.ZipFile(result.path) as archive:
        footers = [
            archive.read(n).decode()
            for n in archive.namelist()
            if re.fullmatch(r"word/footer\d+\.xml", n)
        ]
    assert len(footers) == len(result.contents)
    assert all(
        "SECTIONPAGES" in f and "NUMPAGES" not in f.replace("SECTIONPAGES", "") for f in footers
    )
    versions = {code: generator.catalog.get(code).version for code in codes}
    assert _qr_payloads(result.path) == [
        f"RK1|{number}|{code}|{versions[code]}" for code, number in result.contents
    ]


def test_bundle_keeps_every_value_exactly(workdir, book, sample_case):
    from recordkit.cases.store import set_path

    typed = {}
    for field in schema.FIELDS:
        if field.type == schema.TEXT and not field.choices and field.path != "case_no":
            typed[field.path] = f"«{field.path}» {NASTY}"
            set_path(sample_case, field.path, typed[field.path])
    workdir.organization.name = "某某 & <检测> 中心"
    case = book.add(sample_case)
    generator = make_generator(workdir)
    result = generator.bundle(case.case_no)
    used = set()
    for code, _number in result.contents:
        from recordkit.forms.render import field_uses

        used |= {
            u.path for u in field_uses(generator.catalog.get(code).compiled) if u.root == "case"
        }
    generator.close()
    strict_parse_all(result.path)
    text = docx_text(result.path)
    missing = [
        path for path, value in typed.items() if path in used and expected_text(value) not in text
    ]
    assert missing == []
    assert text.count(expected_text(workdir.organization.name)) >= len(
        result.contents
    )  # every form's header


def test_fill_bundle_cli_and_usage_errors(workdir, runner, linked_case):
    result = runner.invoke(cli, ["fill", "--bundle", "TS-2026-0001"])
    assert result.exit_code == 0, result.output
    assert " 1. F01  TS-2026-0001" in result.stdout and "F26  CA-2026-001" in result.stdout
    assert "打印合集" in result.stdout
    as_json = runner.invoke(
        cli, ["fill", "--bundle", "CA-2026-001", "--json"]
    )  # a record bundles its own forms
    assert as_json.exit_code == 0 and '"form_code": "F26"' in as_json.stdout
    both = runner.invoke(cli, ["fill", "F01", "TS-2026-0001", "--bundle", "TS-2026-0001"])
    assert both.exit_code == 2 and "--bundle 不能与表单编号和案件编号同时使用" in both.stderr
    neither = runner.invoke(cli, ["fill"])
    assert neither.exit_code == 2 and "或 --bundle CASE" in neither.stderr
    missing = runner.invoke(cli, ["fill", "--bundle", "TS-2026-0404"])
    assert missing.exit_code == 1 and missing.stderr.startswith("Error: 找不到案件 TS-2026-0404")


@pytest.mark.skipif(soffice_missing() is not None, reason=soffice_missing() or "")
def test_bundle_pdf_pages_add_up_and_number_per_form(workdir, linked_case):
    from pypdf import PdfReader

    from recordkit.forms.libreoffice import convert_to_pdf

    generator = make_generator(workdir)
    result = generator.bundle(linked_case.case_no, pdf=True)
    singles = [
        generator.fill(generator.catalog.get(code), generator.casebook.get(number))[0].path
        for code, number in result.contents
    ]
    generator.close()
    single_pages = [
        len(PdfReader(p).pages) for p in convert_to_pdf(singles, outdir=workdir.root / "single")
    ]
    assert result.pages == single_pages
    reader = PdfReader(result.pdf)
    assert len(reader.pages) == sum(single_pages)
    footers = [
        re.search(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页", page.extract_text() or "")
        for page in reader.pages
    ]
    expected = [(str(i), str(n)) for n in single_pages for i in range(1, n + 1)]
    assert [m.groups() for m in footers if m] == expected
    texts = [page.extract_text() or "" for page in reader.pages]
    assert "TS-2026-0001" in texts[0] and any("CA-2026-001" in t for t in texts)
    # LibreOffice opens the .docx bundle too: same pages, and 共 Y 页 per form (written from the PDFs)
    (lo_pdf,) = convert_to_pdf([result.path], outdir=workdir.root / "lo")
    lo = PdfReader(lo_pdf)
    assert len(lo.pages) == sum(single_pages)
    lo_footers = [
        re.search(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页", p.extract_text() or "") for p in lo.pages
    ]
    assert [m.groups() for m in lo_footers if m] == expected
    # every QR of the printed bundle is readable from the rendered pages
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(result.pdf))
    found = []
    for page in pdf:
        image = page.render(scale=200 / 72).to_pil().convert("L")
        found.append(
            [
                b.text.split("|")[1:3]
                for b in zxingcpp.read_barcodes(image)
                if b.text.startswith("RK1|")
            ]
        )
    pdf.close()
    # One QR on every page (it is in each form's header), naming that page's form.
    assert found == [
        [[n, c]]
        for (c, n), pages in zip(result.contents, single_pages, strict=True)
        for _ in range(pages)
    ]
