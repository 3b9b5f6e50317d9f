"""The CJK font recordkit draws with: WenQuanYi Micro Hei from the ``mpl-font`` package.

PDFs we write (filing stamp, catalogue, 销毁清册) and charts must render Chinese on a
machine that has only Python, with the font embedded. reportlab embeds TrueType
outlines only (not CFF, which rules out Noto CJK OTF), and WenQuanYi Micro Hei is a
TrueType collection that ``mpl-font`` ships on PyPI, so one dependency serves both
reportlab and matplotlib. Licence: Apache-2.0 / GPL-3.0 with font exception.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from recordkit.errors import RecordkitError

FONT_NAME = "WenQuanYiMicroHei"


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    # Located, not imported: importing mpl_font imports matplotlib.pyplot (~0.6 s of CPU),
    # which every archive worker would pay before stamping its first 归档章.
    spec = importlib.util.find_spec("mpl_font")
    if (
        spec is None or not spec.submodule_search_locations
    ):  # pragma: no cover - a declared dependency
        raise RecordkitError("缺少中文字体包 mpl-font (pip install mpl-font)")
    path = Path(spec.submodule_search_locations[0]) / "fonts" / "wqy" / "wqy-microhei.ttc"
    if not path.is_file():  # pragma: no cover
        raise RecordkitError(f"找不到中文字体文件 {path}")
    return path


@lru_cache(maxsize=1)
def reportlab_font() -> str:
    """Register the font with reportlab once; returns the name to pass to setFont."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, str(cjk_font_path()), subfontIndex=0))
    return FONT_NAME


@lru_cache(maxsize=1)
def matplotlib_font() -> str:
    """Add the font to matplotlib once; returns its family name."""
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(cjk_font_path()))
    return font_manager.FontProperties(fname=str(cjk_font_path())).get_name()
