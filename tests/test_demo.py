"""`recordkit demo` runs the whole job on the bundled samples."""

from __future__ import annotations

from recordkit.cli import cli


def test_demo_runs_end_to_end(tmp_path, runner):
    target = tmp_path / "demo"
    result = runner.invoke(cli, ["demo", "--dir", str(target)])
    assert result.exit_code == 0, result.output
    assert "== 已登记 17 个示例案件" in result.stdout
    assert "失败" not in result.stdout
    docs = list((target / "out").rglob("*.docx"))
    assert len(docs) > 17
    assert list((target / "out" / "registers").glob("R01-*-2026.xlsx"))
