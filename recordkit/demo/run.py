"""`recordkit demo`: the whole job end to end on the bundled sample cases.

Creates a working folder, files the sample cases, generates every form for every case
and the register (Word and Excel), and prints what was made and where. Each later
stage of the product (PDF, scans, archive, clock, reports) adds a step here.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from recordkit.cases import schema
from recordkit.cases.store import Case
from recordkit.clock.folder import case_statuses
from recordkit.config import init_workdir
from recordkit.dates import format_value
from recordkit.demo.archive import BUNDLE_CASE, arranging, demo_archive
from recordkit.demo.audit import demo_audit
from recordkit.demo.compliance import demo_compliance
from recordkit.demo.reports import demo_reports
from recordkit.demo.samples import file_samples
from recordkit.demo.search import demo_search
from recordkit.errors import RecordkitError
from recordkit.forms.generator import BundleResult, Output
from recordkit.forms.libreoffice import find_soffice
from recordkit.workspace import Workspace

Echo = Callable[..., None]
Table = Callable[[list[str], list[list[Any]]], None]


def run_demo(directory: Path | None, echo: Echo, table: Table) -> Path:
    root = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="recordkit-demo-"))
    echo(f"== 演示工作目录 (demo working folder): {root}")
    # hospital: the samples include a granted extension, which the lab procedure does not provide for
    config = init_workdir(
        root, org_name="漳州市示例检验检测中心", fonds_no="Z109", profile="hospital", force=True
    )
    config = arranging(config)  # 预归档 at intake, final 件号 by archive arrange

    workspace = Workspace(config)
    # Records first: a case's corrective_action_no must name a CAPA that exists (samples.py)
    filed = file_samples(workspace)
    records = ", ".join(f"{label} {count}" for label, count in filed.records)
    echo(f"== 已登记示例记录 (sample records filed): {records}")
    echo(f"== 已登记 {filed.cases} 个示例案件 (sample cases filed)")
    bundle = _generate_forms(workspace, root, echo, table)

    _status_table(config, table, echo)

    echo(
        "== 程序规则 (process rules): 回避、不满意不得办结、纠正措施关联 (recordkit case validate / case status)"
    )
    demo_compliance(config, echo, table)

    echo("== 统计报表 (reports)")
    demo_reports(config, echo)

    echo("== 归档 (archive): 打印、签字、扫描、放入收件箱、归档")
    demo_archive(config, echo, table, bundle=bundle)
    demo_search(config, echo, table, BUNDLE_CASE, _complainant(workspace, BUNDLE_CASE))
    echo("== 审计 (audit): 校验原件与事件链, 检查件号连续性与案卷完整性")
    demo_audit(config, echo, table)
    echo(f"== 完成。表单在 {config.out_dir}, 档案在 {config.archive_dir}。")
    return root


def _complainant(workspace: Workspace, case_no: str) -> str:
    return str(workspace.casebook().get(case_no).data["complainant"]["name"])


def _generate_forms(workspace: Workspace, root: Path, echo: Echo, table: Table) -> BundleResult:
    """Every form of every case and record, the registers and one print bundle, timed."""
    generator = workspace.generator()
    codes = [f.code for f in generator.catalog.forms.values() if not f.is_register]
    cases, failures = generator.load_cases(None)
    started = time.perf_counter()
    result = generator.run(generator.plan(cases, codes))
    elapsed = time.perf_counter() - started
    result.failures[:0] = failures
    rate = len(result.outputs) / elapsed if elapsed else 0.0
    echo(f"== 生成表单 {len(result.outputs)} 份, 用时 {elapsed:.2f} 秒 ({rate:.0f} 份/秒)")
    for failure in result.failures:
        echo(f"   失败 {failure.case} {failure.form_code}: {failure.reason}")

    registers = [
        (f.code, generator.register(f.code, year=year, xlsx=True))
        for f in generator.catalog.forms.values()
        if f.is_register
        for year in sorted({c.year for c in cases if c.rtype.name == f.record_type})
    ]
    # With LibreOffice the bundle gets its PDF too: the archive demo scans it as one pile.
    bundle = generator.bundle(BUNDLE_CASE, pdf=find_soffice() is not None)
    generator.close()

    _outputs_table(workspace.config.out_dir, root, cases, result.outputs, table)
    for code, reg in registers:
        echo(
            f"台帐 {code} {reg.period}: {reg.count} 件  {_rel(reg.path, root)}  {_rel(reg.xlsx, root) if reg.xlsx else ''}"
        )
    made = {o.form_code for o in result.outputs} | {code for code, _reg in registers}
    echo(f"== 表单和台帐 {len(made)} 种 (of {len(generator.catalog.forms)} in the catalog)")
    echo(
        f"== 打印合集 (print bundle) {BUNDLE_CASE}: {' '.join(f'{c}/{n}' for c, n in bundle.contents)}  "
        f"{_rel(bundle.path, root)}"
    )
    if result.failures:
        raise RecordkitError(f"演示中有 {len(result.failures)} 项失败")
    return bundle


def _outputs_table(
    out_dir: Path, root: Path, cases: list[Case], outputs: list[Output], table: Table
) -> None:
    """One row per case or record: the forms generated for it and where they are."""
    per_case: dict[str, list[str]] = {}
    for output in outputs:
        per_case.setdefault(output.case_no, []).append(output.form_code)
    rows = [
        [
            c.case_no,
            c.kind or c.rtype.label,
            str(c.data.get(c.rtype.date_field, "")),
            " ".join(per_case.get(c.case_no, [])),
            _rel(out_dir / c.case_no, root),
        ]
        for c in sorted(cases, key=lambda c: (c.rtype is not schema.CASE, c.case_no))
    ]
    table(["编号", "类别", "日期", "已生成表单", "位置"], rows)


def _status_table(config, table: Table, echo: Echo) -> None:
    """The case clock over the samples: each case's next deadline or how late it is."""
    echo("== 时限状态 (case clock, profile hospital)")
    rows = []
    for status in case_statuses(config, []):
        step = status.next_due
        rows.append(
            [
                status.case_no,
                "办理中" if status.is_open else "已办结",
                step.name if step else "",
                format_value(step.due) if step and step.due else "",
                step.text if step else "全部完成",
            ]
        )
    table(["编号", "状态", "当前步骤", "期限", "剩余/超期"], rows)


def _rel(path: Path, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)
