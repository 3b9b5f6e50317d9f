"""recordkit.cases.upload: a browser upload imported through the CLI's import call —
content sniffing, the size limit, a private temporary file deleted afterwards, and the
uploaded file's own name (never a path, never the temporary one) in records and errors."""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path

import pytest

from recordkit.cases.schema import CAPA
from recordkit.cases.store import CaseBook
from recordkit.cases.upload import UploadError, import_upload, spreadsheet_suffix, upload_name
from recordkit.config import Config
from recordkit.errors import ImportRowsError, SpreadsheetError

CSV = "类别,接收时间,投诉人,投诉内容\n投诉,2026-04-01 09:00,张三,上传的投诉\n".encode()


def uploads_left() -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob("recordkit-upload-*"))


def test_the_upload_lives_in_a_private_folder_that_is_deleted(
    book: CaseBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[Path, int, int]] = []
    original = spreadsheet_suffix

    def spy(path: Path) -> str:  # observe the temporary file while it exists
        seen.append(
            (path, stat.S_IMODE(path.parent.stat().st_mode), stat.S_IMODE(path.stat().st_mode))
        )
        return original(path)

    monkeypatch.setattr("recordkit.cases.upload.spreadsheet_suffix", spy)
    before = uploads_left()
    report = import_upload(book, [CSV[:10], CSV[10:]], "../../etc/passwd\x00.csv")
    ((path, folder_mode, _file_mode),) = seen
    assert path.name == "upload" and folder_mode == 0o700
    assert not path.parent.exists() and uploads_left() == before
    (case,) = report.created
    assert case.data["imported"]["file"] == "passwd.csv"
    assert case.data["content"] == "上传的投诉"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("C:\\Users\\王芳\\桌面\\台帐.xlsx", "台帐.xlsx"),
        ("a/b/c.csv", "c.csv"),
        ("", "上传的文件"),
        ("..", "上传的文件"),
        ("x" * 500 + ".csv", "x" * 120),
    ],
)
def test_upload_name_keeps_only_the_files_own_name(name: str, shown: str) -> None:
    assert upload_name(name) == shown


def test_errors_name_the_upload_not_the_temporary_file(book: CaseBook) -> None:
    with pytest.raises(SpreadsheetError) as missing:
        import_upload(book, ["投诉人\n张三\n".encode()], "台帐.csv")
    assert missing.value.message.startswith("台帐.csv: 缺少必需的列: 类别 (kind)")
    with pytest.raises(ImportRowsError) as rows:
        import_upload(
            book, ["类别,接收时间,投诉人,投诉内容\n投诉,2026-02-30,张三,x\n".encode()], "台帐.csv"
        )
    assert rows.value.file == "台帐.csv" and rows.value.message.startswith("台帐.csv: 第 2 行")
    assert "recordkit-upload" not in rows.value.message and not book.files()


def test_type_from_content_and_size_limit(workdir: Config, tmp_path: Path) -> None:
    capa = CaseBook(workdir, rtype=CAPA)
    with pytest.raises(UploadError, match="不是 Excel"):
        import_upload(capa, [b"%PDF-1.7\x00\x01"], "台帐.csv")
    with pytest.raises(UploadError, match="文件超过"):
        import_upload(capa, [b"a" * 600, b"b" * 600], "台帐.csv", max_bytes=1000)
    with pytest.raises(UploadError, match="文件是空的"):
        import_upload(capa, [], "台帐.csv")
    assert not capa.files()
