"""The 归档章 on an access copy: text present, font embedded, placed right, original untouched."""

from __future__ import annotations

from pathlib import Path

import pdf_factory as pf
import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from recordkit.archive.fixity import file_digests
from recordkit.archive.pdfinspect import inspect_pdf
from recordkit.archive.stamp import (
    STAMP_H_MM,
    STAMP_W_MM,
    Placement,
    StampFields,
    StampStyle,
    display_to_user_matrix,
    find_placement,
    stamp_access_copy,
)
from recordkit.errors import PdfError

FIELDS = StampFields.from_archive_no("Z109-WS·2026-D10-ZLB-0001", pages=2)
RENDER_DPI = 72  # 1 px per point keeps the geometry checks simple


@pytest.fixture(scope="module")
def born(tmp_path_factory) -> Path:
    return pf.born_digital(tmp_path_factory.mktemp("stamp") / "born.pdf")


def page_one_text(path: Path) -> str:
    return PdfReader(str(path)).pages[0].extract_text()


def red_bbox_mm(path: Path) -> tuple[float, float, float, float]:
    """Bounding box (mm, displayed page, top-left origin) of the red ink on page 1."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    img = doc[0].render(scale=RENDER_DPI / 72).to_pil().convert("RGB")
    doc.close()
    r, g, _ = img.split()
    # Red ink: strong red channel, weak green (black text and grey noise fail one of them).
    strong_red = Image.eval(r, lambda v: 255 if v > 150 else 0)
    weak_green = Image.eval(g, lambda v: 255 if v < 110 else 0)
    box = Image.composite(strong_red, Image.new("L", img.size, 0), weak_green).getbbox()
    assert box is not None, "no red stamp found on page 1"
    px_mm = RENDER_DPI / 25.4
    return tuple(v / px_mm for v in box)  # type: ignore[return-value]


# --- the copy --------------------------------------------------------------------------------


def test_stamp_text_on_page_one_and_original_untouched(born, tmp_path):
    before = file_digests(born)
    dest = tmp_path / "access" / "Z109-WS_2026-D10-ZLB-0001.pdf"
    placement = stamp_access_copy(born, dest, FIELDS)
    assert file_digests(born) == before
    text = page_one_text(dest)
    for value in ("Z109", "2026", "0001", "ZLB", "10年"):
        assert value in text
    assert "COMPLAINT FORM" in text  # the page itself is still there
    assert len(PdfReader(str(dest)).pages) == 2
    assert placement.rule == "blank-right"
    assert [p.name for p in dest.parent.iterdir()] == [dest.name]  # no temp file left


def test_stamp_font_is_embedded_truetype(born, tmp_path):
    dest = tmp_path / "copy.pdf"
    stamp_access_copy(born, dest, FIELDS)
    fonts = PdfReader(str(dest)).pages[0]["/Resources"]["/Font"]
    stamp_fonts = [
        f.get_object() for f in fonts.values() if "WenQuanYiMicroHei" in f.get_object()["/BaseFont"]
    ]
    assert stamp_fonts
    for font in stamp_fonts:
        assert "/FontFile2" in font["/FontDescriptor"].get_object()
        assert "/ToUnicode" in font  # so the stamp's text can be searched and copied


def test_labels_style(born, tmp_path):
    dest = tmp_path / "labels.pdf"
    fields = StampFields("Z109", 2026, 12, "Y", 3)
    stamp_access_copy(born, dest, fields, StampStyle(show_labels=True, color="black"))
    text = page_one_text(dest)
    for word in ("全宗号", "年度", "件号", "机构(问题)", "保管期限", "页数", "永久", "0012"):
        assert word in text


def test_stamp_lands_in_blank_space_right_of_centre(born, tmp_path):
    dest = tmp_path / "copy.pdf"
    placement = stamp_access_copy(born, dest, FIELDS)
    x0, y0, x1, y1 = red_bbox_mm(dest)
    assert abs(x0 - placement.x_mm) < 1.5 and abs(y0 - placement.y_mm) < 1.5
    assert abs((x1 - x0) - STAMP_W_MM) < 1.5 and abs((y1 - y0) - STAMP_H_MM) < 1.5
    assert x0 >= 210 / 2 - 1  # right of centre on A4
    assert y1 < 26  # above the title, which starts ~26 mm from the top


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_rotated_pages_with_offset_boxes_get_an_upright_stamp(tmp_path, rotate):
    src = pf.rotated_page(tmp_path / f"rot{rotate}.pdf", rotate, cropbox_offset=40)
    dest = tmp_path / "copy.pdf"
    placement = stamp_access_copy(src, dest, FIELDS)
    x0, y0, x1, y1 = red_bbox_mm(dest)
    # Upright: 45 mm wide and 16 mm tall on the page as displayed, where we chose.
    assert abs((x1 - x0) - STAMP_W_MM) < 1.5 and abs((y1 - y0) - STAMP_H_MM) < 1.5
    assert abs(x0 - placement.x_mm) < 1.5 and abs(y0 - placement.y_mm) < 1.5
    assert "Z109" in page_one_text(dest)


def test_scanned_image_page_gets_the_stamp_on_top(born, tmp_path):
    scan = pf.scanned_looking(tmp_path / "scan.pdf", born, dpi=100)
    dest = tmp_path / "copy.pdf"
    placement = stamp_access_copy(scan, dest, FIELDS)
    assert placement.rule in ("blank-right", "blank-left")
    red_bbox_mm(dest)  # visible over the image, not hidden under it


def test_signed_original_keeps_its_bytes_and_the_copy_keeps_the_signed_revision(tmp_path):
    signed = pf.signed(tmp_path / "signed.pdf")
    before = signed.read_bytes()
    copy = tmp_path / "copy.pdf"
    stamp_access_copy(signed, copy, FIELDS)
    assert signed.read_bytes() == before
    # The stamp is appended as an update: the signed revision is still there, intact,
    # and a reader reports a change after signing rather than a broken signature.
    assert copy.read_bytes().startswith(before)
    sig = inspect_pdf(copy).signatures[0]
    assert (sig.intact, sig.coverage) == (True, "entire_revision")


def test_owner_password_only_original_is_stamped_on_a_decrypted_rewrite(tmp_path):
    src = pf.encrypted(tmp_path / "owner_only.pdf", user_password="")
    copy = tmp_path / "copy.pdf"
    stamp_access_copy(src, copy, FIELDS)
    assert not PdfReader(str(copy)).is_encrypted
    assert "Z109" in page_one_text(copy)


# --- refusals ------------------------------------------------------------------------------


def test_copy_must_not_replace_the_original(born):
    with pytest.raises(PdfError, match="原件"):
        stamp_access_copy(born, born, FIELDS)


def test_encrypted_and_broken_inputs_are_pdf_errors(tmp_path):
    for src in (pf.encrypted(tmp_path / "e.pdf"), pf.text_renamed(tmp_path / "t.pdf")):
        with pytest.raises(PdfError):
            stamp_access_copy(src, tmp_path / "copy.pdf", FIELDS)
    assert not (tmp_path / "copy.pdf").exists()


def test_chinese_department_name_is_stamped(born, tmp_path):
    fields = StampFields("Z109", 2026, 1, "D10", 2, dept_code="质量部")
    stamp_access_copy(born, tmp_path / "copy.pdf", fields)
    assert "质量部" in page_one_text(tmp_path / "copy.pdf")


# --- placement rule, on drawn images ------------------------------------------------------------


def page_image(*inked_boxes_mm: tuple[float, float, float, float]) -> Image.Image:
    """A4 at 50 dpi, white, with black rectangles (mm, top-left origin)."""
    px = 50 / 25.4
    img = Image.new("L", (round(210 * px), round(297 * px)), 255)
    draw = ImageDraw.Draw(img)
    for x0, y0, x1, y1 in inked_boxes_mm:
        draw.rectangle([x0 * px, y0 * px, x1 * px, y1 * px], fill=0)
    return img


def test_blank_page_takes_the_spot_just_right_of_centre_at_the_top():
    assert find_placement(page_image(), 210, 297) == Placement(105.0, 6.0, "blank-right")


def test_ink_right_of_centre_moves_the_stamp_left():
    p = find_placement(page_image((100, 0, 210, 60)), 210, 297)
    assert p.rule == "blank-left" and p.x_mm + STAMP_W_MM <= 100 - 2


def test_ink_far_right_centres_the_stamp():
    p = find_placement(page_image((130, 0, 210, 60)), 210, 297)
    assert p.rule == "blank-centre" and p.x_mm < 105 < p.x_mm + STAMP_W_MM <= 130 - 2


def test_ink_at_the_very_top_moves_the_stamp_down():
    p = find_placement(page_image((0, 0, 210, 12)), 210, 297)
    assert p.rule == "blank-right" and p.y_mm >= 12 + 2


def test_full_top_band_falls_back_right_of_centre():
    p = find_placement(page_image((0, 0, 210, 60)), 210, 297)
    assert p == Placement(105.0, 6.0, "fallback")


def test_dust_specks_do_not_count_as_ink():
    img = page_image()
    img.putpixel((img.width // 2 + 20, 20), 0)
    assert find_placement(img, 210, 297).rule == "blank-right"


def test_display_matrix_maps_the_displayed_corner_to_the_right_user_corner():
    box = (10.0, 20.0, 110.0, 220.0)  # 100 × 200 pt, offset
    apply = lambda m, x, y: (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])  # noqa: E731
    # Displayed origin (bottom-left of what the reader shows) per rotation:
    assert apply(display_to_user_matrix(0, box), 0, 0) == (10, 20)
    assert apply(display_to_user_matrix(90, box), 0, 0) == (110, 20)
    assert apply(display_to_user_matrix(180, box), 0, 0) == (110, 220)
    assert apply(display_to_user_matrix(270, box), 0, 0) == (10, 220)
    with pytest.raises(PdfError):
        display_to_user_matrix(45, box)
