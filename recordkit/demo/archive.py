"""The archive part of ``recordkit demo``: generated forms → PDF → signed scans → archive.

Takes the .docx forms the demo generated in ``out/``, prints them to PDF with
LibreOffice (or, where it is missing, a reportlab rendition of the same case data
carrying the same QR payload), "signs and scans" each page (a handwritten stroke,
200 dpi, a slight rotation, sensor noise, JPEG — what a desk scanner writes), drops the
scans into ``archive/inbox/`` the way a copy tool does, ingests them, and shows the
archive as a table.
"""

from __future__ import annotations

import io
import math
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from recordkit.archive.export import document_facts
from recordkit.cases import schema
from recordkit.cases.store import MISSING, get_path
from recordkit.config import Config
from recordkit.errors import LibreOfficeError, RecordkitError
from recordkit.fonts import reportlab_font
from recordkit.forms.batch import default_jobs
from recordkit.forms.libreoffice import convert_to_pdf, find_soffice
from recordkit.forms.qr import QrPayload, qr_png
from recordkit.index.manifest import Manifest
from recordkit.pdfpages import render_pdf_page
from recordkit.workspace import Workspace

Echo = Callable[..., None]
Table = Callable[[list[str], list[list[Any]]], None]

SCAN_DPI = 200
DEFAULT_LIMIT = 24  # scans to simulate: enough to show every case, quick to run


def demo_archive(config: Config, echo: Echo, table: Table, limit: int = DEFAULT_LIMIT) -> Any:
    """Print, sign, scan and archive up to ``limit`` generated forms; returns the ingest report."""
    manifest = Manifest(config.manifest_path, config.database_url)
    rows = [r for r in manifest.all() if (config.root / r.output_path).suffix == ".docx"]
    manifest.close()
    chosen = _spread(rows, limit)
    if not chosen:
        echo("== 归档: 没有已生成的表单可供扫描 (no generated forms)")
        return None
    with tempfile.TemporaryDirectory(prefix="recordkit-scan-") as tmp:
        pdfs, how = _print_to_pdf(config, chosen, Path(tmp))
        echo(f"== 打印 {len(pdfs)} 份表单为 PDF ({how})")
        started = time.perf_counter()
        scans = [
            sign_and_scan(pdf, Path(tmp) / f"scan-{n:04d}.pdf", seed=n)
            for n, pdf in enumerate(pdfs, 1)
        ]
        echo(
            f"== 模拟签字扫描 {len(scans)} 份 ({SCAN_DPI} dpi, 轻微倾斜和噪点), 用时 {time.perf_counter() - started:.1f} 秒"
        )
        inbox = config.archive_dir / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        for n, scan in enumerate(scans, 1):
            _drop(scan, inbox / f"SCAN_{time.strftime('%Y%m%d')}_{n:04d}.pdf")
        _drop(
            scans[0], inbox / "重复扫描_0001.pdf"
        )  # the same sheet scanned twice: not filed twice
    echo(
        f"== 放入 {config.archive_dir / 'inbox'} 共 {len(scans) + 1} 份, 开始归档 (recordkit archive ingest)"
    )
    with Workspace(config).archive() as archive:
        started = time.perf_counter()
        report = archive.ingest(inbox=True, jobs=default_jobs())
        elapsed = time.perf_counter() - started
        counts = report.counts()
        echo(f"   归档 {counts['filed']} 份, 重复 {counts['duplicate']}, 待识别 {counts['unidentified']}, "
             f"隔离 {counts['quarantine']}, 出错 {counts['error']}; 用时 {elapsed:.1f} 秒 (含 "
             f"{archive.settings.stability_seconds:g} 秒稳定等待)")  # fmt: skip
        for result in report.results:
            if result.outcome not in ("filed",):
                echo(
                    f"   {result.label}: {result.original_name} → {result.destination} ({result.reason})"
                )
        docs = archive.list()
        facts = document_facts(archive, docs)
    table(
        ["档号", "案件", "表单", "年度", "保管期限", "页数", "签名", "识别", "原文件名"],
        [[d["archive_no"], d["case_no"], d["form_code"], d["year"], d["retention_label"], d["pages"],
          {"none": "无", "valid": "有效", "invalid": "无效"}[d["signed"]], d["identified_by"], d["original_name"]]
         for d in docs],
    )  # fmt: skip
    echo(
        f"   原件 (只读): {config.archive_dir / 'store'}    利用副本 (加盖归档章): {config.archive_dir / 'access'}"
    )
    echo("   查询: recordkit archive list | search <文字> | show <档号>")
    _show_catalogue(echo, table, docs, facts)
    return report


def _show_catalogue(
    echo: Echo, table: Table, docs: list[dict[str, Any]], facts: dict[str, Any]
) -> None:
    """Issue 14 point 10: the 归档文件目录 says who formed each document, about what, and when
    (the case's date, not the scan date) — as ``archive export`` prints it."""
    echo(
        "== 归档文件目录 (节选; 全文: recordkit archive export --year <年度>): 日期为文件形成日期, 非扫描日期"
    )
    shown = docs[:6]
    table(["档号", "责任者", "题名", "日期"],
          [[d["archive_no"], facts[d["archive_no"]].author, facts[d["archive_no"]].title, facts[d["archive_no"]].date8]
           for d in shown])  # fmt: skip


def _spread(rows: list[Any], limit: int) -> list[Any]:
    """Up to ``limit`` outputs, taking cases in turn so every case (and many forms) show."""
    by_case: dict[str, list[Any]] = {}
    for row in sorted(rows, key=lambda r: (r.case_no, r.form_code)):
        by_case.setdefault(row.case_no, []).append(row)
    for shift, queue in enumerate(by_case.values()):  # a different form first for each case
        queue[:] = queue[shift % len(queue) :] + queue[: shift % len(queue)]
    chosen: list[Any] = []
    while len(chosen) < limit and any(by_case.values()):
        for queue in by_case.values():
            if queue and len(chosen) < limit:
                chosen.append(queue.pop(0))
    return chosen


# --------------------------------------------------------------------------- printing


def _print_to_pdf(config: Config, rows: list[Any], tmp: Path) -> tuple[list[Path], str]:
    if find_soffice() is not None:
        # Every case's forms share file names: copy them under unique names first, so
        # one LibreOffice run converts them all into one folder.
        staged = tmp / "docx"
        staged.mkdir(parents=True, exist_ok=True)
        docs = []
        for row in rows:
            doc = staged / f"{row.case_no}_{row.form_code}.docx"
            shutil.copyfile(config.root / row.output_path, doc)
            docs.append(doc)
        try:
            return convert_to_pdf(docs, outdir=tmp / "pdf"), "LibreOffice"
        except LibreOfficeError as exc:
            reason = exc.message
    else:
        reason = "未安装 LibreOffice"
    out = tmp / "pdf"
    out.mkdir(parents=True, exist_ok=True)
    pdfs = [
        _reportlab_rendition(config, row, out / f"{row.case_no}_{row.form_code}.pdf")
        for row in rows
    ]
    return pdfs, f"{reason}, 改用 reportlab 按同一案件数据和二维码绘制"


def _reportlab_rendition(config: Config, row: Any, path: Path) -> Path:
    """The form's case data on an A4 page with the same QR payload as the Word form."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    font = reportlab_font()
    try:
        title = Workspace(config).catalog().get(row.form_code).title
    except RecordkitError:
        title = row.form_code
    record = Workspace(config).library().get(row.case_no)
    fields = [("编号", row.case_no)] + [
        (f.label, value)
        for f in record.rtype.fields[1:]
        if f.type == schema.TEXT
        and (value := get_path(record.data, f.path)) not in (MISSING, None, "")
    ][:7]
    w, h = A4
    c = canvas.Canvas(str(path), pagesize=A4)
    qr = ImageReader(
        io.BytesIO(qr_png(QrPayload(row.case_no, row.form_code, row.template_version or "0")))
    )
    c.drawImage(qr, 15 * mm, h - 40 * mm, 25 * mm, 25 * mm)
    c.setFont(font, 9)
    c.drawString(
        15 * mm,
        h - 12 * mm,
        f"{config.organization.name}    表单编号 {row.form_code}  第{row.template_version}版",
    )
    c.setFont(font, 16)
    c.drawCentredString(w / 2, h - 52 * mm, title)
    y = h - 66 * mm
    for label, value in fields:
        c.setFont(font, 11)
        c.drawString(20 * mm, y, label)
        for line in _wrap(str(value or ""), 38)[:4]:
            c.drawString(48 * mm, y, line)
            y -= 6 * mm
        y -= 4 * mm
        c.line(20 * mm, y + 7 * mm, w - 20 * mm, y + 7 * mm)
    c.drawString(20 * mm, 40 * mm, "签字:")
    c.drawString(110 * mm, 40 * mm, "日期:")
    c.showPage()
    c.save()
    return path


def _wrap(text: str, width: int) -> list[str]:
    text = " ".join(text.split())
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


# --------------------------------------------------------------------------- signing and scanning


def sign_and_scan(pdf: Path, dest: Path, seed: int) -> Path:
    """Every page rendered at 200 dpi, with a pen signature on the last page, skewed by
    up to a degree, with sensor noise and dust, saved as JPEG pages in a PDF."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    pages = []
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for index in range(len(doc)):
            image = render_pdf_page(doc[index], SCAN_DPI).convert("L")
            if index == len(doc) - 1:
                _signature(ImageDraw.Draw(image), image.size, random.Random(seed))
            angle = float(rng.uniform(-1.0, 1.0))
            image = image.rotate(angle, resample=Image.BILINEAR, expand=False, fillcolor=250)
            pixels = np.asarray(image, dtype=np.float32)
            pixels += rng.normal(0, 10, pixels.shape)
            pixels[rng.random(pixels.shape) < 0.0008] = 60  # dust on the glass
            pages.append(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L"))
    finally:
        doc.close()
    jpegs = []
    for page in pages:
        buf = io.BytesIO()
        page.save(buf, "JPEG", quality=75)
        jpegs.append(Image.open(io.BytesIO(buf.getvalue())))
    jpegs[0].save(dest, "PDF", resolution=SCAN_DPI, save_all=True, append_images=jpegs[1:])
    return dest


def _signature(draw: Any, size: tuple[int, int], rnd: random.Random) -> None:
    """A pen stroke in the lower right of the page: a few loops, like a quick signature."""
    width, height = size
    x0, y0 = width * 0.58, height * 0.86
    points = []
    for step in range(120):
        t = step / 119
        x = x0 + t * width * 0.22 + math.sin(t * 14 + rnd.random()) * width * 0.012
        y = y0 - math.sin(t * 9) * height * 0.012 - t * height * 0.01 + rnd.uniform(-1.5, 1.5)
        points.append((x, y))
    draw.line(points, fill=25, width=4, joint="curve")


def _drop(source: Path, target: Path) -> None:
    """Copy the way a copy tool does: a temporary name, then a rename when complete."""
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(source.read_bytes())
    os.replace(partial, target)
