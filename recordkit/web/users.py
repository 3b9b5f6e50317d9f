"""User management as a library (no click here): add, change password, list, disable.

Call ``recordkit.web.boot.start(root)`` first. Every user mistake raises ``UserError``
(a ``RecordkitError``) with a Chinese message; password rules are Django's validators.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from recordkit.errors import RecordkitError
from recordkit.web.roles import ADMIN, ROLES


class UserError(RecordkitError):
    """A user name, role or password the web workspace cannot accept."""


class UnknownUserError(UserError):
    """No account of that name (the web shows a 404 page)."""


@dataclass(frozen=True)
class UserInfo:
    username: str
    full_name: str
    roles: list[str]
    active: bool
    last_login: datetime | None
    date_joined: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "full_name": self.full_name,
            "roles": self.roles,
            "active": self.active,
            "last_login": self.last_login.isoformat() if self.last_login else None,
            "date_joined": self.date_joined.isoformat(),
        }


def actor(user: Any) -> str:
    """A web user as the archive's event log names them: 姓名 (用户名), or the user name.
    Both parts are kept so a person is recognised by either (the two-person rule)."""
    name = user.get_username()
    return f"{user.first_name} ({name})" if user.first_name else name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"未知的角色 (unknown role): {role}；可选: {'、'.join(ROLES)}")
    return role


def check_password(password: str, user: Any = None) -> None:
    """Django's password validators, with their Chinese messages joined into one error."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise UserError("密码不符合要求 (password rejected): " + "；".join(exc.messages)) from None


def _get(username: str) -> Any:
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise UnknownUserError(f"用户不存在 (no such user): {username}") from None


def add_user(username: str, role: str, password: str, full_name: str = "") -> Any:
    """Create an active user with one role; the password must pass the validators."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction

    model = get_user_model()
    username = username.strip()
    if not username:
        raise UserError("用户名不能为空 (user name is empty)")
    check_role(role)
    if model.objects.filter(username=username).exists():
        raise UserError(f"用户已存在 (user exists): {username}")
    check_password(password, model(username=username, first_name=full_name))
    with transaction.atomic():
        user = model.objects.create_user(username=username, password=password, first_name=full_name)
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def set_password(username: str, password: str) -> None:
    user = _get(username)
    check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])


def list_users() -> list[UserInfo]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.prefetch_related("groups").order_by("username")
    return [
        UserInfo(
            username=u.username,
            full_name=u.first_name,
            roles=[r for r in ROLES if r in {g.name for g in u.groups.all()}],
            active=u.is_active,
            last_login=u.last_login,
            date_joined=u.date_joined,
        )
        for u in users
    ]


def disable_user(username: str, by: str = "") -> None:
    """Disable an account: it can no longer log in and its open sessions stop working.

    The last active 管理员 cannot be disabled, so the workspace never loses its administrator;
    nor can ``by`` (the one acting in the browser) disable their own account.
    """
    user = _get(username)
    if by and by == username:
        raise UserError(f"不能停用自己的账号 (cannot disable your own account): {username}")
    if not user.is_active:
        return
    if user.groups.filter(name=ADMIN).exists():
        others = type(user).objects.filter(is_active=True, groups__name=ADMIN).exclude(pk=user.pk)
        if not others.exists():
            raise UserError(f"不能停用最后一位管理员 (cannot disable the last 管理员): {username}")
    user.is_active = False
    user.save(update_fields=["is_active"])
