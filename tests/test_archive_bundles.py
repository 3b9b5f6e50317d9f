"""Issue 13 point 1: a scanned print bundle is split by the QR on each page into one
archived document per form (own 档号, page count, stamp); the bundle is stored once,
bit for bit, and every part records it was derived from it (index and ``filed``
event); a crash mid-split loses no part and files none twice."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from pathlib import Path

import pdf_factory as pf
import pytest
from archive_setup import make_workdir, sha256
from conftest import soffice_missing
from pypdf import PdfReader, PdfWriter

from recordkit.archive.intake import claim, new_claim_id, run_steps
from recordkit.archive.service import Archive
from recordkit.archive.settings import IngestContext
from recordkit.archive.steps import STEPS
from recordkit.cli import cli
from recordkit.demo.archive import sign_and_scan
from recordkit.forms.generator import make_generator
from recordkit.forms.qr import QrPayload

FORMS = [("F01", 2), ("F03", 1), ("F19", 2)]  # form and pages: 5 pages in all


@pytest.fixture
def work(tmp_path, monkeypatch):
    config = make_workdir(tmp_path / "w")
    monkeypatch.chdir(config.root)
    return config


def bundle_pdf(path: Path, forms=FORMS, case_no: str = "TS-2026-0007") -> Path:
    """Generated forms joined into one PDF, the QR on each form's first page."""
    writer = PdfWriter()
    for n, (form, pages) in enumerate(forms):
        one = io.BytesIO()
        pf.born_digital(one, QrPayload(case_no, form, "3"), case_no=f"{case_no} #{n}", pages=pages)
        for page in PdfReader(io.BytesIO(one.getvalue())).pages:
            writer.add_page(page)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def scanned_bundle(tmp: Path, dest: Path, forms=FORMS, seed: int = 1) -> Path:
    return sign_and_scan(bundle_pdf(tmp / f"bundle-{seed}.pdf", forms), dest, seed=seed)


def ingest(runner) -> dict:
    result = runner.invoke(cli, ["archive", "ingest", "--json"], obj={}, catch_exceptions=False)
    return json.loads(result.output)


def check_parts(config, bundle_sha: str, expected=FORMS) -> list[dict]:
    with Archive(config) as archive:
        docs = archive.index.parts_of(bundle_sha)
        events = {
            e["archive_no"]: json.loads(e["detail"])
            for e in archive.index.events()
            if e["kind"] == "filed"
        }
        assert archive.index.chain_problems() == []
        bundle = archive.index.find_bundle(bundle_sha)
    assert [(d["form_code"], d["pages"]) for d in docs] == list(expected)
    assert len({d["archive_no"] for d in docs}) == len(expected)
    assert all(d["status"] == "filed" for d in docs)
    stored = config.archive_dir / bundle["original_path"]
    assert sha256(stored) == bundle_sha  # the bundle itself, bit for bit, once
    assert len(list((config.archive_dir / "bundles").rglob("*.pdf"))) == 1
    for doc in docs:
        assert events[doc["archive_no"]]["derived_from"]["sha256"] == bundle_sha
        assert events[doc["archive_no"]]["derived_from"]["pages"] == doc["bundle_pages"]
        access = PdfReader(config.archive_dir / doc["access_path"])
        assert len(access.pages) == doc["pages"]
    return docs


def test_a_scanned_print_bundle_is_filed_as_one_document_per_form(work, runner, tmp_path):
    scan = scanned_bundle(tmp_path, work.archive_dir / "inbox" / "合订本.pdf")
    bundle_sha = sha256(scan)
    data = ingest(runner)
    (one,) = data["results"]
    assert one["outcome"] == "filed" and one["form_code"] == "F01+F03+F19"
    assert [p["form_code"] for p in one["parts"]] == ["F01", "F03", "F19"]
    docs = check_parts(work, bundle_sha)
    assert one["archive_no"] == ", ".join(d["archive_no"] for d in docs)
    assert [d["bundle_pages"] for d in docs] == ["1-2", "3-3", "4-5"]
    with Archive(work) as archive:
        (split_event,) = [e for e in archive.index.events() if e["kind"] == "bundle_split"]
        assert archive.index.intake(one["intake_id"])["outcome"] == "split"
    assert json.loads(split_event["detail"])["sha256"] == bundle_sha


def test_the_same_bundle_scanned_again_is_a_duplicate(work, runner, tmp_path):
    scan = scanned_bundle(tmp_path, tmp_path / "合订本.pdf")
    (work.archive_dir / "inbox" / "a.pdf").write_bytes(scan.read_bytes())
    ingest(runner)
    (work.archive_dir / "inbox" / "again.pdf").write_bytes(scan.read_bytes())
    (one,) = ingest(runner)["results"]
    assert one["outcome"] == "duplicate"
    assert one["reason"].startswith("与已拆分归档的打印合订本 bundles/2026/")


def test_a_300_page_bundle_is_split(work, runner, tmp_path):
    forms = [("F01", 150), ("F03", 150)]
    bundle_pdf(work.archive_dir / "inbox" / "big.pdf", forms)
    sha = sha256(work.archive_dir / "inbox" / "big.pdf")
    (one,) = ingest(runner)["results"]
    assert one["outcome"] == "filed"
    check_parts(work, sha, forms)


class Killed(BaseException):
    """The process dies here (raised at a system call, the edge a kill interrupts)."""


def claimed_bundle(work, tmp_path):
    source = scanned_bundle(tmp_path, work.archive_dir / "inbox" / "bundle.pdf")
    sha = sha256(source)
    ctx = IngestContext.open(work)
    item = claim(source, ctx.layout, new_claim_id(), "inbox/bundle.pdf", ctx.timestamp())
    return ctx, item, sha


def recover_and_check(work, bundle_sha):
    with Archive(work) as archive:
        archive.ingest(inbox=True)
        assert sorted(d["item_no"] for d in archive.list() if d["form_code"] == "F01") == [1]
    check_parts(work, bundle_sha)
    assert not [p for p in (work.archive_dir / "work").iterdir() if not p.name.endswith(".lock")]


@pytest.mark.skipif(sys.platform == "win32", reason="same pattern as test_archive_recovery")
@pytest.mark.parametrize("kill_at", [0, 1, 2, 3], ids=lambda k: f"after-{k}-parts-claimed")
def test_a_crash_while_parts_are_claimed_is_finished_by_recovery(
    work, tmp_path, monkeypatch, kill_at
):
    ctx, item, bundle_sha = claimed_bundle(work, tmp_path)
    made = []
    real_rename = os.rename

    def rename(src, dst):
        if Path(src).name.startswith("part-"):
            if len(made) == kill_at:
                raise Killed
            real_rename(src, dst)
            made.append(dst)
            if len(made) == kill_at:  # the last part appeared; the bundle's intake is not closed
                raise Killed
            return None
        return real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(Killed):
        run_steps(item, ctx, STEPS)
    monkeypatch.undo()
    ctx.close()
    assert len(made) == kill_at
    recover_and_check(work, bundle_sha)


@pytest.mark.skipif(sys.platform == "win32", reason="same pattern as test_archive_recovery")
def test_a_crash_before_the_bundle_leaves_work_is_finished_by_recovery(work, tmp_path, monkeypatch):
    ctx, item, bundle_sha = claimed_bundle(work, tmp_path)

    def rmtree(path, ignore_errors=False):
        raise Killed

    monkeypatch.setattr(shutil, "rmtree", rmtree)
    with pytest.raises(Killed):
        run_steps(item, ctx, STEPS)
    monkeypatch.undo()
    ctx.close()
    recover_and_check(work, bundle_sha)


@pytest.mark.skipif(sys.platform == "win32", reason="same pattern as test_archive_recovery")
@pytest.mark.parametrize("kill_at", [1, 2], ids=["storing-first-part", "storing-second-part"])
def test_a_crash_while_parts_are_filed_is_finished_by_recovery(
    work, tmp_path, monkeypatch, kill_at
):
    ctx, item, bundle_sha = claimed_bundle(work, tmp_path)
    links = []
    real_link = os.link

    def link(src, dst, **kw):
        if "store" in Path(dst).parts:  # a part's original published into store/
            links.append(dst)
            if len(links) == kill_at:
                raise Killed
        return real_link(src, dst, **kw)

    monkeypatch.setattr(os, "link", link)
    with pytest.raises(Killed):
        run_steps(item, ctx, STEPS)
    monkeypatch.undo()
    ctx.close()
    recover_and_check(work, bundle_sha)


@pytest.mark.skipif(soffice_missing() is not None, reason=soffice_missing() or "")
def test_the_demo_print_bundle_scanned_is_filed_as_one_document_per_form(
    workdir, book, sample_case, runner, tmp_path
):
    """The real thing: the print bundle a case's forms are printed from (LibreOffice),
    signed and scanned as one file."""
    case = book.add(sample_case)
    generator = make_generator(workdir)
    result = generator.bundle(case.case_no, pdf=True)
    generator.close()
    inbox = workdir.archive_dir / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    scan = sign_and_scan(result.pdf, inbox / "打印合集扫描.pdf", seed=7)
    sha = sha256(scan)
    (one,) = ingest(runner)["results"]
    assert one["outcome"] == "filed", one["reason"]
    expected = [
        (code, pages) for (code, _), pages in zip(result.contents, result.pages, strict=True)
    ]
    docs = check_parts(workdir, sha, expected)
    assert {d["case_no"] for d in docs} == {case.case_no}


def test_the_ingest_summary_names_each_part(work, runner, tmp_path):
    scanned_bundle(tmp_path, work.archive_dir / "inbox" / "合订本.pdf")
    result = runner.invoke(cli, ["archive", "ingest"], obj={}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Z109-WS·2026-D10-0001, Z109-WS·2026-D30" in result.output  # the table cuts long cells
    assert "打印合订本拆分为 3 件: F01 → Z109-WS·2026-D10-00" in result.output
    assert "输入 1 个文件 (恢复 0 个): 归档 1" in result.output


def test_check_and_verify_accept_an_archive_with_a_split_bundle(work, runner, tmp_path):
    scanned_bundle(tmp_path, work.archive_dir / "inbox" / "合订本.pdf")
    ingest(runner)
    verify = runner.invoke(cli, ["archive", "verify"], obj={}, catch_exceptions=False)
    assert verify.exit_code == 0, verify.output
    check = runner.invoke(cli, ["archive", "check", "--json"], obj={}, catch_exceptions=False)
    assert "bundles/" not in check.output, check.output


def test_verify_rehashes_the_bundle_original(work, runner, tmp_path):
    """The bundle kept whole is an original too: verify re-hashes it and names a change."""
    scanned_bundle(tmp_path, work.archive_dir / "inbox" / "合订本.pdf")
    ingest(runner)
    (bundle,) = (work.archive_dir / "bundles").rglob("*.pdf")
    bundle.chmod(0o644)
    bundle.write_bytes(bundle.read_bytes() + b"\n%tampered\n")
    verify = runner.invoke(cli, ["archive", "verify"], obj={}, catch_exceptions=False)
    assert verify.exit_code == 1, verify.output
    assert "扫描合集原件已改变" in verify.output
    bundle.unlink()
    verify = runner.invoke(cli, ["archive", "verify"], obj={}, catch_exceptions=False)
    assert verify.exit_code == 1 and "扫描合集原件缺失" in verify.output, verify.output
