"""The generator's guarantees: nothing a person typed is lost, no tag survives, XML is strict."""

from __future__ import annotations

import copy
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import zxingcpp
from conftest import FIRST_NUMBER, sample_for
from docx_text import docx_parts, docx_text, strict_parse_all
from PIL import Image

from recordkit.cases import schema
from recordkit.cases.store import CaseBook
from recordkit.errors import RenderError, TemplateError
from recordkit.forms.catalog import Catalog
from recordkit.forms.generator import Generator
from recordkit.forms.render import compile_template, expected_text, field_uses, to_wordml

NASTY_PIECES = "A&B <tag> x>y \"dq\" 'sq' \x0bshift-enter\r\ncrlf\nlf\ttab \x1fctl \x00nul 😀 {{ 7*7 }} {% if x %}{# c #}"
LONG = "长" * 5000


def nasty_for(path: str) -> str:
    return f"«{path}» {NASTY_PIECES} «end {path}»"


def is_free_text(rtype: schema.RecordType, path: str) -> bool:
    """Fields a person types freely: every one must come out exactly."""
    if path.startswith("extra."):
        return True
    field = rtype.by_path.get(path)
    return (
        field is not None
        and field.type in (schema.TEXT, schema.LIST, schema.ROWS)
        and not field.choices
        and path not in (rtype.number_key, "source_case")
    )


def nasty_case(sample: dict, used_paths: set[str], rtype: schema.RecordType = schema.CASE) -> dict:
    """The sample with every free-text field a form reads set to a nasty, traceable value."""
    data = copy.deepcopy(sample)
    from recordkit.cases.store import set_path

    for path in used_paths:
        field = rtype.by_path.get(path)
        if not is_free_text(rtype, path):
            continue
        if field and field.type == schema.LIST:
            set_path(data, path, [nasty_for(path) + " 1", f"第二人 {path}"])
        elif field and field.type == schema.ROWS:
            # A date column (处理进展 日期) is validated as a date, not free text.
            set_path(
                data,
                path,
                [
                    {
                        key: "2026-03-05 09:30"
                        if key in field.date_columns
                        else nasty_for(f"{path}.{key}")
                        for key, _label in field.columns
                    },
                    {
                        key: "2026-03-06" if key in field.date_columns else f"第二行 {key}"
                        for key, _label in field.columns
                    },
                ],
            )
        else:
            set_path(data, path, nasty_for(path))
    data[rtype.summary] = nasty_for(rtype.summary) + LONG
    data[rtype.number_key] = NUMBERS[rtype.name].replace("0001", "0042").replace("-001", "-042")
    return data


def expected_values(data: dict, used: set[str], rtype: schema.RecordType) -> dict[str, str]:
    """key path -> the text that must appear in the document."""
    from recordkit.cases.store import get_path

    wanted = {}
    for path in sorted(used):
        if not is_free_text(rtype, path):
            continue
        value = get_path(data, path)
        field = rtype.by_path.get(path)
        if field and field.type == schema.ROWS:
            for number, row in enumerate(value):
                for key, cell in row.items():
                    wanted[f"{path}[{number}].{key}"] = expected_text(cell)
        else:
            wanted[path] = expected_text(value)
    return wanted


def catalog_forms():
    catalog = Catalog(Path(__file__).resolve().parent.parent / "form_templates")
    return list(catalog.forms.values())


FORMS = catalog_forms()
FORM_IDS = [f.code for f in FORMS]
REGISTER_IDS = [f.code for f in FORMS if f.is_register]
NUMBERS = FIRST_NUMBER


@pytest.fixture
def generator(workdir):
    gen = Generator(workdir)
    yield gen
    gen.close()


def book_for(workdir, form) -> CaseBook:
    return CaseBook(workdir, rtype=form.rtype)


def used_case_paths(form) -> set[str]:
    roots = {"case", "row"}
    return {u.path for u in field_uses(form.compiled) if u.root in roots and u.path}


def add_sample(workdir, form, data=None):
    """A sample case or record of the form's type, filed in the working folder."""
    return book_for(workdir, form).add(data or sample_for(form.record_type))


@pytest.mark.parametrize("code", [f.code for f in FORMS if not f.is_register])
def test_every_value_appears_exactly(code, generator, sample_case, workdir):
    form = generator.catalog.get(code)
    rtype = form.rtype
    used = used_case_paths(form)
    assert used, f"{code} reads no case fields"
    workdir.organization.name = "某某 & <检测> 中心\x0b二部"
    data = nasty_case(sample_for(form.record_type), used, rtype)
    record = add_sample(workdir, form, data)
    output, _record = generator.fill(form, record)
    strict_parse_all(output.path)
    text = docx_text(output.path)
    missing = [
        path for path, wanted in expected_values(data, used, rtype).items() if wanted not in text
    ]
    assert missing == [], f"{code}: values lost or altered for {missing}"
    assert expected_text(workdir.organization.name) in text  # header gets the same treatment
    assert data[rtype.number_key] in text


def _document(generator, workdir, form):
    """A rendered document of the form (a register over one sample) and the number it carries."""
    if form.is_register:
        add_sample(workdir, form)
        return generator.register(form.code, year=2026).path, f"{form.code}-2026"
    output, _ = generator.fill(form, add_sample(workdir, form))
    return output.path, NUMBERS[form.record_type]


@pytest.mark.parametrize("code", FORM_IDS)
def test_no_tag_survives_and_xml_is_strict(code, generator, workdir):
    path, _number = _document(generator, workdir, generator.catalog.get(code))
    strict_parse_all(path)
    for name, xml in docx_parts(path).items():
        if name.endswith(".xml"):
            text = xml.decode("utf-8")
            assert not re.search(r"\{\{|\{%|\{#|%\}|\}\}", text), (
                f"{code} {name}: a template tag survived"
            )


@pytest.mark.parametrize("code", FORM_IDS)
def test_qr_carries_payload_and_case_number_in_text(code, generator, workdir):
    form = generator.catalog.get(code)
    path, expected_case = _document(generator, workdir, form)
    parts = docx_parts(path)
    media = parts[form.compiled.qr_member]
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(media)).convert("L"))
    assert decoded and decoded[0].text == f"RK1|{expected_case}|{code}|{form.version}"
    assert expected_case in docx_text(path)


@pytest.mark.parametrize("code", REGISTER_IDS)
def test_register_rows_keep_nasty_values(code, generator, workdir):
    form = generator.catalog.get(code)
    rtype = form.rtype
    used = used_case_paths(form)
    data = nasty_case(sample_for(form.record_type), used, rtype)
    add_sample(workdir, form, data)
    add_sample(workdir, form)
    result = generator.register(code, year=2026)
    assert result.count == 2
    strict_parse_all(result.path)
    text = docx_text(result.path)
    missing = [
        path for path, wanted in expected_values(data, used, rtype).items() if wanted not in text
    ]
    assert missing == [], f"{code}: values lost or altered for {missing}"


@pytest.mark.parametrize("code", REGISTER_IDS)
def test_empty_register_says_so(code, generator):
    result = generator.register(code, year=2030)
    assert result.count == 0
    text = docx_text(result.path)
    assert "本期无记录" in text and "2030年度" in text
    strict_parse_all(result.path)


@pytest.mark.parametrize("code", REGISTER_IDS)
def test_register_xlsx_has_same_columns(code, generator, workdir):
    from openpyxl import load_workbook

    from recordkit.cases.spreadsheet import register_table

    form = generator.catalog.get(code)
    add_sample(workdir, form)
    result = generator.register(code, year=2026, xlsx=True)
    header, body = register_table(result.path)
    sheet = load_workbook(result.xlsx).active
    rows = [[c if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == header and len(rows) == 1 + len(body) == 2
    assert NUMBERS[form.record_type] in rows[1]


def test_transformation_rules():
    assert to_wordml("a&b<c>") == "a&amp;b&lt;c&gt;"
    assert to_wordml("x\x0by") == 'x</w:t><w:br/><w:t xml:space="preserve">y'
    assert to_wordml("x\r\ny") == to_wordml("x\ny") == to_wordml("x\ry")
    assert to_wordml("x\ty") == 'x</w:t><w:tab/><w:t xml:space="preserve">y'
    assert to_wordml("\x00\x1f\ud800") == "\ufffd\ufffd\ufffd"
    assert to_wordml("{{ 7*7 }}") == "{{ 7*7 }}"


# --------------------------------------------------------------------------- template errors


def _edit_document(src: Path, dest: Path, edit) -> Path:
    with zipfile.ZipFile(src) as archive:
        items = [(i, archive.read(i)) for i in archive.infolist()]
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in items:
            if info.filename == "word/document.xml":
                data = edit(data.decode("utf-8")).encode("utf-8")
            archive.writestr(info, data)
    return dest


def _first_text_run(xml: str, text: str) -> str:
    return re.sub(
        r"(<w:t(?: [^>]*)?>)([^<]*)(</w:t>)", lambda m: m.group(1) + text + m.group(3), xml, count=1
    )


def test_broken_tag_names_template_and_tag(tmp_path):
    src = FORMS[0].path
    broken = _edit_document(
        src, tmp_path / "broken.docx", lambda x: _first_text_run(x, "{{ case.content ")
    )
    with pytest.raises(TemplateError) as err:
        compile_template(broken)
    assert "broken.docx [word/document.xml]" in err.value.message
    assert "模板标签错误" in err.value.message


def test_unknown_field_is_named_by_forms_check(tmp_path, workdir):
    form = Catalog(workdir.templates_dir).get(FORMS[0].code)
    _edit_document(
        form.path, form.path, lambda x: _first_text_run(x, "{{ case.complainant.wechat }}")
    )
    problems = Catalog(workdir.templates_dir).check(Catalog(workdir.templates_dir).get(form.code))
    assert [str(p) for p in problems] == [
        f"{form.file} [word/document.xml]: {{{{ case.complainant.wechat }}}}: 案件格式中没有字段 complainant.wechat (not in the case format)"
    ]


def test_sandbox_blocks_python_internals(tmp_path, generator, book, sample_case, workdir):
    form = generator.catalog.get(FORMS[0].code)
    _edit_document(
        form.path, form.path, lambda x: _first_text_run(x, "{{ case.__class__.__mro__ }}")
    )
    fresh = Generator(workdir)
    with pytest.raises(RenderError):
        fresh.fill(fresh.catalog.get(form.code), book.add(sample_case))
    fresh.close()


def test_failed_render_leaves_previous_file_untouched(generator, book, sample_case, workdir):
    form = generator.catalog.get(FORMS[0].code)
    case = book.add(sample_case)
    output, _ = generator.fill(form, case)
    before = output.path.read_bytes()
    _edit_document(
        form.path,
        form.path,
        lambda x: _first_text_run(
            x, "{{ case.content|no_such_filter_at_runtime if case.kind == '投诉' else '' }}"
        ),
    )
    fresh = Generator(workdir)
    with pytest.raises((RenderError, TemplateError)):
        fresh.fill(fresh.catalog.get(form.code), case)
    fresh.close()
    assert output.path.read_bytes() == before
    assert [p.name for p in output.path.parent.iterdir()] == [output.path.name]


def test_tag_split_across_runs_by_word(tmp_path, workdir, book, sample_case):
    """Word splits a tag typed in pieces into several runs, even with proofing marks between."""
    form = Catalog(workdir.templates_dir).get(FORMS[0].code)

    def split(xml: str) -> str:
        run = (
            '<w:r><w:t xml:space="preserve">修订字段：{{ case.com</w:t></w:r><w:proofErr w:type="spellStart"/>'
            "<w:r><w:rPr><w:b/></w:rPr><w:t>plainant.occu</w:t></w:r><w:r><w:t>pation }}</w:t></w:r>"
        )
        return xml.replace("<w:body>", f"<w:body><w:p>{run}</w:p>", 1)

    _edit_document(form.path, form.path, split)
    assert Catalog(workdir.templates_dir).check(Catalog(workdir.templates_dir).get(form.code)) == []
    gen = Generator(workdir)
    output, _ = gen.fill(gen.catalog.get(form.code), book.add(sample_case))
    gen.close()
    assert "修订字段：采购员" in docx_text(output.path)


def test_template_copy_in_workdir_is_independent(workdir):
    assert (workdir.templates_dir / "catalog.yaml").is_file()
    shutil.rmtree(workdir.templates_dir)
    from recordkit.errors import ConfigError

    with pytest.raises(ConfigError):
        Catalog(workdir.templates_dir)


@pytest.mark.parametrize(
    "tag",
    [
        "{{ case._values }}",
        "{{ case.complainant.__dict__ }}",
        "{{ case['_lenient'] }}",
        "{{ case.extra.__class__.__init__.__globals__ }}",
    ],
)
def test_sandbox_exposes_only_fields_of_case_data(tag, workdir, book, sample_case):
    form = Catalog(workdir.templates_dir).get(FORMS[0].code)
    _edit_document(form.path, form.path, lambda x: _first_text_run(x, tag))
    fresh = Generator(workdir)
    with pytest.raises(RenderError):
        fresh.fill(fresh.catalog.get(form.code), book.add(sample_case))
    fresh.close()
