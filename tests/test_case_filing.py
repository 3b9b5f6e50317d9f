"""Archive.case_filing: each required form of a case with its filed documents (the rules
of `archive check`), read without creating anything (issue 12, 案件页)."""

from __future__ import annotations

from archive_setup import form_pdf
from filing_setup import CLOSED, file_scans, filing_workdir
from test_process_rules_archive import capa, valid_case, work  # noqa: F401

from recordkit.archive.service import Archive
from recordkit.cases.store import CaseBook


def test_no_archive_yet_everything_missing_and_nothing_created(tmp_path):
    config = filing_workdir(tmp_path / "w")
    before = sorted(config.archive_dir.rglob("*"))
    with Archive(config) as archive:
        filing = archive.case_filing(CaseBook(config).get(CLOSED))
    assert not filing.archive_exists
    assert [(f.required.codes, f.filed) for f in filing.required] == [
        (("F03",), False),
        (("F19",), False),
    ]
    assert [f.required.label for f in filing.missing] == [
        "F03 投诉处理及反馈表",
        "F19 纠正措施记录",
    ]
    assert sorted(config.archive_dir.rglob("*")) == before  # no folder, no index
    assert not (config.archive_dir / "index.sqlite").exists()


def test_filed_forms_carry_their_archive_numbers_and_dates(tmp_path):
    config = filing_workdir(tmp_path / "w")
    f03 = file_scans(config, "F03", 1)
    f19 = file_scans(config, "F19", 2, 3)  # the same form filed twice: both shown
    with Archive(config) as archive:
        filing = archive.case_filing(CaseBook(config).get(CLOSED))
        check = archive.check()
    assert filing.archive_exists and filing.missing == []
    assert [[d.archive_no for d in f.documents] for f in filing.required] == [f03, sorted(f19)]
    assert all(
        d.filed_on == archive.now().date().isoformat() and d.status == "已归档"
        for f in filing.required
        for d in f.documents
    )
    assert set(filing.by_form) == {"F03", "F19"}
    assert CLOSED not in [c.case_no for c in check.incomplete]  # the same rules as archive check


def test_the_capas_f26_is_looked_up_under_the_capas_number(work, tmp_path):  # noqa: F811
    capa(work)
    valid_case(work, corrective_action_no="CA-2026-001")
    with Archive(work) as archive:
        assert archive.ingest([form_pdf(tmp_path / "capa.pdf", "CA-2026-001", "F26", serial=99)]).ok
        filing = archive.case_filing(CaseBook(work).get("TS-2026-0007"))
    f26 = filing.required[-1]
    assert (f26.required.label, f26.required.case_no) == (
        "F26 纠正和预防措施表 (CA-2026-001)",
        "CA-2026-001",
    )
    assert [d.form_code for d in f26.documents] == ["F26"] and f26.filed
    assert [f.required.label for f in filing.missing] == [
        "F18 投诉处理结果告知书"
    ]  # as archive check says
    assert "F26" not in filing.by_form  # filed under the CAPA, not the case
