"""PDF through LibreOffice: the one external program recordkit runs.

Each call uses a private profile directory, so parallel conversions and a desktop
LibreOffice the user has open do not fight over one profile. soffice can exit 0 without
writing anything, so every expected PDF is checked to exist and to start with ``%PDF``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from recordkit.errors import LibreOfficeError

_WINDOWS_CANDIDATES = (
    Path(os.environ.get("PROGRAMFILES", r"C:\Program Files"))
    / "LibreOffice"
    / "program"
    / "soffice.exe",
    Path(os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)"))
    / "LibreOffice"
    / "program"
    / "soffice.exe",
)
_MAC_CANDIDATE = Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")


def find_soffice() -> Path | None:
    """The LibreOffice executable: $RECORDKIT_SOFFICE, PATH, then the usual install places."""
    configured = os.environ.get("RECORDKIT_SOFFICE")
    if configured:
        return Path(configured) if Path(configured).exists() else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    candidates = _WINDOWS_CANDIDATES if sys.platform == "win32" else (_MAC_CANDIDATE,)
    return next((c for c in candidates if c.exists()), None)


def require_soffice() -> Path:
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError(
            "未找到 LibreOffice (soffice), 无法生成 PDF。请安装 LibreOffice "
            "(Debian/Ubuntu: apt install libreoffice-writer; Windows: libreoffice.org), "
            "或设置环境变量 RECORDKIT_SOFFICE 指向 soffice。"
        )
    return soffice


def convert_to_pdf(
    documents: list[Path], outdir: Path | None = None, timeout: int = 600
) -> list[Path]:
    """Convert .docx files to PDF (beside them unless ``outdir``); returns the PDF paths."""
    if not documents:
        return []
    soffice = require_soffice()
    groups: dict[Path, list[Path]] = {}
    for doc in documents:
        groups.setdefault(Path(outdir) if outdir else Path(doc).parent, []).append(Path(doc))
    results: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="recordkit-lo-") as profile:
        for target, docs in groups.items():
            target.mkdir(parents=True, exist_ok=True)
            _run(soffice, Path(profile), target, docs, timeout)
            results += [_checked_pdf(target / f"{d.stem}.pdf", d) for d in docs]
    return results


def _run(soffice: Path, profile: Path, target: Path, docs: list[Path], timeout: int) -> None:
    command = [
        str(soffice),
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "pdf:writer_pdf_Export",
        "--outdir",
        str(target),
        *[str(d) for d in docs],
    ]
    try:
        completed = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise LibreOfficeError(
            f"LibreOffice 转换超时 ({timeout} 秒): {docs[0].name} 等 {len(docs)} 个文件"
        ) from None
    except OSError as exc:
        raise LibreOfficeError(f"无法启动 LibreOffice ({soffice}): {exc}") from None
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise LibreOfficeError(f"LibreOffice 转换失败 (exit {completed.returncode}): {detail[0]}")


def _checked_pdf(pdf: Path, doc: Path) -> Path:
    try:
        with open(pdf, "rb") as handle:
            if handle.read(5) == b"%PDF-":
                return pdf
    except OSError:
        pass
    raise LibreOfficeError(f"LibreOffice 未能生成 {doc.name} 的 PDF (no PDF written for {doc})")
