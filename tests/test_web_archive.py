"""The archive pages through Django's test client (issue 13, point 4): search with filters
and highlighted snippets, the inbox (upload, status with reasons, assign, retry, discard),
the document page (page images, metadata, 四性检测, events) and its downloads, per role."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pdf_factory as pf
import pytest
from archive_setup import add_case, form_pdf, make_workdir
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from web_setup import role_clients, web, web_root  # noqa: F401

from recordkit.archive.service import Archive
from recordkit.cases.store import dump_case, load_yaml
from recordkit.config import Config
from recordkit.web import jobs
from recordkit.web.roles import ROLES
from recordkit.web.views_archive import HIT_END, HIT_START, marked

R, H, A, AR, AD = ROLES
NO_1 = "Z109-WS·2026-D10-0001"


@pytest.fixture
def folder(web: Path, tmp_path: Path) -> Iterator[Config]:  # noqa: F811
    config = make_workdir(tmp_path / "w")
    with override_settings(RECORDKIT_WORKDIR=str(config.root)):
        yield config


def _file(config: Config, tmp_path: Path, case_no: str = "TS-2026-0007", serial: int = 1) -> str:
    src = form_pdf(tmp_path / f"s{serial}.pdf", case_no=case_no, serial=serial)
    with Archive(config) as archive:
        (result,) = archive.ingest([src]).results
    assert result.outcome == "filed", result.to_dict()
    return str(result.archive_no)


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --------------------------------------------------------------------------- search


def test_marked_splits_snippets_into_hits_and_text() -> None:
    snippet = f"投诉人 {HIT_START}李强{HIT_END} 称<b>{HIT_START}报告{HIT_END}"
    assert marked(snippet) == [
        ("投诉人 ", False),
        ("李强", True),
        (" 称<b>", False),
        ("报告", True),
    ]
    assert marked("") == []


def test_search_finds_by_complainant_and_marks_the_match(
    folder: Config,
    role_clients: dict[str, Any],
    tmp_path: Path,  # noqa: F811
) -> None:
    _file(folder, tmp_path)
    client = role_clients[AR]
    first = client.get("/archive/")
    assert first.status_code == 200 and "输入检索词或选择筛选条件" in first.content.decode()
    page = client.get("/archive/", {"q": "李强"}).content.decode()
    assert "共找到 1 件" in page
    assert f'href="/archive/doc/{quote(NO_1)}/"' in page
    assert "<mark>李强</mark>" in page
    assert "TS-2026-0007 · F01 投诉登记表" in _text(page)
    by_year = client.get("/archive/", {"q": "李强", "year": "2025"}).content.decode()
    assert "共找到 0 件" in by_year and "没有找到符合条件的档案" in by_year
    by_form = client.get("/archive/", {"form": "F01", "retention": "D10"}).content.decode()
    assert "共找到 1 件" in by_form
    today = date.today()
    for params, count in (
        ({"kind": "投诉", "status": "filed"}, 1),
        ({"kind": "申诉"}, 0),
        ({"date_from": today.isoformat(), "date_to": today.isoformat()}, 1),
        ({"q": "李强", "date_to": (today - timedelta(days=1)).isoformat()}, 0),
        ({"retention": "Y"}, 0),
    ):
        found = client.get("/archive/", params).content.decode()
        assert f"共找到 {count} 件" in found, params


def test_search_text_is_escaped_around_the_marks(
    folder: Config,
    role_clients: dict[str, Any],
    tmp_path: Path,  # noqa: F811
) -> None:
    case_file = folder.root / "cases" / "2026" / "TS-2026-0008.yaml"
    data = load_yaml(case_file.read_text(encoding="utf-8"))
    data["content"] = "<script>alert(1)</script> 抗压强度数据不符"
    case_file.write_text(dump_case(data), encoding="utf-8")
    _file(folder, tmp_path, "TS-2026-0008")
    page = role_clients[AD].get("/archive/", {"q": "抗压强度"}).content.decode()
    assert "共找到 1 件" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<mark>抗压强度</mark>" in page


def test_search_errors_stand_beside_their_fields(
    folder: Config,
    role_clients: dict[str, Any],  # noqa: F811
) -> None:
    response = role_clients[AR].get(
        "/archive/", {"year": "20x6", "date_from": "2026-05-01", "date_to": "2026-04-01"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r'id="id_year_error">年度应为四位数字, 如 2026<', page)
    assert re.search(r'id="id_date_to_error">截止日期早于起始日期<', page)
    bad_date = role_clients[AR].get("/archive/", {"date_from": "2026-13-01"}).content.decode()
    assert 'id="id_date_from_error">日期格式应为 YYYY-MM-DD<' in bad_date


# --------------------------------------------------------------------------- inbox


def test_upload_files_scans_and_shows_each_outcome(
    folder: Config,
    role_clients: dict[str, Any],
    tmp_path: Path,  # noqa: F811
) -> None:
    good = form_pdf(tmp_path / "投诉登记表.pdf", serial=5).read_bytes()
    unknown = pf.born_digital(tmp_path / "x.pdf", payload=None, case_no=None).read_bytes()
    response = role_clients[AR].post(
        "/archive/inbox/upload/",
        {
            "files": [
                _upload("投诉登记表.pdf", good),
                _upload("无二维码.pdf", unknown),
                _upload("说明.docx", b"PK"),
            ]
        },  # fmt: skip
    )
    assert response.status_code == 200
    page = response.content.decode()
    results = _text(page.split('id="upload-results"')[1].split("</table>")[0])
    assert f"投诉登记表.pdf 已归档 {NO_1}" in results
    assert "无二维码.pdf 待识别 unidentified/无二维码.pdf 无法识别案件" in results
    assert (
        "说明.docx: 不是 PDF 或图像: 只接收 PDF、JPEG、PNG 和 TIFF (not a PDF or image), 未上传"
        in page
    )
    status = _text(page.split('id="inbox-status"')[1])
    assert "待识别 unidentified/无二维码.pdf" in status and "无法识别案件" in status
    assert f"已归档 {NO_1} 投诉登记表.pdf" in status
    assert list((folder.archive_dir / "inbox").iterdir()) == []
    with Archive(folder) as archive:
        uploads = [
            json.loads(e["detail"]) for e in archive.index.events() if e["kind"] == "uploaded"
        ]
    assert [(u["name"], u["by"]) for u in uploads] == [
        ("投诉登记表.pdf", "档案员甲 (user3)"),
        ("无二维码.pdf", "档案员甲 (user3)"),
    ]


def test_many_uploads_are_filed_in_a_background_job(
    folder: Config,
    role_clients: dict[str, Any],
    tmp_path: Path,  # noqa: F811
) -> None:
    scans = [form_pdf(tmp_path / f"{n}.pdf", case_no="TS-2026-0008", serial=n) for n in range(5)]
    response = role_clients[AR].post(
        "/archive/inbox/upload/",
        {"files": [_upload(f"第{n}份.pdf", p.read_bytes()) for n, p in enumerate(scans)]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    job_id = int(re.search(r'hx-get="/archive/inbox/jobs/(\d+)/"', page)[1])
    assert "归档上传的扫描件 (5 个)" in page
    jobs.wait(job_id, timeout=300)
    done = role_clients[AD].get(f"/archive/inbox/jobs/{job_id}/").content.decode()
    assert "hx-get" not in done
    rows = _text(done.split('id="upload-results"')[1])
    for n in range(5):
        assert re.search(rf"第{n}份.pdf 已归档 Z109-WS·2026-D10-000\d", rows), rows
    assert role_clients[R].get(f"/archive/inbox/jobs/{job_id}/").status_code == 403

    gate = threading.Event()
    other = jobs.start("重新生成 F01", "admin", lambda job: gate.wait(60))
    try:
        busy = role_clients[AR].post(
            "/archive/inbox/upload/",
            {"files": [_upload(f"后{n}.pdf", p.read_bytes()) for n, p in enumerate(scans)]},
        )
    finally:
        gate.set()
        jobs.wait(other.id, timeout=60)
    assert (
        "已保存 5 个文件到收件箱, 但已有任务正在运行: 重新生成 F01 (admin)" in busy.content.decode()
    )
    waiting = sorted(p.name for p in (folder.archive_dir / "inbox").iterdir())
    assert waiting == [f"后{n}.pdf" for n in range(5)]
    assert role_clients[AR].get("/archive/inbox/jobs/99999/").status_code == 404


def test_upload_without_files_says_so(folder: Config, role_clients: dict[str, Any]) -> None:  # noqa: F811
    response = role_clients[AD].post("/archive/inbox/upload/", {})
    assert response.status_code == 400
    assert (
        '<span class="error upload-error">请选择要上传的扫描件</span>' in response.content.decode()
    )


def _park_unidentified(folder: Config, tmp_path: Path) -> str:
    src = pf.born_digital(tmp_path / "无码.pdf", payload=None, case_no=None)
    with Archive(folder) as archive:
        (result,) = archive.ingest([src]).results
    assert result.outcome == "unidentified"
    return result.destination


def test_assign_errors_beside_fields_then_files(
    folder: Config,
    role_clients: dict[str, Any],
    tmp_path: Path,  # noqa: F811
) -> None:
    parked = _park_unidentified(folder, tmp_path)
    client = role_clients[AR]
    page = client.get("/archive/inbox/").content.decode()
    assert f'value="{parked}"' in page and "指定并归档" in page and "作废" in page
    empty = client.post("/archive/inbox/assign/", {"file": parked, "case_no": "", "form_code": ""})
    assert empty.status_code == 400
    assert 'id="id_case_no_err_error">请填写案件编号<' in empty.content.decode()
    assert 'id="id_form_code_err_error">请选择表单<' in empty.content.decode()
    unknown = client.post(
        "/archive/inbox/assign/", {"file": parked, "case_no": "TS-2026-0999", "form_code": "F03"}
    )
    assert unknown.status_code == 400
    assert re.search(r'id="id_case_no_err_error">[^<]*TS-2026-0999', unknown.content.decode())
    outside = client.post(
        "/archive/inbox/assign/",
        {"file": "../recordkit.toml", "case_no": "TS-2026-0007", "form_code": "F03"},
    )
    assert (
        outside.status_code == 400
        and "只能重试或作废这些文件夹中的文件" in outside.content.decode()
    )
    assert (folder.root / "recordkit.toml").exists()

    done = client.post(
        "/archive/inbox/assign/",
        {"file": parked, "case_no": "TS-2026-0007", "form_code": "F03"},
        follow=True,
    )
    assert "无码.pdf: 已归档 Z109-WS·2026-D30-0001" in done.content.decode()
    with Archive(folder) as archive:
        (asked,) = [
            json.loads(e["detail"])
            for e in archive.index.events()
            if e["kind"] == "assign_requested"
        ]
    assert asked["by"] == "档案员甲 (user3)" and asked["case_no"] == "TS-2026-0007"


def test_retry_and_discard_from_the_inbox(
    folder: Config,
    role_clients: dict[str, Any],
    tmp_path: Path,  # noqa: F811
) -> None:
    src = form_pdf(tmp_path / "晚登记.pdf", case_no="TS-2026-0099", serial=7)
    with Archive(folder) as archive:
        (routed,) = archive.ingest([src]).results
    client = role_clients[AD]
    again = client.post("/archive/inbox/retry/", {"file": routed.destination}, follow=True)
    assert "晚登记.pdf: " in again.content.decode() and "TS-2026-0099" in again.content.decode()
    add_case(folder.root, "TS-2026-0099", 2026)
    (where,) = [p for p in folder.archive_dir.rglob("晚登记*.pdf") if p.parent.name != "inbox"]
    label = where.relative_to(folder.archive_dir).as_posix()
    filed = client.post("/archive/inbox/retry/", {"file": label}, follow=True).content.decode()
    assert f"晚登记.pdf: 已归档 {NO_1}" in filed

    parked = _park_unidentified(folder, tmp_path)
    no_reason = client.post("/archive/inbox/discard/", {"file": parked, "reason": ""})
    assert no_reason.status_code == 400
    assert 'id="id_reason_err_error">请写明作废原因<' in no_reason.content.decode()
    assert (folder.archive_dir / parked).exists()
    gone = client.post("/archive/inbox/discard/", {"file": parked, "reason": "空白页"}, follow=True)
    assert f"已作废 {parked}, 移到 discarded/无码.pdf (原因: 空白页)" in gone.content.decode()
    assert (folder.archive_dir / "discarded" / "无码.pdf").exists()
    with Archive(folder) as archive:
        (event,) = [
            json.loads(e["detail"]) for e in archive.index.events() if e["kind"] == "discarded"
        ]
    assert event["by"] == "管理员甲 (user4)" and event["reason"] == "空白页"


def test_inbox_roles(folder: Config, role_clients: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    _park_unidentified(folder, tmp_path)
    for role in (AR, AD):
        page = role_clients[role].get("/archive/inbox/").content.decode()
        assert 'id="upload-files"' in page and "multiple" in page and "指定并归档" in page
    for role in (R, H, A):
        assert role_clients[role].get("/archive/inbox/").status_code == 403
        assert (
            role_clients[role]
            .post("/archive/inbox/discard/", {"file": "x", "reason": "y"})
            .status_code
            == 403
        )


# --------------------------------------------------------------------------- document


def test_document_page_shows_pages_metadata_checks_and_events(
    folder: Config,
    role_clients: dict[str, Any],
    tmp_path: Path,  # noqa: F811
) -> None:
    no = _file(folder, tmp_path)
    response = role_clients[AR].get(f"/archive/doc/{no}/")
    assert response.status_code == 200
    page = response.content.decode()
    text = _text(page)
    assert f"档案 {no}" in text and "TS-2026-0007 · F01 投诉登记表" in text
    assert (
        f'src="/archive/doc/{quote(no)}/page/1.png"' in page
        and f'src="/archive/doc/{quote(no)}/page/2.png"' in page
    )
    assert "保管期限 10年" in text and "状态 已归档" in text and "原文件名 s1.pdf" in text
    assert "真实性" in text and "通过" in text
    assert re.search(r"<td>filed</td>", page)
    assert 'id="download-original"' in page
    assert (
        'id="download-original"' not in role_clients[AD].get(f"/archive/doc/{no}/").content.decode()
    )
    image = role_clients[AR].get(f"/archive/doc/{no}/page/1.png")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    assert role_clients[AR].get(f"/archive/doc/{no}/page/9.png").status_code == 404
    missing = role_clients[AR].get("/archive/doc/Z109-WS·2026-D10-0099/")
    assert missing.status_code == 404


def test_access_copy_for_every_role_original_for_the_archivist_only_and_logged(
    folder: Config,
    role_clients: dict[str, Any],
    tmp_path: Path,  # noqa: F811
) -> None:
    no = _file(folder, tmp_path)
    with Archive(folder) as archive:
        doc = archive.show(no)
    access = Path(doc["access_path"]).read_bytes()
    for role in ROLES:
        response = role_clients[role].get(f"/archive/doc/{no}/access/")
        assert response.status_code == 200, role
        assert b"".join(response.streaming_content) == access
        assert f"filename*=utf-8''{quote(no + ' 利用副本.pdf')}" in response["Content-Disposition"]
    for role in (R, H, A, AD):
        assert role_clients[role].get(f"/archive/doc/{no}/original/").status_code == 403, role
    original = role_clients[AR].get(f"/archive/doc/{no}/original/")
    assert original.status_code == 200
    assert b"".join(original.streaming_content) == Path(doc["original_path"]).read_bytes()
    with Archive(folder) as archive:
        (event,) = [e for e in archive.index.events() if e["kind"] == "original_downloaded"]
        assert event["archive_no"] == no and json.loads(event["detail"])["by"] == "档案员甲 (user3)"
        assert archive.verify(log=False).ok
    page = _text(role_clients[AR].get(f"/archive/doc/{no}/").content.decode())
    assert "original_downloaded" in page and "by: 档案员甲 (user3)" in page


@pytest.mark.sqlite_only("moves index.sqlite away; a PostgreSQL index is no file")
def test_a_lost_index_is_said_on_the_inbox_page(
    folder: Config,
    role_clients: dict[str, Any],
    tmp_path: Path,  # noqa: F811
) -> None:
    _file(folder, tmp_path)
    (folder.archive_dir / "index.sqlite").rename(tmp_path / "lost.sqlite")
    response = role_clients[AR].get("/archive/inbox/")
    assert response.status_code == 200
    assert re.search(
        r'class="error upload-error">[^<]*档案库索引缺失或为空', response.content.decode()
    )
    assert not (folder.archive_dir / "index.sqlite").exists()


def test_the_case_page_links_each_filed_form_to_its_access_copy(
    folder: Config,
    role_clients: dict[str, Any],
    tmp_path: Path,  # noqa: F811
) -> None:
    import copy

    from conftest import SAMPLE_CASE
    from filing_setup import CLOSED, file_scans

    closed = {"case_no": CLOSED, **copy.deepcopy(SAMPLE_CASE)}  # needs F03 and F19
    (folder.root / "cases" / "2026" / f"{CLOSED}.yaml").write_text(
        dump_case(closed), encoding="utf-8"
    )
    (no,) = file_scans(folder, "F03", 1)
    page = role_clients[R].get(f"/cases/{CLOSED}/").content.decode()
    link = f'href="/archive/doc/{quote(no)}/access/" class="access-copy">利用副本</a>'
    assert link in page
    assert role_clients[R].get(f"/archive/doc/{no}/access/").status_code == 200
