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
from docx_text import docx_parts, docx_text, strict_parse_all
from PIL import Image

from recordkit import schema
from recordkit.catalog import Catalog
from recordkit.errors import RenderError, TemplateError
from recordkit.generate import Generator
from recordkit.render import compile_template, expected_text, field_uses, to_wordml

NASTY_PIECES = "A&B <tag> x>y \"dq\" 'sq' \x0bshift-enter\r\ncrlf\nlf\ttab \x1fctl \x00nul 😀 {{ 7*7 }} {% if x %}{# c #}"
LONG = "长" * 5000


def nasty_for(path: str) -> str:
    return f"«{path}» {NASTY_PIECES} «end {path}»"


def valid_value(field: schema.Field, sample: dict):
    from recordkit.cases import get_path

    return get_path(sample, field.path)


def nasty_case(sample: dict, used_paths: set[str]) -> dict:
    """The sample case with every free-text field a form reads set to a nasty, traceable value."""
    data = copy.deepcopy(sample)
    from recordkit.cases import set_path

    for path in used_paths:
        field = schema.BY_PATH.get(path)
        if path.startswith("extra.") or (field and field.type == schema.TEXT and not field.choices and path != "case_no"):
            set_path(data, path, nasty_for(path))
        elif field and field.type == schema.LIST:
            set_path(data, path, [nasty_for(path) + " 1", f"第二人 {path}"])
    data["content"] = nasty_for("content") + LONG
    data["case_no"] = "TS-2026-0042"
    return data


def catalog_forms():
    catalog = Catalog(Path(__file__).resolve().parent.parent / "form_templates")
    return list(catalog.forms.values())


FORMS = catalog_forms()
FORM_IDS = [f.code for f in FORMS]


@pytest.fixture
def generator(workdir):
    gen = Generator(workdir)
    yield gen
    gen.close()


def used_case_paths(form) -> set[str]:
    roots = {"case", "row"}
    return {u.path for u in field_uses(form.compiled) if u.root in roots and u.path}


@pytest.mark.parametrize("code", [f.code for f in FORMS if not f.is_register])
def test_every_value_appears_exactly(code, generator, book, sample_case, workdir):
    form = generator.catalog.get(code)
    used = used_case_paths(form)
    assert used, f"{code} reads no case fields"
    workdir.organization.name = "某某 & <检测> 中心\x0b二部"
    data = nasty_case(sample_case, used)
    case = book.add(data)
    output, _record = generator.fill(form, case)
    strict_parse_all(output.path)
    text = docx_text(output.path)
    missing = []
    for path in sorted(used):
        field = schema.BY_PATH.get(path)
        if path.startswith("extra.") or (field and field.type in (schema.TEXT, schema.LIST) and not field.choices and path != "case_no"):
            value = data
            for key in path.split("."):
                value = value[key]
            wanted = expected_text(value)
            if wanted not in text:
                missing.append(path)
    assert missing == [], f"{code}: values lost or altered for {missing}"
    assert expected_text(workdir.organization.name) in text  # header gets the same treatment
    assert "TS-2026-0042" in text


@pytest.mark.parametrize("code", FORM_IDS)
def test_no_tag_survives_and_xml_is_strict(code, generator, book, sample_case):
    form = generator.catalog.get(code)
    if form.is_register:
        book.add(sample_case)
        result = generator.register(code, year=2026)
        path = result.path
    else:
        output, _ = generator.fill(form, book.add(sample_case))
        path = output.path
    strict_parse_all(path)
    for name, xml in docx_parts(path).items():
        if name.endswith(".xml"):
            text = xml.decode("utf-8")
            assert not re.search(r"\{\{|\{%|\{#|%\}|\}\}", text), f"{code} {name}: a template tag survived"


@pytest.mark.parametrize("code", FORM_IDS)
def test_qr_carries_payload_and_case_number_in_text(code, generator, book, sample_case):
    form = generator.catalog.get(code)
    if form.is_register:
        book.add(sample_case)
        path = generator.register(code, year=2026).path
        expected_case = f"{code}-2026"
    else:
        output, _ = generator.fill(form, book.add(sample_case))
        path = output.path
        expected_case = "TS-2026-0001"
    parts = docx_parts(path)
    media = parts[form.compiled.qr_member]
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(media)).convert("L"))
    assert decoded and decoded[0].text == f"RK1|{expected_case}|{code}|{form.version}"
    assert expected_case in docx_text(path)


def test_register_rows_keep_nasty_values(generator, book, sample_case):
    used = used_case_paths(generator.catalog.get("R01"))
    data = nasty_case(sample_case, used)
    book.add(data)
    book.add(sample_case)
    result = generator.register("R01", year=2026)
    assert result.count == 2
    strict_parse_all(result.path)
    text = docx_text(result.path)
    for path in sorted(used):
        field = schema.BY_PATH.get(path)
        if field and field.type == schema.TEXT and not field.choices and path != "case_no":
            value = data
            for key in path.split("."):
                value = value[key]
            assert expected_text(value) in text, path


def test_empty_register_says_so(generator):
    result = generator.register("R01", year=2030)
    assert result.count == 0
    text = docx_text(result.path)
    assert "无记录" in text
    strict_parse_all(result.path)


def test_register_xlsx_has_same_columns(generator, book, sample_case):
    from openpyxl import load_workbook

    from recordkit.spreadsheet import register_table

    book.add(sample_case)
    result = generator.register("R01", year=2026, xlsx=True)
    header, body = register_table(result.path)
    sheet = load_workbook(result.xlsx).active
    rows = [[c if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == header and len(rows) == 1 + len(body) == 2
    assert "TS-2026-0001" in rows[1]


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
    return re.sub(r"(<w:t(?: [^>]*)?>)([^<]*)(</w:t>)", lambda m: m.group(1) + text + m.group(3), xml, count=1)


def test_broken_tag_names_template_and_tag(tmp_path):
    src = FORMS[0].path
    broken = _edit_document(src, tmp_path / "broken.docx", lambda x: _first_text_run(x, "{{ case.content "))
    with pytest.raises(TemplateError) as err:
        compile_template(broken)
    assert "broken.docx [word/document.xml]" in err.value.message
    assert "模板标签错误" in err.value.message


def test_unknown_field_is_named_by_forms_check(tmp_path, workdir):
    form = Catalog(workdir.templates_dir).get(FORMS[0].code)
    _edit_document(form.path, form.path, lambda x: _first_text_run(x, "{{ case.complainant.wechat }}"))
    problems = Catalog(workdir.templates_dir).check(Catalog(workdir.templates_dir).get(form.code))
    assert [str(p) for p in problems] == [
        f"{form.file} [word/document.xml]: {{{{ case.complainant.wechat }}}}: 案件格式中没有字段 complainant.wechat (not in the case format)"
    ]


def test_sandbox_blocks_python_internals(tmp_path, generator, book, sample_case, workdir):
    form = generator.catalog.get(FORMS[0].code)
    _edit_document(form.path, form.path, lambda x: _first_text_run(x, "{{ case.__class__.__mro__ }}"))
    fresh = Generator(workdir)
    with pytest.raises(RenderError):
        fresh.fill(fresh.catalog.get(form.code), book.add(sample_case))
    fresh.close()


def test_failed_render_leaves_previous_file_untouched(generator, book, sample_case, workdir):
    form = generator.catalog.get(FORMS[0].code)
    case = book.add(sample_case)
    output, _ = generator.fill(form, case)
    before = output.path.read_bytes()
    _edit_document(form.path, form.path, lambda x: _first_text_run(x, "{{ case.content|no_such_filter_at_runtime if case.kind == '投诉' else '' }}"))
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
        run = ('<w:r><w:t xml:space="preserve">修订字段：{{ case.com</w:t></w:r><w:proofErr w:type="spellStart"/>'
               '<w:r><w:rPr><w:b/></w:rPr><w:t>plainant.occu</w:t></w:r><w:r><w:t>pation }}</w:t></w:r>')
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


@pytest.mark.parametrize("tag", ["{{ case._values }}", "{{ case.complainant.__dict__ }}", "{{ case['_lenient'] }}",
                                 "{{ case.extra.__class__.__init__.__globals__ }}"])
def test_sandbox_exposes_only_fields_of_case_data(tag, workdir, book, sample_case):
    form = Catalog(workdir.templates_dir).get(FORMS[0].code)
    _edit_document(form.path, form.path, lambda x: _first_text_run(x, tag))
    fresh = Generator(workdir)
    with pytest.raises(RenderError):
        fresh.fill(fresh.catalog.get(form.code), book.add(sample_case))
    fresh.close()
