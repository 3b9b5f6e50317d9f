"""The archive's governance pages in a real Chromium against a real `recordkit serve`: one
archivist proposes a disposal, the proposer's own approval is refused, another person
approves; an export runs as a job whose page htmx polls until the download appears."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from audit_setup import DUE, fresh_archive
from test_web_serve import _log_in, _shot, browser, click_and_load  # noqa: F401
from web_setup import PASSWORD, recordkit, serving

from recordkit.archive.service import Archive
from recordkit.config import load_config


@pytest.fixture
def served_archive(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    config = fresh_archive(tmp_path / "w")
    for name, role, full in (("wangfang", "档案员", "王芳"), ("chen", "管理员", "陈主任")):
        result = recordkit(config.root, "user", "add", name, "--role", role, "--full-name", full,
                           "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
        assert result.returncode == 0, result.stderr
    with serving(config.root) as base:
        yield base, config.root


def _statuses(root: Path) -> list[str]:
    with Archive(load_config(root / "recordkit.toml")) as archive:
        return [archive.show(n)["status"] for n in DUE]


def _log_out(driver: Any) -> None:
    from selenium.webdriver.common.by import By

    click_and_load(driver, driver.find_element(By.CSS_SELECTOR, "header .who button"))


def test_two_people_dispose_in_the_browser(
    served_archive: tuple[str, Path],
    browser: Any,  # noqa: F811
) -> None:
    from selenium.webdriver.common.by import By

    base, root = served_archive
    _log_in(browser, base, "wangfang")
    browser.get(f"{base}/archive/disposal/")
    for box in browser.find_elements(By.CSS_SELECTOR, "#due-list input[name=items]"):
        box.click()
    browser.find_element(By.ID, "id_reason").send_keys("保管期满经鉴定无保存价值")
    _shot(browser, "archive-disposal")
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "#propose button"))
    assert "已提交销毁申请 #1 (2 件), 须由另一人批准。" in browser.page_source
    approve = "#proposal-1 form[action$='/approve/'] button"
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, approve))
    error = browser.find_element(By.ID, "proposal-1-error").text
    assert error.startswith("批准人不能是申请人本人 (王芳 (wangfang))")
    _shot(browser, "archive-disposal-refused")
    assert _statuses(root) == ["filed", "filed"]
    _log_out(browser)

    _log_in(browser, base, "chen")
    browser.get(f"{base}/archive/disposal/")
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, approve))
    assert "已批准销毁申请 #1: 已销毁 2 件 (第 1 批)。" in browser.page_source
    assert browser.find_element(By.CSS_SELECTOR, "#batch-1 a[href$='1.pdf']")
    assert _statuses(root) == ["destroyed", "destroyed"]

    browser.get(f"{base}/archive/export/")
    browser.find_element(By.ID, "id_year").send_keys("2015")
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "#export button"))
    # The job page polls with htmx until the export and its verification are done.
    link = browser.find_element(By.ID, "export-download")
    assert link.text.startswith("下载审计包 审计包-2015-")
    assert browser.find_element(By.ID, "bag-ok").text.startswith("校验通过")
    _shot(browser, "archive-export")
