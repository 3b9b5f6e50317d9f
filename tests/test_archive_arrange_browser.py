"""整理编号 in a real browser against a real `recordkit serve` (issue 14 point 8): the
preview, an error beside the field, the button, and a sealed year asking for a reason."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from archive_setup import form_pdf
from test_archive_arrange import F, P, build
from test_web_serve import _log_in, _shot, browser, click_and_load  # noqa: F401 - browser is a fixture
from web_setup import PASSWORD, recordkit, serving

from recordkit.archive.service import Archive
from recordkit.config import load_config


@pytest.fixture
def served_archive(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The arranged test archive (six provisional numbers), a 档案员, `recordkit serve`."""
    root = tmp_path / "w"
    build(root, "arrange")
    added = recordkit(root, "user", "add", "dangan", "--role", "档案员", "--full-name", "陈档案",
                      "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    with serving(root) as base:
        yield base, root


def _submit(driver: Any, form_id: str, button: str) -> None:
    from selenium.webdriver.common.by import By

    click_and_load(driver, driver.find_element(By.CSS_SELECTOR, f"#{form_id} {button}"))


def _type_year(driver: Any, text: str) -> None:
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.ID, "year")
    field.clear()
    field.send_keys(text)
    _submit(driver, "arrange-preview", "button")


def test_the_archivist_previews_and_arranges_a_year(served_archive, browser) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    base, root = served_archive
    _log_in(browser, base, "dangan")
    browser.get(f"{base}/archive/arrange/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "整理编号"
    _type_year(browser, "20x6")
    assert (
        browser.find_element(By.ID, "year-error").text == "年度应为 4 位数字, 如 2026 (不是 '20x6')"
    )
    _type_year(browser, "2026")
    assert browser.find_element(By.ID, "plan-title").text == "2026 年度将编定 6 件"
    rows = browser.find_elements(By.CSS_SELECTOR, "#arrange-plan tr")[1:]
    assert [r.find_elements(By.TAG_NAME, "td")[0].text for r in rows] == [F(n) for n in range(1, 7)]
    assert rows[0].find_elements(By.TAG_NAME, "td")[1].text == P(5)
    _shot(browser, "archive-arrange-preview")
    _submit(browser, "arrange-form", "#arrange")
    message = browser.find_element(By.CSS_SELECTOR, "ul.messages li").text
    assert message == "2026 年度已整理: 编定 6 件, 重新加盖归档章 6 件; 年度已封存。"
    assert "没有待整理的预归档文件" in browser.find_element(By.ID, "year-error").text
    config = load_config(root / "recordkit.toml")
    with Archive(config) as archive:
        (sealing,) = [
            json.loads(e["detail"]) for e in archive.index.events() if e["kind"] == "year_arranged"
        ]
        assert sorted(d["item_no"] for d in archive.index.documents()) == [1, 2, 3, 4, 5, 6]
        # a scan that arrives after sealing waits as provisional
        late = form_pdf(root.parent / "late.pdf", "TS-2026-0007", "N02", serial=77)
        assert archive.ingest([late]).ok
    assert sealing["by"] == "dangan"
    browser.get(f"{base}/archive/arrange/?year=2026")
    _submit(browser, "arrange-form", "#arrange")
    assert (
        browser.find_element(By.ID, "reason-error").text == "该年度已整理封存, 请写明重新整理的原因"
    )
    browser.find_element(By.ID, "reason").send_keys("补扫受理通知书")
    _submit(browser, "arrange-form", "#arrange")
    assert "编定 1 件" in browser.find_element(By.CSS_SELECTOR, "ul.messages li").text
    with Archive(config) as archive:
        last = [
            json.loads(e["detail"]) for e in archive.index.events() if e["kind"] == "year_arranged"
        ][-1]
        assert archive.show(F(7))["case_no"] == "TS-2026-0007"
    assert (last["reason"], last["reopened"], last["by"]) == ("补扫受理通知书", True, "dangan")
