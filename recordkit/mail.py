"""E-mail over SMTP (stdlib ``smtplib`` and ``email``): the ``[mail]`` settings of
``recordkit.toml`` and one call that sends a batch of messages over one connection.

Only the standard library: the office's mail server is the trusted part, and a reminder
needs nothing a well-kept SMTP client does not already do. Errors of the server or the
network become ``MailError`` (a ``RecordkitError``) with a Chinese message.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from recordkit.errors import ConfigError, RecordkitError

SECTION = "[mail] (recordkit.toml)"
TIMEOUT_SECONDS = 30
DAILY_AT = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class MailError(RecordkitError):
    """The mail server could not be reached or refused the messages."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    sender: str
    starttls: bool = False
    use_ssl: bool = False
    user: str = ""
    password: str = ""
    daily_at: tuple[int, int] | None = None  # (hour, minute) for `serve`'s daily run
    handlers: dict[str, str] = field(default_factory=dict)  # handler name -> address


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise ConfigError(f"{SECTION} 的 {key} 应为文字 (must be a string): {value!r}")
    return value.strip()


def _flag(raw: Mapping[str, Any], key: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{SECTION} 的 {key} 应为 true 或 false: {value!r}")
    return value


def _password(raw: Mapping[str, Any]) -> str:
    """``password`` as written, or read from the variable ``password_env`` names (so the
    file need not hold a secret)."""
    name = _text(raw, "password_env")
    if not name:
        return _text(raw, "password")
    if name not in os.environ:
        raise ConfigError(
            f"{SECTION} 的 password_env 指定的环境变量 {name} 未设置 (environment variable not set)"
        )
    return os.environ[name]


def parse_daily_at(value: object) -> tuple[int, int] | None:
    """``"08:30"`` -> (8, 30); absent or blank -> None."""
    if value is None or value == "":
        return None
    match = DAILY_AT.match(value) if isinstance(value, str) else None
    if not match:
        raise ConfigError(f'{SECTION} 的 daily_at 应为 时:分, 例如 "08:30" (got {value!r})')
    return int(match.group(1)), int(match.group(2))


def _handlers(raw: Mapping[str, Any]) -> dict[str, str]:
    table = raw.get("handlers", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise ConfigError(f'{SECTION} 的 [mail.handlers] 应为 姓名 = "邮箱地址" 的表')
    return {
        str(name).strip(): address.strip() for name, address in table.items() if address.strip()
    }


def mail_settings(section: Mapping[str, Any] | None) -> MailSettings:
    """The ``[mail]`` section as settings; a missing section or host is a Chinese error."""
    if not section:
        raise ConfigError(
            "recordkit.toml 中没有 [mail] 设置, 无法发送邮件 (no [mail] section); "
            "请填写 host、port、from 等, 见 docs/web.md 的「提醒邮件」"
        )
    host, sender = _text(section, "host"), _text(section, "from")
    if not host or not sender:
        raise ConfigError(f"{SECTION} 必须填写 host 和 from (SMTP server and sender address)")
    use_ssl, starttls = _flag(section, "ssl"), _flag(section, "starttls")
    port = section.get("port", 465 if use_ssl else 587 if starttls else 25)
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError(f"{SECTION} 的 port 应为 1–65535 的整数: {port!r}")
    return MailSettings(
        host=host,
        port=port,
        sender=sender,
        starttls=starttls,
        use_ssl=use_ssl,
        user=_text(section, "user"),
        password=_password(section),
        daily_at=parse_daily_at(section.get("daily_at")),
        handlers=_handlers(section),
    )


def make_message(settings: MailSettings, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message (the header encoding of Chinese is the library's job)."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, to, subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message.set_content(body)
    return message


def _connect(settings: MailSettings) -> smtplib.SMTP:
    if settings.use_ssl:
        return smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            timeout=TIMEOUT_SECONDS,
            context=ssl.create_default_context(),
        )
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
    if settings.starttls:
        smtp.starttls(context=ssl.create_default_context())
    return smtp


def send_messages(settings: MailSettings, messages: list[EmailMessage]) -> dict[str, str]:
    """Send ``messages`` over one connection. Returns, per refused recipient, why; a server
    that cannot be reached or refuses the login is a ``MailError``."""
    refused: dict[str, str] = {}
    if not messages:
        return refused
    try:
        with _connect(settings) as smtp:
            if settings.user:
                smtp.login(settings.user, settings.password)
            for message in messages:
                try:
                    smtp.send_message(message)
                except (
                    smtplib.SMTPRecipientsRefused,
                    smtplib.SMTPDataError,
                    smtplib.SMTPSenderRefused,
                ) as exc:
                    refused[str(message["To"])] = str(exc)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(
            f"无法通过邮件服务器 {settings.host}:{settings.port} 发送 (SMTP failed): {exc}"
        ) from None
    return refused
