"""The OCR text layer and every later re-stamp of the access copy share one writer
(archive/copy_writer.py): after ``archive arrange`` (and ``rebuild-copy``) the copy is
stamped with the final 档号 and still has its selectable text."""

from __future__ import annotations

import json
from pathlib import Path

from archive_setup import make_workdir
from test_archive_ocr import cli_in, index_rows, scan_into_inbox, with_ocr_setting

from recordkit.archive.service import Archive
from recordkit.ocr import read_pdf

PROVISIONAL, FINAL = "Z109-WS·2026-D10-预0001", "Z109-WS·2026-D10-0001"


def copy_text(config) -> str:
    with Archive(config) as archive:
        (doc,) = archive.list()
    (page,) = read_pdf(Path(doc["access_path"]), ocr=False)
    assert page.source == "pdf"
    return page.text.replace(" ", "")


def test_arrange_keeps_the_text_layer_under_the_final_number(tmp_path):
    config = make_workdir(tmp_path / "w", extra='numbering = "arrange"')
    config = with_ocr_setting(config, "text_layer = true")
    scan_into_inbox(config, tmp_path)
    assert cli_in(config, ["archive", "ingest", "--jobs", "1"]).exit_code == 0
    result = cli_in(config, ["archive", "ocr"])
    assert result.exit_code == 0 and "利用副本已加文本层" in result.output, result.output
    before = copy_text(config)
    assert "李强" in before and "预0001" in before

    arranged = cli_in(config, ["archive", "arrange", "--year", "2026"])
    assert arranged.exit_code == 0, arranged.output
    after = copy_text(config)
    assert "李强" in after  # the text layer survived the re-stamp
    assert "预0001" not in after and "0001" in after  # stamped with the final 件号
    rows = index_rows(config, "SELECT archive_no FROM documents")
    assert rows == [(FINAL,)]
    ((detail,),) = index_rows(
        config,
        "SELECT detail FROM events WHERE kind = 'access_copy_rebuilt' ORDER BY id DESC LIMIT 1",
    )
    assert json.loads(detail)["text_layer"] is True

    rebuilt = cli_in(config, ["archive", "rebuild-copy", FINAL])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "李强" in copy_text(config)
    assert cli_in(config, ["archive", "verify"]).exit_code == 0
