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

from recordkit.cases import read_case_file
from recordkit.casework import make_generator, open_casebook
from recordkit.config import init_workdir
from recordkit.office import convert_to_pdf, require_soffice

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PICTURES = DOCS / "forms"

# The sample case that shows each form best (others use the default).
PREFERRED = {
    "F03": "SS-2026-0001",  # lab report objection: 复检, 回避
    "F04": "TS-2026-0002",  # vehicle inspection station
    "F08": "SS-2026-0002",  # certification appeal
    "F09": "SS-2026-0002",
    "F15": "TS-2026-0003",  # drug complaint
    "F19": "TS-2026-0001",  # the case with an extension
    "F02": "TS-2026-0009",  # food complaint with batch and purchase place
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
    generator = make_generator(config)
    docs: list[tuple[str, Path]] = []
    for form in generator.catalog.forms.values():
        if form.is_register:
            docs.append((form.code, generator.register(form.code, year=2026).path))
        else:
            case = book.get(PREFERRED.get(form.code, DEFAULT_CASE))
            docs.append((form.code, generator.fill(form, case)[0].path))
    generator.close()
    pdfs = convert_to_pdf([d for _, d in docs], outdir=work / "pdf")
    if PICTURES.exists():
        shutil.rmtree(PICTURES)
    PICTURES.mkdir(parents=True)
    sections = []
    for (code, _doc), pdf in zip(docs, pdfs):
        form = generator.catalog.get(code)
        document = pypdfium2.PdfDocument(str(pdf))
        pages = len(document)
        image = document[0].render(scale=80 / 72).to_pil()
        image.save(PICTURES / f"{code}.png", optimize=True)
        document.close()
        sections.append(
            f"## {code} {form.title}\n\n"
            f"第{form.version}版 · {form.type} · {form.paper} · 保管期限 {form.retention} · "
            f"{pages} 页 · 来源 {form.source}\n\n"
            f"![{code} {form.title}](forms/{code}.png)\n"
        )
    header = (
        "# 表单一览 (form gallery)\n\n"
        "Every form and register as LibreOffice renders it, filled from the bundled sample cases\n"
        "(`tools/make_gallery.py` rebuilds this page). How to revise a template: "
        "[template-authoring.md](template-authoring.md).\n\n"
    )
    (DOCS / "forms.md").write_text(header + "\n".join(sections), encoding="utf-8")
    print(f"{len(sections)} forms → {DOCS / 'forms.md'}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
