"""The archive in a real headless Chromium against `recordkit serve` (issue 13, point 4):
an 档案员 uploads a scan through the inbox's file input, sees it filed, finds it on the
search page by the complainant's name, opens the document page and downloads the
stamped access copy."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from archive_setup import add_case, scan_pdf
from test_web_serve import _log_in, _shot, browser, click_and_load, open_chromium, served  # noqa: F401
from web_setup import PASSWORD, recordkit

from recordkit.archive.service import Archive
from recordkit.config import load_config

CASE = "TS-2026-0007"  # complainant 李强 (tests/conftest.py SAMPLE_CASE)


@pytest.fixture(scope="module")
def archivist(served: tuple[str, Path]) -> str:  # noqa: F811
    """An 档案员 added to the served folder with `recordkit user add`."""
    result = recordkit(served[1], "user", "add", "zhaolei", "--role", "档案员", "--full-name", "赵雷",
                       "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert result.returncode == 0, result.stderr
    return "zhaolei"


def _downloaded(folder: Path, timeout: float = 30) -> Path:
    """The file Chromium finished downloading into ``folder``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if not p.name.endswith(".crdownload")]
        if done:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"nothing downloaded into {folder}")


def test_archivist_uploads_a_scan_finds_it_and_downloads_the_access_copy(
    served: tuple[str, Path],  # noqa: F811
    browser: Any,  # noqa: F811
    archivist: str,
    tmp_path: Path,
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, root = served
    add_case(root, CASE, 2026)
    scans = tmp_path / "scans"
    scans.mkdir()
    scan = scan_pdf(scans / "投诉登记表扫描.pdf", scans, CASE, "F01", serial=1)

    _log_in(browser, base, archivist)
    nav = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "header nav a")]
    assert "档案" in nav
    browser.get(f"{base}/archive/inbox/")
    assert browser.find_element(By.ID, "dropzone").is_displayed()
    browser.find_element(By.ID, "upload-files").send_keys(str(scan))
    click_and_load(browser, browser.find_element(By.ID, "upload-button"))
    results = browser.find_element(By.ID, "upload-results").text
    _shot(browser, "archive-inbox")
    with Archive(load_config(root / "recordkit.toml")) as archive:
        (doc,) = archive.list()
    archive_no = doc["archive_no"]
    assert f"投诉登记表扫描.pdf 已归档 {archive_no}" in results, results
    assert (
        f"已归档 {archive_no} 投诉登记表扫描.pdf"
        in browser.find_element(By.ID, "inbox-status").text
    )

    browser.get(f"{base}/archive/")
    browser.find_element(By.ID, "id_q").send_keys("李强")
    click_and_load(browser, browser.find_element(By.ID, "search-button"))
    assert "共找到 1 件" in browser.find_element(By.ID, "result-count").text
    hit = browser.find_element(By.CSS_SELECTOR, "#archive-results .hit")
    assert browser.find_element(By.CSS_SELECTOR, "#archive-results mark").text == "李强"
    _shot(browser, "archive-search")
    click_and_load(browser, hit.find_element(By.CSS_SELECTOR, "a.archive-no"))
    assert browser.find_element(By.TAG_NAME, "h1").text == f"档案 {archive_no}"
    first_page = browser.find_element(By.CSS_SELECTOR, "img.doc-page")
    # The page image is rendered on first request: wait until the browser has shown it.
    WebDriverWait(browser, 60).until(
        lambda d: d.execute_script("return arguments[0].naturalWidth", first_page) > 500
    )
    assert "通过" in browser.find_element(By.ID, "doc-checks").text
    _shot(browser, "archive-document")

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    browser.find_element(By.ID, "download-access").click()
    copy = _downloaded(downloads)
    assert copy.name == f"{archive_no} 利用副本.pdf"
    assert copy.read_bytes() == Path(doc["access_path"]).read_bytes()


def test_scans_dropped_on_the_zone_are_uploaded(
    served: tuple[str, Path],  # noqa: F811
    browser: Any,  # noqa: F811
    archivist: str,
    tmp_path: Path,
) -> None:
    """The drag-and-drop zone: a drop event carrying two files submits them both."""
    import base64

    import pdf_factory as pf
    from selenium.webdriver.common.by import By

    base, root = served
    _log_in(browser, base, archivist)
    browser.get(f"{base}/archive/inbox/")
    blank = pf.born_digital(tmp_path / "blank.pdf", payload=None, case_no=None).read_bytes()
    encoded = base64.b64encode(blank).decode()
    drop = """
        const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
        const dt = new DataTransfer();
        for (const name of ["拖入一.pdf", "拖入二.pdf"]) {
          dt.items.add(new File([bytes, new TextEncoder().encode("%" + name)], name, {type: "application/pdf"}));
        }
        document.getElementById("dropzone").dispatchEvent(
          new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
    """
    old_page = browser.find_element(By.TAG_NAME, "html")
    browser.execute_script(drop, encoded)
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 60).until(ec.staleness_of(old_page))
    results = browser.find_element(By.ID, "upload-results").text
    assert "拖入一.pdf 待识别 unidentified/拖入一.pdf" in results, results
    assert "拖入二.pdf 待识别 unidentified/拖入二.pdf" in results, results
