"""Identification by real QR decoding (born-digital and scanned-looking), name and text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pdf_factory as pf
import pytest

from recordkit.archive.identify import (
    decode_qr_from_pdf,
    find_case_no_in_text,
    find_case_nos_in_text,
    find_form_code_in_text,
    identify,
    identify_from_filename,
)
from recordkit.archive.pdfinspect import inspect_pdf
from recordkit.errors import PdfError
from recordkit.forms.qr import QrPayload

PAYLOAD = pf.PAYLOAD


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("identify")
    born = pf.born_digital(d / "born.pdf")
    return {
        "born": born,
        "scanned": pf.scanned_looking(d / "scanned.pdf", born),
        "noisy": pf.scanned_looking(d / "noisy.pdf", born, dpi=150, angle=3, noise_sigma=70),
        "no_qr": pf.born_digital(d / "no_qr.pdf", payload=None, case_no="TS-2026-0011"),
        "blank": pf.born_digital(d / "blank.pdf", payload=None, case_no=None),
        "foreign": pf.foreign_qr(d / "foreign.pdf"),
        "encrypted": pf.encrypted(d / "encrypted.pdf"),
        "two_cases": pf.one_form_per_page(
            d / "two_cases.pdf", [PAYLOAD, QrPayload("TS-2026-0099", "F01", "3")]
        ),
        "two_forms": pf.one_form_per_page(
            d / "two_forms.pdf", [PAYLOAD, QrPayload("TS-2026-0007", "F18", "2")]
        ),
    }


# --- QR ------------------------------------------------------------------------------------


def test_qr_from_born_digital(files):
    assert decode_qr_from_pdf(files["born"]) == [PAYLOAD]


def test_qr_from_scanned_rotated_noisy(files):
    assert inspect_pdf(files["scanned"]).text.strip() == ""  # really image-only
    assert decode_qr_from_pdf(files["scanned"]) == [PAYLOAD]


def test_qr_from_very_noisy_scan_needs_the_harder_passes(files):
    assert decode_qr_from_pdf(files["noisy"]) == [PAYLOAD]


def test_foreign_qr_codes_are_skipped(files):
    assert decode_qr_from_pdf(files["foreign"]) == []


def test_only_the_first_pages_are_read(files):
    assert decode_qr_from_pdf(files["two_forms"], pages=1) == [PAYLOAD]
    assert len(decode_qr_from_pdf(files["two_forms"], pages=2)) == 2


def test_unrenderable_file_is_a_pdf_error(files, tmp_path):
    with pytest.raises(PdfError):
        decode_qr_from_pdf(files["encrypted"])
    with pytest.raises(PdfError):
        decode_qr_from_pdf(pf.text_renamed(tmp_path / "x.pdf"))


# --- file name and text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,expected",
    [
        ("TS-2026-0007_F01.pdf", ("TS-2026-0007", "F01")),
        ("TS-2026-0007_F01_signed_by_li.pdf", ("TS-2026-0007", "F01")),
        ("TS-2026-0007_R03.PDF", ("TS-2026-0007", "R03")),
        ("ts-2026-0007_f12.pdf", ("TS-2026-0007", "F12")),
        ("TS-2026-0007_F01 (1).pdf", ("TS-2026-0007", "F01")),
        ("TS-2026-0007_F01 - 副本.pdf", ("TS-2026-0007", "F01")),
        ("inbox/sub/TS-2026-0007_F01.pdf", ("TS-2026-0007", "F01")),
        ("TS-2026-0007.pdf", None),
        ("TS-2026-0007_F1.pdf", None),
        ("TS-2026-0007_F012.pdf", None),
        ("TS-2026-0007_X01.pdf", None),
        ("TS-2026-0007_F01.docx", None),
        ("scan0001.pdf", None),
        ("../TS-2026-0007_F01.pdf", ("TS-2026-0007", "F01")),
    ],
)
def test_identify_from_filename(name, expected):
    assert identify_from_filename(name) == expected


def test_case_number_in_text():
    assert find_case_no_in_text("编号: TS-2026-0007 收到") == "TS-2026-0007"
    assert find_case_no_in_text("TS-2026-0007 … again TS-2026-0007") == "TS-2026-0007"
    assert find_case_no_in_text("TS-2026-0007 and TS-2026-0008") is None  # ambiguous
    assert find_case_nos_in_text("TS-2026-0007 and TS-2026-0008") == [
        "TS-2026-0007",
        "TS-2026-0008",
    ]
    assert find_case_no_in_text("ABCDEFGTS-2026-0007") is None
    assert find_case_no_in_text("TS-2026-0007123") is None
    assert find_case_no_in_text("nothing here") is None


def test_case_number_pattern_is_configurable():
    assert find_case_no_in_text("案号 TS2026/07", r"TS\d{4}/\d{2}") is None  # unsafe: has "/"
    assert find_case_no_in_text("案号 KS2026-07 结", r"KS\d{4}-\d{2}") == "KS2026-07"


def test_form_code_in_text():
    assert find_form_code_in_text("表单编号 F03  第3版") == ("F03", "3")
    assert find_form_code_in_text("表单编号：R01") == ("R01", None)
    assert find_form_code_in_text("第3版") == (None, None)


# --- identify ----------------------------------------------------------------------------------


def test_identify_by_qr(files):
    for key in ("born", "scanned"):
        found = identify(files[key])
        assert (found.case_no, found.form_code, found.version, found.method) == (
            "TS-2026-0007",
            "F01",
            "3",
            "qr",
        )


def test_identify_by_filename_when_no_qr(files, tmp_path):
    named = shutil.copy(files["no_qr"], tmp_path / "TS-2026-0042_F02_signed.pdf")
    found = identify(named, inspect_pdf(named).text)
    assert (found.case_no, found.form_code, found.method) == ("TS-2026-0042", "F02", "filename")


def test_identify_by_text_when_no_qr_and_no_name(files):
    found = identify(files["no_qr"], inspect_pdf(files["no_qr"]).text)
    assert (found.case_no, found.form_code, found.version, found.method) == (
        "TS-2026-0011",
        "F01",
        "3",
        "text",
    )


def test_unidentified_gives_every_reason(files):
    found = identify(files["blank"], inspect_pdf(files["blank"]).text)
    assert not found.identified and found.method is None
    assert "二维码" in found.reason and "文件名" in found.reason and "文本" in found.reason


def test_qr_codes_of_two_cases_are_not_guessed(files):
    found = identify(files["two_cases"], "")
    assert not found.identified
    assert "TS-2026-0099" in found.reason


def test_one_case_several_forms_takes_the_first_page(files):
    found = identify(files["two_forms"], "")
    assert (found.case_no, found.form_code, found.method) == ("TS-2026-0007", "F01", "qr")
    assert "F18" in found.reason


def test_unrenderable_file_falls_through_to_the_name(files, tmp_path):
    named = shutil.copy(files["encrypted"], tmp_path / "TS-2026-0005_F03.pdf")
    found = identify(named, "")
    assert (found.case_no, found.method) == ("TS-2026-0005", "filename")
