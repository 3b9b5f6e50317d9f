"""tools/make_gallery.py (docs/forms.md): files the samples as the demo does, fills a
form and a register, and pictures their first pages; the committed page is not stale."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from conftest import soffice_missing
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(soffice_missing() is not None, reason=soffice_missing() or "")


def _gallery_tool():
    spec = importlib.util.spec_from_file_location(
        "make_gallery", ROOT / "tools" / "make_gallery.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _sections(page: str) -> dict[str, str]:
    """Each form's section of a forms.md, by code."""
    return {
        m.group(1): m.group(0).strip()
        for m in re.finditer(r"^## (\w+) .*?(?=^## |\Z)", page, re.M | re.S)
    }


def test_gallery_pictures_a_capa_form_and_a_register(tmp_path):
    docs = tmp_path / "docs"
    (docs / "forms").mkdir(parents=True)
    (docs / "forms" / "F01.png").write_bytes(b"kept")  # a run over some forms leaves the others

    # F26 shows CA-2026-011, and filing the samples needs SS-2026-0001's CAPA first
    assert _gallery_tool().main(["--docs", str(docs), "F26", "R01"]) == 0

    page = (docs / "forms.md").read_text(encoding="utf-8")
    assert page.startswith("# 表单一览 (form gallery)\n")
    assert "[F26](#f26-纠正和预防措施表) · [R01](#r01-投诉登记台帐)\n" in page
    sections = _sections(page)
    assert list(sections) == ["F26", "R01"]
    assert "· 示例 CA-2026-011 ·" in sections["F26"]
    assert "· 示例 R01-2026 (2026 年度) ·" in sections["R01"]
    assert "![R01 投诉登记台帐](forms/R01.png)" in sections["R01"]
    assert (docs / "forms" / "F01.png").read_bytes() == b"kept"
    form, register = (Image.open(docs / "forms" / f"{c}.png") for c in ("F26", "R01"))
    assert form.mode == register.mode == "P"  # 16 greys, small files
    assert form.height > form.width and register.width > register.height  # portrait, landscape
    assert abs(form.width - round(595 * 80 / 72)) <= 2  # A4 at 80 dpi


def test_committed_gallery_matches_the_templates(tmp_path):
    """docs/forms.md shows the current templates: version, paper and page count agree
    (run tools/make_gallery.py after changing a template)."""
    _gallery_tool().main(["--docs", str(tmp_path), "F13", "R01"])
    fresh = _sections((tmp_path / "forms.md").read_text(encoding="utf-8"))
    committed = _sections((ROOT / "docs" / "forms.md").read_text(encoding="utf-8"))
    for code in ("F13", "R01"):
        assert committed[code] == fresh[code], (
            f"docs/forms.md {code} 已过时: 请运行 tools/make_gallery.py"
        )
