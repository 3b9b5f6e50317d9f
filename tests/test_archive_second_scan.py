"""Issue 13 point 1: a second scan of a form already filed for the case never silently
takes a second 件号: it waits in duplicates/ with a Chinese reason (the default), or,
with ``[archive] second_scan = "new_version"``, it is filed as version 2 of the same
document (same 档号, a row in ``versions``)."""

from __future__ import annotations

import json

import pytest
from archive_setup import make_workdir, scan_pdf, sha256
from pypdf import PdfReader
from test_archive_bundles import scanned_bundle

from recordkit.archive.service import Archive
from recordkit.cli import cli


def ingest(runner) -> dict:
    result = runner.invoke(cli, ["archive", "ingest", "--json"], obj={}, catch_exceptions=False)
    return json.loads(result.output)


def two_scans(config, runner, tmp_path) -> tuple[dict, dict]:
    inbox = config.archive_dir / "inbox"
    scan_pdf(inbox / "first.pdf", tmp_path, serial=1)
    (first,) = ingest(runner)["results"]
    scan_pdf(inbox / "again.pdf", tmp_path, serial=2)  # the same form, scanned again: other bytes
    (second,) = ingest(runner)["results"]
    return first, second


def test_a_second_scan_of_a_filed_form_waits_in_duplicates_with_the_reason(
    tmp_path, monkeypatch, runner
):
    config = make_workdir(tmp_path / "w", extra="# no second_scan key: the default")
    monkeypatch.chdir(config.root)
    first, second = two_scans(config, runner, tmp_path)
    assert first["outcome"] == "filed"
    assert (second["outcome"], second["destination"], second["archive_no"]) == (
        "duplicate",
        "duplicates/again.pdf",
        first["archive_no"],
    )
    assert second["check"] == "完整性 — 同一表单再次扫描"
    assert second["reason"] == (
        f"案件 TS-2026-0007 的表单 F01 已归档为 {first['archive_no']}; "
        "这是同一表单的又一次扫描 (内容不同, 不是逐字节相同的重复件)"
    )
    reason = (config.archive_dir / "duplicates/again.pdf.reason.txt").read_text(encoding="utf-8")
    assert 'second_scan = "new_version"' in reason and "--case TS-2026-0007 --form F01" in reason
    with Archive(config) as archive:
        assert [d["item_no"] for d in archive.list()] == [1]


def test_with_new_version_a_second_scan_is_version_2_of_the_same_document(
    tmp_path, monkeypatch, runner
):
    config = make_workdir(tmp_path / "w", extra='second_scan = "new_version"')
    monkeypatch.chdir(config.root)
    first, second = two_scans(config, runner, tmp_path)
    assert (second["outcome"], second["archive_no"]) == ("filed", first["archive_no"])
    stem = first["destination"].removeprefix("store/").removesuffix(".pdf")
    assert second["destination"] == f"versions/{stem}.v2.pdf"
    with Archive(config) as archive:
        assert [d["item_no"] for d in archive.list()] == [1]  # no second 件号
        (version,) = archive.index.versions(first["archive_no"])
        (event,) = [e for e in archive.index.events() if e["kind"] == "new_version"]
        assert archive.index.chain_problems() == []
    assert version["version"] == 2 and json.loads(event["detail"])["version"] == 2
    assert sha256(config.archive_dir / version["original_path"]) == version["sha256"]
    assert len(PdfReader(config.archive_dir / version["access_path"]).pages) == version["pages"]
    # the very same second scan once more: a duplicate of version 2
    (config.archive_dir / "inbox" / "again-2.pdf").write_bytes(
        (config.archive_dir / version["original_path"]).read_bytes()
    )
    (third,) = ingest(runner)["results"]
    assert (third["outcome"], third["archive_no"]) == ("duplicate", first["archive_no"])


def test_an_unknown_second_scan_setting_is_refused(tmp_path, monkeypatch, runner):
    config = make_workdir(tmp_path / "w", extra='second_scan = "keep"')
    monkeypatch.chdir(config.root)
    result = runner.invoke(cli, ["archive", "ingest"], obj={})
    assert result.exit_code == 1
    assert "[archive] second_scan: 应为 duplicates | new_version | number" in result.output


@pytest.mark.parametrize("mode", ["duplicates", "new_version"])
def test_a_bundle_part_already_filed_is_not_given_a_second_number(
    tmp_path, monkeypatch, runner, mode
):
    config = make_workdir(tmp_path / "w", extra=f'second_scan = "{mode}"')
    monkeypatch.chdir(config.root)
    scan_pdf(config.archive_dir / "inbox" / "f03.pdf", tmp_path, form="F03", serial=9)
    ingest(runner)
    scanned_bundle(tmp_path, config.archive_dir / "inbox" / "bundle.pdf")
    (one,) = ingest(runner)["results"]
    outcomes = {p["form_code"]: p["outcome"] for p in one["parts"]}
    assert outcomes == {
        "F01": "filed",
        "F03": "duplicate" if mode == "duplicates" else "filed",
        "F19": "filed",
    }
    with Archive(config) as archive:
        assert sorted(d["form_code"] for d in archive.list()) == ["F01", "F03", "F19"]


def test_verify_checks_a_later_version_and_knows_its_files(tmp_path, monkeypatch, runner):
    config = make_workdir(tmp_path / "w", extra='second_scan = "new_version"')
    monkeypatch.chdir(config.root)
    first, _second = two_scans(config, runner, tmp_path)
    verify = runner.invoke(cli, ["archive", "verify"], catch_exceptions=False)
    assert verify.exit_code == 0, verify.output  # the version and its access copy are known files
    with Archive(config) as archive:
        (version,) = archive.index.versions(first["archive_no"])
    original = config.archive_dir / version["original_path"]
    original.chmod(0o644)
    original.write_bytes(original.read_bytes() + b"\n%tampered\n")
    verify = runner.invoke(cli, ["archive", "verify"], catch_exceptions=False)
    assert verify.exit_code == 1 and "后续扫描版本原件已改变" in verify.output, verify.output
