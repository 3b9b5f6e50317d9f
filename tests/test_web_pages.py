"""The pages of the web workspace through Django's test client: login, logout, dashboard,
placeholders, user management; CSRF, clickjacking, sessions and login throttling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from web_setup import PASSWORD, make_user, role_clients, web, web_root  # noqa: F401

from recordkit.web.roles import ADMIN, REGISTRAR


def _login(client: Any, username: str, password: str) -> Any:
    return client.post("/login/", {"username": username, "password": password})


def test_login_page_is_chinese_and_open(web: Path) -> None:  # noqa: F811
    from django.test import Client

    response = Client().get("/login/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "<h1>登录</h1>" in text and "用户名" in text and "密码" in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Content-Language"] == "zh-hans"


def test_login_leads_to_dashboard_with_name_and_role(web: Path) -> None:  # noqa: F811
    from django.test import Client

    make_user("wangfang", REGISTRAR, password=PASSWORD, full_name="王芳")
    client = Client()
    response = _login(client, "wangfang", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/").content.decode()
    assert "<h1>工作台</h1>" in page
    assert "您好，<strong>王芳</strong>（用户名 wangfang）" in page
    assert "您的角色：登记员" in page
    assert 'href="/cases/">案件</a>' in page


def test_login_returns_to_the_page_asked_for(web: Path) -> None:  # noqa: F811
    from django.test import Client

    make_user("wangfang", REGISTRAR, password=PASSWORD)
    client = Client()
    assert client.get("/import/")["Location"] == "/login/?next=/import/"
    response = client.post(
        "/login/", {"username": "wangfang", "password": PASSWORD, "next": "/import/"}
    )
    assert response["Location"] == "/import/"


def test_wrong_password_is_refused_in_chinese(web: Path) -> None:  # noqa: F811
    from django.test import Client

    make_user("wangfang", REGISTRAR, password=PASSWORD)
    response = _login(Client(), "wangfang", "not-the-password")
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码。注意，两者都区分大小写。" in response.content.decode()


def test_logout_ends_the_session(web: Path) -> None:  # noqa: F811
    from django.test import Client

    make_user("wangfang", REGISTRAR, password=PASSWORD)
    client = Client()
    _login(client, "wangfang", PASSWORD)
    assert client.get("/").status_code == 200
    assert client.post("/logout/")["Location"] == "/login/"
    assert client.get("/")["Location"] == "/login/?next=/"


def test_session_lasts_8_hours_and_ends_with_the_browser(web: Path) -> None:  # noqa: F811
    from django.test import Client

    make_user("wangfang", REGISTRAR, password=PASSWORD)
    client = Client()
    response = _login(client, "wangfang", PASSWORD)
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""  # a browser-session cookie
    assert cookie["httponly"]
    assert client.session.get_expiry_age() == 8 * 3600
    assert client.session.get_expire_at_browser_close()


def test_login_is_throttled_after_5_failures(web: Path) -> None:  # noqa: F811
    from django.test import Client

    make_user("wangfang", REGISTRAR, password=PASSWORD)
    client = Client()
    for _ in range(5):
        assert _login(client, "wangfang", "wrong-password").status_code in (200, 429)
    # Locked now: even the right password is refused, with a Chinese page.
    response = _login(client, "wangfang", PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert client.get("/")["Location"] == "/login/?next=/"
    # Another user from the same address is not locked out.
    make_user("lina", REGISTRAR, password=PASSWORD)
    assert _login(Client(), "lina", PASSWORD).status_code == 302


def test_csrf_is_enforced_on_login(web: Path) -> None:  # noqa: F811
    from django.test import Client

    make_user("wangfang", REGISTRAR, password=PASSWORD)
    client = Client(enforce_csrf_checks=True)
    response = _login(client, "wangfang", PASSWORD)
    assert response.status_code == 403
    assert "CSRF 校验失败" in response.content.decode()
    # With the token from the form it works.
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    ok = client.post(
        "/login/", {"username": "wangfang", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert ok.status_code == 302


@pytest.mark.parametrize("url", ["/users/add/", "/users/user1/disable/", "/logout/"])
def test_csrf_is_enforced_on_every_post(web: Path, url: str) -> None:  # noqa: F811
    from django.contrib.auth import get_user_model
    from django.test import Client

    make_user("boss", ADMIN)
    make_user("user1", REGISTRAR)
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="boss"))
    response = client.post(url, {"username": "x"})
    assert response.status_code == 403
    assert "CSRF 校验失败" in response.content.decode()
    assert get_user_model().objects.get(username="user1").is_active


def test_users_page_lists_users(role_clients: dict[str, Any]) -> None:  # noqa: F811
    response = role_clients[ADMIN].get("/users/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "<td>user0</td><td>登记员甲</td><td>登记员</td>" in text
    assert "<h2>添加用户</h2>" in text


def test_admin_adds_a_user_through_the_form(role_clients: dict[str, Any]) -> None:  # noqa: F811
    from recordkit.web.users import list_users

    client = role_clients[ADMIN]
    response = client.post(
        "/users/add/",
        {
            "username": "zhaolei",
            "full_name": "赵雷",
            "role": "经办人",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        follow=True,
    )
    assert "已添加用户 zhaolei (经办人)。" in response.content.decode()
    added = {u.username: u for u in list_users()}["zhaolei"]
    assert added.roles == ["经办人"] and added.full_name == "赵雷" and added.active


def test_add_user_errors_show_beside_their_fields(role_clients: dict[str, Any]) -> None:  # noqa: F811
    client = role_clients[ADMIN]
    response = client.post(
        "/users/add/",
        {
            "username": "user1",
            "full_name": "赵雷",
            "role": "经办人",
            "password1": "12345",
            "password2": "12345",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert '<span class="error" id="id_username_error">该用户名已存在。</span>' in text
    assert (
        '<span class="error" id="id_password1_error">密码太短, 至少需要 10 个字符。</span>' in text
    )
    assert '<span class="error" id="id_password1_error">密码只包含数字。</span>' in text
    assert 'value="赵雷"' in text  # what was typed stays in the form
    mismatch = client.post(
        "/users/add/",
        {
            "username": "newbie",
            "role": "经办人",
            "password1": PASSWORD,
            "password2": PASSWORD + "x",
        },
    )
    assert (
        '<span class="error" id="id_password2_error">两次输入的密码不一致。</span>'
        in mismatch.content.decode()
    )
    bad_role = client.post(
        "/users/add/",
        {"username": "newbie", "role": "局长", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert (
        'id="id_role_error">选择一个有效的选项。 局长 不在可用的选项中。'
        in bad_role.content.decode()
    )


def test_admin_disables_a_user_and_their_session_ends(role_clients: dict[str, Any]) -> None:  # noqa: F811
    response = role_clients[ADMIN].post("/users/user0/disable/", follow=True)
    text = response.content.decode()
    assert "已停用用户 user0。" in text
    assert "<td>登记员</td>\n    <td>已停用</td>" in text
    assert role_clients[REGISTRAR].get("/")["Location"] == "/login/?next=/"


def test_disable_through_htmx_returns_the_table(role_clients: dict[str, Any]) -> None:  # noqa: F811
    response = role_clients[ADMIN].post("/users/user0/disable/", headers={"HX-Request": "true"})
    text = response.content.decode()
    assert response.status_code == 200
    assert text.startswith('<div id="users-table">') and "<html" not in text
    assert "已停用用户 user0。" in text


def test_admin_cannot_disable_self_and_unknown_is_404(role_clients: dict[str, Any]) -> None:  # noqa: F811
    client = role_clients[ADMIN]
    text = client.post("/users/user4/disable/", follow=True).content.decode()
    assert "不能停用自己的账号 (cannot disable your own account): user4" in text
    missing = client.post("/users/nobody/disable/")
    assert missing.status_code == 404
    assert "找不到 (404)" in missing.content.decode()


def test_disable_needs_post(role_clients: dict[str, Any]) -> None:  # noqa: F811
    assert role_clients[ADMIN].get("/users/user0/disable/").status_code == 405
