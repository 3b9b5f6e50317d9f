"""Issue 14 point 4 in the archive: a closed valid complaint needs its CAPA's F26 filed
(under the CAPA's own number), unless the case records why there is no CAPA."""

from __future__ import annotations

from datetime import datetime

import pytest
import yaml
from archive_setup import form_pdf
from audit_setup import run, work_folder, write_case
from conftest import sample_for

from recordkit.archive.service import Archive

F26 = "  - {code: F26, title: 纠正和预防措施表, file: F26.docx, retention: D10, record_type: capa, kinds: []}\n"


@pytest.fixture
def work(tmp_path, monkeypatch):
    config = work_folder(tmp_path, monkeypatch)
    catalog = config.root / "test_forms" / "catalog.yaml"
    catalog.write_text(catalog.read_text(encoding="utf-8") + F26, encoding="utf-8")
    return config


def valid_case(config, **resolution) -> None:
    base = sample_for("case")["resolution"]
    write_case(
        config.root,
        "TS-2026-0007",
        2026,
        closed=True,
        investigation={"findings": "录入错误。", "valid": True},
        resolution={**base, **resolution},
    )


def capa(config, number: str = "CA-2026-001") -> None:
    path = config.root / "records" / "capa" / "2026" / f"{number}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"record_no": number, **sample_for("capa"), "source_case": "TS-2026-0007"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def missing(config) -> dict[str, tuple[str, ...]]:
    with Archive(config, now=lambda: datetime(2026, 11, 21, 10, 0)) as archive:
        report = archive.check()
    assert not report.case_errors, report.case_errors
    return {c.case_no: c.missing for c in report.incomplete}


def test_a_valid_complaint_without_capa_needs_f26(work, runner):
    valid_case(work)
    assert missing(work)["TS-2026-0007"] == (
        "F18 投诉处理结果告知书",
        "F26 纠正和预防措施表 (有效投诉, 纠正措施编号未填写)",
    )
    result = run(runner, "archive", "check")
    assert result.exit_code == 1
    assert "已办结的有效投诉另须其纠正措施的 F26 (或记录不采取纠正措施理由)" in result.output


def test_a_reason_for_no_capa_needs_no_f26(work):
    valid_case(work, no_capa_reason="个人差错, 体系无缺陷")
    assert missing(work)["TS-2026-0007"] == ("F18 投诉处理结果告知书",)


def test_the_linked_capas_f26_completes_the_case(work, tmp_path):
    capa(work)
    valid_case(work, corrective_action_no="CA-2026-001")
    assert missing(work)["TS-2026-0007"] == (
        "F18 投诉处理结果告知书",
        "F26 纠正和预防措施表 (CA-2026-001)",
    )
    with Archive(work) as archive:
        assert archive.ingest([form_pdf(tmp_path / "capa.pdf", "CA-2026-001", "F26", serial=99)]).ok
    assert missing(work)["TS-2026-0007"] == ("F18 投诉处理结果告知书",)
