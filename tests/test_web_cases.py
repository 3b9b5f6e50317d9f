"""The case pages through Django's test client: create, list, search, edit, conflict,
roles, recusal, history, generate and download (issue 12)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from docx_text import docx_text
from web_setup import make_user, role_clients, web, web_root  # noqa: F401

from recordkit.cases.store import get_path, load_yaml
from recordkit.web import views_cases
from recordkit.web.roles import ROLES

R, H, A, AR, AD = ROLES
# The nasty-value corpus of tests/test_render.py as a browser can send it (a browser
# cannot type NUL or other control characters; a textarea sends a line break as CR LF).
NASTY = "A&B <tag> x>y \"dq\" 'sq' line1\r\nline2\ttab 😀 {{ 7*7 }} {% if x %}{# c #}"
TYPED = NASTY.replace("\r\n", "\n")
LONG = "长" * 5000


def case_post(**fields: Any) -> dict[str, Any]:
    """A minimal new case as the browser posts it, plus ``fields`` (dotted names)."""
    data: dict[str, Any] = {
        "kind": "投诉",
        "received_at": "2026-03-02T09:30",
        "channel": "电话",
        "complainant.name": "张三",
        "content": "报告数据有误",
        "received_after_hours": "false",
        "complainant.anonymous": "false",
        "investigation.valid": "",
    }
    data.update(fields)
    return data


def create(client: Any, **fields: Any) -> tuple[str, Path]:
    response = client.post("/cases/new/", case_post(**fields))
    assert response.status_code == 302, response.content.decode()[:3000]
    case_no = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    from django.conf import settings

    files = list((Path(settings.RECORDKIT_WORKDIR) / "cases").glob(f"*/{case_no}.yaml"))
    assert len(files) == 1
    return case_no, files[0]


def edit_form(client: Any, case_no: str) -> dict[str, Any]:
    """The edit form's current values, as a browser would send them back unchanged."""
    page = client.get(f"/cases/{case_no}/edit/")
    assert page.status_code == 200
    form = page.context["form"]
    data: dict[str, Any] = {"sha256": form.initial["sha256"]}
    for name, field in form.fields.items():
        if name == "sha256" or field.disabled:
            continue
        value = form.initial.get(name)
        if isinstance(value, list):
            if value and isinstance(value[0], dict):
                for key in ("date", "note", "method"):
                    data[f"{name}.{key}"] = [str(row.get(key) or "") for row in value]
            else:
                data[name] = value
        else:
            data[name] = "" if value is None else value
    return data


def test_nasty_values_reach_the_yaml_and_the_form_exactly(role_clients: dict[str, Any]) -> None:  # noqa: F811
    client = role_clients[R]
    case_no, path = create(
        client,
        **{
            "complainant.name": f"名 {NASTY}",
            "content": f"内容 {NASTY}{LONG}",
            "request": f"请求 {NASTY}",
            "assignment.investigators": [f"甲 {NASTY}", "", "乙"],
            "progress.date": ["2026-03-05 09:30", ""],
            "progress.note": [f"进展 {NASTY}", ""],
            "progress.method": ["电话", ""],
        },
    )
    data = load_yaml(path.read_text(encoding="utf-8"))
    assert data["complainant"]["name"] == f"名 {TYPED}"
    assert data["content"] == f"内容 {TYPED}{LONG}"
    assert data["request"] == f"请求 {TYPED}"
    assert data["assignment"]["investigators"] == [f"甲 {TYPED}", "乙"]
    assert data["progress"] == [
        {"date": "2026-03-05 09:30", "note": f"进展 {TYPED}", "method": "电话"}
    ]
    assert data["received_at"] == "2026-03-02 09:30" and data["case_no"] == case_no
    # The case page escapes the values; generate F01 and read its text back.
    page = client.get(f"/cases/{case_no}/").content.decode()
    assert "<tag>" not in page
    assert client.post(f"/cases/{case_no}/forms/F01/generate/").status_code == 302
    download = client.get(f"/cases/{case_no}/forms/F01/docx/")
    assert download.status_code == 200
    text = docx_text(b"".join(download.streaming_content))
    assert f"名 {TYPED}" in text
    assert f"内容 {TYPED}{LONG}" in text


def test_list_filters_search_and_paging(
    role_clients: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: F811
    client = role_clients[R]
    case_no, _path = create(
        client, **{"complainant.name": "李寻欢", "assignment.department": "检验一部"}
    )
    assert case_no in client.get("/cases/", {"q": "李寻欢"}).content.decode()
    assert (
        case_no
        in client.get(
            "/cases/",
            {
                "q": case_no,
                "kind": "投诉",
                "state": "open",
                "year": "2026",
                "department": "检验一部",
            },
        ).content.decode()
    )
    assert case_no not in client.get("/cases/", {"q": "李寻欢", "state": "closed"}).content.decode()
    assert case_no not in client.get("/cases/", {"q": "李寻欢", "kind": "申诉"}).content.decode()
    assert (
        case_no
        not in client.get("/cases/", {"q": "李寻欢", "department": "别的部门"}).content.decode()
    )
    create(client, **{"complainant.name": "李寻欢"})
    monkeypatch.setattr(views_cases, "PAGE_SIZE", 1)  # two matches, one per page
    first = client.get("/cases/", {"q": "李寻欢"})
    assert len(first.context["page"].object_list) == 1 and first.context["total"] == 2
    assert (
        "第 1 / 2 页" in first.content.decode()
        and "q=%E6%9D%8E%E5%AF%BB%E6%AC%A2&page=2" in first.content.decode()
    )
    last = client.get("/cases/", {"q": "李寻欢", "page": "999"})
    assert last.status_code == 200 and last.context["page"].number == 2


def test_errors_show_beside_their_field_and_input_stays(role_clients: dict[str, Any]) -> None:  # noqa: F811
    response = role_clients[R].post(
        "/cases/new/",
        case_post(
            **{
                "content": "",
                "resolution.compensation": "一百元",
                "complainant.phone": f"电话 {NASTY}",
            }
        ),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["content"] and form.errors["resolution.compensation"]
    text = response.content.decode()
    assert 'id="id_content_error"' in text and 'id="id_resolution.compensation_error"' in text
    assert "一百元" in text and "电话 A&amp;B &lt;tag&gt;" in text


def test_a_case_too_large_to_read_back_is_refused(role_clients: dict[str, Any]) -> None:  # noqa: F811
    response = role_clients[R].post("/cases/new/", case_post(content="a" * 1_000_001))
    assert response.status_code == 400
    assert "<p>内容过多: 案件文件不能超过 1,000,000 个字符, 未保存" in response.content.decode()


def test_recused_or_respondent_cannot_be_handler_or_approver(role_clients: dict[str, Any]) -> None:  # noqa: F811
    response = role_clients[R].post(
        "/cases/new/",
        case_post(
            **{
                "respondent": "赵六",
                "assignment.handler": "赵六",
                "assignment.recused": ["钱七"],
                "resolution.approved_by": "钱七",
            }
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "被投诉对象" in errors["assignment.handler"][0]
    assert "回避人员" in errors["resolution.approved_by"][0]


def test_edit_records_history_and_second_save_is_refused(
    role_clients: dict[str, Any], web: Path
) -> None:  # noqa: F811
    from django.test import Client

    first = role_clients[R]
    case_no, path = create(first, **{"request": "退款"})
    second = Client()
    second.force_login(make_user("liming", R, full_name="李明"))
    mine, theirs = edit_form(first, case_no), edit_form(second, case_no)
    assert mine["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    mine["request"] = "重新检验"
    assert first.post(f"/cases/{case_no}/edit/", mine).status_code == 302
    theirs["request"] = f"李明写的 {NASTY}"
    refused = second.post(f"/cases/{case_no}/edit/", theirs)
    assert refused.status_code == 409
    text = refused.content.decode()
    assert "保存被拒绝: 您打开此案件后, 已有其他人保存了修改" in text
    assert "李明写的 A&amp;B &lt;tag&gt;" in text  # what they typed stays in the form
    assert load_yaml(path.read_text(encoding="utf-8"))["request"] == "重新检验"
    page = first.get(f"/cases/{case_no}/").content.decode()
    assert re.search(
        r"<td>投诉请求 \(request\)</td><td>&quot;退款&quot;</td><td>&quot;重新检验&quot;</td>", page
    )


def test_handler_edits_only_their_own_cases_investigation(
    role_clients: dict[str, Any], web: Path
) -> None:  # noqa: F811
    from django.test import Client

    case_no, path = create(role_clients[R], **{"assignment.handler": "周经办"})
    handler = Client()
    handler.force_login(make_user("zhou", H, full_name="周经办"))
    form = edit_form(handler, case_no)
    assert "content" not in form and "investigation.findings" in form
    form["investigation.findings"] = "属实"
    form["content"] = "试图修改投诉内容"
    assert handler.post(f"/cases/{case_no}/edit/", form).status_code == 302
    data = load_yaml(path.read_text(encoding="utf-8"))
    assert get_path(data, "investigation.findings") == "属实" and data["content"] == "报告数据有误"
    other = Client()
    other.force_login(make_user("wu", H, full_name="吴经办"))
    assert other.get(f"/cases/{case_no}/edit/").status_code == 403
    assert role_clients[AR].get(f"/cases/{case_no}/edit/").status_code == 403


CASE_ACTIONS = [  # (method, url, roles allowed); {case} is filled in
    ("get", "/cases/new/", {R}),
    ("post", "/cases/new/", {R}),
    ("get", "/cases/{case}/", set(ROLES)),
    ("get", "/cases/{case}/edit/", {R}),
    ("post", "/cases/{case}/forms/F01/generate/", {R}),
    ("post", "/cases/{case}/bundle/generate/", {R}),
]


@pytest.mark.parametrize(("method", "url", "allowed_roles"), CASE_ACTIONS)
def test_case_permission_table(
    role_clients: dict[str, Any],
    method: str,
    url: str,  # noqa: F811
    allowed_roles: set[str],
) -> None:
    case_no, _path = create(role_clients[R])
    for role in ROLES:
        response = getattr(role_clients[role], method)(url.format(case=case_no))
        if role in allowed_roles:
            assert response.status_code in (200, 302, 400), (role, url, response.status_code)
        else:
            assert response.status_code == 403, (role, url, response.status_code)


def test_unknown_case_is_a_404(role_clients: dict[str, Any]) -> None:  # noqa: F811
    assert role_clients[R].get("/cases/TS-2026-9999/").status_code == 404
    assert role_clients[R].get("/cases/..%2F..%2Fetc/").status_code == 404


def test_dashboard_lists_my_cases_and_counts(role_clients: dict[str, Any], web: Path) -> None:  # noqa: F811
    from django.test import Client

    case_no, _path = create(
        role_clients[R], received_at="2026-01-05T09:30", **{"assignment.handler": "孙经办"}
    )
    client = Client()
    client.force_login(make_user("sun", H, full_name="孙经办"))
    page = client.get("/")
    text = page.content.decode()
    assert f'href="/cases/{case_no}/"' in text
    assert case_no in [row.case.case_no for row in page.context["mine"]]
    assert page.context["counts"]["open"] >= 1
    # Received in March and never answered: its steps are overdue, shown in red.
    assert any(row.case.case_no == case_no for row, _step in page.context["overdue"])
    assert re.search(rf'<tr class="overdue"><td><a href="/cases/{case_no}/">', text)


def test_dashboard_steps_due_within_three_working_days(role_clients: dict[str, Any]) -> None:  # noqa: F811
    from datetime import date, timedelta

    # The lab profile's analysis step: 5 working days from receipt (when accepted). Pick a
    # receipt day whose deadline is today or within the next 3 working days.
    calendar = views_cases.workspace().clock.calendar
    today = date.today()
    received = next(
        today - timedelta(days=back)
        for back in range(10)
        if today
        <= calendar.add_workdays(today - timedelta(days=back), 5)
        <= calendar.add_workdays(today, 3)
    )
    case_no, _path = create(
        role_clients[R], received_at=f"{received}T08:00", **{"acceptance.decision": "受理"}
    )
    before = role_clients[R].get("/").context["counts"]["received"]
    create(role_clients[R], received_at=f"{today}T08:00")
    page = role_clients[R].get("/")
    soon = [step for row, step in page.context["due_soon"] if row.case.case_no == case_no]
    assert soon, "its analysis step is due within 3 working days"
    assert (
        f'<td><a href="/cases/{case_no}/">{case_no}</a></td><td>{soon[0].name}</td>'
        in page.content.decode()
    )
    assert page.context["counts"]["received"] == before + 1  # received this month


def test_pdf_and_print_bundle_download(role_clients: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    import subprocess

    client = role_clients[R]
    case_no, _path = create(client, **{"complainant.name": "欧阳 PDF <甲>"})
    assert client.get(f"/cases/{case_no}/forms/F01/pdf/").status_code == 404  # not generated yet
    assert client.post(f"/cases/{case_no}/forms/F01/generate/", {"pdf": "1"}).status_code == 302
    pdf = client.get(f"/cases/{case_no}/forms/F01/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    (tmp_path / "f01.pdf").write_bytes(b"".join(pdf.streaming_content))
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "f01.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "欧阳 PDF <甲>" in text
    assert client.post(f"/cases/{case_no}/bundle/generate/").status_code == 302
    bundle = client.get(f"/cases/{case_no}/bundle/docx/")
    assert bundle.status_code == 200
    assert "欧阳 PDF <甲>" in docx_text(b"".join(bundle.streaming_content))
    page = client.get(f"/cases/{case_no}/").content.decode()
    assert (
        f'href="/cases/{case_no}/forms/F01/pdf/"' in page
        and f'href="/cases/{case_no}/bundle/docx/"' in page
    )


def test_a_file_with_mistakes_opens_shows_them_and_can_be_corrected(
    role_clients: dict[str, Any],
) -> None:  # noqa: F811
    client = role_clients[R]
    case_no, path = create(client)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text + "resolution:\n  compensation: 一百元\n", encoding="utf-8"
    )  # edited by hand
    page = client.get(f"/cases/{case_no}/")
    assert page.status_code == 200 and "resolution.compensation (赔偿金额)" in page.content.decode()
    form = edit_form(client, case_no)
    edit_page = client.get(f"/cases/{case_no}/edit/").content.decode()
    assert 'id="id_resolution.compensation_error"' in edit_page
    assert client.post(f"/cases/{case_no}/forms/F01/generate/").status_code == 302
    after = client.get(f"/cases/{case_no}/").content.decode()
    assert re.search(
        r'<li class="error">[^<]*resolution.compensation \(赔偿金额\): 一百元 不是数字', after
    )
    assert client.get(f"/cases/{case_no}/forms/F01/docx/").status_code == 404
    form["resolution.compensation"] = "100"
    assert client.post(f"/cases/{case_no}/edit/", form).status_code == 302
    assert load_yaml(path.read_text(encoding="utf-8"))["resolution"]["compensation"] == 100


def test_a_change_made_outside_the_browser_also_refuses_the_save(
    role_clients: dict[str, Any],
) -> None:  # noqa: F811
    client = role_clients[R]
    case_no, path = create(client)
    form = edit_form(client, case_no)
    path.write_text(
        path.read_text(encoding="utf-8").replace("报告数据有误", "命令行改的"), encoding="utf-8"
    )
    form["content"] = "浏览器改的"
    response = client.post(f"/cases/{case_no}/edit/", form)
    assert response.status_code == 409
    assert response.context["form"]["content"].value() == "浏览器改的"
    assert load_yaml(path.read_text(encoding="utf-8"))["content"] == "命令行改的"


def test_dashboard_lists_are_capped_with_a_link_to_all(
    role_clients: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    create(role_clients[R])
    create(role_clients[R])
    monkeypatch.setattr(views_cases, "DASHBOARD_ROWS", 1)
    page = role_clients[R].get("/")
    assert len(page.context["overdue"]) == 1 and page.context["overdue_total"] > 1
    assert (
        '只列出最早的 1 个; <a href="/cases/?overdue=1">查看全部超期案件</a>'
        in page.content.decode()
    )
