"""The 报表 and 表单 pages through Django's test client (issue 12): the report's figures,
charts and downloads; the form catalog with first-page images; uploading a revised
template (checked first, nothing replaced when broken, the previous file kept), the
regenerate plan and applying it as a background job; and who may do each."""

from __future__ import annotations

import io
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from docx_text import docx_text
from test_web_cases import create
from web_setup import make_user, role_clients, web, web_root  # noqa: F401

from recordkit.reports.stats import parse_month
from recordkit.web import jobs
from recordkit.web.roles import ROLES
from recordkit.workspace import Workspace

R, H, A, AR, AD = ROLES
EVERYONE = set(ROLES)
MONTH = "2021-06"  # no other test registers cases in this month: the counts are exact
F01 = "F01-申诉和投诉处理及反馈表.docx"

# (method, url, roles allowed) of every new view.
ADMIN_PAGES = [
    ("get", "/reports/", EVERYONE),
    ("get", f"/reports/?month={MONTH}", EVERYONE),
    ("get", "/reports/?year=2021", EVERYONE),
    ("post", f"/reports/{MONTH}/generate/", {R, A, AD}),
    ("get", f"/reports/{MONTH}/xlsx/", EVERYONE),
    ("get", f"/reports/{MONTH}/charts/1-channel.png", EVERYONE),
    ("get", "/forms/", {AD}),
    ("post", "/forms/upload/", {AD}),
    ("get", "/forms/F01/plan/", {AD}),
    ("post", "/forms/NOPE/apply/", {AD}),
    ("get", "/forms/jobs/999999/", {AD}),
    ("get", "/forms/NOPE/preview.png", {AD}),
]


def ws() -> Workspace:
    from django.conf import settings

    return Workspace.open(Path(settings.RECORDKIT_WORKDIR) / "recordkit.toml")


def rezip(data: bytes, member: str, old: str, new: str) -> bytes:
    """The .docx with ``old`` replaced by ``new`` in one part (as Word would save an edit)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                assert old.encode() in content
                content = content.replace(old.encode(), new.encode(), 1)
            target.writestr(info, content)
    return out.getvalue()


@pytest.fixture
def template(web: Path) -> Iterator[Path]:  # noqa: F811
    """F01 of the shared folder, put back as it was (and its history removed) afterwards."""
    path = web / "form_templates" / F01
    original = path.read_bytes()
    yield path
    path.write_bytes(original)
    for kept in (web / "form_templates" / ".history").glob("*"):
        kept.unlink()


def upload(client: Any, data: bytes, code: str = "F01", name: str = "新模板.docx") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/forms/upload/", {"code": code, "file": SimpleUploadedFile(name, data)})


# --------------------------------------------------------------------------- permissions


@pytest.mark.parametrize(("method", "url", "allowed_roles"), ADMIN_PAGES)
def test_admin_permission_table(
    role_clients: dict[str, Any],
    method: str,
    url: str,  # noqa: F811
    allowed_roles: set[str],
) -> None:
    for role in ROLES:
        response = getattr(role_clients[role], method)(url)
        if role in allowed_roles:
            # The page, a redirect after a POST, a form with errors, or a missing object.
            assert response.status_code in (200, 302, 400, 404), (role, url, response.status_code)
        else:
            assert response.status_code == 403, (role, url, response.status_code)
            assert "您的角色无权执行此操作" in response.content.decode()


@pytest.mark.parametrize(("method", "url", "_roles"), ADMIN_PAGES)
def test_admin_pages_send_anonymous_to_login(
    web: Path, method: str, url: str, _roles: set[str]
) -> None:  # noqa: F811
    from django.test import Client

    response = getattr(Client(), method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


# --------------------------------------------------------------------------- 报表


def test_report_page_shows_the_figures_and_downloads_work(role_clients: dict[str, Any]) -> None:  # noqa: F811
    create(role_clients[R], received_at=f"{MONTH}-15T10:00", channel="电话")
    create(role_clients[R], received_at=f"{MONTH}-16T10:00", channel="来访")
    viewer = role_clients[H]
    page = viewer.get(f"/reports/?month={MONTH}")
    assert page.status_code == 200
    text = page.content.decode()
    stats, _problems = ws().report_figures(parse_month(MONTH))
    assert stats.total == 2 and stats.by_channel["电话"] == 1 and stats.by_channel["来访"] == 1
    assert "2021年6月 投诉处理统计月报" in text
    assert "<tr><td>2</td><td>0</td><td>2</td>" in text  # 接收 2, 已办结 0, 办理中 2
    assert "<tr><td>电话</td><td>1</td></tr>" in text and "<tr><td>来访</td><td>1</td></tr>" in text
    for target in stats.targets:
        assert f"<td>{target.name}</td>" in text and target.status in text
    for step in stats.steps:
        assert f"<td>{step.name}</td>" in text
    assert 'id="generate-report"' not in text  # 经办人 views, does not generate

    made = role_clients[A].post(f"/reports/{MONTH}/generate/", {"pdf": "1"})
    assert made.status_code == 302 and made["Location"] == f"/reports/?month={MONTH}"
    text = viewer.get(f"/reports/?month={MONTH}").content.decode()
    for fmt in ("docx", "xlsx", "pdf"):
        assert f'href="/reports/{MONTH}/{fmt}/"' in text
    assert f'src="/reports/{MONTH}/charts/1-channel.png"' in text

    docx = viewer.get(f"/reports/{MONTH}/docx/")
    assert docx.status_code == 200
    assert quote("投诉统计月报-2021-06.docx") in docx["Content-Disposition"]
    assert "2021年6月" in docx_text(b"".join(docx.streaming_content))
    xlsx = viewer.get(f"/reports/{MONTH}/xlsx/")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert any(2 in row for sheet in book for row in sheet.iter_rows(values_only=True))
    pdf = viewer.get(f"/reports/{MONTH}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    chart = viewer.get(f"/reports/{MONTH}/charts/1-channel.png")
    assert chart.status_code == 200 and b"".join(chart.streaming_content).startswith(b"\x89PNG")


def test_chart_view_serves_only_the_reports_own_charts(role_clients: dict[str, Any]) -> None:  # noqa: F811
    client = role_clients[R]
    assert client.post(f"/reports/{MONTH}/generate/").status_code == 302
    for name in (
        "..",
        "recordkit.toml",
        "投诉统计月报-2021-06.docx",
        "..%2F..%2Frecordkit.toml",
        "1-channel.PNG",
    ):
        assert client.get(f"/reports/{MONTH}/charts/{name}").status_code == 404, name
    assert client.get("/reports/../charts/1-channel.png").status_code == 404
    assert client.get(f"/reports/{MONTH}/exe/").status_code == 404


def test_bad_month_is_shown_beside_its_field(role_clients: dict[str, Any]) -> None:  # noqa: F811
    page = role_clients[H].get("/reports/?month=2021-13")
    assert page.status_code == 400
    assert (
        '<span class="error" id="month-error">&quot;2021-13&quot; 不是有效的月份'
        in page.content.decode()
    )
    assert role_clients[R].post("/reports/2021-13/generate/").status_code == 404


def test_yearly_report_page(role_clients: dict[str, Any]) -> None:  # noqa: F811
    create(role_clients[R], received_at="2019-02-20T10:00")  # the only test with cases in 2019
    text = role_clients[AR].get("/reports/?year=2019").content.decode()
    assert "2019年 投诉处理统计年报" in text
    assert "报表尚未生成。" in text and "/reports/2019/docx/" not in text  # 档案员 may not generate
    assert "<tr><td>1</td><td>0</td><td>1</td>" in text


# --------------------------------------------------------------------------- 表单


def test_catalog_lists_every_form_with_its_first_page_image(role_clients: dict[str, Any]) -> None:  # noqa: F811
    page = role_clients[AD].get("/forms/")
    assert page.status_code == 200
    text = page.content.decode()
    for row in ws().catalog().listing():
        assert f"<td>{row['code']}</td><td>{row['title']}</td><td>第{row['version']}版</td>" in text
        assert f'src="/forms/{row["code"]}/preview.png"' in text
    assert "<td>F23</td><td>质量事故调查处理报告表</td><td>第1版</td><td>质量事故</td>" in text
    image = role_clients[AD].get("/forms/F01/preview.png")
    assert image.status_code == 200 and b"".join(image.streaming_content).startswith(b"\x89PNG")
    cached = list((ws().config.lock_dir / "previews").glob("F01-*.png"))
    assert len(cached) == 1  # rendered once, under .recordkit/
    assert role_clients[AD].get("/forms/F01/preview.png").status_code == 200
    assert list((ws().config.lock_dir / "previews").glob("F01-*.png")) == cached


def test_catalog_without_libreoffice_says_so(
    role_clients: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: F811
    monkeypatch.setenv(
        "RECORDKIT_SOFFICE", "/nonexistent/soffice"
    )  # the system edge: no LibreOffice
    text = role_clients[AD].get("/forms/").content.decode()
    assert "未找到 LibreOffice (soffice), 无法生成表单首页图片" in text
    assert "preview.png" not in text
    assert role_clients[AD].get("/forms/F02/preview.png").status_code == 404


def test_upload_with_a_broken_tag_shows_the_check_and_replaces_nothing(
    role_clients: dict[str, Any], template: Path
) -> None:  # noqa: F811
    before = template.read_bytes()
    broken = rezip(before, "word/document.xml", "{{ case.case_no }}", "{{ case.case_no ")
    response = upload(role_clients[AD], broken)
    assert response.status_code == 400
    text = response.content.decode()
    assert "模板检查未通过" in text and "模板未替换" in text
    problems = ws().catalog().check(ws().catalog().get("F01"))
    assert problems == []  # the template in the folder is still sound
    assert (
        '<ul class="errors" id="check-problems"><li>F01-申诉和投诉处理及反馈表.docx [word/document.xml]'
        in text
    )
    assert template.read_bytes() == before
    assert not list((template.parent / ".history").glob("*"))


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.7 not a word file", "模板.docx"),
        (b"PK\x03\x04 broken zip", "../../recordkit.toml"),
    ],
)
def test_upload_that_is_not_a_docx_is_refused_beside_the_field(
    role_clients: dict[str, Any], template: Path, data: bytes, name: str
) -> None:  # noqa: F811
    before = template.read_bytes()
    response = upload(role_clients[AD], data, name=name)
    assert response.status_code == 400
    assert '<span class="error" id="error-file">不是 Word .docx 文件' in response.content.decode()
    assert template.read_bytes() == before


def test_good_revision_plans_and_regenerates_the_stale_outputs(
    role_clients: dict[str, Any],  # noqa: F811
    template: Path,
) -> None:
    case_no, _path = create(role_clients[R])
    assert role_clients[R].post(f"/cases/{case_no}/forms/F01/generate/").status_code == 302
    output = ws().generator().output_path(case_no, ws().catalog().get("F01"))
    assert "第1版" in docx_text(output)
    admin = role_clients[AD]
    revised = rezip(template.read_bytes(), "word/header1.xml", "第1版", "第2版")
    response = upload(admin, revised)
    assert response.status_code == 302 and response["Location"] == "/forms/F01/plan/"
    assert template.read_bytes() == revised
    kept = list((template.parent / ".history").glob("F01-申诉和投诉处理及反馈表-第1版-*.docx"))
    assert len(kept) == 1 and kept[0].read_bytes() != revised  # the previous version is kept

    plan = admin.get("/forms/F01/plan/").content.decode()
    row = f"<tr><td>{case_no}</td><td>F01</td><td>form</td><td>模板已修订</td>"
    assert row in plan and "已替换 F01 模板: 第1版 → 第2版" in plan

    started = admin.post("/forms/F01/apply/")
    assert started.status_code == 302
    job_id = int(started["Location"].rstrip("/").rsplit("/", 1)[-1])
    jobs.wait(job_id, timeout=300)
    status = admin.get(f"/forms/jobs/{job_id}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in status  # finished: the polling stops
    assert f"<tr><td>{case_no}</td><td>F01</td><td>第2版</td>" in status
    assert "第2版" in docx_text(output) and "第1版" not in docx_text(output)
    assert (
        f"<tr><td>{case_no}</td><td>F01</td><td>form</td>"
        not in admin.get("/forms/F01/plan/").content.decode()
    )


def test_one_job_at_a_time_with_its_progress_recorded(web: Path) -> None:  # noqa: F811
    from recordkit.errors import LockedError

    release = threading.Event()

    def work(job: jobs.Job) -> str:
        with job.progress(4) as update:
            update(1)
            release.wait(30)
            update(3)
        return "done"

    job = jobs.start("测试任务", "admin", work)
    try:
        deadline = time.monotonic() + 10
        while job.done < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert (job.done, job.total, job.percent, job.finished) == (1, 4, 25, False)
        assert jobs.current() is job
        with pytest.raises(LockedError, match="已有任务正在运行: 测试任务"):
            jobs.start("另一个", "admin", work)
    finally:
        release.set()
        jobs.wait(job.id, timeout=30)
    assert (job.state, job.percent, job.result) == (jobs.DONE, 100, "done")
    assert jobs.current() is None


def test_a_failing_job_is_reported_not_left_running(web: Path) -> None:  # noqa: F811
    from recordkit.errors import LockedError

    def work(job: jobs.Job) -> None:
        raise LockedError("另一个 recordkit regenerate 正在运行")

    job = jobs.start("失败的任务", "admin", work)
    jobs.wait(job.id, timeout=30)
    assert (job.state, job.error) == (jobs.FAILED, "另一个 recordkit regenerate 正在运行")


def test_upload_over_the_size_limit_is_refused(
    role_clients: dict[str, Any],
    template: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from recordkit.web import views_forms

    before = template.read_bytes()
    monkeypatch.setattr(views_forms, "MAX_TEMPLATE_BYTES", len(before) - 1)  # the limit, made small
    response = upload(role_clients[AD], rezip(before, "word/header1.xml", "第1版", "第2版"))
    assert response.status_code == 400
    assert '<span class="error" id="error-file">文件太大' in response.content.decode()
    assert template.read_bytes() == before
