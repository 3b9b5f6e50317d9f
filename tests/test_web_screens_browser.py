"""Screenshots for docs/web.md that the other browser tests do not take, each checked
first: the case edit form with its errors beside the fields, and the Chinese 403 page
(RECORDKIT_SCREENSHOTS=docs/web refreshes them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_web_cases_browser import _create_case, _type
from test_web_serve import _log_in, _shot, browser, click_and_load, served  # noqa: F401 - fixtures


def test_edit_errors_beside_fields_and_the_403_page(served: tuple[str, Path], browser: Any) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    base, _root = served
    _log_in(browser, base, "lina")
    case_no = _create_case(browser, base)
    browser.get(f"{base}/cases/{case_no}/edit/")
    _type(browser, "id_resolution.compensation", "一百元")
    browser.find_element(By.ID, "id_content").clear()
    click_and_load(browser, browser.find_element(By.ID, "save"))
    assert browser.find_element(By.ID, "id_content_error").text
    assert browser.find_element(By.ID, "id_resolution.compensation_error").text
    assert (
        browser.find_element(By.ID, "id_resolution.compensation").get_attribute("value") == "一百元"
    )
    browser.execute_script(
        "document.getElementById('id_content_error').scrollIntoView({block: 'center'});"
    )
    _shot(browser, "case-edit-error")
    browser.get(f"{base}/archive/disposal/")  # a 登记员 is refused the disposal page
    assert browser.find_element(By.TAG_NAME, "h1").text == "无权访问 (403)"
    _shot(browser, "forbidden")
