"""`recordkit serve` as a real subprocess on a free port, fetched over HTTP and driven by a
real headless Chromium (Selenium + Debian's chromium and chromium-driver)."""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_setup import PASSWORD, add_user, free_port, recordkit, serving, start_server, stop_server

from recordkit.config import init_workdir

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,900",
)
# Set RECORDKIT_SCREENSHOTS=docs/web to refresh the screenshots shown in docs/web.md.
SCREENSHOTS = os.environ.get("RECORDKIT_SCREENSHOTS", "")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A working folder with a 管理员 and a 登记员, served by `recordkit serve`."""
    root = tmp_path_factory.mktemp("served") / "work"
    init_workdir(root, org_name="漳州市示例检验检测中心")
    for name, role, full in (("wangfang", "管理员", "王芳"), ("lina", "登记员", "李娜")):
        add_user(root, name, role, full)
    with serving(root) as base:
        yield base, root


def _get(base: str, path: str) -> http.client.HTTPResponse:
    """One request without following redirects."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.request("GET", path)
    return conn.getresponse()


def test_serve_answers_over_http(served: tuple[str, Path]) -> None:
    base, root = served
    anonymous = _get(base, "/")
    assert anonymous.status == 302 and anonymous.getheader("Location") == "/login/?next=/"
    login = _get(base, "/login/")
    assert login.status == 200
    assert "<h1>登录</h1>" in login.read().decode()
    assert login.getheader("X-Frame-Options") == "DENY"
    assert login.getheader("Server") == "recordkit"
    htmx = _get(base, "/static/web/htmx.min.js")
    assert htmx.status == 200 and htmx.read().startswith(b"var htmx=function()")
    missing = _get(base, "/no/such/page/")
    assert missing.status == 404 and "找不到 (404)" in missing.read().decode()
    assert (root / ".recordkit" / "web.sqlite3").is_file()


def test_login_over_http_with_csrf(served: tuple[str, Path]) -> None:
    base, _root = served
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"username": "lina", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    dashboard = opener.open(f"{base}/login/", data=form.encode()).read().decode()
    assert "您好，<strong>李娜</strong>（用户名 lina）" in dashboard
    assert "您的角色：登记员" in dashboard
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(f"{base}/users/")
    assert refused.value.code == 403 and "无权访问 (403)" in refused.value.read().decode()


def test_serve_warns_when_bound_to_all_interfaces(tmp_path: Path) -> None:
    root = tmp_path / "work"
    init_workdir(root)
    proc = start_server(root, free_port(), host="0.0.0.0")
    err = stop_server(proc)
    assert "警告: 正在所有网络接口上以 HTTP (未加密) 提供服务" in err
    assert "[web] 中设置 https = true" in err


def test_serve_on_a_busy_port_is_a_chinese_error(served: tuple[str, Path]) -> None:
    base, root = served
    port = urllib.parse.urlsplit(base).port
    result = recordkit(root, "serve", "--port", str(port))
    assert result.returncode == 1
    assert f"Error: 无法在 127.0.0.1:{port} 上启动服务 (cannot listen):" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_on_loopback_does_not_warn(served: tuple[str, Path]) -> None:
    from recordkit.cli.web import binding_warning

    assert binding_warning("127.0.0.1", https=False) is None
    assert binding_warning("0.0.0.0", https=True) is None
    assert binding_warning("::", https=False) is not None


def _browser_missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            return f"{path} is absent; CI installs Debian's chromium and chromium-driver as root (.ci/run)"
    return None


def open_chromium(profile: Path) -> Any:
    """A headless Chromium driven by Selenium, with its own profile (own cookies, session)."""
    reason = _browser_missing()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    # A page that files or re-stamps documents can take a while on a busy CI machine.
    driver.set_page_load_timeout(180)
    # A click that submits a form returns before the next page has loaded: let every
    # element look-up wait for it (up to 10 s) instead of racing the browser.
    driver.implicitly_wait(10)
    return driver


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    driver = open_chromium(tmp_path / "chromium-profile")
    try:
        yield driver
    finally:
        driver.quit()


def _shot(driver: Any, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(SCREENSHOTS) / f"{name}.png"))


def _wait_for_url(driver: Any, url: str) -> None:
    """Wait for a click's navigation: click() may return before the next page is there."""
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 15).until(ec.url_to_be(url))


def click_and_load(driver: Any, element: Any) -> None:
    """Click something that loads a new page and wait until that page has replaced this one.

    click() returns once the event is dispatched; a look-up straight after it can find an
    element of the old page, which the navigation then makes stale. The old document is
    marked with a script variable, and the wait ends when a complete document without the
    mark is there. No element of the old page is touched while the browser navigates
    (ChromeDriver may then answer with an inspector error instead of "stale element"), and
    errors from polling mid-navigation only mean "not yet"."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("window.recordkitOldPage = true;")
    element.click()
    script = "return window.recordkitOldPage === undefined && document.readyState === 'complete';"
    WebDriverWait(driver, 180, poll_frequency=0.2, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script(script)
    )


def _log_in(driver: Any, base: str, username: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/")
    assert driver.current_url == f"{base}/login/?next=/"
    driver.find_element(By.ID, "id_username").send_keys(username)
    driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
    _shot(driver, "login")
    click_and_load(driver, driver.find_element(By.CSS_SELECTOR, "form.card button[type=submit]"))
    _wait_for_url(driver, f"{base}/")


def test_browser_logs_in_and_sees_the_dashboard(served: tuple[str, Path], browser: Any) -> None:
    from selenium.webdriver.common.by import By

    base, _root = served
    _log_in(browser, base, "lina")
    assert browser.find_element(By.TAG_NAME, "h1").text == "工作台"
    card = browser.find_element(By.CSS_SELECTOR, "section.card").text
    assert "您好，李娜（用户名 lina）" in card and "您的角色：登记员" in card
    nav = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "header nav a")]
    assert nav == ["工作台", "案件", "其他记录", "导入", "报表"]
    _shot(browser, "dashboard")
    browser.get(f"{base}/archive/disposal/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "无权访问 (403)"
    browser.get(f"{base}/")
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "header form button"))
    _wait_for_url(browser, f"{base}/login/")


def test_browser_admin_adds_and_disables_a_user_with_htmx(
    served: tuple[str, Path], browser: Any
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    base, root = served
    _log_in(browser, base, "wangfang")
    browser.get(f"{base}/users/")
    fields = {
        "id_username": "zhaolei",
        "id_full_name": "赵雷",
        "id_password1": "short",
        "id_password2": "short",
    }
    for field_id, value in fields.items():
        browser.find_element(By.ID, field_id).send_keys(value)
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "form.card button[type=submit]"))
    _wait_for_url(browser, f"{base}/users/add/")  # the form comes back with its errors
    assert (
        browser.find_element(By.ID, "id_password1_error").text == "密码太短, 至少需要 10 个字符。"
    )
    assert browser.find_element(By.ID, "id_full_name").get_attribute("value") == "赵雷"
    for field_id in ("id_password1", "id_password2"):
        browser.find_element(By.ID, field_id).send_keys(PASSWORD)
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "form.card button[type=submit]"))
    _wait_for_url(browser, f"{base}/users/")
    assert (
        "已添加用户 zhaolei (登记员)。" in browser.find_element(By.CSS_SELECTOR, "ul.messages").text
    )
    _shot(browser, "users")
    row = next(
        r
        for r in browser.find_elements(By.CSS_SELECTOR, "#users-table tbody tr")
        if r.text.startswith("zhaolei")
    )
    row.find_element(By.TAG_NAME, "button").click()
    WebDriverWait(browser, 10).until(ec.alert_is_present()).accept()  # htmx's hx-confirm
    # Read the table through JavaScript: htmx swaps it, so an element handle could go stale.
    table_text = "return (document.getElementById('users-table') || {}).innerText || ''"
    WebDriverWait(browser, 10).until(
        lambda d: "已停用用户 zhaolei。" in d.execute_script(table_text)
    )
    listed = recordkit(root, "user", "list", "--json")
    assert '"active": false' in listed.stdout
