"""Real test PDFs, made on the fly: born-digital, scanned-looking, signed, hostile, broken.

Every maker writes to a path it is given and returns it, so tests keep their files in
pytest's tmp_path. No fixtures are checked in: the files show exactly how they were made.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from recordkit.forms.qr import QrPayload, qr_png

PAYLOAD = QrPayload("TS-2026-0007", "F01", "3")
CJK_FONT = "STSong-Light"  # not embedded, but its text layer extracts: enough for tests


def _cjk_font() -> str:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def _draw_form(c: canvas.Canvas, payload: QrPayload | None, case_no: str | None) -> None:
    """One A4 form page: QR in the top-left header, centred title, a few ruled rows."""
    w, h = A4
    if payload is not None:
        qr = ImageReader(io.BytesIO(qr_png(payload, scale=8)))
        c.drawImage(qr, 15 * mm, h - 40 * mm, 25 * mm, 25 * mm)
    c.setFont("Helvetica-Bold", 16)
    c.drawCentredString(w / 2, h - 30 * mm, "COMPLAINT FORM")
    c.setFont(_cjk_font(), 14)
    c.drawCentredString(w / 2, h - 38 * mm, "申诉和投诉处理及反馈表")
    c.setFont(_cjk_font(), 10)
    code = payload.form_code if payload else "F01"
    c.drawString(20 * mm, h - 50 * mm, f"表单编号 {code}  第3版")
    if case_no:
        c.setFont("Helvetica", 11)
        c.drawString(20 * mm, h - 58 * mm, f"Case No. {case_no}")
    c.setFont(_cjk_font(), 11)
    y = h - 70 * mm
    for label in ("投诉人", "联系电话", "投诉内容", "处理意见", "签字"):
        c.drawString(20 * mm, y, label)
        c.line(45 * mm, y - 1 * mm, w - 20 * mm, y - 1 * mm)
        y -= 14 * mm
    c.rect(15 * mm, 20 * mm, w - 30 * mm, y - 10 * mm)


def born_digital(
    path: Path | BinaryIO,
    payload: QrPayload | None = PAYLOAD,
    *,
    case_no: str | None = "TS-2026-0007",
    pages: int = 2,
    compress: bool = True,
) -> Path:
    target = path if hasattr(path, "write") else str(path)
    c = canvas.Canvas(target, pagesize=A4, pageCompression=1 if compress else 0)
    c.setTitle("complaint form")
    for i in range(pages):
        if i == 0:
            _draw_form(c, payload, case_no)
        else:
            c.setFont("Helvetica", 11)
            c.drawString(20 * mm, 270 * mm, f"Signed form, page {i + 1}")
        c.showPage()
    c.save()
    return path


def scanned_looking(
    path: Path,
    source: Path,
    *,
    dpi: int = 200,
    angle: float = 1.5,
    noise_sigma: float = 18.0,
    seed: int = 7,
) -> Path:
    """Render ``source`` as a scanner would see it: raster, skewed, noisy, JPEG, no text."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    doc = pdfium.PdfDocument(str(source))
    images = []
    rng = np.random.default_rng(seed)
    try:
        for i in range(len(doc)):
            img = doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            img = img.rotate(angle, resample=Image.BILINEAR, expand=False, fillcolor=255)
            arr = np.asarray(img, dtype=np.float32)
            arr += rng.normal(0, noise_sigma, arr.shape)
            specks = rng.random(arr.shape) < 0.0015  # dust on the glass
            arr[specks] = 40
            images.append(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L"))
    finally:
        doc.close()
    buf = []
    for img in images:
        jpeg = io.BytesIO()
        img.save(jpeg, "JPEG", quality=70)
        buf.append(Image.open(io.BytesIO(jpeg.getvalue())))
    buf[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=buf[1:])
    return path


def rotated_page(path: Path, rotate: int, *, cropbox_offset: float = 0.0) -> Path:
    """A born-digital page whose /Rotate is set and whose boxes do not start at 0,0."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import RectangleObject

    tmp = io.BytesIO()
    born_digital(tmp, pages=1)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(tmp.getvalue())))
    page = writer.pages[0]
    if cropbox_offset:
        w, h = A4
        off = cropbox_offset
        box = RectangleObject([-off, -off, w - off, h - off])
        page.mediabox = box
        page.cropbox = box
        # Move the content with the box so the page still looks the same.
        from pypdf import Transformation

        page.add_transformation(Transformation().translate(-off, -off))
    if rotate:
        page.rotate(rotate)
    writer.write(path)
    return path


# --- signatures ----------------------------------------------------------------------------


def self_signed_cert() -> tuple[bytes, bytes]:
    """(certificate DER, private key DER) of a throwaway signer, made with cryptography."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Lab"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Zhang Min"),
        ]
    )
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.DER), key_der


def signed(path: Path, cert: tuple[bytes, bytes] | None = None) -> Path:
    """A born-digital form signed with pyhanko (uncompressed, so bytes can be tampered)."""
    from asn1crypto import keys, x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert_der, key_der = cert or self_signed_cert()
    signing_cert = x509.Certificate.load(cert_der)
    signer = signers.SimpleSigner(
        signing_cert=signing_cert,
        signing_key=keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([signing_cert]),
    )
    unsigned = io.BytesIO()
    born_digital(unsigned, pages=1, compress=False)
    unsigned.seek(0)
    out = io.BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(unsigned, strict=False),
        signers.PdfSignatureMetadata(field_name="Signature1", reason="reviewed"),
        signer=signer,
        output=out,
    )
    path.write_bytes(out.getvalue())
    return path


def tampered_copy(path: Path, signed_pdf: Path) -> Path:
    """The signed file with one byte of its page content changed (inside the signed range)."""
    data = bytearray(signed_pdf.read_bytes())
    at = data.find(b"(Case No. ")
    assert at != -1, "uncompressed page content expected"
    data[at + 1] = ord("X")  # "Case" -> "Xase": same length, file still parses
    path.write_bytes(bytes(data))
    return path


# --- hostile and broken files --------------------------------------------------------------


def _writer_from_born_digital():  # -> PdfWriter
    from pypdf import PdfReader, PdfWriter

    buf = io.BytesIO()
    born_digital(buf, pages=1)
    return PdfWriter(clone_from=PdfReader(io.BytesIO(buf.getvalue())))


def encrypted(path: Path, user_password: str = "secret") -> Path:
    writer = _writer_from_born_digital()
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    writer.write(path)
    return path


def with_javascript(path: Path) -> Path:
    """JavaScript as an /OpenAction (runs on open), the classic attack."""
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = _writer_from_born_digital()
    action = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    writer.write(path)
    return path


def with_launch_annotation(path: Path) -> Path:
    """A link annotation whose action launches a program."""
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject
    from pypdf.generic import TextStringObject as Text

    writer = _writer_from_born_digital()
    launch = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): Text("calc.exe")}
    )
    annot = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (50, 50, 150, 80)]),
            NameObject("/A"): launch,
        }
    )
    page = writer.pages[0]
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(annot)])
    writer.write(path)
    return path


def with_embedded_file(path: Path) -> Path:
    writer = _writer_from_born_digital()
    writer.add_attachment("payload.exe", b"MZ not really a program")
    writer.write(path)
    return path


def truncated(path: Path, source: Path, keep: float = 0.6) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def zero_byte(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def text_renamed(path: Path) -> Path:
    path.write_text("这不是 PDF, 只是改了扩展名。\nnot a PDF\n", encoding="utf-8")
    return path


def many_pages(path: Path, pages: int = 500) -> Path:
    """A long born-digital file, quick to make: one small content stream per page."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 10)
    c.drawString(20 * mm, 280 * mm, "Case No. TS-2026-0042 bulk scan")
    for i in range(pages):
        c.setFont("Helvetica", 10)
        c.drawString(20 * mm, 20 * mm, f"page {i + 1} of {pages}")
        c.showPage()
    c.save()
    return path


def with_action_cycle(path: Path) -> Path:
    """An /OpenAction whose /Next chain loops back on itself, ending in JavaScript."""
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = _writer_from_born_digital()
    first = DictionaryObject({NameObject("/S"): NameObject("/GoTo")})
    second = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1;")}
    )
    first_ref = writer._add_object(first)
    second_ref = writer._add_object(second)
    first[NameObject("/Next")] = second_ref
    second[NameObject("/Next")] = first_ref
    writer._root_object[NameObject("/OpenAction")] = first_ref
    writer.write(path)
    return path


def garbage_with_header(path: Path) -> Path:
    """Starts and ends like a PDF, holds nothing a parser can use."""
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\ntrailer <<>>\n%%EOF\n")
    return path


def updated_after_signing(path: Path, signed_pdf: Path) -> Path:
    """The signed file plus an incremental update that changes page 1's content.

    Every signed byte stays as it was (the signature is intact), but the document a
    reader shows is no longer the one that was signed.
    """
    from pypdf import PdfReader, PdfWriter

    overlay = io.BytesIO()
    c = canvas.Canvas(overlay, pagesize=A4)
    c.setFont("Helvetica", 20)
    c.drawString(100, 400, "PAID IN FULL")
    c.save()
    writer = PdfWriter(str(signed_pdf), incremental=True)
    writer.pages[0].merge_page(PdfReader(io.BytesIO(overlay.getvalue())).pages[0])
    writer.write(path)
    assert path.read_bytes().startswith(signed_pdf.read_bytes())
    return path


def signed_twice(path: Path, signed_pdf: Path, cert: tuple[bytes, bytes]) -> Path:
    """A second signature in an incremental update: the first stays valid (allowed update)."""
    from asn1crypto import keys, x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signing_cert = x509.Certificate.load(cert[0])
    signer = signers.SimpleSigner(
        signing_cert=signing_cert,
        signing_key=keys.PrivateKeyInfo.load(cert[1]),
        cert_registry=SimpleCertificateStore.from_certs([signing_cert]),
    )
    out = io.BytesIO()
    with open(signed_pdf, "rb") as fh:
        signers.sign_pdf(
            IncrementalPdfFileWriter(fh, strict=False),
            signers.PdfSignatureMetadata(field_name="Signature2"),
            signer=signer,
            output=out,
        )
    path.write_bytes(out.getvalue())
    return path


def one_form_per_page(path: Path, payloads: list[QrPayload]) -> Path:
    """A batch scan of several generated forms: one QR payload per page."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for payload in payloads:
        _draw_form(c, payload, payload.case_no)
        c.showPage()
    c.save()
    return path


def foreign_qr(path: Path, text: str = "https://example.com/wechat") -> Path:
    """A page whose only QR code is not ours (a URL, as on letterheads)."""
    import segno

    png = io.BytesIO()
    segno.make_qr(text).save(png, kind="png", scale=8, border=2)
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(ImageReader(io.BytesIO(png.getvalue())), 15 * mm, 240 * mm, 25 * mm, 25 * mm)
    c.showPage()
    c.save()
    return path
