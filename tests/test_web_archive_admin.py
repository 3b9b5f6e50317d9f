"""The archive's governance pages (issue 13 point 4) through Django's test client: the
due list and two-person disposal, holds, the audit package export and the results of
verify and check. A real archive (audit_setup) is the working folder of each test."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from audit_setup import DUE, fresh_archive
from django.test import override_settings
from web_setup import make_user, web, web_root  # noqa: F401

from recordkit.archive.export import verify_export
from recordkit.archive.service import Archive
from recordkit.config import Config
from recordkit.web import jobs
from recordkit.web.roles import ADMIN, ARCHIVIST, REGISTRAR

SAME_PERSON = (
    "批准人不能是申请人本人 (王芳 (wangfang)); 销毁须由另一人批准 "
    "(two-person rule: the approver must not be the proposer)"
)


@pytest.fixture
def archive(web: Path, tmp_path: Path) -> Any:  # noqa: F811
    config = fresh_archive(tmp_path / "w")
    with override_settings(RECORDKIT_WORKDIR=str(config.root)):
        yield config


@pytest.fixture
def clients(archive: Config) -> dict[str, Any]:
    """王芳 (档案员) proposes, 陈主任 (管理员) approves; a 登记员 may do neither."""
    from django.test import Client

    made = {}
    for key, (name, role, full) in {
        "wang": ("wangfang", ARCHIVIST, "王芳"),
        "chen": ("chen", ADMIN, "陈主任"),
        "reg": ("reg", REGISTRAR, "李登记"),
    }.items():
        client = Client()
        client.force_login(make_user(name, role, full_name=full))
        made[key] = client
    return made


def stored(config: Config, archive_no: str) -> Path:
    with Archive(config) as archive:
        return Path(archive.show(archive_no)["original_path"])


def error_of(page: str, element_id: str) -> str:
    found = re.search(rf'<span class="error" id="{element_id}">(.*?)</span>', page, re.S)
    assert found, page[-3000:]
    return found[1]


def propose(client: Any, *items: str, reason: str = "保管期满经鉴定无保存价值") -> Any:
    return client.post("/archive/disposal/propose/", {"items": list(items), "reason": reason})


def events(config: Config, kind: str) -> list[dict[str, Any]]:
    with Archive(config) as archive:
        return [json.loads(e["detail"]) for e in archive.index.events() if e["kind"] == kind]


def test_due_list_with_checkboxes_and_its_spreadsheet(archive: Config, clients: dict) -> None:
    from openpyxl import load_workbook

    page = clients["wang"].get("/archive/disposal/").content.decode()
    for archive_no in DUE:
        assert f'<input type="checkbox" name="items" value="{archive_no}">' in page
    assert 'href="/archive/doc/Z109-WS·2015-D10-0001/"' in page
    assert "没有待批准的申请。" in page
    response = clients["wang"].get("/archive/due.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [sheet.cell(row=r, column=2).value for r in (4, 5)] == DUE
    assert sheet.cell(row=4, column=7).value.year == 2026  # 到期日期: a real date


def test_the_proposer_cannot_approve_on_the_server(archive: Config, clients: dict) -> None:
    response = propose(clients["wang"], *DUE)
    assert response.status_code == 302
    with Archive(archive) as arch:
        (proposal,) = arch.disposal_proposals()
        assert arch.layout.abs(proposal["list_pdf"]).is_file()  # the 销毁清册, before any deletion
    assert events(archive, "disposal_proposed")[0]["proposer"] == "王芳 (wangfang)"
    page = clients["wang"].get("/archive/disposal/").content.decode()
    assert "您是申请人: 须由另一人批准。" in page and "已在申请 #1 中" in page
    refused = clients["wang"].post("/archive/disposal/1/approve/")
    assert refused.status_code == 400
    assert error_of(refused.content.decode(), "proposal-1-error") == SAME_PERSON
    assert all(stored(archive, n).exists() for n in DUE)
    assert events(archive, "disposal_started") == []


def test_another_person_approves_and_the_list_can_be_downloaded(
    archive: Config, clients: dict
) -> None:
    propose(clients["wang"], *DUE)
    with Archive(archive) as arch:
        draft = arch.layout.abs(arch.disposal_proposals()[0]["list_pdf"])
    assert draft.is_file()
    response = clients["chen"].post("/archive/disposal/1/approve/")
    assert response.status_code == 302
    assert not any(stored(archive, n).exists() for n in DUE)
    assert draft.is_file()
    (approved,) = events(archive, "disposal_approved")
    assert approved["approver"] == "陈主任 (chen)"
    page = clients["chen"].get("/archive/disposal/").content.decode()
    assert "已批准销毁申请 #1: 已销毁 2 件 (第 1 批)。" in page
    assert 'href="/archive/disposal/batch/1.pdf"' in page and "已批准并销毁 (第 1 批)" in page
    pdf = clients["chen"].get("/archive/disposal/batch/1.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    draft_xlsx = clients["wang"].get("/archive/disposal/proposal/1.xlsx")
    assert draft_xlsx.status_code == 200
    assert clients["wang"].get("/archive/disposal/batch/9.pdf").status_code == 404
    with Archive(archive) as arch:
        assert arch.verify().ok


def test_propose_errors_are_beside_the_fields(archive: Config, clients: dict) -> None:
    response = clients["wang"].post("/archive/disposal/propose/", {"reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert error_of(page, "id_items_error") == "请至少勾选一件到期档案"
    assert error_of(page, "id_reason_error") == "请写明销毁原因 / 鉴定意见"
    not_due = propose(clients["wang"], "Z109-WS·2026-D10-0001")
    assert not_due.status_code == 400  # not offered: the form refuses a record that is not due
    assert "Z109-WS·2026-D10-0001" in error_of(not_due.content.decode(), "id_items_error")


def test_reject_needs_a_reason_and_deletes_nothing(archive: Config, clients: dict) -> None:
    propose(clients["wang"], DUE[0])
    blank = clients["chen"].post("/archive/disposal/1/reject/", {"reason": " "})
    assert blank.status_code == 400
    assert error_of(blank.content.decode(), "proposal-1-error") == "必须写明驳回原因 (reason)"
    done = clients["chen"].post("/archive/disposal/1/reject/", {"reason": "需续存"})
    assert done.status_code == 302
    assert stored(archive, DUE[0]).exists()
    assert events(archive, "disposal_rejected") == [
        {"proposal_id": 1, "by": "陈主任 (chen)", "reason": "需续存"}
    ]
    page = clients["chen"].get("/archive/disposal/").content.decode()
    assert "已驳回" in page and "需续存" in page


def test_a_registrar_can_neither_propose_nor_approve(archive: Config, clients: dict) -> None:
    propose(clients["wang"], *DUE)
    assert clients["reg"].post("/archive/disposal/1/approve/").status_code == 403
    assert propose(clients["reg"], *DUE).status_code == 403
    assert clients["reg"].get("/archive/holds/").status_code == 403
    assert all(stored(archive, n).exists() for n in DUE)


def test_a_hold_blocks_the_approval_until_released(archive: Config, clients: dict) -> None:
    propose(clients["wang"], *DUE)
    added = clients["wang"].post(
        "/archive/holds/add/", {"case_no": "TS-2015-0001", "reason": "诉讼中"}
    )
    assert added.status_code == 302
    page = clients["wang"].get("/archive/holds/").content.decode()
    assert "案件 TS-2015-0001, 覆盖 2 件; 原因: 诉讼中; 王芳 (wangfang) 于" in page
    refused = clients["chen"].post("/archive/disposal/1/approve/")
    assert refused.status_code == 400
    error = error_of(refused.content.decode(), "proposal-1-error")
    assert error.startswith("销毁被拒绝, 未销毁任何档案 (disposal refused, nothing destroyed):")
    assert f"{DUE[0]}: 处于法律保全 #1 (案件 TS-2015-0001): 诉讼中" in error
    assert all(stored(archive, n).exists() for n in DUE)
    no_reason = clients["chen"].post("/archive/holds/1/release/", {"reason": ""})
    assert no_reason.status_code == 400
    assert error_of(no_reason.content.decode(), "hold-1-error") == "请写明解除原因"
    released = clients["chen"].post("/archive/holds/1/release/", {"reason": "诉讼已结束"})
    assert released.status_code == 302
    assert events(archive, "hold_released")[0]["by"] == "陈主任 (chen)"
    assert clients["chen"].post("/archive/disposal/1/approve/").status_code == 302
    assert not stored(archive, DUE[0]).exists()


def test_hold_form_errors_are_beside_the_fields(archive: Config, clients: dict) -> None:
    two = clients["wang"].post(
        "/archive/holds/add/", {"case_no": "TS-2015-0001", "year": "2015", "reason": "x"}
    )
    assert two.status_code == 400
    assert "请只填一个保全对象: 档号, 或案件编号, 或年度" in two.content.decode()
    unknown = clients["wang"].post(
        "/archive/holds/add/", {"archive_no": "Z109-WS·2015-D10-0099", "reason": "诉讼中"}
    )
    assert unknown.status_code == 400
    assert error_of(unknown.content.decode(), "id_archive_no_error") == (
        "找不到档号为 Z109-WS·2015-D10-0099 的档案 (no archived document with this number)"
    )
    no_reason = clients["wang"].post("/archive/holds/add/", {"year": "2015"})
    assert error_of(no_reason.content.decode(), "id_reason_error") == "请写明保全原因"


def run_job(client: Any, url: str, data: dict[str, str] | None = None) -> str:
    response = client.post(url, data or {})
    assert response.status_code == 302, response.content.decode()[-2000:]
    job_id = int(re.search(r"/archive/jobs/(\d+)/", response["Location"])[1])
    jobs.wait(job_id, 120)
    return client.get(response["Location"]).content.decode()


def test_export_is_a_download_that_verifies(archive: Config, clients: dict, tmp_path: Path) -> None:
    page = run_job(clients["wang"], "/archive/export/", {"year": "2015", "cases": ""})
    assert "已导出 2015 年度: 4 件档案, 原件 4 份" in page, page[-3000:]
    assert '<p id="bag-ok">校验通过' in page
    link = re.search(r'href="(/archive/export/[^"]+)" id="export-download"', page)[1]
    response = clients["wang"].get(link)
    assert response.status_code == 200
    package = tmp_path / "package.zip"
    package.write_bytes(b"".join(response.streaming_content))
    assert zipfile.is_zipfile(package)
    assert verify_export(package).ok
    assert events(archive, "exported")[-1]["by"] == "王芳 (wangfang)"
    assert link.rsplit("/", 1)[1] in clients["chen"].get("/archive/export/").content.decode()
    assert clients["wang"].get("/archive/export/..%2Frecordkit.toml").status_code == 404


def test_export_form_errors(archive: Config, clients: dict) -> None:
    blank = clients["wang"].post("/archive/export/", {"year": ""})
    assert blank.status_code == 400
    assert error_of(blank.content.decode(), "id_year_error") == "请填写年度"
    page = run_job(clients["wang"], "/archive/export/", {"year": "2015", "cases": "TS-2099-0001"})
    assert (
        '<p class="error" id="job-error">任务失败: 2015 年度的档案中没有案件 TS-2099-0001' in page
    )


def test_verify_and_check_results(archive: Config, clients: dict) -> None:
    page = run_job(clients["chen"], "/archive/checks/verify/")
    assert "校验通过: 原件 7 份" in page, page[-3000:]
    assert re.search(r'<p id="chain">完整: 事件 \d+ 条', page)
    assert events(archive, "verified")[-1]["by"] == "陈主任 (chen)"
    stored(archive, DUE[0]).chmod(0o644)
    stored(archive, DUE[0]).write_bytes(b"%PDF-1.4 changed")
    page = run_job(clients["chen"], "/archive/checks/verify/")
    assert "校验发现问题" in page and "被改动 1" in page and DUE[0] in page
    page = run_job(clients["wang"], "/archive/checks/check/")
    assert '<table id="check-counts">' in page and "<th>四性检测</th>" in page
    assert '<table id="sequences">' in page and '<ul id="check-lines">' in page
    assert re.search(r'<p id="job-summary">检查(通过|发现问题): 件号序列 \d+ 个', page)
