"""`recordkit demo --serve`: the demo folder served with demo users of each role; `make demo`
ends by saying how to open it in a browser."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from web_setup import free_port, recordkit, stop_server, web, web_root  # noqa: F401 - fixtures

from recordkit.web.demo_users import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users
from recordkit.web.roles import ROLES
from recordkit.web.users import list_users


def _demo(*args: str) -> list[str]:
    return [sys.executable, "-m", "recordkit.cli", "demo", *args]


def test_demo_users_one_of_each_role_and_idempotent(web: Path) -> None:  # noqa: F811 - the fixture
    ensure_demo_users()
    ensure_demo_users()  # a demo run again: the same users, password reset
    users = {u.username: u for u in list_users()}
    assert sorted(r for u in DEMO_USERS for r in users[u.username].roles) == sorted(ROLES)
    assert users["jingban"].roles == ["经办人"] and users["jingban"].full_name == "方振宇"
    assert all(users[u.username].active for u in DEMO_USERS)


def test_demo_no_wait_creates_the_users_and_says_how_to_log_in(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    result = subprocess.run(
        _demo("--dir", str(root), "--serve", "--no-wait"),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert f"== 演示用户 (demo users), 密码均为 (password): {DEMO_PASSWORD}" in result.stdout
    for user in DEMO_USERS:
        assert re.search(
            rf"^{user.username}\s+{user.role}\s+{user.full_name}$", result.stdout, re.M
        ), user
    listed = json.loads(recordkit(root, "user", "list", "--json").stdout)
    assert {(u["username"], tuple(u["roles"])) for u in listed} == {
        (u.username, (u.role,)) for u in DEMO_USERS
    }


def _wait_for_login_page(proc: subprocess.Popen[str], base: str, seconds: float = 600) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"demo --serve exited {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/login/", timeout=2) as page:
                return page.read().decode()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"demo --serve did not answer within {seconds} s")


def test_demo_serve_answers_and_a_demo_handler_logs_in(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # The demo prints a lot: into files, as a pipe nobody reads would fill up and block it.
    out, err_path = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out.open("w") as stdout, err_path.open("w") as stderr:
        proc = subprocess.Popen(
            _demo("--dir", str(tmp_path / "demo"), "--serve", "--port", str(port)),
            stdout=stdout,
            stderr=stderr,
        )
    try:
        page = _wait_for_login_page(proc, base)
        assert "<h1>登录</h1>" in page
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page = opener.open(f"{base}/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"username": "jingban", "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token}
        )
        dashboard = opener.open(f"{base}/login/", data=form.encode()).read().decode()
        assert "您的角色：经办人" in dashboard
        assert "TS-2026-0013" in dashboard  # an open sample case whose 处理人 is 方振宇
    finally:
        stop_server(proc)
    assert f"recordkit 网页工作台: http://127.0.0.1:{port}/" in err_path.read_text(encoding="utf-8")
    assert f"密码均为 (password): {DEMO_PASSWORD}" in out.read_text(encoding="utf-8")
