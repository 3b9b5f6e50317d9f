"""Archive.case_filing: each required form of a case with its filed documents (the rules
of `archive check`), read without creating anything (issue 12, 案件页)."""

from __future__ import annotations

from filing_setup import CLOSED, file_scans, filing_workdir

from recordkit.archive.service import Archive
from recordkit.cases.store import CaseBook


def test_no_archive_yet_everything_missing_and_nothing_created(tmp_path):
    config = filing_workdir(tmp_path / "w")
    before = sorted(config.archive_dir.rglob("*"))
    with Archive(config) as archive:
        filing = archive.case_filing(CaseBook(config).get(CLOSED))
    assert not filing.archive_exists
    assert [(f.required.codes, f.filed) for f in filing.required] == [(("F03",), False), (("F19",), False)]
    assert [f.required.label for f in filing.missing] == ["F03 投诉处理及反馈表", "F19 纠正措施记录"]
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
    assert all(d.filed_on == archive.now().date().isoformat() and d.status == "已归档"
               for f in filing.required for d in f.documents)
    assert set(filing.by_form) == {"F03", "F19"}
    assert CLOSED not in [c.case_no for c in check.incomplete]  # the same rules as archive check
