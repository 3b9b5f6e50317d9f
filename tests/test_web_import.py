"""The 导入 page through Django's test client: a good register creates the cases, one
with errors shows the table and writes nothing, duplicates are listed, the type is taken
from the content (never the name), the size limit holds, and only 登记员 and 管理员 may import."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from web_setup import make_user, role_clients, web, web_root  # noqa: F401

from recordkit.cases.store import load_yaml
from recordkit.errors import ConfigError
from recordkit.web.roles import ROLES
from recordkit.web.settings import upload_limit

R, H, A, AR, AD = ROLES
HEADER = ["类别", "接收时间", "投诉方式", "投诉人", "投诉内容"]


def xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def case_files() -> set[Path]:
    from django.conf import settings

    return set((Path(settings.RECORDKIT_WORKDIR) / "cases").glob("*/*.yaml"))


def upload(client: Any, name: str, content: bytes, target: str = "case") -> Any:
    return client.post("/import/", {"target": target, "file": SimpleUploadedFile(name, content)})


def test_good_register_creates_the_cases_and_lists_them(role_clients: dict[str, Any]) -> None:  # noqa: F811
    before = case_files()
    content = xlsx(
        [
            ["投诉", datetime(2026, 4, 8, 9, 30), "电话", "导入甲", "网页导入的投诉 <b>&"],
            ["申诉", "2026-04-09", "来访", "导入乙", "网页导入的申诉"],
        ]
    )
    response = upload(role_clients[R], "../../二〇二六年台帐.xlsx", content)
    assert response.status_code == 200, response.content.decode()[:3000]
    created = [c.case_no for c in response.context["report"].created]
    assert len(created) == 2
    text = response.content.decode()
    assert all(f'href="/cases/{no}/"' in text for no in created)
    new_files = case_files() - before
    assert len(new_files) == 2
    data = [load_yaml(p.read_text(encoding="utf-8")) for p in new_files]
    assert {d["content"] for d in data} == {"网页导入的投诉 <b>&", "网页导入的申诉"}
    assert {d["imported"]["file"] for d in data} == {"二〇二六年台帐.xlsx"}  # the name, no path
    again = upload(role_clients[R], "台帐.xlsx", content)
    assert again.status_code == 200 and not again.context["report"].created
    assert [row for row, _no in again.context["report"].duplicates] == [2, 3]
    assert 'id="duplicates"' in again.content.decode()
    assert case_files() - before == new_files


def test_errors_show_as_a_table_and_nothing_is_written(role_clients: dict[str, Any]) -> None:  # noqa: F811
    before = case_files()
    content = xlsx(
        [
            ["投诉", "2026-04-10", "电话", "好行", "这一行没有问题"],
            ["投诉", "2026-02-30", "电话", "坏行", "日期不存在"],
            ["投诉", "2026-04-11", "微信", "坏行二", "方式不在列表中"],
        ]
    )
    response = upload(role_clients[R], "bad.xlsx", content)
    assert response.status_code == 400
    rows = [(p.row, p.column) for p in response.context["rows"]]
    assert rows == [(3, "接收时间"), (4, "投诉方式")]
    assert "微信" in response.context["rows"][1].problem
    text = response.content.decode()
    assert 'id="import-errors"' in text and "<th>行</th><th>列</th><th>问题</th>" in text
    assert "共 2 处错误, 未导入任何案件" in text
    assert case_files() == before


def test_csv_in_gb18030_imports_records(role_clients: dict[str, Any]) -> None:  # noqa: F811
    content = "提出日期,措施类型,不符合事实\n2026-04-01,纠正措施,CSV 导入的不符合\n".encode(
        "gb18030"
    )
    response = upload(role_clients[R], "纠正措施台帐.csv", content, target="capa")
    assert response.status_code == 200, response.content.decode()[:3000]
    (record,) = response.context["report"].created
    assert record.data["nonconformity"] == "CSV 导入的不符合"
    assert f'href="/records/capa/{record.case_no}/"' in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("台帐.xlsx", b"%PDF-1.7\n\x00\x01\x02 binary\x00"),  # a PDF renamed .xlsx
        ("台帐.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),  # a picture renamed .csv
        ("台帐.xlsx", b"PK\x05\x06" + b"\x00" * 18),  # an empty zip, not a workbook
    ],
)
def test_a_renamed_non_spreadsheet_is_refused(
    role_clients: dict[str, Any], name: str, content: bytes
) -> None:  # noqa: F811
    before = case_files()
    response = upload(role_clients[R], name, content)
    assert response.status_code == 400
    assert (
        "不是 Excel (.xlsx) 或 CSV 文件 (按文件内容判断, 与文件名无关)"
        in response.context["form"].errors["file"][0]
    )
    assert 'id="id_file_error"' in response.content.decode()
    assert case_files() == before


def test_a_workbook_named_csv_is_read_as_a_workbook(role_clients: dict[str, Any]) -> None:  # noqa: F811
    content = xlsx([["投诉", "2026-04-12", "电话", "名不副实", "扩展名写错的工作簿"]])
    response = upload(role_clients[R], "台帐.csv", content)
    assert response.status_code == 200, response.content.decode()[:3000]
    assert len(response.context["report"].created) == 1


def test_the_size_limit_is_a_setting(role_clients: dict[str, Any], web: Path) -> None:  # noqa: F811
    toml = web / "recordkit.toml"
    original = toml.read_bytes()
    assert upload_limit(web) == 20 * 1024 * 1024  # the default
    toml.write_bytes(original + b"\n[web]\nmax_upload_mb = 0.5\n")
    try:
        # Over 0.5 MB but within the form's allowance: read, then refused by import_upload.
        response = upload(
            role_clients[R], "台帐.csv", "类别,接收时间,投诉内容\n".encode() + b"x" * 540_000
        )
        assert response.status_code == 400
        assert response.context["form"].errors["file"] == [
            "文件超过 0.5 MB, 未导入 (file over the size limit)"
        ]
        big = upload(role_clients[R], "台帐.csv", b"x" * 600_000)  # refused before the body is read
        assert big.status_code == 413 and "文件超过 0.5 MB" in big.content.decode()
        toml.write_bytes(original + b"\n[web]\nmax_upload_mb = -1\n")
        with pytest.raises(ConfigError, match=r"\[web\] max_upload_mb: 应为正数"):
            upload_limit(web)
    finally:
        toml.write_bytes(original)


def test_a_missing_file_or_unknown_target_is_shown_beside_the_field(
    role_clients: dict[str, Any],
) -> None:  # noqa: F811
    response = role_clients[R].post("/import/", {"target": "nothing"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["file"] == ["请选择要上传的文件"] and errors["target"] == ["未知的记录类型"]


def test_a_spreadsheet_without_required_columns_names_the_upload_not_a_temp_path(
    role_clients: dict[str, Any],
) -> None:  # noqa: F811
    response = upload(role_clients[R], "缺列.csv", "投诉人\n张三\n".encode())
    assert response.status_code == 400
    message = response.context["form"].errors["file"][0]
    assert message.startswith("缺列.csv: 缺少必需的列") and "recordkit-upload" not in message


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_import_permission_table(role_clients: dict[str, Any], role: str, method: str) -> None:  # noqa: F811
    before = case_files()
    response = getattr(role_clients[role], method)("/import/")
    if role in (R, AD):
        assert response.status_code in (200, 400)
    else:
        assert response.status_code == 403
        assert "您的角色无权执行此操作 (import.run)" in response.content.decode()
    assert case_files() == before


def test_a_large_upload_never_goes_to_a_django_temporary_file(
    role_clients: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os
    import zipfile

    from django.core.files import uploadhandler

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("Django wrote the upload to a temporary file of its own")

    monkeypatch.setattr(uploadhandler.TemporaryFileUploadHandler, "new_file", refuse)
    buffer = io.BytesIO(xlsx([["投诉", "2026-04-13", "电话", "大文件", "3 MB 的工作簿"]]))
    with zipfile.ZipFile(buffer, "a") as archive:  # over Django's 2.5 MB in-memory default
        archive.writestr("customXml/padding.bin", os.urandom(3 * 1024 * 1024), zipfile.ZIP_STORED)
    response = upload(role_clients[R], "大台帐.xlsx", buffer.getvalue())
    assert response.status_code == 200, response.content.decode()[:3000]
    assert len(response.context["report"].created) == 1
