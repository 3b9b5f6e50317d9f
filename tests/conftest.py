"""Shared fixtures: a fresh working folder, a CLI runner, a realistic case."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from recordkit.cases import CaseBook
from recordkit.config import Config, init_workdir

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
    "subject": {"description": "检验报告 No.2026-0311", "report_no": "2026-0311", "report_received_at": "2026-02-20"},
    "content": "报告中抗压强度数据与我方送检记录不符。",
    "request": "复检并重新出具报告",
    "category": "质量",
    "severity": "一般",
    "acceptance": {"decision": "受理", "decided_at": "2026-03-03"},
    "assignment": {"department": "质量信息管理科", "handler": "王芳", "investigators": ["王芳", "赵雷"], "recused": ["刘某"]},
    "investigation": {"findings": "原始记录核查无误。", "root_cause": "送检样品标识不清。", "valid": False, "responsibility": "非我方责任"},
    "resolution": {"measures": "向客户解释并免费复检。", "compensation": 0, "approved_by": "陈某", "approved_at": "2026-03-09"},
    "reply": {"replied_at": "2026-03-10", "method": "书面", "content": "经复检, 原报告结果正确。"},
    "follow_up": {"visited_at": "2026-03-20", "by": "王芳", "satisfaction": "满意", "opinion": "认可"},
    "closed_at": "2026-03-21",
    "extra": {},
}


@pytest.fixture
def sample_case() -> dict:
    return copy.deepcopy(SAMPLE_CASE)


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
    from recordkit.office import find_soffice

    if find_soffice() is None:
        return "LibreOffice (soffice) is not installed; CI installs libreoffice-writer-nogui as root"
    return None


os.environ.setdefault("PYTHONIOENCODING", "utf-8")
