"""The other records' pages through Django's test client: list with filters and search,
new/edit generated from each type's schema, errors beside fields, conflict, history,
the record page with its forms and source case, and the permission table (issue 12)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from docx_text import docx_text
from web_setup import make_user, role_clients, web, web_root  # noqa: F401

from recordkit.cases import schema
from recordkit.cases.store import load_yaml
from recordkit.web.roles import ROLES

R, H, A, AR, AD = ROLES
NASTY = "A&B <tag> x>y \"dq\" 'sq' line1\r\nline2\ttab 😀 {{ 7*7 }} {% if x %}{# c #}"
TYPED = NASTY.replace("\r\n", "\n")

# A minimal valid record of each type as the browser posts it.
MINIMAL: dict[str, dict[str, Any]] = {
    "incident": {"occurred_at": "2026-03-02T09:30", "description": "样品柜漏水", "casualties": ""},
    "rectification": {
        "issued_at": "2026-03-02",
        "issuer": "质量部",
        "recipient": "检验一部",
        "problem": "记录不全",
        "requirement": "补齐记录",
        "serious": "",
    },
    "capa": {
        "opened_at": "2026-03-02",
        "action_type": "纠正措施",
        "nonconformity": "报告签发前未复核",
    },
    "service": {
        "kind": "维修",
        "requested_at": "2026-03-02T09:30",
        "customer.organization": "漳州某厂",
        "warranty": "",
    },
}


def workdir() -> Path:
    from django.conf import settings

    return Path(settings.RECORDKIT_WORKDIR)


def create(client: Any, type_name: str, **fields: Any) -> tuple[str, Path]:
    response = client.post(f"/records/{type_name}/new/", {**MINIMAL[type_name], **fields})
    assert response.status_code == 302, response.content.decode()[:3000]
    number = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    folder = schema.RECORD_TYPES[type_name].folder
    files = list((workdir() / "records" / folder).glob(f"*/{number}.yaml"))
    assert len(files) == 1, files
    return number, files[0]


def edit_form(client: Any, type_name: str, number: str) -> dict[str, Any]:
    """The edit form's values as a browser sends them back unchanged."""
    page = client.get(f"/records/{type_name}/{number}/edit/")
    assert page.status_code == 200
    form = page.context["form"]
    data: dict[str, Any] = {"sha256": form.initial["sha256"]}
    for name in form.fields:
        if name == "sha256":
            continue
        value = form.initial.get(name)
        if isinstance(value, list):
            if value and isinstance(value[0], dict):
                for key, _label in schema.RECORD_TYPES[type_name].by_path[name].columns:
                    data[f"{name}.{key}"] = [str(row.get(key) or "") for row in value]
            else:
                data[name] = value
        else:
            data[name] = "" if value is None else value
    return data


@pytest.mark.parametrize("type_name", list(MINIMAL))
def test_each_type_is_created_from_its_schema_form(
    role_clients: dict[str, Any], type_name: str
) -> None:  # noqa: F811
    client = role_clients[R]
    rtype = schema.RECORD_TYPES[type_name]
    page = client.get(f"/records/{type_name}/new/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"新建{rtype.label}" in text
    assert all(f.label in text for f in rtype.fields if f.path != rtype.number_key)
    number, path = create(client, type_name)
    assert load_yaml(path.read_text(encoding="utf-8"))[rtype.number_key] == number
    assert number in client.get("/records/").content.decode()


def test_nasty_values_reach_the_yaml_and_the_form_exactly(role_clients: dict[str, Any]) -> None:  # noqa: F811
    client = role_clients[R]
    number, path = create(
        client,
        "service",
        **{
            "customer.organization": f"单位 {NASTY}",
            "fault": f"故障 {NASTY}",
            "engineers": [f"甲 {NASTY}", "", "乙"],
            "parts.name": [f"件 {NASTY}", ""],
            "parts.quantity": ["2", ""],
            "parts.reason": ["磨损", ""],
            "customer.phone": "0596-0001234",
        },
    )
    data = load_yaml(path.read_text(encoding="utf-8"))
    assert data["customer"]["organization"] == f"单位 {TYPED}"
    assert data["fault"] == f"故障 {TYPED}"
    assert data["engineers"] == [f"甲 {TYPED}", "乙"]
    assert data["parts"] == [{"name": f"件 {TYPED}", "quantity": "2", "reason": "磨损"}]
    assert data["customer"]["phone"] == "0596-0001234"
    page = role_clients[H].get(f"/records/service/{number}/").content.decode()
    assert "<tag>" not in page and "单位 A&amp;B &lt;tag&gt;" in page
    assert client.post(f"/records/service/{number}/forms/F27/generate/").status_code == 302
    download = client.get(f"/records/service/{number}/forms/F27/docx/")
    assert download.status_code == 200
    assert f"单位 {TYPED}" in docx_text(b"".join(download.streaming_content))


def test_errors_show_beside_their_field_and_input_stays(role_clients: dict[str, Any]) -> None:  # noqa: F811
    response = role_clients[R].post(
        "/records/capa/new/",
        {**MINIMAL["capa"], "nonconformity": "", "due": "2026-02-30", "owner": f"人 {NASTY}"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["nonconformity"] and form.errors["due"]
    text = response.content.decode()
    assert 'id="id_nonconformity_error"' in text and 'id="id_due_error"' in text
    assert "人 A&amp;B &lt;tag&gt;" in text


def test_list_filters_by_type_state_year_and_search(role_clients: dict[str, Any]) -> None:  # noqa: F811
    client = role_clients[R]
    number, _path = create(client, "rectification", problem="独一无二的问题 甲乙丙")
    closed, _ = create(client, "capa", nonconformity="独一无二的问题 丁戊", closed_at="2026-03-10")
    assert number in client.get("/records/", {"q": "独一无二"}).content.decode()
    found = client.get(
        "/records/", {"q": "独一无二", "type": "rectification", "state": "open", "year": "2026"}
    )
    assert number in found.content.decode() and closed not in found.content.decode()
    assert found.context["total"] == 1
    assert closed in client.get("/records/", {"q": "独一无二", "state": "closed"}).content.decode()
    assert number not in client.get("/records/", {"q": "独一无二", "year": "2025"}).content.decode()
    assert (
        number
        not in client.get("/records/", {"q": "独一无二", "type": "incident"}).content.decode()
    )
    assert number in client.get("/records/", {"q": number}).content.decode()


def test_edit_records_history_and_second_save_is_refused(role_clients: dict[str, Any]) -> None:  # noqa: F811
    client = role_clients[R]
    number, path = create(client, "incident", place="二号仓库")
    first = edit_form(client, "incident", number)
    second = dict(first)
    first["place"] = "三号仓库"
    response = client.post(f"/records/incident/{number}/edit/", first)
    assert response.status_code == 302
    assert load_yaml(path.read_text(encoding="utf-8"))["place"] == "三号仓库"
    second["description"] = "第二个人写的经过"
    refused = client.post(f"/records/incident/{number}/edit/", second)
    assert refused.status_code == 409
    assert (
        "保存被拒绝" in refused.content.decode() and "第二个人写的经过" in refused.content.decode()
    )
    assert load_yaml(path.read_text(encoding="utf-8"))["place"] == "三号仓库"
    page = client.get(f"/records/incident/{number}/")
    history = page.context["history"]  # newest first: the edit, then the creation
    edit = [
        (c.field, c.old, c.new, label)
        for c, label in history
        if c.change_set == history[0][0].change_set
    ]
    assert edit == [("place", '"二号仓库"', '"三号仓库"', "发生地点")]
    assert ("description", "", '"样品柜漏水"') in [(c.field, c.old, c.new) for c, _label in history]


def test_record_page_links_its_source_case(role_clients: dict[str, Any]) -> None:  # noqa: F811
    client = role_clients[R]
    response = client.post(
        "/cases/new/",
        {
            "kind": "投诉",
            "received_at": "2026-03-02T09:30",
            "content": "内容",
            "complainant.name": "张三",
        },
    )
    assert response.status_code == 302
    case_no = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    number, _path = create(client, "capa", source_case=case_no)
    page = client.get(f"/records/capa/{number}/").content.decode()
    assert f'href="/cases/{case_no}/"' in page
    unknown = client.post("/records/capa/new/", {**MINIMAL["capa"], "source_case": "TS-1999-9999"})
    assert unknown.status_code == 400 and unknown.context["form"].errors["source_case"]


def test_unknown_type_or_number_is_a_404(role_clients: dict[str, Any]) -> None:  # noqa: F811
    client = role_clients[R]
    assert client.get("/records/case/TS-2026-0001/").status_code == 404
    assert client.get("/records/nothing/new/").status_code == 404
    assert client.get("/records/capa/CA-1999-999/").status_code == 404
    assert client.get("/records/capa/../../etc/").status_code == 404


RECORD_ACTIONS = [
    ("get", "/records/", set(ROLES)),
    ("get", "/records/capa/new/", {R}),
    ("post", "/records/capa/new/", {R}),
    ("get", "/records/capa/{number}/", set(ROLES)),
    ("get", "/records/capa/{number}/edit/", {R}),
    ("post", "/records/capa/{number}/edit/", {R}),
    ("post", "/records/capa/{number}/forms/F26/generate/", {R}),
]


@pytest.mark.parametrize(("method", "url", "allowed_roles"), RECORD_ACTIONS)
def test_record_permission_table(
    role_clients: dict[str, Any],
    method: str,
    url: str,  # noqa: F811
    allowed_roles: set[str],
) -> None:
    number, _path = create(role_clients[R], "capa")
    for role in ROLES:
        response = getattr(role_clients[role], method)(url.format(number=number))
        if role in allowed_roles:
            assert response.status_code in (200, 302, 400), (role, url, response.status_code)
        else:
            assert response.status_code == 403, (role, url, response.status_code)
            assert "您的角色无权执行此操作" in response.content.decode()


def test_a_record_with_mistakes_opens_shows_them_and_can_be_corrected(
    role_clients: dict[str, Any],
) -> None:  # noqa: F811
    client = role_clients[R]
    number, path = create(client, "service")
    path.write_text(
        path.read_text(encoding="utf-8") + "charge: 一百元\n", encoding="utf-8"
    )  # edited by hand
    page = client.get(f"/records/service/{number}/")
    assert page.status_code == 200 and "charge (收费金额)" in page.content.decode()
    assert 'id="id_charge_error"' in client.get(f"/records/service/{number}/edit/").content.decode()
    assert client.post(f"/records/service/{number}/forms/F27/generate/").status_code == 302
    assert (
        client.get(f"/records/service/{number}/forms/F27/docx/").status_code == 404
    )  # refused, as `generate`
    form = edit_form(client, "service", number)
    form["charge"] = "120.5"
    assert client.post(f"/records/service/{number}/edit/", form).status_code == 302
    assert load_yaml(path.read_text(encoding="utf-8"))["charge"] == 120.5


@pytest.mark.parametrize("url", ["/records/capa/new/", "/import/"])
def test_csrf_is_enforced(web: Path, url: str) -> None:  # noqa: F811
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("csrf-registrar", R))
    response = client.post(url, MINIMAL["capa"])
    assert response.status_code == 403 and "CSRF 校验失败" in response.content.decode()


@pytest.mark.parametrize("source", ["TS-1999-9999", "/etc/passwd", "../../cases/2026/x"])
def test_a_source_case_that_is_missing_or_a_path_is_named_not_linked(
    role_clients: dict[str, Any],  # noqa: F811
    source: str,
) -> None:
    client = role_clients[R]
    number, path = create(client, "capa")
    path.write_text(
        path.read_text(encoding="utf-8") + f"source_case: '{source}'\n", encoding="utf-8"
    )
    page = client.get(f"/records/capa/{number}/")
    assert page.status_code == 200
    assert (
        f"{source} (未找到)" in page.content.decode()
        and 'id="source-case"' not in page.content.decode()
    )
