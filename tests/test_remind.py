"""`recordkit remind`: a Chinese digest per handler, sent to a REAL local SMTP server
(aiosmtpd on a free port), plus --dry-run, --json, the settings and the daily schedule."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from web_setup import free_port

from recordkit.cli import cli
from recordkit.clock.reminders import next_run, start_daily, start_daily_reminders
from recordkit.config import Config, load_config
from recordkit.errors import ConfigError
from recordkit.mail import mail_settings

REFUSED_ADDRESS = "nobody@example.com"


class Inbox:
    """An aiosmtpd handler keeping every message; one address is refused (550)."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address == REFUSED_ADDRESS:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


def _mail_section(workdir: Config, port: int, handlers: dict[str, str]) -> None:
    table = "\n".join(f'"{name}" = "{address}"' for name, address in handlers.items())
    with (workdir.root / "recordkit.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            f'\n[mail]\nhost = "127.0.0.1"\nport = {port}\nfrom = "recordkit@example.com"\n'
            f"\n[mail.handlers]\n{table}\n"
        )


def _open_case(sample_case: dict, received: datetime, handler: str) -> dict:
    data = dict(sample_case, received_at=received.strftime("%Y-%m-%d %H:%M"))
    for key in ("reply", "closed_at", "follow_up", "resolution"):
        data.pop(key, None)
    data["acceptance"] = {"decision": "受理", "decided_at": received.strftime("%Y-%m-%d")}
    data["assignment"] = dict(data["assignment"], handler=handler, investigators=[handler])
    return data


@pytest.fixture
def cases(workdir, book, sample_case):
    """TS-2026-0001 (王芳) long overdue, TS-2026-0002 (王芳) received now, TS-2026-0003
    (赵雷, no address) overdue, TS-2026-0004 closed (not reminded)."""
    book.add(
        dict(_open_case(sample_case, datetime(2026, 3, 2, 9, 30), "王芳"), case_no="TS-2026-0001")
    )
    book.add(
        dict(
            _open_case(sample_case, datetime.now() - timedelta(minutes=5), "王芳"),
            case_no="TS-2026-0002",
        )
    )
    book.add(
        dict(_open_case(sample_case, datetime(2026, 3, 2, 9, 30), "赵雷"), case_no="TS-2026-0003")
    )
    book.add(dict(sample_case, case_no="TS-2026-0004"))
    return workdir


def _steps(runner, case_no: str) -> list[dict]:
    status = json.loads(runner.invoke(cli, ["case", "status", case_no, "--json"]).stdout)[0]
    return status["steps"]


def test_remind_sends_a_chinese_digest_to_each_handler(cases, runner, smtp):
    _mail_section(cases, smtp.port, {"王芳": "wangfang@example.com"})
    result = runner.invoke(cli, ["remind", "--within", "30"])
    assert result.exit_code == 0, result.output
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "wangfang@example.com"
    assert message["From"] == "recordkit@example.com"
    assert message["Subject"].startswith("【办理提醒】")
    assert "个步骤已超期" in message["Subject"] and "30 个工作日内到期" in message["Subject"]
    body = message.get_content()
    assert body.startswith("王芳: 您好!")
    assert "TS-2026-0001" in body and "TS-2026-0002" in body
    assert "TS-2026-0003" not in body and "TS-2026-0004" not in body  # 赵雷's; closed
    late = [s for s in _steps(runner, "TS-2026-0001") if s["state"] == "已超期"]
    assert late, "the March case must be overdue"
    for step in late:
        assert f"【已超期】 TS-2026-0001  {step['name']}  应于 {step['due']} 前完成" in body
    soon = [s for s in _steps(runner, "TS-2026-0002") if s["state"] == "进行中" and s["due"]]
    assert any(
        f"【即将到期】 TS-2026-0002  {s['name']}  应于 {s['due']} 前完成" in body for s in soon
    )
    # The handler without an address is listed, not reminded.
    assert "赵雷" in result.stdout and "未提醒: 没有邮箱地址" in result.stdout
    assert "wangfang@example.com" in result.stdout and "已发送" in result.stdout


def test_dry_run_sends_nothing_and_json_lists_each_handler(cases, runner, smtp):
    _mail_section(cases, smtp.port, {"王芳": "wangfang@example.com"})
    result = runner.invoke(cli, ["remind", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    assert smtp.messages == []
    digests = {d["handler"]: d for d in json.loads(result.stdout)}
    assert set(digests) == {"王芳", "赵雷"}
    assert digests["王芳"]["state"] == "将发送 (dry run)"
    assert digests["王芳"]["address"] == "wangfang@example.com"
    assert digests["赵雷"] == {**digests["赵雷"], "address": None, "state": "未提醒: 没有邮箱地址"}
    assert {i["case_no"] for i in digests["赵雷"]["items"]} == {"TS-2026-0003"}
    assert all(i["overdue"] for i in digests["赵雷"]["items"])
    text = runner.invoke(cli, ["remind", "--dry-run"])
    assert text.exit_code == 0 and "将发送 (dry run)" in text.stdout and smtp.messages == []


def test_missing_mail_section_is_a_chinese_error(cases, runner):
    result = runner.invoke(cli, ["remind", "--dry-run"])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: recordkit.toml 中没有 [mail] 设置, 无法发送邮件 (no [mail] section)"
    )


def test_refused_recipient_and_unreachable_server_exit_1(cases, runner, smtp):
    _mail_section(cases, smtp.port, {"王芳": "wangfang@example.com", "赵雷": REFUSED_ADDRESS})
    result = runner.invoke(cli, ["remind"])
    assert result.exit_code == 1
    assert [m["To"] for m in smtp.messages] == ["wangfang@example.com"]  # the others still go
    assert f"Error: 邮件服务器拒收了以下提醒 (refused): 赵雷 <{REFUSED_ADDRESS}>" in result.stderr
    (cases.root / "recordkit.toml").write_text(
        (cases.root / "recordkit.toml")
        .read_text(encoding="utf-8")
        .replace(f"port = {smtp.port}", f"port = {free_port()}"),
        encoding="utf-8",
    )
    down = runner.invoke(cli, ["remind"])
    assert down.exit_code == 1
    assert down.stderr.startswith("Error: 无法通过邮件服务器 127.0.0.1:")


def test_nothing_due_says_so(workdir, runner, smtp):
    _mail_section(workdir, smtp.port, {})
    result = runner.invoke(cli, ["remind"])
    assert result.exit_code == 0
    assert result.stdout.startswith("没有需要提醒的步骤")
    assert smtp.messages == []


def test_bad_within_is_a_bad_value(workdir, runner):
    result = runner.invoke(cli, ["remind", "--within", "-1"])
    assert result.exit_code == 1  # a bad value, as click's other range checks in recordkit
    assert "Invalid value for '--within'" in result.stderr


@pytest.mark.parametrize(
    ("section", "error"),
    [
        ({"host": "mail.example.com"}, "[mail] (recordkit.toml) 必须填写 host 和 from"),
        (
            {"host": "h", "from": "a@b", "port": "25"},
            "[mail] (recordkit.toml) 的 port 应为 1–65535 的整数",
        ),
        (
            {"host": "h", "from": "a@b", "daily_at": "8.30"},
            "[mail] (recordkit.toml) 的 daily_at 应为 时:分",
        ),
        (
            {"host": "h", "from": "a@b", "password_env": "RECORDKIT_TEST_NO_SUCH_VAR"},
            "[mail] (recordkit.toml) 的 password_env 指定的环境变量 RECORDKIT_TEST_NO_SUCH_VAR 未设置",
        ),
    ],
)
def test_bad_mail_settings(section, error):
    with pytest.raises(ConfigError) as caught:
        mail_settings(section)
    assert caught.value.message.startswith(error)


def test_mail_settings_defaults_and_password_env(monkeypatch):
    monkeypatch.setenv("RECORDKIT_TEST_SMTP_PASSWORD", "s3cret")
    settings = mail_settings(
        {
            "host": "smtp.example.com",
            "from": "a@example.com",
            "starttls": True,
            "user": "a",
            "password_env": "RECORDKIT_TEST_SMTP_PASSWORD",
            "daily_at": "08:30",
        }
    )
    assert (settings.port, settings.password, settings.daily_at) == (587, "s3cret", (8, 30))
    assert mail_settings({"host": "h", "from": "a@b", "ssl": True}).port == 465
    assert mail_settings({"host": "h", "from": "a@b"}).port == 25


def test_next_run_is_today_if_ahead_else_tomorrow():
    assert next_run(datetime(2026, 5, 6, 7, 0), (8, 30)) == datetime(2026, 5, 6, 8, 30)
    assert next_run(datetime(2026, 5, 6, 8, 30), (8, 30)) == datetime(2026, 5, 7, 8, 30)
    assert next_run(datetime(2026, 12, 31, 23, 59), (0, 0)) == datetime(2027, 1, 1, 0, 0)


def test_daily_thread_waits_for_its_time_and_stops_when_asked():
    calls = []
    stop = threading.Event()
    now = datetime.now() + timedelta(minutes=1)  # the next whole minute: at most ~60 s away
    thread = start_daily((now.hour, now.minute), lambda: calls.append(1), stop)
    assert thread.daemon and thread.is_alive()
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive() and calls == []


def test_serve_starts_daily_reminders_only_when_daily_at_is_set(workdir: Config, smtp):
    assert start_daily_reminders(workdir) is None
    _mail_section(workdir, smtp.port, {})
    path: Path = workdir.root / "recordkit.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("[mail]\n", '[mail]\ndaily_at = "23:59"\n'),
        encoding="utf-8",
    )
    stop = threading.Event()
    thread = start_daily_reminders(load_config(path), stop=stop)
    assert thread is not None and thread.name == "recordkit-remind" and thread.is_alive()
    stop.set()
    thread.join(timeout=5)
