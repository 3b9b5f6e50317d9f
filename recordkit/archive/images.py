"""Image scans (JPEG, PNG, TIFF including multi-page TIFF) as the archive takes them.

The kind of a file is decided by its first bytes, never by its name: a JPEG renamed to
``.pdf`` is a JPEG, a PDF named ``.jpg`` is a PDF. The image itself is the original
(kept bit for bit); the steps work on a lossless PDF of it made by img2pdf (the JPEG
data is embedded as it is, PNG and TIFF losslessly), which also becomes the access
copy once stamped.
"""

from __future__ import annotations

import io
import mmap
from pathlib import Path

from recordkit.errors import PdfError
from recordkit.files import write_atomic

PDF = "pdf"
JPEG = "jpeg"
PNG = "png"
TIFF = "tiff"
IMAGE_KINDS = (JPEG, PNG, TIFF)
SUFFIXES = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", TIFF: ".tif"}
LABELS = {JPEG: "JPEG 图像", PNG: "PNG 图像", TIFF: "TIFF 图像"}
MAX_PAGES = 1000  # a multi-page TIFF beyond this is not a scan of one document
_SIGNATURES = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
)


def kind_of_stored(original_path: str) -> str:
    """The kind of a stored original, from the suffix the archive gave it."""
    suffix = Path(original_path).suffix.lower()
    return next((kind for kind, known in SUFFIXES.items() if known == suffix), PDF)


def sniff_kind(path: Path) -> str | None:
    """``pdf``, ``jpeg``, ``png`` or ``tiff`` by the first bytes; None for anything else
    (the PDF preflight then words why). OSError reaches the caller."""
    with open(path, "rb") as fh:
        head = fh.read(16)
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    return PDF if head.startswith(b"%PDF-") else None


def image_problem(path: Path, kind: str) -> str | None:
    """Why an image cannot be archived, in Chinese; None if every frame decodes.

    A file that is an image and also carries a PDF (a polyglot) is refused: what a
    viewer shows would depend on the program that opens it."""
    if _contains(path, b"%PDF-"):
        return (
            f"文件是 {LABELS[kind]}, 但其中还嵌有 PDF 数据 (polyglot), 不同软件打开会显示不同内容"
        )
    from PIL import Image

    try:
        with Image.open(path) as image:
            frames = int(getattr(image, "n_frames", 1) or 0)
            if frames < 1:
                return f"{LABELS[kind]}中没有任何页面 (no frames)"
            if frames > MAX_PAGES:
                return f"{LABELS[kind]}有 {frames} 页, 超过上限 {MAX_PAGES} 页"
            for n in range(frames):
                image.seek(n)
                image.load()
    except Exception as exc:  # noqa: BLE001 - hostile input: Pillow's errors (and its decompression-bomb guard)
        return f"{LABELS[kind]}已损坏或不完整, 无法解码 ({type(exc).__name__}: {exc})"[:300]
    return None


def _contains(path: Path, needle: bytes) -> bool:
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(needle) >= 0


def image_to_pdf(image: Path, dest: Path) -> Path:
    """A lossless PDF of every frame of ``image`` (img2pdf), written atomically;
    PdfError if img2pdf refuses the image."""
    import img2pdf

    try:
        data = img2pdf.convert(str(image), rotation=img2pdf.Rotation.ifvalid)
    except Exception as exc:  # img2pdf raises its own errors, ValueError, PIL errors
        raise PdfError(
            f"{image.name}: 无法把图像转换为 PDF ({type(exc).__name__}: {exc})"[:300]
        ) from None
    dest.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(dest, data)
    return dest


def upright_pdf(source: Path, dest: Path, turns: list[int]) -> Path:
    """A copy of ``source`` with page ``n`` turned clockwise by ``turns[n]`` degrees
    (/Rotate, so no pixel is re-encoded)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(source)))
    for page, turn in zip(writer.pages, turns, strict=False):
        if turn % 360:
            page.rotate(turn % 360)
    buf = io.BytesIO()
    writer.write(buf)
    write_atomic(dest, buf.getvalue())
    return dest
