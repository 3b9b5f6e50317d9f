"""Preflight and inspection of real PDFs: clean, signed, tampered, hostile, broken."""

from __future__ import annotations

from pathlib import Path

import pdf_factory as pf
import pytest

from recordkit.archive.pdfinspect import inspect_pdf, preflight

LIMIT = 50 * 1024 * 1024


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("inspect")
    cert = pf.self_signed_cert()
    out = {
        "born": pf.born_digital(d / "born.pdf"),
        "encrypted": pf.encrypted(d / "encrypted.pdf"),
        "owner_only": pf.encrypted(d / "owner_only.pdf", user_password=""),
        "js": pf.with_javascript(d / "js.pdf"),
        "launch": pf.with_launch_annotation(d / "launch.pdf"),
        "embedded": pf.with_embedded_file(d / "embedded.pdf"),
        "cycle": pf.with_action_cycle(d / "cycle.pdf"),
        "signed": pf.signed(d / "signed.pdf", cert),
        "zero": pf.zero_byte(d / "zero.pdf"),
        "text": pf.text_renamed(d / "text.pdf"),
        "garbage": pf.garbage_with_header(d / "garbage.pdf"),
        "long": pf.many_pages(d / "long.pdf", 500),
    }
    out["tampered"] = pf.tampered_copy(d / "tampered.pdf", out["signed"])
    out["truncated"] = pf.truncated(d / "truncated.pdf", out["born"])
    out["updated"] = pf.updated_after_signing(d / "updated.pdf", out["signed"])
    out["twice"] = pf.signed_twice(d / "twice.pdf", out["signed"], cert)
    out["scanned"] = pf.scanned_looking(d / "scanned.pdf", out["born"], dpi=100)
    out["cert"] = cert  # type: ignore[assignment]
    return out


# --- preflight -----------------------------------------------------------------------------


def test_preflight_passes_good_pdfs(files):
    for key in ("born", "signed", "encrypted", "long", "scanned"):
        assert preflight(files[key], LIMIT) is None, key


@pytest.mark.parametrize(
    "key,code",
    [("zero", "empty"), ("text", "not_pdf"), ("truncated", "truncated")],
)
def test_preflight_rejects_broken_files(files, key, code):
    problem = preflight(files[key], LIMIT)
    assert problem is not None and problem.code == code
    assert files[key].name in problem.message


def test_preflight_size_limit(files):
    problem = preflight(files["born"], max_bytes=100)
    assert problem is not None and problem.code == "too_large"


def test_preflight_missing_and_directory(tmp_path):
    assert preflight(tmp_path / "gone.pdf", LIMIT).code == "missing"
    assert preflight(tmp_path, LIMIT).code == "not_a_file"


# --- inspect -------------------------------------------------------------------------------


def test_born_digital_facts(files):
    facts = inspect_pdf(files["born"])
    assert facts.pages == 2
    assert facts.version.startswith("PDF-1.")
    assert not facts.encrypted and facts.active_content == [] and facts.signatures == []
    assert "TS-2026-0007" in facts.text
    assert "申诉和投诉处理及反馈表" in facts.text
    assert facts.errors == []


def test_scanned_has_pages_but_no_text(files):
    facts = inspect_pdf(files["scanned"])
    assert facts.pages == 2 and facts.text.strip() == "" and facts.errors == []


def test_encrypted_with_password_is_reported_not_raised(files):
    facts = inspect_pdf(files["encrypted"])
    assert facts.encrypted and facts.needs_password
    assert any("加密" in e for e in facts.errors)


def test_owner_password_only_opens_but_counts_as_encrypted(files):
    facts = inspect_pdf(files["owner_only"])
    assert facts.encrypted and not facts.needs_password
    assert facts.pages == 1 and "TS-2026-0007" in facts.text


@pytest.mark.parametrize(
    "key,found",
    [("js", ["JavaScript"]), ("launch", ["Launch"]), ("embedded", ["EmbeddedFiles"])],
)
def test_active_content_is_found(files, key, found):
    facts = inspect_pdf(files[key])
    assert facts.active_content == found
    assert facts.pages == 1


def test_cyclic_action_chain_does_not_hang_and_is_still_seen(files):
    facts = inspect_pdf(files["cycle"])
    assert facts.javascript


def test_signed_pdf_with_self_signed_cert_is_valid_but_not_trusted(files):
    facts = inspect_pdf(files["signed"])
    assert len(facts.signatures) == 1
    sig = facts.signatures[0]
    assert sig.field == "Signature1"
    assert "Zhang Min" in sig.signer
    assert (sig.status, sig.intact, sig.trusted, sig.coverage) == (
        "valid",
        True,
        False,
        "entire_file",
    )
    assert "不受信任" in sig.reason


def test_signed_pdf_is_trusted_with_its_root_configured(files):
    cert_der, _ = files["cert"]
    sig = inspect_pdf(files["signed"], trust_roots=[cert_der]).signatures[0]
    assert sig.status == "valid" and sig.trusted


def test_one_byte_changed_after_signing_is_invalid(files):
    facts = inspect_pdf(files["tampered"])
    sig = facts.signatures[0]
    assert (sig.status, sig.intact) == ("invalid", False)
    assert "修改" in sig.reason
    assert facts.pages == 1  # the file itself still reads


def test_content_changed_in_a_later_update_makes_the_signature_invalid(files):
    sig = inspect_pdf(files["updated"]).signatures[0]
    # The signed bytes are untouched, but the document shown is not the one signed.
    assert (sig.status, sig.intact, sig.coverage) == ("invalid", True, "entire_revision")


def test_a_second_signature_keeps_the_first_valid(files):
    sigs = inspect_pdf(files["twice"]).signatures
    assert [(s.field, s.status, s.coverage) for s in sigs] == [
        ("Signature1", "valid", "entire_revision"),
        ("Signature2", "valid", "entire_file"),
    ]


@pytest.mark.parametrize("key", ["truncated", "zero", "text", "garbage"])
def test_broken_files_never_raise(files, key):
    facts = inspect_pdf(files[key])
    assert facts.errors
    assert facts.pages is None


def test_500_pages_counted_and_only_first_pages_read_for_text(files):
    facts = inspect_pdf(files["long"])
    assert facts.pages == 500
    assert "page 2 of 500" in facts.text
    assert "page 3 of 500" not in facts.text
