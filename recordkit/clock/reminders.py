"""Reminders (`recordkit remind`, and `serve` once a day): each handler (处理人) gets one
Chinese e-mail listing the steps of their open cases that are overdue or due within N
working days — the 工作台 for people who do not open it.

A handler's address comes from the ``[mail.handlers]`` table of ``recordkit.toml`` (name
as written in the case's 处理人 → address); a handler without one is listed as not
reminded. The lists are the 工作台's (``worklist.due_soon`` and ``worklist.overdue_steps``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from recordkit.clock import worklist
from recordkit.clock.calendar import WorkCalendar
from recordkit.clock.setup import clock_for, open_casebook
from recordkit.config import Config
from recordkit.dates import format_value
from recordkit.errors import BadValueError
from recordkit.mail import MailSettings, mail_settings, make_message, send_messages

SENT, REFUSED, NO_ADDRESS, DRY_RUN = (
    "已发送",
    "被邮件服务器拒收",
    "未提醒: 没有邮箱地址",
    "将发送 (dry run)",
)
log = logging.getLogger("recordkit.remind")


@dataclass(frozen=True)
class ReminderItem:
    case_no: str
    step: str
    due: date | datetime
    overdue: bool

    def line(self) -> str:
        mark = "【已超期】" if self.overdue else "【即将到期】"
        return f"{mark} {self.case_no}  {self.step}  应于 {format_value(self.due)} 前完成"


@dataclass
class Digest:
    """One handler's reminder: what is overdue, what is due soon, and what became of it."""

    handler: str
    address: str
    items: list[ReminderItem] = field(default_factory=list)
    state: str = ""
    reason: str = ""

    @property
    def overdue(self) -> list[ReminderItem]:
        return [i for i in self.items if i.overdue]

    @property
    def due_soon(self) -> list[ReminderItem]:
        return [i for i in self.items if not i.overdue]

    def as_dict(self) -> dict[str, Any]:
        return {
            "handler": self.handler,
            "address": self.address or None,
            "state": self.state,
            "reason": self.reason or None,
            "items": [
                {
                    "case_no": i.case_no,
                    "step": i.step,
                    "due": format_value(i.due),
                    "overdue": i.overdue,
                }
                for i in self.items
            ],
        }


def collect(
    rows: Iterable[worklist.CaseRow],
    calendar: WorkCalendar,
    today: date,
    within: int,
    addresses: dict[str, str],
) -> list[Digest]:
    """One digest per handler with something overdue or due within ``within`` working days
    (overdue first, each list by due date); handlers in name order."""
    open_rows = [r for r in rows if not r.case.is_closed and r.handler.strip()]
    pairs = worklist.overdue_steps(open_rows) + worklist.due_soon(
        open_rows, calendar, today, within
    )
    digests: dict[str, Digest] = {}
    for row, step in pairs:
        name = row.handler.strip()
        digest = digests.setdefault(name, Digest(name, addresses.get(name, "")))
        digest.items.append(ReminderItem(row.case.case_no, step.name, step.due, step.overdue))
    return [digests[name] for name in sorted(digests)]


def plan(
    config: Config, settings: MailSettings, within: int, now: datetime | None = None
) -> list[Digest]:
    """The digests of the working folder's cases as of ``now``; nothing sent."""
    if within < 0:
        raise BadValueError(f"--within 应为不小于 0 的工作日数: {within}")
    clock = clock_for(config)
    cases, _errors = open_casebook(config, clock).scan()
    now = now or datetime.now()
    rows = worklist.case_rows(cases, clock.profile, clock.calendar, now)
    return collect(rows, clock.calendar, now.date(), within, settings.handlers)


def compose(digest: Digest, within: int, organization: str) -> tuple[str, str]:
    """The subject and plain-text body of one handler's reminder, in Chinese."""
    subject = (
        f"【办理提醒】{len(digest.overdue)} 个步骤已超期, "
        f"{len(digest.due_soon)} 个步骤 {within} 个工作日内到期"
    )
    lines = [
        f"{digest.handler}: 您好!",
        "",
        f"您经办的案件中有以下步骤需要办理 ({organization}):",
        "",
    ]
    if digest.overdue:
        lines += ["已超期 (overdue):", *(i.line() for i in digest.overdue), ""]
    if digest.due_soon:
        lines += [f"{within} 个工作日内到期:", *(i.line() for i in digest.due_soon), ""]
    lines += [
        "请登录 recordkit 网页工作台或运行 `recordkit case status 案件编号` 查看详情。",
        "(本邮件由 recordkit remind 自动发送, 请勿回复。)",
    ]
    return subject, "\n".join(lines) + "\n"


def send(
    config: Config,
    settings: MailSettings,
    digests: list[Digest],
    within: int,
    dry_run: bool = False,
) -> list[Digest]:
    """Mail each digest that has an address (``dry_run``: only mark what would be sent).
    Each digest's ``state`` says what became of it."""
    organization = str(config.section("organization").get("name", "") or "")
    outgoing = []
    for digest in digests:
        if not digest.address:
            digest.state = NO_ADDRESS
        elif dry_run:
            digest.state = DRY_RUN
        else:
            subject, body = compose(digest, within, organization)
            outgoing.append((digest, make_message(settings, digest.address, subject, body)))
    refused = send_messages(settings, [message for _digest, message in outgoing])
    for digest, _message in outgoing:
        digest.reason = refused.get(digest.address, "")
        digest.state = REFUSED if digest.reason else SENT
    return digests


def run(
    config: Config, within: int = 3, dry_run: bool = False, now: datetime | None = None
) -> list[Digest]:
    """`recordkit remind`: plan and send with the folder's ``[mail]`` settings."""
    settings = mail_settings(config.section("mail"))
    return send(config, settings, plan(config, settings, within, now), within, dry_run)


def start_daily_reminders(
    config: Config, within: int = 3, stop: threading.Event | None = None
) -> threading.Thread | None:
    """``serve``'s daily run when ``[mail] daily_at`` is set (None when it is not)."""
    section = config.section("mail")
    if not section or not section.get("daily_at"):
        return None
    settings = mail_settings(section)  # a mistake in [mail] stops `serve` at start, not at 08:30
    return start_daily(settings.daily_at, lambda: run(config, within), stop)


def next_run(now: datetime, at: tuple[int, int]) -> datetime:
    """The next moment at ``at`` (hour, minute) after ``now``: today if still ahead, else tomorrow."""
    today_at = now.replace(hour=at[0], minute=at[1], second=0, microsecond=0)
    return today_at if today_at > now else today_at + timedelta(days=1)


def start_daily(
    at: tuple[int, int], job: Callable[[], object], stop: threading.Event | None = None
) -> threading.Thread:
    """Run ``job`` every day at ``at`` in a daemon thread (``serve``'s reminders). A failing
    run is logged and the next day's still happens: a mail server down today must not stop
    tomorrow's reminders, nor the web server."""
    stop = stop or threading.Event()

    def loop() -> None:
        while not stop.wait((next_run(datetime.now(), at) - datetime.now()).total_seconds()):
            try:
                job()
            except Exception:  # noqa: BLE001 - logged; the thread must live on
                log.exception("每日提醒发送失败 (daily reminders failed)")

    thread = threading.Thread(target=loop, name="recordkit-remind", daemon=True)
    thread.start()
    return thread
