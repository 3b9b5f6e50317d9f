"""The audit part of ``recordkit demo``: verify and check the demo archive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from recordkit.archive.audit import (
    CHECK_COUNT_HEADERS,
    CheckReport,
    VerifyReport,
    check_count_rows,
    check_lines,
    sequence_rows,
    verify_lines,
)
from recordkit.config import Config
from recordkit.forms.batch import default_jobs
from recordkit.workspace import Workspace


def demo_audit(
    config: Config, echo: Callable[..., None], table: Callable[[list[str], list[list[Any]]], None]
) -> tuple[VerifyReport, CheckReport]:
    """The audit part of ``recordkit demo``: verify and check the demo archive."""
    with Workspace(config).archive() as archive:
        echo("== 审计: 校验原件和事件链 (recordkit archive verify)")
        verified = archive.verify(jobs=default_jobs())
        echo("   " + verify_lines(verified)[-1])
        if not verified.ok:
            for line in verify_lines(verified)[:-1][:10]:
                echo(f"   {line}")
        echo("== 审计: 件号、四性检测、案件文件齐全性、办理期限 (recordkit archive check)")
        checked = archive.check()
    table(["年度", "保管期限", "机构", "件数", "最大件号", "件号"], sequence_rows(checked))
    table(CHECK_COUNT_HEADERS, check_count_rows(checked))
    lines = check_lines(checked)
    shown = [line for line in lines if line.startswith(("件号", "检测不通过", "案件文件不齐"))][:6]
    for line in shown + lines[-2:]:
        echo(f"   {line}")
    echo("   演示只扫描了部分表单, 所以多数已办结案件缺少文件; 完整清单: recordkit archive check")
    return verified, checked
