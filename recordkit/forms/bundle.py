"""Print bundles: several filled forms as one .docx, one section per form.

What an admin prints for signatures is every form of a case in procedure order. Each
form keeps what makes it a controlled form: its own header (表单编号, 第N版), its own
footer, its own QR picture, its page size and orientation, and page numbers that count
within the form (``第 X 页 共 Y 页`` restarts per form: the page number restarts in
each section and the footer's NUMPAGES becomes SECTIONPAGES).

The merge works on the WordprocessingML of the rendered documents (no template code
runs here, so the rendering guarantees carry over unchanged): each later document's
body is appended after a section break that carries the previous form's section
properties; its header, footer and picture parts are copied under new names with new
relationship ids; styles and list definitions the first document lacks are added.

The PDF of a bundle is made form by form with LibreOffice and joined page by page, so
each form's page count in the PDF is exactly that of the form printed alone.
"""

from __future__ import annotations

import copy
import io
import posixpath
import re
import zipfile
from pathlib import Path

from lxml import etree

from recordkit.errors import RecordkitError
from recordkit.forms.libreoffice import convert_to_pdf

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_COPIED = {"header", "footer", "image"}  # relationship types whose parts each form brings along
_HEADER_CT = {
    "header": "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml",
    "footer": "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
}
# Schema order of <w:sectPr> children (Word rejects them out of order).
_SECTPR_ORDER = (
    "headerReference",
    "footerReference",
    "footnotePr",
    "endnotePr",
    "type",
    "pgSz",
    "pgMar",
    "paperSrc",
    "pgBorders",
    "lnNumType",
    "pgNumType",
    "cols",
    "formProt",
    "vAlign",
    "noEndnote",
    "titlePg",
    "textDirection",
    "bidi",
    "rtlGutter",
    "docGrid",
    "printerSettings",
    "sectPrChange",
)
_NUMPAGES = re.compile(rb"(<w:instrText[^>]*>\s*)NUMPAGES\b")
_XML_DECL = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _read(data: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist()}
    except zipfile.BadZipFile as exc:
        raise RecordkitError(f"合并打印文件失败: 不是有效的 .docx ({exc})") from None


def _xml(element: etree._Element) -> bytes:
    return _XML_DECL + etree.tostring(element, encoding="UTF-8")


class _Bundle:
    """The first document's package, growing by one section per appended document."""

    def __init__(self, first: bytes) -> None:
        self.parts = _read(first)
        self.document = etree.fromstring(self.parts["word/document.xml"])
        self.body = self.document.find(_w("body"))
        self.rels = etree.fromstring(self.parts["word/_rels/document.xml.rels"])
        self.types = etree.fromstring(self.parts["[Content_Types].xml"])
        self.styles = (
            etree.fromstring(self.parts["word/styles.xml"])
            if "word/styles.xml" in self.parts
            else None
        )
        self.numbering = (
            etree.fromstring(self.parts["word/numbering.xml"])
            if "word/numbering.xml" in self.parts
            else None
        )
        self.counter = 0
        # The header and footer parts of each form, in order (to fill in its page count).
        self.furniture: list[list[str]] = [
            [
                _resolve("word/document.xml", r.get("Target"))
                for r in self.rels
                if (r.get("Type") or "").rsplit("/", 1)[-1] in _HEADER_CT
            ]
        ]
        _restart_page_numbers(self._last_section())

    # ----- names
    def _fresh(self, stem: str, suffix: str) -> str:
        while True:
            self.counter += 1
            name = f"word/{stem}{self.counter}{suffix}"
            if name not in self.parts:
                return name

    def _fresh_rel_id(self) -> str:
        taken = {r.get("Id") for r in self.rels}
        number = len(taken) + 1
        while f"rIdB{number}" in taken:
            number += 1
        return f"rIdB{number}"

    def _last_section(self) -> etree._Element:
        last = self.body[-1]
        if last.tag != _w("sectPr"):
            last = etree.SubElement(self.body, _w("sectPr"))
        return last

    # ----- appending one document
    def append(self, data: bytes) -> None:
        parts = _read(data)
        document = etree.fromstring(parts["word/document.xml"])
        body = document.find(_w("body"))
        rels = etree.fromstring(
            parts.get("word/_rels/document.xml.rels", b"<Relationships xmlns='%s'/>" % PR.encode())
        )
        self.furniture.append([])
        ids = self._copy_related(parts, rels, "word/document.xml")
        content = list(body)
        section = (
            content.pop()
            if content and content[-1].tag == _w("sectPr")
            else etree.Element(_w("sectPr"))
        )
        for element in content + [section]:
            _rename_ids(element, ids)
        self._merge_styles(parts)
        self._merge_numbering(parts, content)
        self._close_current_section()
        for element in content:
            self.body.append(element)
        _restart_page_numbers(section)
        self.body.append(section)

    def _close_current_section(self) -> None:
        """Move the body's section properties into a paragraph: a section break (next page)."""
        section = self._last_section()
        self.body.remove(section)
        last = self.body[-1] if len(self.body) else None
        if (
            last is None
            or last.tag != _w("p")
            or last.find(f"{_w('pPr')}/{_w('sectPr')}") is not None
        ):
            last = etree.SubElement(self.body, _w("p"))
        ppr = last.find(_w("pPr"))
        if ppr is None:
            ppr = etree.Element(_w("pPr"))
            last.insert(0, ppr)
        change = ppr.find(_w("pPrChange"))
        if change is not None:
            change.addprevious(section)
        else:
            ppr.append(section)

    def _copy_related(
        self, parts: dict[str, bytes], rels: etree._Element, source: str
    ) -> dict[str, str]:
        """Copy the header, footer and picture parts a document uses; old id -> new id."""
        ids: dict[str, str] = {}
        for rel in rels:
            kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
            if rel.get("TargetMode") == "External":
                ids[rel.get("Id")] = self._add_rel(
                    rel.get("Type"), rel.get("Target"), external=True
                )
            elif kind in _COPIED:
                name = self._copy_part(parts, _resolve(source, rel.get("Target")), kind)
                if kind in _HEADER_CT:
                    self.furniture[-1].append(name)
                ids[rel.get("Id")] = self._add_rel(rel.get("Type"), posixpath.relpath(name, "word"))
            else:  # styles, settings, numbering, fonts, theme: the bundle's own are used
                same = next((r for r in self.rels if r.get("Type") == rel.get("Type")), None)
                if same is not None:
                    ids[rel.get("Id")] = same.get("Id")
        return ids

    def _copy_part(self, parts: dict[str, bytes], name: str, kind: str) -> str:
        if name not in parts:
            raise RecordkitError(f"合并打印文件失败: 缺少部件 {name}")
        suffix = posixpath.splitext(name)[1]
        stem = "media/image" if kind == "image" else kind
        new_name = self._fresh(stem, suffix)
        data = parts[name]
        rels_name = posixpath.join(
            posixpath.dirname(name), "_rels", posixpath.basename(name) + ".rels"
        )
        if kind in _HEADER_CT:
            element = etree.fromstring(data)
            if rels_name in parts:  # a logo in a header revised in Word: bring it along
                own = etree.fromstring(parts[rels_name])
                ids = {}
                new_rels = etree.Element(f"{{{PR}}}Relationships", nsmap={None: PR})
                for rel in own:
                    copied = copy.deepcopy(rel)
                    if rel.get("TargetMode") != "External" and rel.get("Type", "").endswith(
                        "/image"
                    ):
                        media = self._copy_part(parts, _resolve(name, rel.get("Target")), "image")
                        copied.set("Target", posixpath.relpath(media, posixpath.dirname(new_name)))
                    new_rels.append(copied)
                    ids[rel.get("Id")] = rel.get("Id")
                self.parts[posixpath.join("word/_rels", posixpath.basename(new_name) + ".rels")] = (
                    _xml(new_rels)
                )
            data = _xml(element)
            self._override(new_name, _HEADER_CT[kind])
        else:
            extension = suffix.lstrip(".").lower()
            self._default_type(extension, parts)
        self.parts[new_name] = data
        return new_name

    def _add_rel(self, rel_type: str, target: str, external: bool = False) -> str:
        rel_id = self._fresh_rel_id()
        rel = etree.SubElement(self.rels, f"{{{PR}}}Relationship")
        rel.set("Id", rel_id)
        rel.set("Type", rel_type)
        rel.set("Target", target)
        if external:
            rel.set("TargetMode", "External")
        return rel_id

    def _override(self, part: str, content_type: str) -> None:
        node = etree.SubElement(self.types, f"{{{CT}}}Override")
        node.set("PartName", "/" + part)
        node.set("ContentType", content_type)

    def _default_type(self, extension: str, parts: dict[str, bytes]) -> None:
        if any(
            d.get("Extension", "").lower() == extension for d in self.types.iter(f"{{{CT}}}Default")
        ):
            return
        source = etree.fromstring(parts["[Content_Types].xml"])
        found = next(
            (
                d
                for d in source.iter(f"{{{CT}}}Default")
                if d.get("Extension", "").lower() == extension
            ),
            None,
        )
        node = etree.Element(f"{{{CT}}}Default")
        node.set("Extension", extension)
        node.set(
            "ContentType",
            found.get("ContentType") if found is not None else "application/octet-stream",
        )
        self.types.insert(0, node)

    def _merge_styles(self, parts: dict[str, bytes]) -> None:
        """Styles a later form defines and the first does not (a template revised in Word)."""
        if self.styles is None or "word/styles.xml" not in parts:
            return
        have = {s.get(_w("styleId")) for s in self.styles.iter(_w("style"))}
        for style in etree.fromstring(parts["word/styles.xml"]).iter(_w("style")):
            if style.get(_w("styleId")) not in have:
                self.styles.append(copy.deepcopy(style))

    def _merge_numbering(self, parts: dict[str, bytes], content: list[etree._Element]) -> None:
        """List numbering a later form uses, under fresh ids so lists do not run together."""
        used = {n.get(_w("val")) for e in content for n in e.iter(_w("numId"))}
        used.discard("0")
        if not used or "word/numbering.xml" not in parts or self.numbering is None:
            return
        theirs = etree.fromstring(parts["word/numbering.xml"])
        abstract_next = 1 + max(
            (int(a.get(_w("abstractNumId"))) for a in self.numbering.iter(_w("abstractNum"))),
            default=0,
        )
        num_next = 1 + max(
            (int(n.get(_w("numId"))) for n in self.numbering.iter(_w("num"))), default=0
        )
        abstract_map: dict[str, str] = {}
        num_map: dict[str, str] = {}
        for num in theirs.iter(_w("num")):
            if num.get(_w("numId")) not in used:
                continue
            old_abstract = num.find(_w("abstractNumId")).get(_w("val"))
            if old_abstract not in abstract_map:
                source = next(
                    a
                    for a in theirs.iter(_w("abstractNum"))
                    if a.get(_w("abstractNumId")) == old_abstract
                )
                clone = copy.deepcopy(source)
                clone.set(_w("abstractNumId"), str(abstract_next))
                first_num = self.numbering.find(_w("num"))
                if first_num is not None:
                    first_num.addprevious(clone)
                else:
                    self.numbering.append(clone)
                abstract_map[old_abstract] = str(abstract_next)
                abstract_next += 1
            clone = copy.deepcopy(num)
            clone.set(_w("numId"), str(num_next))
            clone.find(_w("abstractNumId")).set(_w("val"), abstract_map[old_abstract])
            self.numbering.append(clone)
            num_map[num.get(_w("numId"))] = str(num_next)
            num_next += 1
        for element in content:
            for node in element.iter(_w("numId")):
                if node.get(_w("val")) in num_map:
                    node.set(_w("val"), num_map[node.get(_w("val"))])

    # ----- writing
    def set_page_counts(self, counts: list[int]) -> None:
        """Write each form's page count as the shown result of its SECTIONPAGES fields, for
        programs that show a field's last result instead of computing it (LibreOffice)."""
        for names, count in zip(self.furniture, counts, strict=True):
            for name in names:
                self.parts[name] = _with_page_count(
                    _NUMPAGES.sub(rb"\1SECTIONPAGES", self.parts[name]), count
                )

    def finish(self) -> bytes:
        for number, doc_pr in enumerate(self.body.iter(f"{{{WP}}}docPr"), 1):
            doc_pr.set("id", str(number))  # drawing ids must be unique in one document
        self.parts["word/document.xml"] = _xml(self.document)
        self.parts["word/_rels/document.xml.rels"] = _xml(self.rels)
        self.parts["[Content_Types].xml"] = _xml(self.types)
        if self.styles is not None:
            self.parts["word/styles.xml"] = _xml(self.styles)
        if self.numbering is not None:
            self.parts["word/numbering.xml"] = _xml(self.numbering)
        for name in list(self.parts):
            if re.fullmatch(r"word/(header|footer)\d*\.xml", name):
                # 共 Y 页 counts the pages of this form, not of the whole bundle
                self.parts[name] = _NUMPAGES.sub(rb"\1SECTIONPAGES", self.parts[name])
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            first = "[Content_Types].xml"
            archive.writestr(first, self.parts[first])
            for name, data in self.parts.items():
                if name != first:
                    archive.writestr(name, data)
        return out.getvalue()


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _rename_ids(element: etree._Element, ids: dict[str, str]) -> None:
    for node in element.iter():
        for attr, value in node.attrib.items():
            if attr.startswith(f"{{{R}}}") and value in ids:
                node.set(attr, ids[value])


def _restart_page_numbers(section: etree._Element) -> None:
    number = section.find(_w("pgNumType"))
    if number is None:
        number = etree.SubElement(section, _w("pgNumType"))
    number.set(_w("start"), "1")
    rank = {name: i for i, name in enumerate(_SECTPR_ORDER)}
    for child in sorted(section, key=lambda e: rank.get(etree.QName(e).localname, len(rank))):
        section.append(child)


def _with_page_count(xml: bytes, count: int) -> bytes:
    """The part with the result text of each SECTIONPAGES field set to ``count``."""
    root = etree.fromstring(xml)
    for paragraph in root.iter(_w("p")):
        state = ""
        for run in paragraph.iter(_w("r")):
            mark = run.find(_w("fldChar"))
            instr = run.find(_w("instrText"))
            if mark is not None:
                kind = mark.get(_w("fldCharType"))
                state = {
                    "begin": "begin",
                    "separate": state + "|result" if "SECTIONPAGES" in state else "",
                    "end": "",
                }.get(kind, state)
            elif instr is not None and state.startswith("begin"):
                state += " " + (instr.text or "").strip()
            elif state.endswith("|result"):
                texts = run.findall(_w("t"))
                for index, text in enumerate(texts):
                    text.text = str(count) if index == 0 else ""
                state = state + "|done"
    return _xml(root)


def build_bundle(documents: list[bytes], page_counts: list[int] | None = None) -> bytes:
    """One .docx holding ``documents`` in order, each its own section starting on a new page.
    ``page_counts`` (each form's pages, when known) become the shown result of 共 Y 页."""
    if not documents:
        raise RecordkitError("没有可合并的表单 (nothing to bundle)")
    bundle = _Bundle(documents[0])
    for data in documents[1:]:
        bundle.append(data)
    if page_counts is not None:
        bundle.set_page_counts(page_counts)
    return bundle.finish()


def forms_to_pdf(documents: list[tuple[str, bytes]]) -> list[bytes]:
    """Each (name, .docx bytes) converted by LibreOffice on its own: one PDF per form."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="rk-bundle-") as scratch:
        folder = Path(scratch)
        sources = []
        for index, (_name, data) in enumerate(documents, 1):
            source = folder / f"{index:03d}.docx"
            source.write_bytes(data)
            sources.append(source)
        return [pdf.read_bytes() for pdf in convert_to_pdf(sources, outdir=folder / "pdf")]


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def join_pdfs(pdfs: list[bytes], titles: list[str]) -> bytes:
    """One PDF of the forms' PDFs in order, with a bookmark per form."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for pdf, title in zip(pdfs, titles, strict=True):
        start = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(pdf)))
        writer.add_outline_item(title=title, page_number=start)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
