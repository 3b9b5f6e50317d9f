"""The rendering engine: the only module that touches docxtpl and Jinja.

A template is compiled once per process: docxtpl's tag clean-up (Word splits a typed tag
across runs), a sandboxed Jinja compile of every XML part that holds tags, and the
untouched members of the .docx package kept as their raw compressed bytes. Rendering a
case then runs the compiled parts, swaps the QR picture and writes the package.

Every value passes one transformation on its way into WordML (``to_wordml``): XML
escaping; LF, CRLF, CR and ``\\x0b`` (Word's Shift+Enter) become a line break; tab stays
a tab; characters no Word file can hold become U+FFFD. Values are never evaluated as
template code, so ``{{ 7*7 }}`` typed into a field stays literal text.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree

from recordkit.dates import format_value
from recordkit.errors import RenderError, TemplateProblem
from recordkit.errors import TemplateError as RkTemplateError
from recordkit.forms.qr import QrPayload, qr_png

QR_NAME = "RK_QR"
WORD_PART = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
PROPS_PART = re.compile(r"^docProps/(core|app|custom)\.xml$")
_INVALID_XML = re.compile("[\x00-\x08\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NEWLINES = re.compile("\r\n|\r|\n|\x0b")
_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
_TAB = '</w:t><w:tab/><w:t xml:space="preserve">'
_TAG = re.compile(r"\{\{|\{%|\{#")
_VERSION = re.compile(r"第\s*(\d+)\s*版")
_FORM_CODE = re.compile(r"表单编号\s*([A-Z]\d{2})")


# --------------------------------------------------------------------------- values


def plain_text(value: Any) -> str:
    """The text a value prints as, before any XML concern."""
    if value is None:
        return ""
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, (date, datetime)):
        return format_value(value)
    if isinstance(value, (list, tuple)):
        return "、".join(plain_text(v) for v in value)
    return str(value)


def _xml_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def to_wordml(value: Any) -> str:
    """A value as the inside of a ``<w:t>``: escaped, with breaks and tabs as WordML."""
    text = _NEWLINES.sub("\n", plain_text(value))
    text = _xml_escape(_INVALID_XML.sub("\ufffd", text))
    return text.replace("\n", _BREAK).replace("\t", _TAB)


def to_xml_text(value: Any) -> str:
    """A value as plain XML character data (document properties): escaped, no WordML."""
    text = _NEWLINES.sub("\n", plain_text(value))
    return _xml_escape(_INVALID_XML.sub("\ufffd", text))


def expected_text(value: Any) -> str:
    """What a value looks like in the document's extracted text (for checks and tests):
    line breaks as "\\n", tabs as "\\t", unholdable characters as U+FFFD."""
    return _INVALID_XML.sub("\ufffd", _NEWLINES.sub("\n", plain_text(value)))


class Record:
    """A mapping templates read with dots. Unknown names raise, except in lenient records
    (``extra``), where they print as empty text. Dict methods cannot shadow field names."""

    __slots__ = ("_values", "_lenient")

    def __init__(self, values: dict[str, Any], lenient: bool = False) -> None:
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_lenient", lenient)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        if object.__getattribute__(self, "_lenient"):
            return ""
        raise AttributeError(name)

    __getitem__ = __getattr__

    def __contains__(self, name: str) -> bool:
        return name in object.__getattribute__(self, "_values")

    def __bool__(self) -> bool:
        return any(_truthy(v) for v in object.__getattribute__(self, "_values").values())

    def __str__(self) -> str:
        return ""

    def as_dict(self) -> dict[str, Any]:
        return dict(object.__getattribute__(self, "_values"))


def _truthy(value: Any) -> bool:
    if isinstance(value, Record):
        return bool(value)
    return value not in ("", None, [], False)


# --------------------------------------------------------------------------- filters


def _check(value: Any, *options: str) -> str:
    """Paper-form check boxes: ☑ for the chosen option; a value not listed is kept, ticked."""
    chosen = plain_text(value)
    boxes = [("☑" if chosen == opt else "☐") + opt for opt in options]
    if chosen and chosen not in options:
        boxes.append("☑" + chosen)
    return "  ".join(boxes)


_YES = {"是", "有", "true", "True", "yes", "1", "√", "✓"}
_NO = {"否", "无", "false", "False", "no", "0", "×"}


def _yesno(value: Any, yes: str = "是", no: str = "否") -> str:
    text = plain_text(value).strip() if not isinstance(value, bool) else ""
    flag = (
        value
        if isinstance(value, bool)
        else True
        if text in _YES
        else False
        if text in _NO
        else None
    )
    out = f"{'☑' if flag is True else '☐'}{yes}  {'☑' if flag is False else '☐'}{no}"
    if flag is None and text:
        out += f"  ({text})"
    return out


def overflows(value: Any, chars: int, lines: int = 0) -> bool:
    """Whether a text is longer than ``chars`` characters or (when ``lines``) more lines."""
    text = expected_text(value)
    return len(text) > chars or bool(lines) and text.count("\n") >= lines


def clip(value: Any, chars: int, note: str = "", lines: int = 0) -> str:
    """The start of a text that must stay short (a slip's cell, a register's summary):
    at most ``chars`` characters and ``lines`` lines, then ``note`` (where the rest is).
    Text that fits is returned whole, without the note."""
    text = expected_text(value)
    if not overflows(text, chars, lines):
        return text
    if lines:
        text = "\n".join(text.split("\n")[:lines])
    return text[:chars].rstrip() + note


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, with a fast path for Record: pure data whose only readable names are
    its fields (a name starting with "_" is never one), so the general safety checks,
    which cost more than the rest of rendering, are not needed for it."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is Record:
            try:
                return obj.__getattr__(attribute)
            except AttributeError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if type(obj) is Record and isinstance(argument, str):
            return self.getattr(obj, argument)
        return super().getitem(obj, argument)


def _environment(finalize: Callable[[Any], str]) -> ImmutableSandboxedEnvironment:
    env = _Sandbox(
        undefined=StrictUndefined, autoescape=False, finalize=finalize, keep_trailing_newline=True
    )
    env.filters["check"] = _check
    env.filters["yesno"] = _yesno
    env.filters["clip"] = clip
    env.filters["overflows"] = overflows
    return env


WORD_ENV = _environment(to_wordml)
PROPS_ENV = _environment(to_xml_text)


# --------------------------------------------------------------------------- zip writing


@dataclass(frozen=True)
class _Member:
    name: str
    method: int
    crc: int
    size: int
    data: bytes  # compressed as ``method`` says
    date_time: tuple[int, int, int, int, int, int]


def _raw_members(path: Path) -> Iterator[tuple[zipfile.ZipInfo, bytes]]:
    """Each member with its compressed bytes exactly as stored (no recompression)."""
    with zipfile.ZipFile(path) as archive, open(path, "rb") as handle:
        for info in archive.infolist():
            handle.seek(info.header_offset)
            header = handle.read(30)
            name_len, extra_len = struct.unpack("<HH", header[26:30])
            handle.seek(info.header_offset + 30 + name_len + extra_len)
            yield info, handle.read(info.compress_size)


def _deflate(data: bytes) -> bytes:
    # Level 1: a third of level 6's time on a rendered part, for ~15 % more bytes.
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def _dos_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    return (h << 11) | (mi << 5) | (s // 2), ((max(y, 1980) - 1980) << 9) | (mo << 5) | d


def build_zip(members: list[_Member]) -> bytes:
    """A zip archive from prepared members: local headers, data, central directory."""
    chunks: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for m in members:
        name = m.name.encode("utf-8")
        flags = 0x800 if not m.name.isascii() else 0
        mtime, mdate = _dos_time(m.date_time)
        local = struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            20,
            flags,
            m.method,
            mtime,
            mdate,
            m.crc,
            len(m.data),
            m.size,
            len(name),
            0,
        )
        central.append(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                flags,
                m.method,
                mtime,
                mdate,
                m.crc,
                len(m.data),
                m.size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
        chunks += [local, name, m.data]
        offset += len(local) + len(name) + len(m.data)
    directory = b"".join(central)
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), offset, 0
    )
    return b"".join(chunks) + directory + end


# --------------------------------------------------------------------------- compiling


@dataclass
class _Part:
    name: str
    source: str  # Jinja source after clean-up
    template: Any
    info: zipfile.ZipInfo


@dataclass
class CompiledTemplate:
    """One template compiled for repeated rendering."""

    path: Path
    sha256: str
    version: str
    code_in_header: str
    members: list[_Member | _Part] = field(default_factory=list)
    qr_member: str | None = None

    @property
    def name(self) -> str:
        return self.path.name

    def sources(self) -> dict[str, str]:
        """The cleaned-up Jinja source of every templated part (for checks)."""
        return {m.name: m.source for m in self.members if isinstance(m, _Part)}

    def render(self, context: dict[str, Any], qr: QrPayload | None) -> bytes:
        """The .docx bytes for one context."""
        out: list[_Member] = []
        for member in self.members:
            if isinstance(member, _Part):
                out.append(self._render_part(member, context))
            elif qr is not None and member.name == self.qr_member:
                png = qr_png(qr)
                out.append(
                    _Member(
                        member.name,
                        zipfile.ZIP_STORED,
                        zlib.crc32(png),
                        len(png),
                        png,
                        member.date_time,
                    )
                )
            else:
                out.append(member)
        return build_zip(out)

    def _render_part(self, part: _Part, context: dict[str, Any]) -> _Member:
        try:
            xml = part.template.render(context)
        except TemplateError as exc:
            raise RenderError(
                f"{self.name} [{part.name}]: 填表失败 ({_jinja_message(exc)})"
            ) from None
        if part.name.startswith("word/"):
            xml = xml.replace("\n<w:p", "<w:p")
        data = xml.encode("utf-8")
        return _Member(
            part.name,
            zipfile.ZIP_DEFLATED,
            zlib.crc32(data),
            len(data),
            _deflate(data),
            part.info.date_time,
        )


def _jinja_message(exc: TemplateError) -> str:
    message = getattr(exc, "message", None) or str(exc)
    if "is undefined" in message or "has no attribute" in message:
        return f"模板引用了不存在的字段: {message}"
    return message


def _line_context(source: str, lineno: int | None) -> str:
    if not lineno:
        return ""
    lines = source.splitlines()
    text = re.sub(r"<[^>]+>", "", lines[lineno - 1]) if 0 < lineno <= len(lines) else ""
    return text.strip()[:80]


def _clean_up(xml: str) -> str:
    """docxtpl's tag clean-up: joins tags Word split across runs, {%tr %} rows, quotes."""
    cleaned = DocxTemplate.patch_xml(_PATCHER, xml)
    # A newline before each paragraph makes Jinja's line numbers point at one paragraph.
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", cleaned)


_PATCHER = DocxTemplate.__new__(DocxTemplate)  # patch_xml reads no instance state


def _find_qr_member(parts: dict[str, str], rels: dict[str, str]) -> str | None:
    """The media member of the picture named RK_QR, through its part's relationships."""
    for name, xml in parts.items():
        for drawing in re.finditer(r"<w:drawing>.*?</w:drawing>", xml, flags=re.DOTALL):
            block = drawing.group(0)
            if f'name="{QR_NAME}"' not in block:
                continue
            embed = re.search(r'r:embed="([^"]+)"', block)
            rels_name = name.replace("word/", "word/_rels/", 1) + ".rels"
            if embed and rels_name in rels:
                target = re.search(
                    rf'Id="{re.escape(embed.group(1))}"[^>]*Target="([^"]+)"', rels[rels_name]
                ) or re.search(
                    rf'Target="([^"]+)"[^>]*Id="{re.escape(embed.group(1))}"', rels[rels_name]
                )
                if target:
                    return "word/" + target.group(1).lstrip("/").removeprefix("word/")
    return None


def read_version(xml_parts: dict[str, str]) -> tuple[str, str]:
    """The form code and version written in the header ("表单编号 F03  第3版")."""
    text = "".join(
        re.sub(r"<[^>]+>", "", xml) for name, xml in sorted(xml_parts.items()) if "/header" in name
    )
    version = _VERSION.search(text)
    code = _FORM_CODE.search(text)
    return (version.group(1) if version else "", code.group(1) if code else "")


def compile_template(path: Path) -> CompiledTemplate:
    """Compile a .docx template; broken tags raise a TemplateError naming part and tag."""
    path = Path(path)
    try:
        blob = path.read_bytes()
        raw = list(_raw_members(path))
    except (OSError, zipfile.BadZipFile, struct.error) as exc:
        raise RkTemplateError(
            [TemplateProblem(path.name, "", "", f"无法读取模板文件 ({exc})")]
        ) from None
    texts: dict[str, str] = {}
    rels: dict[str, str] = {}
    with zipfile.ZipFile(path) as archive:
        for info, _data in raw:
            if WORD_PART.match(info.filename) or PROPS_PART.match(info.filename):
                texts[info.filename] = archive.read(info).decode("utf-8")
            elif info.filename.endswith(".rels"):
                rels[info.filename] = archive.read(info).decode("utf-8")
    version, code = read_version(texts)
    compiled = CompiledTemplate(path, hashlib.sha256(blob).hexdigest(), version, code)
    compiled.qr_member = _find_qr_member(texts, rels)
    problems: list[TemplateProblem] = []
    for info, data in raw:
        name = info.filename
        if name in texts and _TAG.search(texts[name]):
            try:
                compiled.members.append(_compile_part(name, texts[name], info))
            except TemplateSyntaxError as exc:
                source = _clean_up(texts[name]) if name.startswith("word/") else texts[name]
                problems.append(
                    TemplateProblem(
                        path.name,
                        name,
                        _line_context(source, exc.lineno),
                        f"模板标签错误: {exc.message}",
                    )
                )
        else:
            compiled.members.append(
                _Member(name, info.compress_type, info.CRC, info.file_size, data, info.date_time)
            )
    if problems:
        raise RkTemplateError(problems)
    return compiled


def _compile_part(name: str, xml: str, info: zipfile.ZipInfo) -> _Part:
    if name.startswith("word/"):
        source = _clean_up(xml)
        return _Part(name, source, WORD_ENV.from_string(source), info)
    return _Part(name, xml, PROPS_ENV.from_string(xml), info)


# --------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class FieldUse:
    """A name a template reads: root variable and attribute path (``case``, ``complainant.name``)."""

    root: str
    path: str
    part: str


def field_uses(compiled: CompiledTemplate) -> list[FieldUse]:
    """Every variable path the template's tags read; loop variables over ``rows`` read as rows."""
    uses: list[FieldUse] = []
    for part, source in compiled.sources().items():
        env = WORD_ENV if part.startswith("word/") else PROPS_ENV
        tree = env.parse(source)
        _walk(tree, {}, part, uses)
    return uses


def _chain(node: nodes.Node) -> tuple[str, list[str]] | None:
    attrs: list[str] = []
    while isinstance(node, (nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Getattr):
            attrs.append(node.attr)
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            attrs.append(node.arg.value)
        else:
            return None
        node = node.node
    if isinstance(node, nodes.Name):
        return node.name, list(reversed(attrs))
    return None


def _names(target: nodes.Node) -> list[nodes.Name]:
    """The names a for/set target binds (find_all skips the node itself)."""
    return [target] if isinstance(target, nodes.Name) else list(target.find_all(nodes.Name))


def _walk(node: nodes.Node, aliases: dict[str, str], part: str, uses: list[FieldUse]) -> None:
    if isinstance(node, (nodes.Getattr, nodes.Getitem)):
        chain = _chain(node)
        if chain is not None:
            root, attrs = chain
            uses.append(FieldUse(aliases.get(root, root), ".".join(attrs), part))
            if isinstance(node, nodes.Getitem):
                _walk(node.arg, aliases, part, uses)
            return
    if isinstance(node, nodes.Name) and node.ctx == "load":
        uses.append(FieldUse(aliases.get(node.name, node.name), "", part))
        return
    if isinstance(node, nodes.For):
        inner = dict(aliases)
        for target in _names(node.target):
            iterated = _chain(node.iter) or (
                (node.iter.name, []) if isinstance(node.iter, nodes.Name) else None
            )
            inner[target.name] = (
                "row" if iterated and iterated[0] == "rows" and not iterated[1] else "local"
            )
        _walk(node.iter, aliases, part, uses)
        for child in (*node.body, *node.else_):
            _walk(child, inner, part, uses)
        if node.test is not None:
            _walk(node.test, inner, part, uses)
        return
    if isinstance(node, nodes.Assign):
        for target in _names(node.target):
            aliases[target.name] = "local"
        _walk(node.node, aliases, part, uses)
        return
    for child in node.iter_child_nodes():
        _walk(child, aliases, part, uses)


def check_xml(data: bytes, part: str) -> str | None:
    """Why a rendered XML part does not parse strictly, or None."""
    try:
        etree.fromstring(data, etree.XMLParser(resolve_entities=False, recover=False))
    except etree.XMLSyntaxError as exc:
        return f"{part}: {exc}"
    return None
