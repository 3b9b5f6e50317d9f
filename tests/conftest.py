"""Shared fixtures: a fresh working folder, a CLI runner, a realistic case."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from pg_server import PgServer, pg_server, pg_url  # noqa: F401 - fixtures

from recordkit.cases.store import CaseBook
from recordkit.config import DATABASE_ENV, Config, init_workdir

# RECORDKIT_TEST_BACKEND=postgresql runs the tests again with every index in a fresh
# PostgreSQL database per test (the Makefile's `test` does so for the archive files).
TEST_BACKEND = os.environ.get("RECORDKIT_TEST_BACKEND", "sqlite")

SAMPLE_CASE = {
    "kind": "投诉",
    "received_at": "2026-03-02 09:30",
    "channel": "电话",
    "source": "客户直接",
    "receiver": "张敏",
    "complainant": {
        "name": "李强",
        "organization": "漳州某某建材有限公司",
        "phone": "0596-2345678",
        "address": "福建省漳州市芗城区胜利西路 88 号",
        "email": "li@example.com",
        "occupation": "采购员",
        "anonymous": False,
    },
    "respondent": "检测二室",
    "subject": {
        "description": "检验报告 No.2026-0311",
        "report_no": "2026-0311",
        "report_received_at": "2026-02-20",
    },
    "content": "报告中抗压强度数据与我方送检记录不符。",
    "request": "复检并重新出具报告",
    "category": "质量",
    "severity": "一般",
    "acceptance": {"decision": "受理", "decided_at": "2026-03-03"},
    "assignment": {
        "department": "质量信息管理科",
        "handler": "王芳",
        "investigators": ["王芳", "赵雷"],
        "recused": ["刘某"],
    },
    "investigation": {
        "findings": "原始记录核查无误。",
        "root_cause": "送检样品标识不清。",
        "valid": False,
        "responsibility": "非我方责任",
    },
    "resolution": {
        "measures": "向客户解释并免费复检。",
        "compensation": 0,
        "approved_by": "陈某",
        "approved_at": "2026-03-09",
    },
    "reply": {"replied_at": "2026-03-10", "method": "书面", "content": "经复检, 原报告结果正确。"},
    "follow_up": {
        "visited_at": "2026-03-20",
        "by": "王芳",
        "satisfaction": "满意",
        "opinion": "认可",
    },
    "closed_at": "2026-03-21",
    "extra": {},
}


# One realistic record of each type beside cases (docs/case-format.md, 其他记录).
SAMPLE_RECORDS = {
    "incident": {
        "occurred_at": "2026-05-08 17:26",
        "place": "用户家中",
        "department": "售后服务部安装班组",
        "reported_by": "钟丽娜",
        "reported_at": "2026-05-11 09:20",
        "product": {
            "name": "空气能热水器",
            "spec": "KFRS-3.5/200L",
            "batch_no": "HN2603-0418",
            "quantity": "1 台",
            "manufacturer": "漳州恒暖电器有限公司",
        },
        "scope": "用户客厅、餐厅地板",
        "description": "热熔接头脱开漏水。",
        "casualties": False,
        "loss_amount": 6800,
        "grade": "重大",
        "immediate_actions": "关闭总阀。",
        "investigation": {
            "investigators": ["谢志远", "钟丽娜"],
            "findings": "插入深度不足。",
            "cause": "未按作业指导书操作。",
            "responsibility": "安装班组",
            "responsible_party": "康某",
        },
        "corrective_action": "重新安装。",
        "capa_no": "CA-2026-011",
        "report": {"to": "总经理", "reported_at": "2026-05-11 10:00", "written_at": "2026-05-16"},
        "handling": {
            "opinion": "赔偿。",
            "result": "已赔偿。",
            "leader_opinion": "同意。",
            "leader": "罗建平",
            "decided_at": "2026-05-18",
            "published_at": "2026-05-25",
            "published_how": "办公会议通报",
        },
        "closed_at": "2026-06-30",
        "extra": {},
    },
    "rectification": {
        "issued_at": "2026-04-09",
        "issuer": "公司工程部",
        "issued_by": "杨振华",
        "recipient": "7#、8# 楼项目部",
        "recipient_contact": "庄文彬",
        "project": "碧湖花园三期",
        "location": "外墙",
        "source": "上级检查",
        "problem": "外墙砖空鼓。",
        "requirement": "铲除重贴。",
        "deadline": "2026-04-30",
        "serious": False,
        "plan": {"content": "两个班组整改。", "approved_by": "杨振华", "approved_at": "2026-04-11"},
        "received_by": "庄文彬",
        "received_at": "2026-04-09",
        "completion": {"report": "已重贴。", "completed_at": "2026-04-26"},
        "recheck": {"by": "杨振华", "at": "2026-04-28", "result": "合格", "opinion": "同意关闭。"},
        "closed_at": "2026-04-28",
        "extra": {},
    },
    "capa": {
        "opened_at": "2026-02-26",
        "action_type": "纠正和预防措施",
        "source": "内部审核",
        "source_ref": "NC-2026-04",
        "basis": "计量器具、仪器设备失准方面的问题",
        "nonconformity": "养护箱温度偏低。",
        "raised_by": "方振宇",
        "department": "水泥组",
        "owner": "李文辉",
        "cause": "加热管老化。",
        "correction": "收回报告。",
        "corrective_action": "更换加热管。",
        "preventive_action": "加装报警。",
        "due": "2026-03-31",
        "approved_by": "陈永泰",
        "approved_at": "2026-02-27",
        "completed_at": "2026-03-20",
        "verification": {
            "by": "吴志诚",
            "at": "2026-04-15",
            "result": "有效",
            "notes": "记录完整。",
        },
        "closed_at": "2026-04-15",
        "extra": {},
    },
    "service": {
        "kind": "维修",
        "requested_at": "2026-05-11 09:00",
        "channel": "电话",
        "customer": {
            "organization": "戴美华（个人用户）",
            "contact": "戴美华",
            "phone": "0596-2345678",
            "address": "碧湖花园 9 幢 1204 室",
        },
        "product": {
            "name": "空气能热水器",
            "model": "KFRS-3.5/200L",
            "serial_no": "HN2603-0418",
            "installed_on": "2026-04-18",
        },
        "fault": "接头脱开。",
        "warranty": True,
        "engineers": ["谢志远", "郑少斌"],
        "arrived_at": "2026-05-14 08:30",
        "completed_at": "2026-05-14 13:10",
        "diagnosis": "热熔深度不足。",
        "work_done": "重新热熔。",
        "parts": [{"name": "PPR 直接", "quantity": "6 个", "reason": "熔接不到位"}],
        "charge": 0,
        "rating": "满意",
        "customer_opinion": "认真。",
        "customer_signer": "戴美华",
        "customer_signed_at": "2026-05-14 13:20",
        "verified_by": "许美玲",
        "verified_at": "2026-05-20",
        "closed_at": "2026-05-20",
        "extra": {},
    },
}
FIRST_NUMBER = {
    "case": "TS-2026-0001",
    "incident": "SG-2026-0001",
    "rectification": "ZG-2026-0001",
    "capa": "CA-2026-001",
    "service": "FW-2026-0001",
}


@pytest.fixture(autouse=True)
def database_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The backend this test runs on: ``sqlite`` (the embedded default, no variable) or
    ``postgresql`` (RECORDKIT_DATABASE_URL names a new database on the suite's server)."""
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    if TEST_BACKEND != "postgresql":
        return "sqlite"
    marker = request.node.get_closest_marker("sqlite_only")
    if marker is not None:
        pytest.skip(f"SQLite only: {marker.args[0] if marker.args else ''}")
    server: PgServer = request.getfixturevalue("pg_server")
    monkeypatch.setenv(DATABASE_ENV, server.new_database())
    return "postgresql"


@pytest.fixture
def sample_case() -> dict:
    return copy.deepcopy(SAMPLE_CASE)


def sample_for(type_name: str) -> dict:
    """A fresh copy of the sample case (``case``) or of the sample record of a type."""
    return copy.deepcopy(SAMPLE_CASE if type_name == "case" else SAMPLE_RECORDS[type_name])


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    """An initialised working folder, which is also the current folder."""
    root = tmp_path / "work"
    config = init_workdir(root, org_name="漳州市示例检验检测中心")
    monkeypatch.chdir(root)
    return config


@pytest.fixture
def book(workdir: Config) -> CaseBook:
    return CaseBook(workdir)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def soffice_missing() -> str | None:
    from recordkit.forms.libreoffice import find_soffice

    if find_soffice() is None:
        return (
            "LibreOffice (soffice) is not installed; CI installs libreoffice-writer-nogui as root"
        )
    return None


os.environ.setdefault("PYTHONIOENCODING", "utf-8")
