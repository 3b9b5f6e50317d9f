"""The demo's web users (`recordkit demo --serve`): one of each role, one shared password.

The 经办人 is named like the handler (处理人) of some bundled sample cases, so the 工作台
shows them "my open cases". Call ``recordkit.web.boot.start(root)`` first.
"""

from __future__ import annotations

from dataclasses import dataclass

from recordkit.web.roles import ADMIN, APPROVER, ARCHIVIST, HANDLER, REGISTRAR
from recordkit.web.users import add_user, list_users, set_password

DEMO_PASSWORD = "recordkit-demo-2026"  # printed on start; for a demo folder only


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    full_name: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("dengji", REGISTRAR, "林晓燕"),
    DemoUser("jingban", HANDLER, "方振宇"),  # 处理人 of SS-2026-0001, TS-2026-0006/0007/0013
    DemoUser("shenpi", APPROVER, "陈建国"),
    DemoUser("dangan", ARCHIVIST, "黄丽珍"),
    DemoUser("guanli", ADMIN, "王芳"),
)


def ensure_demo_users(password: str = DEMO_PASSWORD) -> tuple[DemoUser, ...]:
    """Create the demo users, or reset their password when they exist (a demo run again)."""
    existing = {u.username for u in list_users()}
    for user in DEMO_USERS:
        if user.username in existing:
            set_password(user.username, password)
        else:
            add_user(user.username, user.role, password, full_name=user.full_name)
    return DEMO_USERS
