"""Build docs/forms.md: a first-page picture of every form, filled from a sample case.

    .venv/bin/python tools/make_gallery.py                       # every form, into docs/
    .venv/bin/python tools/make_gallery.py --docs /tmp/g F01 R01  # a quick look at two

Needs LibreOffice (the real client offices use to open the forms). The sample cases and
records are filed into a fresh working folder the way `recordkit demo` files them; each
form is filled from the sample that exercises it best, converted to PDF and its first page
rendered to <docs>/forms/<code>.png with pypdfium2. With codes, forms.md lists just those.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pypdfium2

from recordkit.config import init_workdir
from recordkit.demo.samples import file_samples
from recordkit.forms.catalog import Form
from recordkit.forms.generator import Generator
from recordkit.forms.libreoffice import convert_to_pdf, require_soffice
from recordkit.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PICTURES = DOCS / "forms"

# The sample case or record that shows each form best (others use the default).
PREFERRED = {
    "F03": "SS-2026-0001",  # lab report objection: 复检, 回避
    "F04": "TS-2026-0002",  # vehicle inspection station: 复检收费
    "F05": "SS-2026-0001",  # 检验检测中心: 书面材料, 纠正措施情形
    "F06": "TS-2026-0012",  # securities branch
    "F07": "TS-2025-0001",  # car dealer: 30-minute transfer
    "F08": "SS-2026-0002",  # certification appeal
    "F09": "SS-2026-0002",
    "F11": "TS-2026-0003",  # QA complaint record (pharma distributor)
    "F14": "TS-2026-0013",  # construction quality complaint
    "F15": "TS-2026-0003",  # drug complaint, class Ⅳ
    "F16": "TS-2026-0014",  # law firm, referred by the justice bureau
    "F17": "TS-2026-0005",  # after-sales: installation leak
    "F19": "TS-2026-0001",  # the case with an extension
    "F02": "TS-2026-0009",  # food complaint with batch and purchase place
    "F20": "TS-2026-0009",  # 调查意见表 for the food complaint
    "F21": "TS-2026-0005",
    "F22": "TS-2026-0005",
    "F23": "SG-2026-0001",  # incident linked to TS-2026-0005
    "F24": "SG-2026-0002",  # cold-room incident, batch scrapped
    "F25": "ZG-2026-0004",  # rectification notice linked to TS-2026-0013
    "F26": "CA-2026-011",  # CAPA linked to TS-2026-0005
    "F27": "FW-2026-0003",  # repair visit with parts, signed after the service
    "F28": "FW-2026-0001",  # installation and acceptance
}
DEFAULT_CASE = "TS-2026-0005"
DPI = 80  # enough to read the header and the table lines; 30–70 KB a page

HEADER = (
    "# 表单一览 (form gallery)\n\n"
    "Every form and register as LibreOffice renders it (first page), filled from the bundled sample\n"
    "cases and records (`examples/`); registers show the 2026 sample year.\n"
    "(`tools/make_gallery.py` rebuilds this page). How to revise a template: "
    "[template-authoring.md](template-authoring.md).\n\n"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("codes", nargs="*", help="only these forms (default: all)")
    parser.add_argument("--docs", type=Path, default=DOCS, help="where forms.md and forms/ go")
    args = parser.parse_args(argv)
    require_soffice()
    with tempfile.TemporaryDirectory(prefix="rk-gallery-") as work:
        sections = build_gallery(Path(work), args.docs, args.codes)
    print(f"{len(sections)} forms → {args.docs / 'forms.md'}")
    return 0


def build_gallery(work: Path, docs_dir: Path, codes: list[str] | None = None) -> list[str]:
    """Fill, convert and picture the forms (all, or ``codes``) in the fresh working folder
    ``work``; write ``docs_dir``/forms/<code>.png and ``docs_dir``/forms.md.
    Returns the page's sections in catalog order (F01 … F29, R01 … R03)."""
    config = init_workdir(work / "workdir", org_name="漳州市示例检验检测中心", profile="hospital")
    workspace = Workspace(config)
    file_samples(workspace)  # records before cases, as the demo files them
    generator = workspace.generator()
    try:
        docs = _fill(generator, codes)
    finally:
        generator.close()
    pdfs = convert_to_pdf([d for _, d in docs], outdir=work / "pdf")
    pictures = docs_dir / "forms"
    pictures.mkdir(parents=True, exist_ok=True)
    sections = {
        code: _section(generator.catalog.get(code), pdf, pictures)
        for (code, _doc), pdf in zip(docs, pdfs, strict=True)
    }
    if not codes:  # a full run: pictures of forms no longer in the catalog go
        for stale in set(pictures.glob("*.png")) - {pictures / f"{c}.png" for c in sections}:
            stale.unlink()
    ordered = [sections[code] for code in sorted(sections)]
    contents = " · ".join(f"[{code}](#{_anchor(sections[code])})" for code in sorted(sections))
    (docs_dir / "forms.md").write_text(
        HEADER + contents + "\n\n" + "\n".join(ordered), encoding="utf-8"
    )
    return ordered


def _fill(generator: Generator, codes: list[str] | None) -> list[tuple[str, Path]]:
    """The filled .docx of each form: a register for the 2026 sample year, a form for
    its preferred sample case or record."""
    docs: list[tuple[str, Path]] = []
    for form in generator.catalog.forms.values():
        if codes and form.code not in codes:
            continue
        if form.is_register:
            docs.append((form.code, generator.register(form.code, year=2026).path))
        else:
            record = generator.casebook.get(PREFERRED.get(form.code, DEFAULT_CASE))
            docs.append((form.code, generator.fill(form, record)[0].path))
    return docs


def _section(form: Form, pdf: Path, pictures: Path) -> str:
    """Render the first page of ``pdf`` to pictures/<code>.png; the form's section of the page."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        pages = len(document)
        image = document[0].render(scale=DPI / 72).to_pil()
    finally:
        document.close()
    # 16 grey levels keep the text crisp at a tenth of the size (the forms are black on white)
    image.convert("L").quantize(colors=16).save(pictures / f"{form.code}.png", optimize=True)
    code = form.code
    shown = f"{code}-2026 (2026 年度)" if form.is_register else PREFERRED.get(code, DEFAULT_CASE)
    return (
        f"## {code} {form.title}\n\n"
        f"第{form.version}版 · {form.type} · {form.record_type} · {form.paper} · 保管期限 {form.retention} · "
        f"{pages} 页 · 示例 {shown} · 来源 {form.source}\n\n"
        f"![{code} {form.title}](forms/{code}.png)\n"
    )


def _anchor(section: str) -> str:
    """The GitHub anchor of a section's "## F04 顾客申诉和投诉处理表" heading."""
    heading = section.splitlines()[0].removeprefix("## ").strip().lower()
    return "".join(ch for ch in heading.replace(" ", "-") if ch.isalnum() or ch in "-_")


if __name__ == "__main__":
    sys.exit(main())
