"""Who may do what: the one permission table of the web workspace.

A role is a Django group of the same name. ``ACTIONS`` maps every action to the roles
allowed to take it; ``requires(action)`` wraps every view and is the only place the
server decides. Hiding a link (``navigation``) is a courtesy, never the check.

Roles deliberately do not include each other: 管理员 manages users, templates and
settings but does not edit cases (separation of duties); the archive pages are for 档案员
and 管理员, and only a 档案员 takes a signed original out. A person
who needs two jobs gets two roles.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

REGISTRAR = "登记员"
HANDLER = "经办人"
APPROVER = "审批人"
ARCHIVIST = "档案员"
ADMIN = "管理员"
ROLES: tuple[str, ...] = (REGISTRAR, HANDLER, APPROVER, ARCHIVIST, ADMIN)
ALL = frozenset(ROLES)

# action -> roles allowed. Actions without a page yet are listed so the table is the
# whole model; pages added later only pick their action.
ACTIONS: dict[str, frozenset[str]] = {
    "dashboard.view": ALL,
    "case.view": ALL,
    "case.edit": frozenset({REGISTRAR}),  # register and edit cases
    "case.handle": frozenset({HANDLER}),  # investigation, reply, closure (own cases)
    "case.approve": frozenset({APPROVER}),
    "record.view": ALL,
    "record.edit": frozenset({REGISTRAR}),  # 质量事故, 整改, 纠正预防, 售后服务
    "form.generate": frozenset({REGISTRAR}),
    "import.run": frozenset({REGISTRAR, ADMIN}),  # a register of cases or records (issue 12)
    "report.view": ALL,
    "report.generate": frozenset({REGISTRAR, APPROVER, ADMIN}),  # write Word/Excel/PDF reports
    # The archive in the browser is for 档案员 and 管理员 (issue 13); a 管理员 can thus be
    # the second person of a disposal. The signed original leaves the archive only through
    # a 档案员, logged; the stamped access copy may be read by every role.
    "archive.view": frozenset({ARCHIVIST, ADMIN}),
    "archive.upload": frozenset({ARCHIVIST, ADMIN}),
    "archive.hold": frozenset({ARCHIVIST, ADMIN}),
    "archive.disposal": frozenset({ARCHIVIST, ADMIN}),
    "archive.export": frozenset({ARCHIVIST, ADMIN}),
    "archive.original": frozenset({ARCHIVIST}),
    "archive.access_copy": ALL,
    "forms.manage": frozenset({ADMIN}),  # templates: catalog, upload, regenerate
    "users.manage": frozenset({ADMIN}),
    "settings.manage": frozenset({ADMIN}),
}

# The navigation bar: (label, url name, action), in the order of the issue.
NAVIGATION: tuple[tuple[str, str, str], ...] = (
    ("工作台", "web:dashboard", "dashboard.view"),
    ("案件", "web:cases", "case.view"),
    ("其他记录", "web:records", "record.view"),
    ("导入", "web:import", "import.run"),
    ("报表", "web:reports", "report.view"),
    ("档案", "web:archive", "archive.view"),
    ("表单", "web:forms", "forms.manage"),
    ("用户", "web:users", "users.manage"),
)


def roles_of(user: Any) -> list[str]:
    """The user's roles in table order (cached on the user object for one request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_recordkit_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = [role for role in ROLES if role in names]
        user._recordkit_roles = cached
    return cached


def allowed(user: Any, action: str) -> bool:
    """True when one of the user's roles may take ``action`` (unknown actions: never)."""
    return bool(ACTIONS.get(action, frozenset()) & set(roles_of(user)))


def requires(action: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: anonymous -> login page; a role without ``action`` -> Chinese 403."""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}; add it to ACTIONS")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            from django.contrib.auth.views import redirect_to_login
            from django.core.exceptions import PermissionDenied

            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user, action):
                raise PermissionDenied(f"您的角色无权执行此操作 ({action})")
            return view(request, *args, **kwargs)

        wrapper.recordkit_action = action  # type: ignore[attr-defined]
        return wrapper

    return decorate


def navigation(request: Any) -> dict[str, Any]:
    """Template context: the nav entries this user may open, and the user's roles."""
    from django.urls import reverse

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    items = [
        {"label": label, "url": reverse(name), "name": name}
        for label, name, action in NAVIGATION
        if allowed(user, action)
    ]
    return {"nav_items": items, "user_roles": roles_of(user)}


def ensure_groups() -> None:
    """Create a Django group per role (idempotent; run on every start)."""
    from django.contrib.auth.models import Group

    for role in ROLES:
        Group.objects.get_or_create(name=role)
