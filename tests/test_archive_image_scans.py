"""Issue 13 point 1: image scans (JPEG, PNG, TIFF, multi-page TIFF) are filed with the
image kept bit for bit as the original and a lossless, stamped PDF as the access copy;
access copies are turned upright by the QR's orientation; bad images are quarantined
with a Chinese reason. The scans are real: the demo's ``sign_and_scan`` (200 dpi,
skew, noise, JPEG) of a generated form."""

from __future__ import annotations

import io
import json
import sys
import threading
import time
from pathlib import Path

import pytest
from archive_setup import form_pdf, make_workdir, sha256
from PIL import Image
from pypdf import PdfReader

from recordkit.archive.intake import claim, new_claim_id, run_steps
from recordkit.archive.service import Archive
from recordkit.archive.settings import IngestContext
from recordkit.archive.steps import STEPS
from recordkit.cli import cli
from recordkit.demo.archive import sign_and_scan


@pytest.fixture
def work(tmp_path, monkeypatch):
    config = make_workdir(tmp_path / "w")
    monkeypatch.chdir(config.root)
    return config


def scanned_jpegs(tmp: Path, serial: int = 1, pages: int = 2) -> list[bytes]:
    """The JPEG of each page of a signed, scanned generated form, as a scanner writes it."""
    source = form_pdf(tmp / f"form-{serial}.pdf", serial=serial, pages=pages)
    scan = sign_and_scan(source, tmp / f"scan-{serial}.pdf", seed=serial)
    return [image.data for page in PdfReader(scan).pages for image in page.images]


def save_images(images: list[Image.Image], path: Path, fmt: str) -> Path:
    images[0].save(path, fmt, save_all=len(images) > 1, append_images=images[1:])
    return path


def ingest(runner) -> dict:
    result = runner.invoke(cli, ["archive", "ingest", "--json"], obj={}, catch_exceptions=False)
    return json.loads(result.output)


def only_result(runner) -> dict:
    (one,) = ingest(runner)["results"]
    return one


def access_reader(config, archive_no: str) -> PdfReader:
    with Archive(config) as archive:
        doc = archive.index.document(archive_no)
    return PdfReader(config.archive_dir / doc["access_path"])


def test_a_jpeg_scan_is_kept_bit_for_bit_and_its_access_copy_is_a_lossless_stamped_pdf(
    work, runner, tmp_path
):
    jpeg = scanned_jpegs(tmp_path, pages=1)[0]
    (work.archive_dir / "inbox" / "扫描0001.jpg").write_bytes(jpeg)
    one = only_result(runner)
    assert (one["outcome"], one["case_no"], one["form_code"]) == ("filed", "TS-2026-0007", "F01")
    assert one["destination"].endswith(".jpg")
    stored = work.archive_dir / one["destination"]
    assert stored.read_bytes() == jpeg
    reader = access_reader(work, one["archive_no"])
    assert len(reader.pages) == 1
    xobjects = reader.pages[0]["/Resources"]["/XObject"]
    streams = [xobjects[name].get_object() for name in xobjects]
    assert jpeg in [
        x.get_data() for x in streams if x.get("/Filter") == "/DCTDecode"
    ]  # lossless: the very JPEG
    assert "/Rotate" not in reader.pages[0] or reader.pages[0].rotation == 0
    with Archive(work) as archive:
        doc = archive.index.document(one["archive_no"])
        (filed,) = [e for e in archive.index.events() if e["kind"] == "filed"]
    assert (doc["pages"], doc["pdf_version"]) == (1, "JPEG 图像")
    assert json.loads(filed["detail"])["original_format"] == "jpeg"


@pytest.mark.parametrize("fmt, suffix", [("PNG", ".png"), ("TIFF", ".tif")])
def test_png_and_multi_page_tiff_scans_are_filed_with_every_page(
    work, runner, tmp_path, fmt, suffix
):
    pages = [Image.open(io.BytesIO(j)) for j in scanned_jpegs(tmp_path, pages=2)]
    images = pages if fmt == "TIFF" else pages[:1]
    path = save_images(images, work.archive_dir / "inbox" / f"scan{suffix}", fmt)
    sha = sha256(path)
    one = only_result(runner)
    assert one["outcome"] == "filed" and one["destination"].endswith(suffix)
    assert sha256(work.archive_dir / one["destination"]) == sha
    assert len(access_reader(work, one["archive_no"]).pages) == len(images)


def test_an_image_renamed_to_pdf_is_recognised_by_its_content(work, runner, tmp_path):
    jpeg = scanned_jpegs(tmp_path, pages=1)[0]
    (work.archive_dir / "inbox" / "scan.pdf").write_bytes(jpeg)
    one = only_result(runner)
    assert one["outcome"] == "filed" and one["destination"].endswith(".jpg")
    assert (work.archive_dir / one["destination"]).read_bytes() == jpeg


@pytest.mark.parametrize(
    "name, make, reason",
    [
        (
            "empty.tif",
            lambda j: b"II*\x00\x08\x00\x00\x00" + b"\x00\x00" + b"\x00\x00\x00\x00",
            "TIFF 图像",
        ),
        ("broken.jpg", lambda j: j[: len(j) // 3], "JPEG 图像已损坏或不完整, 无法解码"),
        (
            "polyglot.pdf",
            lambda j: j + b"\n%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n",
            "文件是 JPEG 图像, 但其中还嵌有 PDF 数据 (polyglot), 不同软件打开会显示不同内容",
        ),
    ],
    ids=["tiff-without-frames", "corrupt-jpeg", "jpeg-pdf-polyglot"],
)
def test_bad_images_are_quarantined_with_a_chinese_reason(
    work, runner, tmp_path, name, make, reason
):
    data = make(scanned_jpegs(tmp_path, pages=1)[0])
    (work.archive_dir / "inbox" / name).write_bytes(data)
    one = only_result(runner)
    assert (one["outcome"], one["check"]) == ("quarantine", "可用性 — 文件格式")
    assert one["reason"].startswith(reason)
    kept = work.archive_dir / one["destination"]
    assert kept.read_bytes() == data  # nothing lost
    assert "原因 (why): " + one["reason"] in kept.with_name(kept.name + ".reason.txt").read_text(
        encoding="utf-8"
    )


def test_an_upside_down_scan_gets_an_upright_access_copy_and_an_untouched_original(
    work, runner, tmp_path
):
    jpeg = scanned_jpegs(tmp_path, pages=1)[0]
    upside_down = io.BytesIO()
    Image.open(io.BytesIO(jpeg)).rotate(180).save(upside_down, "JPEG", quality=90)
    (work.archive_dir / "inbox" / "upside-down.jpg").write_bytes(upside_down.getvalue())
    one = only_result(runner)
    assert one["outcome"] == "filed"
    assert (work.archive_dir / one["destination"]).read_bytes() == upside_down.getvalue()
    assert access_reader(work, one["archive_no"]).pages[0].rotation == 180
    with Archive(work) as archive:
        checks = {c.name: c.detail for c in archive.index.checks(one["intake_id"])}
    assert checks["利用副本"].endswith("; 按二维码方向转正: 第 1 页 180°")


def test_pages_in_mixed_orientation_are_each_turned_by_their_qr(work, runner, tmp_path):
    page = Image.open(io.BytesIO(scanned_jpegs(tmp_path, pages=1)[0]))
    sideways = page.rotate(90, expand=True)  # turned a quarter counter-clockwise on the glass
    save_images([page, sideways], work.archive_dir / "inbox" / "mixed.tif", "TIFF")
    one = only_result(runner)
    assert one["outcome"] == "filed"
    reader = access_reader(work, one["archive_no"])
    assert [p.rotation for p in reader.pages] == [0, 90]


def test_a_page_with_a_damaged_qr_waits_in_unidentified_with_the_reason(work, runner, tmp_path):
    page = Image.open(io.BytesIO(scanned_jpegs(tmp_path, pages=1)[0])).convert("L")
    dpi = 200 / 25.4
    box = (
        int(15 * dpi),
        int(15 * dpi),
        int(40 * dpi),
        int(27 * dpi),
    )  # the top half of the 25 mm code
    page.paste(255, box)
    path = save_images([page], work.archive_dir / "inbox" / "damaged.png", "PNG")
    sha = sha256(path)
    one = only_result(runner)
    assert one["outcome"] == "unidentified"
    assert "前 2 页未找到二维码 (no QR code)" in one["reason"]
    assert sha256(work.archive_dir / one["destination"]) == sha


def test_the_inbox_takes_image_names_and_still_lists_other_files(work, runner):
    (work.archive_dir / "inbox" / "notes.txt").write_bytes(b"hello")
    data = ingest(runner)
    assert data["skipped"] == [
        {
            "file": "notes.txt",
            "reason": "不是 PDF 或图像: 只接收 PDF、JPEG、PNG 和 TIFF (not a PDF or image)",
        }
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="same pattern as test_archive_recovery")
@pytest.mark.parametrize("k", range(1, len(STEPS)), ids=[f"after-{s.__name__}" for s in STEPS[:-1]])
def test_a_crash_after_any_step_of_an_image_scan_is_finished_by_recovery(work, tmp_path, k):
    jpeg = scanned_jpegs(tmp_path, pages=1)[0]
    upside_down = io.BytesIO()
    Image.open(io.BytesIO(jpeg)).rotate(180).save(upside_down, "JPEG", quality=90)
    source = work.archive_dir / "inbox" / "crashed.jpg"
    source.write_bytes(upside_down.getvalue())
    ctx = IngestContext.open(work)
    item = claim(source, ctx.layout, new_claim_id(), "inbox/crashed.jpg", ctx.timestamp())
    assert run_steps(item, ctx, STEPS[:k]) is None  # the process dies here
    ctx.close()
    with Archive(work) as archive:
        report = archive.ingest(inbox=True)
        (doc,) = archive.list()
        assert [r.outcome for r in report.recovered] == ["filed"]
        assert doc["status"] == "filed" and doc["item_no"] == 1
        assert archive.index.chain_problems() == []
        full = archive.index.document(doc["archive_no"])
    assert (work.archive_dir / full["original_path"]).read_bytes() == upside_down.getvalue()
    assert PdfReader(work.archive_dir / full["access_path"]).pages[0].rotation == 180
    assert not any((work.archive_dir / "work").iterdir())


def test_rebuild_copy_of_an_image_scan_makes_the_same_upright_stamped_pdf(work, runner, tmp_path):
    jpeg = scanned_jpegs(tmp_path, pages=1)[0]
    upside_down = io.BytesIO()
    Image.open(io.BytesIO(jpeg)).rotate(180).save(upside_down, "JPEG", quality=90)
    (work.archive_dir / "inbox" / "upside-down.jpg").write_bytes(upside_down.getvalue())
    one = only_result(runner)
    with Archive(work) as archive:
        access = work.archive_dir / archive.index.document(one["archive_no"])["access_path"]
    access.unlink()
    result = runner.invoke(
        cli, ["archive", "rebuild-copy", "--missing"], obj={}, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    reader = PdfReader(access)
    assert len(reader.pages) == 1 and reader.pages[0].rotation == 180
    assert (work.archive_dir / one["destination"]).read_bytes() == upside_down.getvalue()


def test_the_watcher_keeps_running_past_bad_images_and_files_the_good_ones(work, tmp_path):
    jpegs = scanned_jpegs(tmp_path, pages=2)
    inbox = work.archive_dir / "inbox"
    (inbox / "broken.jpg").write_bytes(jpegs[0][: len(jpegs[0]) // 3])
    (inbox / "empty.tif").write_bytes(
        b"II*\x00\x08\x00\x00\x00" + b"\x00\x00" + b"\x00\x00\x00\x00"
    )
    results, stop = [], threading.Event()

    def run() -> None:
        with Archive(work) as archive:
            archive.watch(on_result=results.append, on_event=lambda e: None, stop=stop)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while len(results) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    (inbox / "good.jpg").write_bytes(jpegs[0])  # dropped after the bad ones were handled
    while len(results) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(30)
    assert sorted((r.original_name, r.outcome) for r in results) == [
        ("broken.jpg", "quarantine"),
        ("empty.tif", "quarantine"),
        ("good.jpg", "filed"),
    ]
