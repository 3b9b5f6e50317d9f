"""The library behind the 表单 and 报表 pages: revising a template (check first, nothing
replaced when broken, previous version kept), the sample filling of the first-page
previews, and the report's figures computed without writing."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from docx_text import docx_text

from recordkit.config import init_workdir
from recordkit.errors import BadValueError
from recordkit.forms.preview import SAMPLE_NO, preview_path, sample_docx
from recordkit.forms.revision import check_docx_bytes, revise_template
from recordkit.reports.stats import parse_month
from recordkit.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    init_workdir(tmp_path / "work")
    return Workspace.open(tmp_path / "work" / "recordkit.toml")


def rezip(data: bytes, member: str, old: str, new: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(
                info,
                content.replace(old.encode(), new.encode(), 1)
                if info.filename == member
                else content,
            )
    return out.getvalue()


def test_sound_revision_replaces_the_template_and_keeps_the_old_one(ws: Workspace) -> None:
    form = ws.catalog().get("F03")
    old = form.path.read_bytes()
    new = rezip(old, "word/header1.xml", "第1版", "第2版")
    revision = revise_template(ws.catalog(), "F03", new, now=datetime(2026, 12, 1, 3, 45, 0))
    assert (revision.installed, revision.problems, revision.old_version, revision.new_version) == (
        True,
        [],
        "1",
        "2",
    )
    assert form.path.read_bytes() == new
    assert (
        revision.kept
        == form.folder / ".history" / "F03-投诉(申诉)登记及处理表-第1版-20261201-034500.docx"
    )
    assert revision.kept.read_bytes() == old
    assert ws.catalog().get("F03").version == "2"
    assert ws.catalog().check_all() and all(
        not problems for _f, problems in ws.catalog().check_all()
    )


def test_broken_revision_is_reported_and_nothing_is_replaced(ws: Workspace) -> None:
    form = ws.catalog().get("F03")
    old = form.path.read_bytes()
    broken = rezip(old, "word/document.xml", "{{ case.case_no }}", "{{ case.case_no ")
    revision = revise_template(ws.catalog(), "F03", broken)
    assert not revision.installed and revision.kept is None
    assert revision.problems and revision.problems[0].template == form.file
    assert form.path.read_bytes() == old
    assert not (form.folder / ".history").exists()


def test_unchanged_version_is_flagged(ws: Workspace) -> None:
    data = ws.catalog().get("F03").path.read_bytes()
    assert revise_template(ws.catalog(), "F03", data).version_unchanged


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7", b"PK\x03\x04garbage", b"PK" + b"\x00" * 20])
def test_what_is_not_a_docx_is_refused_by_content(data: bytes) -> None:
    with pytest.raises(BadValueError, match="不是 Word .docx 文件"):
        check_docx_bytes(data, "x.docx")


def test_an_xlsx_renamed_docx_is_refused(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(BadValueError, match="不是 Word .docx 文件"):
        check_docx_bytes(buffer.getvalue(), "模板.docx")


def test_every_form_fills_with_the_sample_record(ws: Workspace) -> None:
    generator = ws.generator()
    try:
        for form in generator.catalog.forms.values():
            text = docx_text(sample_docx(generator, form))
            assert form.title.replace(" ", "")[:4] in text.replace(" ", ""), form.code
            if not form.is_register:
                assert SAMPLE_NO in text, form.code
    finally:
        generator.close()


def test_preview_is_named_by_the_templates_content(ws: Workspace, tmp_path: Path) -> None:
    form = ws.catalog().get("F03")
    before = preview_path(tmp_path, form)
    form.path.write_bytes(rezip(form.path.read_bytes(), "word/header1.xml", "第1版", "第2版"))
    assert preview_path(tmp_path, form) != before and before.name.startswith("F03-")


def test_report_figures_are_those_the_report_writes(ws: Workspace) -> None:
    period = parse_month("2026-10")
    figures, problems = ws.report_figures(period)
    written = ws.report(period)
    assert figures.to_dict() | {"as_of": None} == written.stats.to_dict() | {"as_of": None}
    files = ws.report_files(period)
    assert (files.docx, files.xlsx) == (written.docx, written.xlsx)
    assert files.chart_names() == ["1-channel.png", "2-category.png", "3-steps.png", "4-trend.png"]
    assert (
        files.chart("../投诉统计月报-2026-10.docx") is None
        and files.chart("1-channel.png") is not None
    )
