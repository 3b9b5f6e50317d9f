"""The 报表 and 表单 pages in a real headless Chromium against `recordkit serve` (issue 12):
a 登记员 generates a month's report and sees its charts; a 管理员 uploads a revised template
through the form, reads the regenerate plan, applies it and watches htmx poll the job to
its end; the regenerated output carries the new version."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path
from typing import Any

from docx_text import docx_text
from test_web_serve import _log_in, _shot, browser, click_and_load, served  # noqa: F401
from web_setup import recordkit

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cases" / "TS-2026-0003.yaml"
F01 = "F01-申诉和投诉处理及反馈表.docx"


def _bumped(data: bytes) -> bytes:
    """The template with 第2版 in its header, as an admin saves it from Word."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/header1.xml":
                content = content.replace("第1版".encode(), "第2版".encode())
            target.writestr(info, content)
    return out.getvalue()


def _log_out(driver: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    click_and_load(driver, driver.find_element(By.CSS_SELECTOR, "header .who button"))
    WebDriverWait(driver, 15).until(lambda d: "/login/" in d.current_url)  # the POST has landed


def test_browser_report_and_template_revision(
    served: tuple[str, Path],
    browser: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, root = served
    (root / "cases" / "2026").mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLE, root / "cases" / "2026" / EXAMPLE.name)
    assert recordkit(root, "fill", "F01", "TS-2026-0003").returncode == 0

    _log_in(browser, base, "lina")
    browser.get(f"{base}/reports/")
    browser.execute_script("document.getElementById('month').value = '2026-02';")
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "#month-form button"))
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "#generate-report button"))
    browser.find_element(By.ID, "download-docx")
    charts = browser.find_elements(By.CSS_SELECTOR, "img.chart")
    assert len(charts) == 4
    WebDriverWait(browser, 15).until(
        lambda d: all(
            d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0;", img)
            for img in charts
        )
    )
    assert "2026年2月 投诉处理统计月报" in browser.find_element(By.ID, "report-title").text
    assert browser.find_element(By.CSS_SELECTOR, "#overview tr:nth-child(2) td").text == "1"
    _shot(browser, "reports")
    _log_out(browser)

    _log_in(browser, base, "wangfang")
    revised = tmp_path / "revised.docx"
    revised.write_bytes(_bumped((root / "form_templates" / F01).read_bytes()))
    browser.get(f"{base}/forms/")
    first = browser.find_element(
        By.CSS_SELECTOR, "img.form-preview"
    )  # made by LibreOffice on request
    WebDriverWait(browser, 60).until(
        lambda d: d.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth > 0;", first
        )
    )
    _shot(browser, "forms")
    browser.find_element(By.ID, "id_code").send_keys("F01")
    browser.find_element(By.ID, "id_file").send_keys(str(revised))
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "#upload-form button"))
    plan = browser.find_element(By.ID, "plan").text
    assert "TS-2026-0003 F01 form 模板已修订" in plan
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "#apply-plan button"))
    summary = WebDriverWait(browser, 120).until(lambda d: d.find_elements(By.ID, "job-summary"))
    assert "重新生成 1 份" in summary[0].text  # the job page polls (htmx) until the job ends
    assert "第2版" in browser.find_element(By.ID, "regenerated").text
    _shot(browser, "form-job")
    output = next((root / "out").rglob("F01-*.docx"))
    assert "第2版" in docx_text(output)
    assert list((root / "form_templates" / ".history").glob("F01-*-第1版-*.docx"))
