"""Two `recordkit serve` processes on one PostgreSQL database and one working folder
(issue 15): a user added once logs in on both, a case saved through one node shows on the
other, and two overlapping saves made through different nodes are still a conflict."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pg_server import PgServer, pg_server, pg_url  # noqa: F401 - fixtures
from web_setup import (
    PASSWORD,
    add_user,
    free_port,
    recordkit,
    start_server,
    stop_server,
    use_database,
)

from recordkit.cases.store import load_yaml
from recordkit.config import init_workdir


class FormFields(HTMLParser):
    """The fields a browser would send back from the page's form of class ``form_class``."""

    def __init__(self, form_class: str) -> None:
        super().__init__()
        self.form_class, self.inside = form_class, False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = self.form_class in a.get("class", "").split()
        if not self.inside or not a.get("name") and tag not in ("option",):
            return
        if tag == "input" and not ("disabled" in a or a.get("type") in ("submit", "button")):
            checkable = a.get("type") in ("checkbox", "radio")
            if not checkable or "checked" in a:
                self.fields.append((a["name"], a.get("value", "on" if checkable else "")))
        elif tag == "textarea" and "disabled" not in a:
            self._textarea = a["name"]
            self.fields.append((a["name"], ""))
        elif tag == "select" and "disabled" not in a:
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, text = self.fields[-1]
            self.fields[-1] = (name, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def form_fields(page: str, form_class: str) -> list[tuple[str, str]]:
    parser = FormFields(form_class)
    parser.feed(page)
    # A textarea's first line break belongs to the markup, as browsers read it.
    return [(k, v.removeprefix("\n")) for k, v in parser.fields if k != "csrfmiddlewaretoken"]


class Session:
    """One logged-in browser session on one node: cookies and CSRF token kept."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        return self.opener.open(self.base + path, timeout=30).read().decode()

    def post(self, path: str, fields: list[tuple[str, str]]) -> tuple[int, str, str]:
        """(status, final URL, body); an error status is returned, not raised."""
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        data = urllib.parse.urlencode([*fields, ("csrfmiddlewaretoken", token)]).encode()
        request = urllib.request.Request(self.base + path, data=data)
        request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.url, exc.read().decode()

    def log_in(self, username: str) -> str:
        self.get("/login/")
        status, _url, page = self.post("/login/", [("username", username), ("password", PASSWORD)])
        assert status == 200 and f"（用户名 {username}）" in page, page[:2000]
        return page


NEW_CASE = [
    ("kind", "投诉"),
    ("received_at", "2026-03-02T09:30"),
    ("channel", "电话"),
    ("complainant.name", "张三"),
    ("content", "报告数据有误"),
    ("received_after_hours", "false"),
    ("complainant.anonymous", "false"),
    ("investigation.valid", ""),
    ("request", "退款"),
]


@pytest.fixture
def two_nodes(tmp_path: Path, pg_url: str) -> Iterator[tuple[str, str, Path]]:  # noqa: F811
    """One working folder on one PostgreSQL database, served by two `recordkit serve`."""
    root = tmp_path / "work"
    init_workdir(root, org_name="漳州市示例检验检测中心")
    use_database(root, pg_url)
    add_user(root, "lina", "登记员", "李娜")
    add_user(root, "liming", "登记员", "李明")
    ports = free_port(), free_port()
    first = start_server(root, ports[0])
    try:
        second = start_server(root, ports[1])
        try:
            yield f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}", root
        finally:
            stop_server(second)
    finally:
        stop_server(first)


def _set(fields: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    assert any(k == name for k, _v in fields), name
    return [(k, value if k == name else v) for k, v in fields]


def test_two_serve_nodes_share_users_cases_and_conflicts(
    two_nodes: tuple[str, str, Path],
) -> None:
    base_a, base_b, root = two_nodes
    assert not (root / ".recordkit" / "web.sqlite3").exists()  # the web tables are in PG
    lina, liming = Session(base_a), Session(base_b)
    lina.log_in("lina")
    liming.log_in("liming")

    status, url, _page = lina.post("/cases/new/", NEW_CASE)
    assert status == 200 and re.search(r"/cases/[^/]+/$", url), url
    case_no = url.rstrip("/").rsplit("/", 1)[-1]
    assert "退款" in liming.get(f"/cases/{case_no}/")  # created on A, read on B

    # Edited through A, the new value shows on B at once.
    edit = _set(form_fields(lina.get(f"/cases/{case_no}/edit/"), "case-form"), "request", "复检")
    status, _url, page = lina.post(f"/cases/{case_no}/edit/", edit)
    assert status == 200, re.findall(r'class="error"[^>]*>([^<]*)<', page)
    page_b = liming.get(f"/cases/{case_no}/")
    # The history (in PostgreSQL) names who changed the field on the other node.
    assert re.search(
        r"<td>lina</td><td>投诉请求 \(request\)</td><td>&quot;退款&quot;</td><td>&quot;复检&quot;</td>",
        page_b,
    )

    # Both open the form; A saves first; B's save through the other node is refused.
    mine = form_fields(lina.get(f"/cases/{case_no}/edit/"), "case-form")
    theirs = form_fields(liming.get(f"/cases/{case_no}/edit/"), "case-form")
    assert lina.post(f"/cases/{case_no}/edit/", _set(mine, "request", "重新检验"))[0] == 200
    status, _url, refused = liming.post(
        f"/cases/{case_no}/edit/", _set(theirs, "request", "李明写的请求")
    )
    assert status == 409
    assert "保存被拒绝: 您打开此案件后, 已有其他人保存了修改" in refused
    assert "李明写的请求" in refused  # what they typed stays in the form
    saved = load_yaml(next((root / "cases").glob(f"*/{case_no}.yaml")).read_text(encoding="utf-8"))
    assert saved["request"] == "重新检验"
    assert "重新检验" in liming.get(f"/cases/{case_no}/")


def test_serve_on_an_unreachable_server_is_a_chinese_error(
    tmp_path: Path,
    pg_server: PgServer,  # noqa: F811
) -> None:
    root = tmp_path / "work"
    init_workdir(root)
    missing = f"postgresql://recordkit@/rk?host={tmp_path}&port=1"
    use_database(root, missing)
    result = recordkit(root, "serve", "--port", str(free_port()))
    assert result.returncode == 1, result.stderr
    assert f"Error: 无法连接 PostgreSQL 数据库服务器 {tmp_path}:1/rk (cannot connect" in (
        result.stderr
    )
    assert "请检查 [database] url 或 RECORDKIT_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
