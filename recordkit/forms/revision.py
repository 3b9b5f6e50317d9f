"""Revising a form template: check the uploaded .docx first, then replace the template,
keeping the previous file under ``form_templates/.history/`` (nothing is lost).

The check is the one of `forms check` (``Catalog.check``), run on a copy of the catalog
with the uploaded file in the template's place, so a broken upload never touches the
working folder's templates.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from recordkit.errors import BadValueError, TemplateProblem
from recordkit.files import write_atomic
from recordkit.forms.catalog import CATALOG_FILE, Catalog, Form

MAX_TEMPLATE_BYTES = 20 * 1024 * 1024
HISTORY_DIR = ".history"
DOCX_MAIN = "word/document.xml"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


@dataclass
class Revision:
    """The outcome of one upload: its problems (then nothing was replaced) or the
    template replaced, with where the previous file was kept."""

    form: Form
    old_version: str
    new_version: str = ""
    problems: list[TemplateProblem] = field(default_factory=list)
    kept: Path | None = None  # the previous template, under .history/ (if there was one)
    installed: bool = False

    @property
    def version_unchanged(self) -> bool:
        return bool(self.new_version) and self.new_version == self.old_version


def check_docx_bytes(data: bytes, name: str = "") -> None:
    """Refuse what is not a Word .docx by its content (zip with a WordprocessingML main
    part), whatever the file is called; and anything over the size limit."""
    what = f"{name}: " if name else ""
    if len(data) > MAX_TEMPLATE_BYTES:
        raise BadValueError(
            f"{what}文件太大 ({len(data) // 1024 // 1024} MB), 模板不能超过 "
            f"{MAX_TEMPLATE_BYTES // 1024 // 1024} MB (file too large)"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
            archive.getinfo(DOCX_MAIN)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise BadValueError(
            f"{what}不是 Word .docx 文件 (not a .docx: content is not a Word document)"
        ) from None
    if DOCX_TYPE not in types:
        raise BadValueError(
            f"{what}不是 Word .docx 文件 (not a .docx: no WordprocessingML main part)"
        )


def check_revision(catalog: Catalog, code: str, data: bytes) -> Revision:
    """`forms check` on ``data`` as the new template of ``code`` (nothing written here)."""
    form = catalog.get(code)
    revision = Revision(form, form.version if form.path.is_file() else "")
    with tempfile.TemporaryDirectory(prefix="recordkit-revision-") as tmp:
        staged_dir = Path(tmp)
        (staged_dir / CATALOG_FILE).write_bytes((catalog.folder / CATALOG_FILE).read_bytes())
        (staged_dir / form.file).write_bytes(data)
        staged = Catalog(staged_dir)
        revision.problems = staged.check(staged.get(code))
        if not revision.problems:
            revision.new_version = staged.get(code).version
    return revision


def history_path(form: Form, version: str, now: datetime) -> Path:
    """Where the previous template is kept: ``.history/F03-…-第1版-20261201-034500.docx``."""
    stem = Path(form.file).stem
    return form.folder / HISTORY_DIR / f"{stem}-第{version or '0'}版-{now:%Y%m%d-%H%M%S}.docx"


def revise_template(
    catalog: Catalog, code: str, data: bytes, now: datetime | None = None
) -> Revision:
    """Check ``data``; only when it passes, keep the current template in .history/ and
    put ``data`` in its place (each write atomic; the copy is made before the swap)."""
    check_docx_bytes(data)
    revision = check_revision(catalog, code, data)
    if revision.problems:
        return revision
    form = revision.form
    kept = history_path(form, revision.old_version, now or datetime.now())
    if form.path.is_file():
        write_atomic(kept, form.path.read_bytes())
        revision.kept = kept
    write_atomic(form.path, data)
    revision.installed = True
    return revision
