"""案件页: per required form its archive status, filed (档号, 归档日期) or 未归档, from
the same rules as `archive check`; a GET creates nothing in the archive (issue 12)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from filing_setup import CLOSED, file_scans, filing_workdir
from web_setup import role_clients, web, web_root  # noqa: F401

from recordkit.web.roles import ROLES


def filing_rows(page: str) -> dict[str, str]:
    """Each row of the 归档状态 table as its text, by form code."""
    table = re.search(r'<table id="filing">(.*?)</table>', page, re.S)
    assert table, page[:3000]
    return {
        m[1]: re.sub(r"<[^>]+>", " ", m[2])
        for m in re.finditer(r'<tr id="filing-([\w-]+)">(.*?)</tr>', table[1], re.S)
    }


def test_filed_form_shows_its_archive_numbers_the_others_are_missing(
    role_clients: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    config = filing_workdir(tmp_path / "w")
    with override_settings(RECORDKIT_WORKDIR=str(config.root)):
        before = sorted(config.archive_dir.rglob("*"))
        rows = filing_rows(role_clients[ROLES[0]].get(f"/cases/{CLOSED}/").content.decode())
        assert sorted(config.archive_dir.rglob("*")) == before  # no archive folders made on a GET
        assert set(rows) == {"F03", "F19"} and all("未归档" in r for r in rows.values())

        (f03,) = file_scans(config, "F03", 1)
        rows = filing_rows(role_clients[ROLES[3]].get(f"/cases/{CLOSED}/").content.decode())
        assert (
            "已归档" in rows["F03"]
            and f03 in rows["F03"]
            and date.today().isoformat() in rows["F03"]
        )
        assert "未归档" in rows["F19"] and "Z109-" not in rows["F19"] and f03 not in rows["F19"]

        f19 = file_scans(config, "F19", 2, 3)  # a second form, filed twice: both 档号
        for role in ROLES:  # every role may view the case page, and sees the same status
            rows = filing_rows(role_clients[role].get(f"/cases/{CLOSED}/").content.decode())
            assert all(no in rows["F19"] for no in f19) and "未归档" not in rows["F19"], role
            assert f03 in rows["F03"] and "未归档" not in "".join(rows.values())


@pytest.mark.sqlite_only("moves the index.sqlite file away")
def test_an_unreadable_archive_is_said_on_the_page(
    role_clients: dict[str, Any], tmp_path: Path
) -> None:  # noqa: F811
    config = filing_workdir(tmp_path / "w")
    file_scans(config, "F03", 1)
    (config.archive_dir / "index.sqlite").rename(tmp_path / "lost.sqlite")
    with override_settings(RECORDKIT_WORKDIR=str(config.root)):
        response = role_clients[ROLES[0]].get(f"/cases/{CLOSED}/")
    assert response.status_code == 200
    assert re.search(
        r'<p class="error" id="filing-error">[^<]*档案库索引缺失或为空', response.content.decode()
    )
    assert not (config.archive_dir / "index.sqlite").exists()
