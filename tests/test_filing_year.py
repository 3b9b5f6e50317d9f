"""Issue 14 point 9: a case that crosses the new year is filed in the year it closed
(DA/T 22-2015 归档年度), configurable with ``[archive] filing_year``."""

from __future__ import annotations

import copy

import pytest
from archive_setup import form_pdf, make_workdir
from conftest import SAMPLE_CASE

from recordkit.archive.service import Archive
from recordkit.cases.store import dump_case
from recordkit.config import load_config
from recordkit.errors import ConfigError


def cross_year_case(root) -> None:
    """TS-2025-0001: received 2025-12-20, closed 2026-01-08."""
    data = {"case_no": "TS-2025-0001", **copy.deepcopy(SAMPLE_CASE)}
    data["received_at"] = "2025-12-20 10:00"
    data["subject"]["report_received_at"] = "2025-12-10"
    data["acceptance"]["decided_at"] = "2025-12-22"
    data["resolution"]["approved_at"] = "2026-01-05"
    data["reply"]["replied_at"] = "2026-01-06"
    data["follow_up"]["visited_at"] = "2026-01-07"
    data["closed_at"] = "2026-01-08"
    path = root / "cases" / "2025" / "TS-2025-0001.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_case(data), encoding="utf-8")


def file_one(config, tmp_path) -> dict:
    scan = form_pdf(tmp_path / "TS-2025-0001_F01.pdf", "TS-2025-0001", "F01")
    with Archive(config) as archive:
        result = archive.ingest([scan], jobs=1).results[0]
        assert result.outcome == "filed", result
        return archive.show(result.archive_no)


def test_a_case_closed_in_the_new_year_is_filed_in_that_year(tmp_path):
    config = make_workdir(tmp_path / "w")
    cross_year_case(config.root)
    doc = file_one(config, tmp_path)
    assert doc["year"] == 2026
    assert doc["archive_no"] == "Z109-WS·2026-D10-0001"
    assert doc["disposal_due"] == "2037-01-01"


def test_the_receiving_year_when_configured(tmp_path):
    config = make_workdir(tmp_path / "w", extra='filing_year = "received"')
    cross_year_case(config.root)
    doc = file_one(config, tmp_path)
    assert doc["archive_no"] == "Z109-WS·2025-D10-0001"


def test_an_open_case_counts_from_its_receiving_year(tmp_path):
    config = make_workdir(tmp_path / "w")  # archive_setup's cases have no closed_at
    scan = form_pdf(tmp_path / "TS-2025-0003_F01.pdf", "TS-2025-0003", "F01")
    with Archive(config) as archive:
        result = archive.ingest([scan], jobs=1).results[0]
    assert result.archive_no == "Z109-WS·2025-D10-0001"


def test_a_wrong_setting_is_refused(tmp_path):
    config = make_workdir(tmp_path / "w", extra='filing_year = "scanned"')
    with pytest.raises(ConfigError) as err:
        Archive(load_config(config.path)).close()
    assert "[archive] filing_year: 应为 closed | received" in err.value.message
