"""Search without text but with filters keeps its limit (newest filed first, one day's
in 档号 order) and says how many match in all; ``archive list`` stays complete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from audit_setup import fresh_archive, run
from django.test import override_settings
from web_setup import make_user, web, web_root  # noqa: F401

from recordkit.config import Config
from recordkit.web import views_archive
from recordkit.web.roles import ARCHIVIST

Y2015 = ["Z109-WS·2015-D10-0001", "Z109-WS·2015-D10-0002", "Z109-WS·2015-D30-0001",
         "Z109-WS·2015-D30-0002"]  # fmt: skip


@pytest.fixture
def work(tmp_path: Path, monkeypatch: Any) -> Config:
    config = fresh_archive(tmp_path / "w")
    monkeypatch.chdir(config.root)
    return config


def test_filters_only_search_honours_the_limit_and_says_how_many(work, runner):
    result = run(runner, "archive", "search", "--year", "2015", "--limit", "2")
    assert result.exit_code == 0, result.output
    assert result.output.endswith(
        "共 4 件, 显示前 2 件 (最新归档的在前; 请缩小范围, 或用 recordkit archive list 列出全部)。\n"
    )
    assert Y2015[0] in result.output and Y2015[2] not in result.output  # filed the same day
    found = run(runner, "archive", "search", "--year", "2015", "--limit", "2", "--json")
    assert [d["archive_no"] for d in json.loads(found.stdout)] == Y2015[:2]
    assert "共 4 件, 显示前 2 件" in found.stderr
    everything = run(runner, "archive", "search", "--year", "2015", "--limit", "4")
    assert everything.output.endswith("共 4 件。\n")


def test_archive_list_stays_complete(work, runner):
    listed = run(runner, "archive", "list", "--year", "2015", "--json")
    assert [d["archive_no"] for d in json.loads(listed.stdout)] == Y2015


def test_web_filters_only_search_says_more_exist(
    web: Path,  # noqa: F811
    work: Config,
    monkeypatch: Any,
) -> None:
    from django.test import Client

    monkeypatch.setattr(views_archive, "RESULTS", 3)  # the page size, small for four documents
    client = Client()
    client.force_login(make_user("wangfang", ARCHIVIST, full_name="王芳"))
    with override_settings(RECORDKIT_WORKDIR=str(work.root)):
        page = client.get("/archive/", {"year": "2015"}).content.decode()
    assert page.count('class="hit"') == 3
    assert (
        '<p class="hint" id="result-count">共 4 件, 显示前 3 件 (最新归档的在前; '
        "请缩小范围, 或用 recordkit archive list 列出全部)。</p>"
    ) in page
