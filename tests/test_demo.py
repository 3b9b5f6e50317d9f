"""`recordkit demo` runs the whole job on the bundled samples."""

from __future__ import annotations

from recordkit.cli import cli
from recordkit.forms.libreoffice import find_soffice


def test_demo_runs_end_to_end(tmp_path, runner):
    target = tmp_path / "demo"
    result = runner.invoke(cli, ["demo", "--dir", str(target)])
    assert result.exit_code == 0, result.output
    assert "== 已登记 20 个示例案件" in result.stdout
    assert "质量事故 3, 整改通知 4, 纠正和预防措施 6, 售后服务 6" in result.stdout
    assert "失败" not in result.stdout
    # `make demo` ends by saying how to open the demo folder in a browser (issue 12)
    assert result.stdout.rstrip().splitlines()[-2] == (
        f"== 在浏览器中打开演示工作目录 (open it in a browser): recordkit demo --serve --dir {target}"
    )
    # every form and register of the catalog is generated from the sample data
    assert "== 表单和台帐 32 种 (of 32 in the catalog)" in result.stdout
    docs = list((target / "out").rglob("*.docx"))
    assert len(docs) > 17
    assert list((target / "out" / "registers").glob("R01-*-2026.xlsx"))
    for code in ("F10", "F29", "R02", "R03"):
        assert list((target / "out" / "registers").glob(f"{code}-*-2026.xlsx")), code
    assert (target / "out" / "TS-2026-0005" / "TS-2026-0005-打印合集.docx").is_file()
    if find_soffice() is not None:
        # issue 13: the scanned print bundle is filed as one document per form, and the
        # complainant's name and a word printed only on the paper (OCR) are both found.
        assert (
            "== 打印合集扫描件 打印合集扫描_TS-2026-0005.pdf: 按每页二维码拆分为 8 份文件"
            in result.stdout
        )
        assert (
            "== 检索 (recordkit archive search 戴美华): 投诉人姓名, 来自案件数据, 找到 "
            in result.stdout
        )
        scanned = result.stdout.split("== 检索 (recordkit archive search 涉及事项)")[1]
        assert scanned.startswith(": 只印在纸面上的文字, 来自 OCR, 找到 1 份")
        assert "TS-2026-0005  F01" in scanned.split("== ")[0]
    # issue 14 point 8: the demo numbers by arrangement; one case's documents are consecutive
    assert "== 整理编号 (recordkit archive arrange --year 2026): " in result.stdout
    shown = result.stdout.split("TS-2026-0005 及其关联记录")[1].split("\n档号")[0]
    numbers = [line.split()[0] for line in shown.splitlines() if line.startswith("Z109-WS·2026-")]
    by_sequence: dict[str, list[int]] = {}
    for number in numbers:
        sequence, item = number.rsplit("-", 1)
        by_sequence.setdefault(sequence, []).append(int(item))
    assert len(numbers) >= 3 and "Z109-WS·2026-D30" in by_sequence
    for items in by_sequence.values():
        assert items == list(range(items[0], items[0] + len(items))), numbers
