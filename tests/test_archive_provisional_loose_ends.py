"""Provisional (预) documents waiting for ``archive arrange``: ``archive check`` reports
them per 年度 (CLI, JSON and the web's checks page), and none can be disposed: the due
list leaves them out, ``dispose`` and ``disposal propose`` refuse them by 档号."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from audit_setup import run
from django.test import override_settings
from test_archive_arrange import P, scanned
from web_setup import make_user, web, web_root  # noqa: F401

from recordkit.archive.retention import due
from recordkit.archive.service import Archive
from recordkit.web import jobs
from recordkit.web.roles import ARCHIVIST

WAITING = (
    "待整理 2026 年度: 6 件仍为预归档号, 运行 recordkit archive arrange --year 2026 编定正式件号"
)
REFUSED = (
    "预归档号, 尚未整理编号, 不能销毁; 先运行 recordkit archive arrange --year 2026 "
    "(a provisional record cannot be disposed before arrangement)"
)


def test_check_reports_provisional_documents_per_year_until_arranged(tmp_path, monkeypatch, runner):
    scanned(tmp_path, monkeypatch)
    result = run(runner, "archive", "check", "--json")
    assert result.exit_code in (0, 1), result.output
    (row,) = json.loads(result.stdout)["awaiting_arrangement"]
    assert (row["year"], row["count"], row["command"]) == (
        2026,
        6,
        "recordkit archive arrange --year 2026",
    )
    assert sorted(row["archive_nos"]) == sorted(P(n) for n in range(1, 7))
    assert WAITING in run(runner, "archive", "check").output
    assert run(runner, "archive", "arrange", "--year", "2026").exit_code == 0
    assert (
        json.loads(run(runner, "archive", "check", "--json").stdout)["awaiting_arrangement"] == []
    )
    assert "待整理" not in run(runner, "archive", "check").output


def test_web_checks_page_lists_the_year_to_arrange(
    web: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    from django.test import Client

    config = scanned(tmp_path, monkeypatch)
    client = Client()
    client.force_login(make_user("wangfang", ARCHIVIST, full_name="王芳"))
    with override_settings(RECORDKIT_WORKDIR=str(config.root)):
        response = client.post("/archive/checks/check/")
        assert response.status_code == 302, response.content.decode()[-2000:]
        jobs.wait(int(re.search(r"/archive/jobs/(\d+)/", response["Location"])[1]), 120)
        page = client.get(response["Location"]).content.decode()
    assert '<table id="awaiting-arrangement">' in page, page[-3000:]
    assert (
        "<tr><td>2026</td><td>6</td><td><code>recordkit archive arrange --year 2026</code></td></tr>"
        in page
    )
    assert f"<li>{WAITING}</li>" in page


def test_provisional_documents_are_never_due(tmp_path, monkeypatch, runner):
    config = scanned(tmp_path, monkeypatch)
    with Archive(config) as archive:
        report = due(archive, date(2099, 1, 1))
    assert report.due == [] and report.held == []
    result = run(runner, "archive", "dispose", "--due", "--dry-run", "--on", "2099-01-01",
                 "--approver", "陈主任", "--reason", "演练")  # fmt: skip
    assert P(1) not in result.output


@pytest.mark.parametrize("how", ["dispose", "propose"])
def test_dispose_and_propose_refuse_a_provisional_number(tmp_path, monkeypatch, runner, how):
    config = scanned(tmp_path, monkeypatch)
    if how == "dispose":
        listed = tmp_path / "list.txt"
        listed.write_text(P(2) + "\n", encoding="utf-8")
        result = run(runner, "archive", "dispose", "--list", str(listed), "--approver", "陈主任",
                     "--reason", "保管期满", "--by", "王芳")  # fmt: skip
    else:
        result = run(runner, "archive", "disposal", "propose", P(2), "--by", "王芳",
                     "--reason", "保管期满")  # fmt: skip
    assert result.exit_code == 1
    assert f"{P(2)}: {REFUSED}" in result.stderr
    with Archive(config) as archive:
        assert archive.show(P(2))["status"] == "filed"
        assert archive.disposal_proposals() == []
