"""Template revision as an admin does it in Word: open the form, change a label, type a new
field tag (Word splits it into runs and marks it for spelling), bump 第N版 in the header,
save. The generator and `forms check` must accept the result; an unknown field is named."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from conftest import sample_for
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx_text import docx_parts, docx_text
from PIL import Image

from recordkit.cli import cli
from recordkit.clock.setup import open_book
from recordkit.forms.catalog import Catalog
from recordkit.forms.generator import make_generator
from recordkit.forms.regenerate import TEMPLATE, Regenerator


def _replace_text(paragraphs, old: str, new: str) -> bool:
    for paragraph in paragraphs:
        if old in paragraph.text:
            for run in paragraph.runs:
                if old in run.text:
                    run.text = run.text.replace(old, new)
                    return True
    return False


def _cell_paragraphs(document):
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def _typed_in_pieces(paragraph, pieces: list[str]) -> None:
    """Runs as Word leaves them after typing a tag in bits, with a proofing mark between."""
    for index, piece in enumerate(pieces):
        run = paragraph.add_run(piece)
        if index == 1:
            run.bold = True
            paragraph._p.insert(len(paragraph._p) - 1, _proof("spellStart"))
        if index == 2:
            paragraph._p.append(_proof("spellEnd"))


def _proof(kind: str):
    mark = OxmlElement("w:proofErr")
    mark.set(qn("w:type"), kind)
    return mark


def revise_in_word(
    path, label: tuple[str, str], new_line: list[str], version: tuple[int, int]
) -> None:
    document = Document(str(path))
    assert _replace_text(_cell_paragraphs(document), *label), "label not found"
    last_cell = document.tables[-1].rows[-1].cells[0]
    _typed_in_pieces(last_cell.add_paragraph(), new_line)
    header = document.sections[0].header  # 第N版 sits in the header's table, beside the QR
    assert _replace_text(_cell_paragraphs(header), f"第{version[0]}版", f"第{version[1]}版")
    document.save(str(path))


@pytest.mark.parametrize(
    ("code", "type_name", "label", "pieces", "value_path"),
    [
        (
            "F04",
            "case",
            ("顾客姓名", "顾客（车主）姓名"),
            ["车主电子邮件：", "{{ case.compl", "ainant.em", "ail }}"],
            ("complainant", "email"),
        ),
        (
            "F26",
            "capa",
            ("原因分析", "根本原因分析"),
            ["来源记录：", "{{ case.sour", "ce_r", "ef }}"],
            ("source_ref",),
        ),
    ],
)
def test_word_revision_renders_checks_clean_and_makes_outputs_stale(
    code, type_name, label, pieces, value_path, workdir, book, sample_case
):
    data = sample_case if type_name == "case" else sample_for(type_name)
    if code == "F04":
        data["extra"] = {"plate_no": "闽E·12345"}
    record = (
        book.add(data) if type_name == "case" else open_book(workdir, _rtype(type_name)).add(data)
    )
    generator = make_generator(workdir)
    assert (
        generator.run([(generator.catalog.get(code), record)]).failures == []
    )  # recorded in the manifest
    generator.close()

    form = Catalog(workdir.templates_dir).get(code)
    revise_in_word(form.path, label, pieces, (1, 2))

    catalog = Catalog(workdir.templates_dir)
    assert catalog.check(catalog.get(code)) == []
    assert catalog.get(code).version == "2"
    stale = Regenerator(make_generator(workdir)).plan()
    assert [(s.record.form_code, s.reason) for s in stale.stale] == [(code, TEMPLATE)]

    generator = make_generator(workdir)
    output, _ = generator.fill(generator.catalog.get(code), record)
    generator.close()
    text = docx_text(output.path)
    value = record.data
    for key in value_path:
        value = value[key]
    assert label[1] in text
    assert f"{pieces[0]}{value}" in text
    assert "表单编号 " + code in text and "第2版" in text
    qr = docx_parts(output.path)[generator.catalog.get(code).compiled.qr_member]
    assert (
        zxingcpp.read_barcodes(Image.open(io.BytesIO(qr)).convert("L"))[0].text
        == f"RK1|{record.case_no}|{code}|2"
    )


def _rtype(name: str):
    from recordkit.cases import schema

    return schema.RECORD_TYPES[name]


@pytest.mark.parametrize(
    ("code", "tag", "message"),
    [
        (
            "F15",
            "{{ case.complainant.wechat }}",
            "案件格式中没有字段 complainant.wechat (not in the case format)",
        ),
        (
            "F23",
            "{{ case.complainant.name }}",
            "质量事故记录格式中没有字段 complainant.name (not in the incident record format)",
        ),
    ],
)
def test_forms_check_names_an_unknown_field(code, tag, message, workdir, runner):
    form = Catalog(workdir.templates_dir).get(code)
    document = Document(str(form.path))
    _typed_in_pieces(
        document.tables[-1].rows[-1].cells[0].add_paragraph(),
        ["新增：", tag[:9], tag[9:14], tag[14:]],
    )
    document.save(str(form.path))
    result = runner.invoke(cli, ["forms", "check", code])
    assert result.exit_code == 1
    assert f"{form.file} [word/document.xml]: {tag}: {message}" in result.stderr
    assert "Error: 1 个模板有问题" in result.stderr
