"""The case pages in a real headless Chromium against `recordkit serve` (issue 12): log in,
create a case with nasty values through the form, find it in the list, download its F01
and check the text, then edit it from two sessions to cause a conflict."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any

from docx_text import docx_text
from test_web_serve import (  # noqa: F401 - browser and served are fixtures
    _log_in,
    _shot,
    _wait_for_url,
    browser,
    click_and_load,
    open_chromium,
    served,
)
from web_setup import PASSWORD, recordkit

from recordkit.cases.store import load_yaml

# Typed with the keyboard: a line break in a textarea is Enter. The Tab key moves to the
# next field and ChromeDriver cannot type characters outside the BMP, so the tab and the
# emoji are inserted as pasted text (the browser's own text input).
TYPED = "A&B <tag> x>y \"dq\" 'sq' line1\nline2 {{ 7*7 }} {% if x %}"
EMOJI = "\ttab 😀"


def _type(driver: Any, element_id: str, text: str, emoji: bool = False) -> None:
    from selenium.webdriver.common.by import By

    element = driver.find_element(By.ID, element_id)
    element.clear()
    element.send_keys(text)
    if emoji:
        driver.execute_script(
            "arguments[0].focus(); document.execCommand('insertText', false, arguments[1]);",
            element,
            EMOJI,
        )


def _download(driver: Any, url: str) -> bytes:
    """Fetch a download link with the browser's session cookie."""
    cookie = driver.get_cookie("sessionid")
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie['value']}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def _create_case(driver: Any, base: str) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver.get(f"{base}/cases/new/")
    Select(driver.find_element(By.ID, "id_kind")).select_by_value("投诉")
    driver.execute_script("document.getElementById('id_received_at').value = '2026-03-02T09:30';")
    _type(driver, "id_complainant.name", "王 <b>&amp;")
    _type(driver, "id_content", TYPED, emoji=True)
    _shot(driver, "case-new")
    click_and_load(driver, driver.find_element(By.ID, "save"))
    driver.find_element(By.ID, "edit-case")  # the case page
    return driver.find_element(By.TAG_NAME, "h1").text.removeprefix("案件 ")


def test_browser_creates_finds_downloads_and_conflicts(
    served: tuple[str, Path],
    browser: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    from selenium.webdriver.common.by import By

    base, root = served
    _log_in(browser, base, "lina")
    case_no = _create_case(browser, base)
    data = load_yaml(next((root / "cases").glob(f"*/{case_no}.yaml")).read_text(encoding="utf-8"))
    assert data["content"] == TYPED + EMOJI and data["complainant"]["name"] == "王 <b>&amp;"
    browser.get(f"{base}/cases/")
    _type(browser, "q", "王 <b>")
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "#filters button"))
    _shot(browser, "cases")
    click_and_load(browser, browser.find_element(By.LINK_TEXT, case_no))
    click_and_load(browser, browser.find_element(By.ID, "generate-F01"))
    _shot(browser, "case")
    link = browser.find_element(By.ID, "download-F01").get_attribute("href")
    text = docx_text(_download(browser, link))
    assert TYPED + EMOJI in text and "王 <b>&amp;" in text

    # Two sessions open the same case; the second save is refused and keeps its input.
    assert (
        recordkit(
            root,
            "user",
            "add",
            "liming",
            "--role",
            "登记员",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        ).returncode
        == 0
    )
    other = open_chromium(tmp_path / "second-profile")
    try:
        _log_in(other, base, "liming")
        for driver in (browser, other):
            driver.get(f"{base}/cases/{case_no}/edit/")
        _type(browser, "id_request", "第一位的请求")
        click_and_load(browser, browser.find_element(By.ID, "save"))
        _wait_for_url(browser, f"{base}/cases/{case_no}/")
        _type(other, "id_request", "第二位的请求 <i>")
        click_and_load(other, other.find_element(By.ID, "save"))
        assert "已有其他人保存了修改" in other.find_element(By.ID, "form-errors").text
        assert other.find_element(By.ID, "id_request").get_attribute("value") == "第二位的请求 <i>"
        _shot(other, "case-conflict")
    finally:
        other.quit()
    saved = load_yaml(next((root / "cases").glob(f"*/{case_no}.yaml")).read_text(encoding="utf-8"))
    assert saved["request"] == "第一位的请求"
