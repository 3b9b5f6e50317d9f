"""The web's page previews are rendered in colour, so the red 归档章 of the access copy
shows red; OCR and QR reading keep their grayscale render."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from audit_setup import DUE, fresh_archive
from PIL import Image

from recordkit.archive.service import Archive


def red_pixels(path: Path) -> int:
    rgb = np.asarray(Image.open(path).convert("RGB")).astype(int)
    return int(((rgb[..., 0] > 180) & (rgb[..., 1] < 90) & (rgb[..., 2] < 90)).sum())


def test_preview_of_a_stamped_access_copy_has_red_pixels(tmp_path: Path) -> None:
    config = fresh_archive(tmp_path / "w")
    with Archive(config) as archive:
        preview = archive.access_page(DUE[0], 1, tmp_path / "cache")
    assert preview.name.endswith("-0001-rgb.png")
    assert Image.open(preview).mode != "L"
    assert red_pixels(preview) > 200  # the stamp's frame and its values
