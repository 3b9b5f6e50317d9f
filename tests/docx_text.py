"""Reading a generated .docx back the way a person sees it (test helper)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PARTS = re.compile(r"^word/(document|header\d*|footer\d*)\.xml$")


def part_text(xml: bytes) -> str:
    """Text of one WordML part: paragraphs end with a newline, <w:br/> is a newline, <w:tab/> a tab."""
    root = etree.fromstring(xml)
    paragraphs = []
    for p in root.iter(f"{W}p"):
        pieces = []
        for node in p.iter(f"{W}t", f"{W}br", f"{W}tab"):
            pieces.append(
                node.text or "" if node.tag == f"{W}t" else "\n" if node.tag == f"{W}br" else "\t"
            )
        paragraphs.append("".join(pieces))
    return "\n".join(paragraphs)


def docx_parts(data: bytes | Path) -> dict[str, bytes]:
    blob = Path(data).read_bytes() if isinstance(data, Path) else data
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def docx_text(data: bytes | Path) -> str:
    """All visible text: body, headers and footers."""
    parts = docx_parts(data)
    return "\n".join(part_text(xml) for name, xml in sorted(parts.items()) if PARTS.match(name))


def strict_parse_all(data: bytes | Path) -> None:
    """Every XML part parses strictly (raises otherwise)."""
    parser = etree.XMLParser(recover=False, resolve_entities=False)
    for name, xml in docx_parts(data).items():
        if name.endswith(".xml") or name.endswith(".rels"):
            etree.fromstring(xml, parser)
