"""What an incoming PDF is: preflight checks on the bytes, then facts from its structure.

``preflight`` decides cheaply whether a file is worth parsing at all (exists, readable,
non-empty, PDF header, ``%%EOF`` trailer, size limit). ``inspect_pdf`` reports what the
四性检测 needs: page count, encryption, active content (JavaScript, Launch actions,
embedded files), digital signatures and whether they validate, and the text of the first
pages for identification. Incoming files are hostile until proven otherwise: every
third-party exception is caught at this boundary and becomes a recorded problem.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from recordkit.errors import PdfError

# The PDF spec lets readers accept the header anywhere in the first 1024 bytes and
# look for %%EOF in the last 1024; Acrobat does the same, so scans that pass there
# pass here.
HEADER_WINDOW = 1024
EOF_WINDOW = 1024
TEXT_PAGES = 2

# A hostile file can nest actions and fields without end or in cycles; stop walking
# after this many objects.
_WALK_BUDGET = 50_000

# pyhanko logs a full traceback at WARNING for every untrusted (e.g. self-signed)
# certificate, an expected outcome we report in SignatureFacts instead.
_NOISY_LOGGERS = ("pyhanko", "pyhanko_certvalidator")


@dataclass(frozen=True)
class Problem:
    """Why a file failed preflight: a stable code for the index, a Chinese message."""

    code: str  # missing | not_a_file | unreadable | empty | too_large | not_pdf | truncated
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class SignatureFacts:
    field: str
    signer: str
    status: str  # valid | invalid | unknown
    intact: bool  # the signed bytes hash to the signed digest
    trusted: bool  # chain to a configured trust root (a self-signed test cert is not)
    coverage: str  # entire_file | entire_revision | partial | unknown
    reason: str


@dataclass
class PdfFacts:
    pages: int | None = None
    version: str = ""
    encrypted: bool = False
    needs_password: bool = False
    javascript: bool = False
    launch: bool = False
    embedded_files: bool = False
    xfa: bool = False
    submit_form: bool = False  # an action that sends the form's data somewhere
    signatures: list[SignatureFacts] = field(default_factory=list)
    text: str = ""
    errors: list[str] = field(default_factory=list)
    pdfa: str = ""  # the PDF/A level the file claims in its XMP metadata, e.g. "PDF/A-2b"

    @property
    def active_content(self) -> list[str]:
        """Names of the active content found, for the 安全性 check."""
        found = {
            "JavaScript": self.javascript,
            "Launch": self.launch,
            "EmbeddedFiles": self.embedded_files,
            "XFA": self.xfa,
            "SubmitForm": self.submit_form,
        }
        return [name for name, present in found.items() if present]

    @property
    def signed(self) -> bool:
        return bool(self.signatures)


# --- preflight ---------------------------------------------------------------------------


def preflight(path: Path | str, max_bytes: int) -> Problem | None:
    """None if the file looks like a complete PDF within the size limit, else the problem."""
    p = Path(path)
    name = str(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        return Problem("missing", f"{name}: 文件不存在 (file not found)")
    except OSError as exc:
        return Problem("unreadable", f"{name}: 无法读取 ({exc.strerror or exc})")
    if not p.is_file():
        return Problem("not_a_file", f"{name}: 不是普通文件 (not a regular file)")
    if st.st_size == 0:
        return Problem("empty", f"{name}: 文件为空 (0 bytes)")
    if st.st_size > max_bytes:
        return Problem(
            "too_large",
            f"{name}: 文件过大 ({st.st_size} 字节, 上限 {max_bytes} 字节) (file too large)",
        )
    try:
        with open(p, "rb") as fh:
            head = fh.read(HEADER_WINDOW)
            fh.seek(max(0, st.st_size - EOF_WINDOW))
            tail = fh.read(EOF_WINDOW)
    except OSError as exc:
        return Problem("unreadable", f"{name}: 无法读取 ({exc.strerror or exc})")
    if b"%PDF-" not in head and is_ofd(p):
        return Problem(
            "ofd",
            f"{name}: OFD 版式文件 (GB/T 33190-2016), 已识别; 目前只归档 PDF 和图像 (OFD recognised, not filed)",
        )
    if b"%PDF-" not in head:
        return Problem("not_pdf", f"{name}: 不是 PDF 文件 (no %PDF- header)")
    if b"%%EOF" not in tail:
        return Problem("truncated", f"{name}: PDF 不完整, 缺少文件结尾 %%EOF (truncated?)")
    return None


# --- inspect -----------------------------------------------------------------------------


def inspect_pdf(
    path: Path | str,
    *,
    text_pages: int = TEXT_PAGES,
    trust_roots: Sequence[bytes] = (),
) -> PdfFacts:
    """Facts about the PDF; problems are recorded in ``errors``, never raised.

    ``trust_roots``: DER or PEM certificates of the CAs the office trusts; signatures
    chaining to one of them are ``trusted``. Without any, no signature is trusted, but
    ``valid`` still tells whether it is intact and covers the document.
    """
    facts = PdfFacts()
    try:
        reader = PdfReader(str(path), strict=False)
    except Exception as exc:  # pypdf raises many kinds on hostile input
        facts.errors.append(f"无法解析 PDF 结构 (cannot parse): {_describe(exc)}")
        return facts
    facts.version = _guarded(facts, "header", lambda: reader.pdf_header.lstrip("%"), "")
    if not _open_encrypted(reader, facts):
        return facts
    facts.pages = _guarded(facts, "page count", lambda: len(reader.pages), None)
    facts.pdfa = _guarded(facts, "XMP metadata", lambda: pdfa_claim(reader), "")
    _guarded(facts, "active content", lambda: _scan_active_content(reader, facts), None)
    sig_fields = _guarded(facts, "form fields", lambda: _signature_fields(reader), [])
    if sig_fields:
        facts.signatures = _validate_signatures(path, sig_fields, facts, trust_roots)
    facts.text = _first_pages_text(reader, facts, text_pages)
    return facts


# --- long-term format and virus scan (DA/T 70-2018 可用性, 安全性) ---------------------------

_PDFA_PART = re.compile(rb"pdfaid:part\s*(?:=\s*[\"']|>)\s*([1-4])")
_PDFA_CONFORMANCE = re.compile(rb"pdfaid:conformance\s*(?:=\s*[\"']|>)\s*([ABUabu])")


def pdfa_claim(reader: PdfReader) -> str:
    """``PDF/A-2b`` when the XMP metadata claims it, else ``""``.

    A claim, not a validation: checking conformance needs veraPDF (Java), which an office
    PC rarely has; the 四性 record says so.
    """
    metadata = reader.trailer["/Root"].get("/Metadata")
    if metadata is None:
        return ""
    data = metadata.get_object().get_data()
    part = _PDFA_PART.search(data)
    if part is None:
        return ""
    level = _PDFA_CONFORMANCE.search(data)
    return f"PDF/A-{part.group(1).decode()}" + (level.group(1).decode().lower() if level else "")


def is_ofd(path: Path | str) -> bool:
    """An OFD file (GB/T 33190-2016): a ZIP package whose root holds ``OFD.xml``."""
    try:
        with zipfile.ZipFile(path) as package:
            return any(n.lower() == "ofd.xml" for n in package.namelist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


@dataclass(frozen=True)
class VirusScan:
    """What ClamAV said: ``clean`` | ``infected`` | ``error`` | ``not_run`` (not installed)."""

    verdict: str
    scanner: str
    detail: str


VIRUS_SCANNERS = ("clamdscan", "clamscan")  # the daemon client first: no signature reload per file
VIRUS_SCAN_SECONDS = 300


def virus_scan(path: Path | str) -> VirusScan:
    """Scan one file with ClamAV where it is installed (exit 0 clean, 1 found, 2 error)."""
    found = next(((name, exe) for name in VIRUS_SCANNERS if (exe := shutil.which(name))), None)
    if found is None:
        return VirusScan("not_run", "", "未安装 ClamAV (clamscan / clamdscan), 未执行病毒检测")
    name, exe = found
    try:
        # --fdpass: clamd (another user) reads the file through our descriptor, not by its path
        options = ["--no-summary", "--fdpass"] if name == "clamdscan" else ["--no-summary"]
        done = subprocess.run([exe, *options, str(path)], capture_output=True, text=True,
                              errors="replace", timeout=VIRUS_SCAN_SECONDS, check=False)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return VirusScan("error", name, f"{name} 无法运行: {_describe(exc)}")
    output = (done.stdout.strip() or done.stderr.strip()).replace(str(path), "").lstrip(": ")[:300]
    if done.returncode == 0:
        return VirusScan("clean", name, f"{name}: 未发现病毒")
    if done.returncode == 1:
        return VirusScan("infected", name, f"{name}: 发现病毒 {output}".strip())
    return VirusScan("error", name, f"{name} 出错 (退出码 {done.returncode}): {output}".strip())


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def _guarded(facts: PdfFacts, what: str, fn: Any, default: Any) -> Any:
    try:
        return fn()
    except RecursionError:
        facts.errors.append(f"{what}: 结构嵌套过深 (nesting too deep)")
    except Exception as exc:  # hostile input must not crash the pipeline
        facts.errors.append(f"{what}: {_describe(exc)}")
    return default


def _open_encrypted(reader: PdfReader, facts: PdfFacts) -> bool:
    """True if the document can be read (not encrypted, or with an empty user password)."""
    try:
        facts.encrypted = bool(reader.is_encrypted)
    except Exception as exc:
        facts.errors.append(f"encryption: {_describe(exc)}")
        return False
    if not facts.encrypted:
        return True
    try:
        # Owner-password-only files open for everyone: still "encrypted" for 可用性.
        opened = bool(reader.decrypt(""))
    except Exception as exc:  # unsupported handler, missing crypto backend …
        facts.errors.append(f"encryption: {_describe(exc)}")
        opened = False
    if not opened:
        facts.needs_password = True
        facts.errors.append("PDF 已加密, 需要密码才能打开 (encrypted, password required)")
    return opened


# -- active content


def _resolve(obj: Any) -> Any:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


class _Walker:
    """Visits each indirect object once and stops after a budget: hostile files loop."""

    def __init__(self) -> None:
        self._seen: set[tuple[int, int]] = set()
        self.budget = _WALK_BUDGET

    def enter(self, obj: Any) -> Any:
        """The resolved object, or None if already visited or the budget is spent."""
        self.budget -= 1
        if self.budget < 0:
            raise PdfError("PDF 结构过于复杂, 已停止检查 (too many objects to walk)")
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in self._seen:
                return None
            self._seen.add(key)
        return _resolve(obj)


def _action_types(action: Any, walker: _Walker) -> Iterator[tuple[str, DictionaryObject]]:
    """The /S (and the action) of an action and of every action chained after it with /Next."""
    pending = [action]
    while pending:
        act = walker.enter(pending.pop())
        if isinstance(act, ArrayObject):
            pending.extend(act)
            continue
        if not isinstance(act, DictionaryObject):
            continue  # an /OpenAction may be a plain destination array: not active
        kind = act.get("/S")
        if kind is not None:
            yield str(kind), act
        if "/Next" in act:
            pending.append(act.raw_get("/Next"))


def _trigger_actions(holder: DictionaryObject) -> Iterator[Any]:
    """The /A action and every additional-action (/AA) trigger of an object."""
    if "/A" in holder:
        yield holder.raw_get("/A")
    aa = _resolve(holder.get("/AA"))
    if isinstance(aa, DictionaryObject):
        for key in aa:
            yield aa.raw_get(key)


def _record_actions(facts: PdfFacts, actions: Iterator[Any], walker: _Walker) -> None:
    for action in actions:
        for kind, act in _action_types(action, walker):
            if kind == "/JavaScript" or (kind == "/URI" and _is_script_uri(act)):
                facts.javascript = True
            elif kind == "/Launch":
                facts.launch = True
            elif kind == "/SubmitForm":
                facts.submit_form = True


def _is_script_uri(action: DictionaryObject) -> bool:
    """A /URI action whose target is ``javascript:`` (viewers run it as a script).
    Browsers ignore leading blanks and control characters, and so does this."""
    uri = _resolve(action.get("/URI"))
    text = bytes(uri).decode("latin-1") if isinstance(uri, bytes) else str(uri or "")
    return "".join(ch for ch in text if ch > " ").lower().startswith("javascript:")


def _scan_active_content(reader: PdfReader, facts: PdfFacts) -> None:
    walker = _Walker()
    root = _resolve(reader.trailer["/Root"])
    names = _resolve(root.get("/Names"))
    if isinstance(names, DictionaryObject):
        facts.javascript |= "/JavaScript" in names
        facts.embedded_files |= "/EmbeddedFiles" in names
    if "/OpenAction" in root:
        _record_actions(facts, iter([root.raw_get("/OpenAction")]), walker)
    _record_actions(facts, _trigger_actions(root), walker)
    acroform = _resolve(root.get("/AcroForm"))
    if isinstance(acroform, DictionaryObject):
        facts.xfa |= "/XFA" in acroform
        for fld in _walk_fields(acroform, walker):
            _record_actions(facts, _trigger_actions(fld), walker)
    for page in reader.pages:
        _record_actions(facts, _trigger_actions(page), walker)
        for annot in _resolve(page.get("/Annots")) or []:
            annot = walker.enter(annot)
            if not isinstance(annot, DictionaryObject):
                continue
            if annot.get("/Subtype") == "/FileAttachment":
                facts.embedded_files = True
            _record_actions(facts, _trigger_actions(annot), walker)


def _walk_fields(acroform: DictionaryObject, walker: _Walker) -> Iterator[DictionaryObject]:
    pending = list(_resolve(acroform.get("/Fields")) or [])
    while pending:
        fld = walker.enter(pending.pop())
        if not isinstance(fld, DictionaryObject):
            continue
        yield fld
        kids = _resolve(fld.get("/Kids"))
        if isinstance(kids, ArrayObject):
            pending.extend(kids)


# -- signatures


def _field_name(fld: DictionaryObject) -> str:
    parts = []
    node: Any = fld
    for _ in range(32):  # parents form a chain; a cycle must not hang us
        if not isinstance(node, DictionaryObject):
            break
        if "/T" in node:
            parts.append(str(node["/T"]))
        node = _resolve(node.get("/Parent"))
    return ".".join(reversed(parts))


def _inherited(fld: DictionaryObject, key: str) -> Any:
    """A field attribute, looked up through /Parent like PDF readers do (/FT inherits)."""
    node: Any = fld
    for _ in range(32):
        if not isinstance(node, DictionaryObject):
            return None
        if key in node:
            return node[key]
        node = _resolve(node.get("/Parent"))
    return None


def _signature_fields(reader: PdfReader) -> list[str]:
    """Names of the signature fields that hold a signature (an /FT /Sig with a /V)."""
    root = _resolve(reader.trailer["/Root"])
    acroform = _resolve(root.get("/AcroForm"))
    if not isinstance(acroform, DictionaryObject):
        return []
    names = []
    for fld in _walk_fields(acroform, _Walker()):
        if _inherited(fld, "/FT") == "/Sig" and fld.get("/V") is not None:
            names.append(_field_name(fld))
    return names


def _validate_signatures(
    path: Path | str,
    field_names: list[str],
    facts: PdfFacts,
    trust_roots: Sequence[bytes],
) -> list[SignatureFacts]:
    if facts.encrypted:
        return [_unknown(name, "加密文件的签名未验证 (encrypted file)") for name in field_names]
    try:
        return _pyhanko_validate(path, trust_roots)
    except Exception as exc:  # pyhanko/asn1crypto errors on malformed signatures
        facts.errors.append(f"signatures: {_describe(exc)}")
        return [_unknown(name, f"无法验证签名 ({_describe(exc)})") for name in field_names]


def _unknown(name: str, reason: str) -> SignatureFacts:
    return SignatureFacts(name, "", "unknown", False, False, "unknown", reason)


def _pyhanko_validate(path: Path | str, trust_roots: Sequence[bytes]) -> list[SignatureFacts]:
    # pyhanko is imported only for signed files: it costs ~0.5 s to import.
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko_certvalidator import ValidationContext

    roots = [_load_cert(data) for data in trust_roots]
    results = []
    with _quiet(_NOISY_LOGGERS), open(path, "rb") as fh:
        reader = PdfFileReader(fh, strict=False)
        for emb in reader.embedded_regular_signatures:
            # No fetching: the archive may be offline and must give the same answer
            # tomorrow; trust is decided only by the configured roots.
            context = ValidationContext(trust_roots=roots, allow_fetching=False)
            results.append(_one_signature(emb, context))
    return results


@contextmanager
def _quiet(names: Sequence[str]) -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _load_cert(data: bytes) -> Any:
    from asn1crypto import pem, x509

    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)


def _one_signature(emb: Any, context: Any) -> SignatureFacts:
    from pyhanko.sign.validation import validate_pdf_signature

    name = str(emb.field_name or "")
    try:
        signer = emb.signer_cert.subject.human_friendly
    except Exception:
        signer = ""
    try:
        status = validate_pdf_signature(emb, signer_validation_context=context)
    except Exception as exc:
        return SignatureFacts(name, signer, "unknown", False, False, "unknown", _describe(exc))
    coverage = _coverage_name(status.coverage)
    intact = bool(status.intact and status.valid)
    covers = coverage == "entire_file" or (coverage == "entire_revision" and bool(status.docmdp_ok))
    trusted = bool(status.trusted)
    if not intact:
        verdict, reason = "invalid", "签名后文件被修改, 签名不完整 (modified after signing)"
    elif not covers:
        verdict, reason = (
            "invalid",
            "签名未覆盖整个文件或签名后有不允许的修改 (not covering the document)",
        )
    else:
        verdict = "valid"
        reason = "签名完整, 覆盖整个文件 (intact)"
        if coverage == "entire_revision":
            reason = "签名完整, 之后仅有允许的增量修改 (intact; later allowed updates)"
    reason += "; 证书受信任 (trusted)" if trusted else "; 证书不受信任 (certificate not trusted)"
    return SignatureFacts(name, signer, verdict, intact, trusted, coverage, reason)


def _coverage_name(level: Any) -> str:
    name = getattr(level, "name", "")
    return {
        "ENTIRE_FILE": "entire_file",
        "ENTIRE_REVISION": "entire_revision",
        "CONTIGUOUS_BLOCK_FROM_START": "partial",
        "UNCLEAR": "partial",
    }.get(name, "unknown")


# -- text


def _first_pages_text(reader: PdfReader, facts: PdfFacts, text_pages: int) -> str:
    """Text of the first pages only: a 500-page file must not cost 500 extractions."""
    texts = []
    for i in range(min(text_pages, facts.pages or 0)):
        text = _guarded(
            facts, f"text of page {i + 1}", lambda i=i: reader.pages[i].extract_text(), ""
        )
        texts.append(text or "")
    return "\n".join(texts)
