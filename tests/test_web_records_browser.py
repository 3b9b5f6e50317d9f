"""The 其他记录 and 导入 pages in a real headless Chromium against `recordkit serve`
(issue 12): create a CAPA with nasty values through the form and find it in the list;
upload a register with a bad row (the table, nothing written), then a good one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from test_web_cases_browser import TYPED, _type
from test_web_serve import _log_in, _shot, browser, click_and_load, open_chromium, served  # noqa: F401

from recordkit.cases.store import load_yaml


def _register(path: Path, rows: list[list[str]]) -> Path:
    book = Workbook()
    book.active.append(["类别", "接收时间", "投诉人", "投诉内容"])
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _wait_for(driver: Any, element_id: str) -> Any:
    """The element of the page a click leads to (click() may return before it is there)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.ID, element_id)))


def test_browser_creates_a_record_and_imports_a_register(
    served: tuple[str, Path],
    browser: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, root = served
    _log_in(browser, base, "lina")
    browser.get(f"{base}/records/")
    click_and_load(browser, browser.find_element(By.ID, "new-capa"))
    browser.execute_script("document.getElementById('id_opened_at').value = '2026-03-02';")
    Select(browser.find_element(By.ID, "id_action_type")).select_by_value("纠正措施")
    _type(browser, "id_nonconformity", TYPED)
    _shot(browser, "record-new")
    click_and_load(browser, browser.find_element(By.ID, "save"))
    _wait_for(browser, "edit-record")  # the record page
    number = browser.find_element(By.TAG_NAME, "h1").text.removeprefix("纠正和预防措施 ")
    data = load_yaml(
        next((root / "records" / "capa").glob(f"*/{number}.yaml")).read_text(encoding="utf-8")
    )
    assert data["nonconformity"] == TYPED
    browser.get(f"{base}/records/?type=capa")
    _shot(browser, "records")
    assert browser.find_element(By.LINK_TEXT, number)

    bad = _register(
        tmp_path / "台帐.xlsx",
        [["投诉", "2026-04-01", "甲", "好的一行"], ["投诉", "2026-02-30", "乙", "坏的一行"]],
    )
    browser.get(f"{base}/import/")
    browser.find_element(By.ID, "id_file").send_keys(str(bad))
    click_and_load(browser, browser.find_element(By.ID, "upload"))
    table = _wait_for(browser, "import-errors").text
    assert "3 接收时间" in table
    _shot(browser, "import-errors")
    assert not list((root / "cases").glob("*/*.yaml"))
    good = _register(tmp_path / "good.xlsx", [["投诉", "2026-04-01", "甲", "好的一行"]])
    browser.find_element(By.ID, "id_file").send_keys(str(good))
    click_and_load(browser, browser.find_element(By.ID, "upload"))
    (created,) = [li.text for li in _wait_for(browser, "created").find_elements(By.TAG_NAME, "li")]
    assert (
        load_yaml(next((root / "cases").glob(f"*/{created}.yaml")).read_text(encoding="utf-8"))[
            "content"
        ]
        == "好的一行"
    )
