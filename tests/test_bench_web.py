"""Smoke test of the web benchmark (``bench/web.py``): it runs end to end on a few cases
and prints its table. Not a timed test: the table's numbers are not checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "web.py"


def test_web_bench_runs_on_a_few_cases() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--n", "20", "--requests", "2"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "20 cases" in out
    for page in (
        "| 工作台 | 2 |",
        "| 案件列表 | 2 |",
        "| 案件页 | 2 |",
        "| 编辑页 | 2 |",
        "| 保存 | 2 |",
    ):
        assert page in out
    assert (
        "peak RSS of the server (VmHWM)" in out
        and "`recordkit case list --json`, same folder" in out
    )
