"""Build docs/forms.md: a first-page picture of every form, filled from a sample case.

    .venv/bin/python tools/make_gallery.py

Needs LibreOffice (the real client offices use to open the forms). Each form is filled
from the sample case that exercises it best, converted to PDF and its first page
rendered to docs/forms/<code>.png with pypdfium2.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pypdfium2

from recordkit.cases import schema
from recordkit.cases.store import read_case_file
from recordkit.clock.setup import open_book, open_casebook
from recordkit.config import init_workdir
from recordkit.forms.generator import make_generator
from recordkit.forms.libreoffice import convert_to_pdf, require_soffice

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


def main() -> int:
    require_soffice()
    work = Path(tempfile.mkdtemp(prefix="rk-gallery-"))
    config = init_workdir(work, org_name="漳州市示例检验检测中心", profile="hospital")
    book = open_casebook(config)
    for path in sorted((ROOT / "examples" / "cases").glob("*.yaml")):
        data, _ = read_case_file(path)
        book.add(data, source=str(path))
    for rtype in schema.OTHER_TYPES:
        records = open_book(config, rtype)
        for path in sorted((ROOT / "examples" / "records" / rtype.folder).glob("*.yaml")):
            records.add(read_case_file(path)[0], source=str(path))
    generator = make_generator(config)
    docs: list[tuple[str, Path]] = []
    for form in generator.catalog.forms.values():
        if form.is_register:
            docs.append((form.code, generator.register(form.code, year=2026).path))
        else:
            record = generator.casebook.get(PREFERRED.get(form.code, DEFAULT_CASE))
            docs.append((form.code, generator.fill(form, record)[0].path))
    generator.close()
    pdfs = convert_to_pdf([d for _, d in docs], outdir=work / "pdf")
    if PICTURES.exists():
        shutil.rmtree(PICTURES)
    PICTURES.mkdir(parents=True)
    sections = []
    for (code, _doc), pdf in zip(docs, pdfs, strict=False):
        form = generator.catalog.get(code)
        document = pypdfium2.PdfDocument(str(pdf))
        pages = len(document)
        image = document[0].render(scale=80 / 72).to_pil()
        # 16 grey levels keep the text crisp at a tenth of the size (the forms are black on white)
        image = image.convert("L").quantize(colors=16)
        image.save(PICTURES / f"{code}.png", optimize=True)
        document.close()
        shown = (
            f"{code}-2026 (2026 年度)" if form.is_register else PREFERRED.get(code, DEFAULT_CASE)
        )
        sections.append(
            f"## {code} {form.title}\n\n"
            f"第{form.version}版 · {form.type} · {form.record_type} · {form.paper} · 保管期限 {form.retention} · "
            f"{pages} 页 · 示例 {shown} · 来源 {form.source}\n\n"
            f"![{code} {form.title}](forms/{code}.png)\n"
        )
    header = (
        "# 表单一览 (form gallery)\n\n"
        "Every form and register as LibreOffice renders it (first page), filled from the bundled sample\n"
        "cases and records (`examples/`); registers show the 2026 sample year.\n"
        "(`tools/make_gallery.py` rebuilds this page). How to revise a template: "
        "[template-authoring.md](template-authoring.md).\n\n"
    )
    order = sorted(range(len(docs)), key=lambda i: docs[i][0])  # F01 … F29, R01 … R03
    contents = " · ".join(f"[{docs[i][0]}](#{_anchor(sections[i])})" for i in order) + "\n\n"
    (DOCS / "forms.md").write_text(
        header + contents + "\n".join(sections[i] for i in order), encoding="utf-8"
    )
    print(f"{len(sections)} forms → {DOCS / 'forms.md'}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


def _anchor(section: str) -> str:
    """The GitHub anchor of a section's "## F04 顾客申诉和投诉处理表" heading."""
    heading = section.splitlines()[0].removeprefix("## ").strip().lower()
    return "".join(ch for ch in heading.replace(" ", "-") if ch.isalnum() or ch in "-_")


if __name__ == "__main__":
    sys.exit(main())
