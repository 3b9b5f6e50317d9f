"""The permission model: each role x each action -> allowed or a Chinese 403, on the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from web_setup import make_user, role_clients, web, web_root  # noqa: F401

from recordkit.web.roles import ACTIONS, ROLES

R, H, A, AR, AD = ROLES  # 登记员, 经办人, 审批人, 档案员, 管理员
EVERYONE = set(ROLES)

# The permission model written out by hand, so a change to roles.ACTIONS is deliberate.
EXPECTED_ACTIONS = {
    "dashboard.view": EVERYONE,
    "case.view": EVERYONE,
    "case.edit": {R},
    "case.handle": {H},
    "case.approve": {A},
    "record.view": EVERYONE,
    "record.edit": {R},
    "form.generate": {R},
    "import.run": {R, AD},
    "report.view": EVERYONE,
    "report.generate": {R, A, AD},
    "archive.view": {AR, AD},
    "archive.upload": {AR, AD},
    "archive.hold": {AR, AD},
    "archive.disposal": {AR, AD},
    "archive.export": {AR, AD},
    "archive.original": {AR},
    "archive.access_copy": EVERYONE,
    "forms.manage": {AD},
    "users.manage": {AD},
    "settings.manage": {AD},
}

# Every page and POST action of the workspace: (method, url, roles allowed).
PAGES = [
    ("get", "/", EVERYONE),
    ("get", "/cases/", EVERYONE),
    ("get", "/cases/new/", {R}),
    ("post", "/cases/new/", {R}),
    ("get", "/records/", EVERYONE),
    ("get", "/import/", {R, AD}),
    ("post", "/import/", {R, AD}),
    ("get", "/records/capa/new/", {R}),
    ("get", "/reports/", EVERYONE),
    ("get", "/archive/", {AR, AD}),
    ("get", "/archive/inbox/", {AR, AD}),
    ("post", "/archive/inbox/upload/", {AR, AD}),
    ("post", "/archive/inbox/assign/", {AR, AD}),
    ("post", "/archive/inbox/retry/", {AR, AD}),
    ("post", "/archive/inbox/discard/", {AR, AD}),
    ("get", "/archive/disposal/", {AR, AD}),
    ("post", "/archive/disposal/propose/", {AR, AD}),
    ("get", "/archive/due.xlsx", {AR, AD}),
    ("get", "/archive/holds/", {AR, AD}),
    ("post", "/archive/holds/add/", {AR, AD}),
    ("get", "/archive/export/", {AR, AD}),
    ("post", "/archive/export/", {AR, AD}),
    ("get", "/archive/checks/", {AR, AD}),
    ("get", "/archive/arrange/", {AR, AD}),
    ("post", "/archive/arrange/run/", {AR, AD}),
    ("get", "/forms/", {AD}),
    ("get", "/users/", {AD}),
    ("post", "/users/add/", {AD}),
    ("post", "/users/user0/disable/", {AD}),
]


def test_action_table_is_the_documented_model() -> None:
    assert {action: set(roles) for action, roles in ACTIONS.items()} == EXPECTED_ACTIONS


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "allowed_roles"), PAGES)
def test_permission_table(
    role_clients: dict[str, Any],
    role: str,
    method: str,
    url: str,  # noqa: F811
    allowed_roles: set[str],
) -> None:
    response = getattr(role_clients[role], method)(url)
    if role in allowed_roles:
        # Allowed: the page (200), a redirect after a POST, or a form with errors (400).
        assert response.status_code in (200, 302, 400), (role, url, response.status_code)
    else:
        assert response.status_code == 403, (role, url, response.status_code)
        text = response.content.decode()
        assert "无权访问 (403)" in text
        assert "您的角色无权执行此操作" in text


def test_every_view_is_guarded_by_requires(web: Path) -> None:  # noqa: F811
    """No page can forget its check: each URL's view carries a roles.requires action."""
    from django.urls import get_resolver

    unguarded = {"login", "logout"}  # login must be open; logout only ends a session
    patterns = get_resolver().url_patterns[0].url_patterns
    for pattern in patterns:
        if pattern.name in unguarded:
            continue
        action = getattr(pattern.callback, "recordkit_action", None)
        assert action in ACTIONS, f"view {pattern.name} is not wrapped by roles.requires"
    assert {p.name for p in patterns} - unguarded == {
        "dashboard",
        "cases",
        "records",
        "import",
        "reports",
        "archive",
        "archive_inbox",
        "archive_upload",
        "archive_upload_job",
        "archive_assign",
        "archive_retry",
        "archive_discard",
        "archive_document",
        "archive_page",
        "archive_access",
        "archive_original",
        "archive_disposal",
        "archive_propose",
        "archive_approve",
        "archive_reject",
        "archive_disposal_list",
        "archive_due_xlsx",
        "archive_holds",
        "archive_hold_add",
        "archive_hold_release",
        "archive_export",
        "archive_export_download",
        "archive_checks",
        "archive_verify",
        "archive_check",
        "archive_job",
        "archive_arrange",
        "archive_arrange_run",
        "forms",
        "users",
        "user_add",
        "user_disable",
        "case_new",
        "case",
        "case_edit",
        "form_generate",
        "form_download",
        "bundle_generate",
        "bundle_download",
        "report_generate",
        "report_chart",
        "report_download",
        "form_upload",
        "form_job",
        "form_preview",
        "form_plan",
        "form_apply",
        "record_new",
        "record",
        "record_edit",
        "record_form_generate",
        "record_form_download",
    }


@pytest.mark.parametrize(("method", "url", "_roles"), PAGES)
def test_anonymous_is_sent_to_login(web: Path, method: str, url: str, _roles: set[str]) -> None:  # noqa: F811
    from django.test import Client

    response = getattr(Client(), method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


def test_user_without_role_gets_403_everywhere(web: Path) -> None:  # noqa: F811
    from django.test import Client

    client = Client()
    client.force_login(make_user("norole"))
    for _method, url, _roles in PAGES:
        if _method == "get":
            assert client.get(url).status_code == 403, url


def test_unknown_page_is_a_chinese_404(role_clients: dict[str, Any]) -> None:  # noqa: F811
    response = role_clients[AD].get("/cases/TS-2099-9999/")
    assert response.status_code == 404
    assert "找不到 (404)" in response.content.decode()
    assert "/cases/TS-2099-9999/" in response.content.decode()


def test_navigation_shows_only_what_the_role_may_open(role_clients: dict[str, Any]) -> None:  # noqa: F811
    text = role_clients[R].get("/").content.decode()
    assert 'href="/import/"' in text and 'href="/cases/"' in text
    assert 'href="/users/"' not in text and 'href="/archive/"' not in text
    admin = role_clients[AD].get("/").content.decode()
    for label in ("工作台", "案件", "其他记录", "报表", "表单", "用户"):
        assert f">{label}</a>" in admin


def test_role_groups_exist(web: Path) -> None:  # noqa: F811
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)


def test_requires_refuses_an_unknown_action() -> None:
    from recordkit.web.roles import requires

    with pytest.raises(KeyError, match="unknown action"):
        requires("case.delete")
