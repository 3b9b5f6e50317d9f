"""The 工作台 and 案件列表 keep their case rows between requests (issue 12 performance), yet a
change made by another process — the command line, an editor, another server — shows on
the next request: a case edited on disk, a case deleted, a new case file."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE_CASE
from web_setup import make_user, recordkit, web, web_root  # noqa: F401

from recordkit.cases.store import dump_case
from recordkit.web.roles import ROLES

NUMBERS = ("TS-2026-7701", "TS-2026-7702")
OPEN = {"closed_at": None, "reply": None, "follow_up": None}


@pytest.fixture
def client(web: Path) -> Iterator[Any]:  # noqa: F811
    """A 登记员 logged in; the case files this module writes are removed afterwards."""
    from django.test import Client

    browser = Client()
    browser.force_login(make_user("cache-clerk", ROLES[0], full_name="缓存测试"))
    yield browser
    for path in (web / "cases").rglob("TS-2026-77*.yaml"):
        path.unlink()


def another_process(code: str, *args: str) -> None:
    """Run ``code`` in a separate Python process (not this server's)."""
    subprocess.run([sys.executable, "-c", code, *args], check=True, timeout=60)


def write_elsewhere(path: Path, data: dict[str, Any], settle: bool = False) -> None:
    """Write a case file in place from another process, as an editor would; ``settle``:
    dated an hour ago, so the server trusts its stamp (files younger than 2 s are always
    read again) and only a change of stamp can make it read the file again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    another_process(
        "import sys, pathlib; pathlib.Path(sys.argv[1]).write_text(sys.argv[2], encoding='utf-8')",
        str(path),
        dump_case(data),
    )
    if settle:
        long_ago = time.time() - 3600
        os.utime(path, (long_ago, long_ago))


def case(number: str, name: str, **changes: Any) -> dict[str, Any]:
    return copy.deepcopy(SAMPLE_CASE) | {"case_no": number, "complainant": {"name": name}} | changes


def listed(client: Any, query: str) -> str:
    response = client.get("/cases/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_a_case_edited_on_disk_shows_on_the_next_request(client: Any, web: Path) -> None:  # noqa: F811
    path = web / "cases" / "2026" / f"{NUMBERS[0]}.yaml"
    write_elsewhere(path, case(NUMBERS[0], "缓存甲"), settle=True)
    assert "缓存甲" in listed(client, NUMBERS[0])
    assert "缓存甲" in listed(client, NUMBERS[0])  # served from the kept rows
    write_elsewhere(path, case(NUMBERS[0], "缓存乙乙"))
    page = listed(client, NUMBERS[0])
    assert "缓存乙乙" in page and "缓存甲" not in page


def test_a_deleted_case_disappears(client: Any, web: Path) -> None:  # noqa: F811
    path = web / "cases" / "2026" / f"{NUMBERS[0]}.yaml"
    write_elsewhere(
        path, case(NUMBERS[0], "缓存丙", **OPEN, assignment={"handler": "缓存测试"}), settle=True
    )
    assert "缓存丙" in listed(client, NUMBERS[0])
    assert NUMBERS[0] in client.get("/").content.decode()  # 我经办的案件
    another_process("import sys, os; os.remove(sys.argv[1])", str(path))
    assert "共 0 件" in listed(client, NUMBERS[0])
    assert NUMBERS[0] not in client.get("/").content.decode()


def test_a_case_added_at_the_command_line_appears(client: Any, web: Path, tmp_path: Path) -> None:  # noqa: F811
    assert "共 0 件" in listed(client, "缓存丁")
    source = tmp_path / "来访记录.yaml"
    data = case(NUMBERS[1], "缓存丁")
    del data["case_no"]  # `case new` numbers it
    source.write_text(dump_case(data), encoding="utf-8")
    result = recordkit(web, "case", "new", "--from", str(source), "--json")
    assert result.returncode == 0, result.stderr
    page = listed(client, "缓存丁")
    assert "缓存丁" in page and "共 1 件" in page
    for path in (web / "cases").rglob("*.yaml"):  # numbered by the folder's rule: remove it here
        if "缓存丁" in path.read_text(encoding="utf-8"):
            path.unlink()
    assert "共 0 件" in listed(client, "缓存丁")
