"""`recordkit archive …`: intake, search, audit, export, retention of signed scans."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from recordkit.archive.audit import (
    CHECK_COUNT_HEADERS,
    CHECK_WORDS,
    check_count_rows,
    check_lines,
    sequence_rows,
    verify_lines,
)
from recordkit.archive.export import verify_export
from recordkit.archive.numbering import retention_label
from recordkit.archive.retention import describe_hold
from recordkit.cli.output import (
    RecordkitGroup,
    examples,
    print_json,
    print_table,
    progress_bar,
    workspace,
)
from recordkit.dates import parse_day_option
from recordkit.forms.batch import default_jobs

STATUS_WORDS = {
    "filed": "已归档",
    "filing": "归档中",
    "destroying": "销毁中",
    "destroyed": "已销毁",
}


# --------------------------------------------------------------------------- archive


@click.group(cls=RecordkitGroup)
def archive() -> None:
    """档案: 接收签字扫描件, 检测 (四性检测)、编号 (档号)、加盖归档章、检索。

    Signed scans in archive/inbox/ are checked, numbered, stored read-only, stamped on an
    access copy and indexed (docs/archive.md).
    """


def _archive(ctx: click.Context):
    # Entered as a context manager for the command's lifetime: closed even when it fails.
    return ctx.with_resource(workspace(ctx).archive())


def _result_row(result: Any) -> list[Any]:
    where = result.archive_no if result.outcome == "filed" else result.destination
    if result.outcome == "duplicate" and result.archive_no:
        where = f"{result.destination} (= {result.archive_no})"
    return [result.label, result.source, where, result.reason]


def _echo_result(result: Any) -> None:
    click.echo("  ".join(str(c) for c in _result_row(result) if c))


@archive.command(
    "ingest",
    epilog=examples(
        "recordkit archive ingest                     # 处理 archive/inbox/ 中的全部扫描件",
        "recordkit archive ingest ~/扫描/扫描件.pdf ~/扫描/另一份.pdf   # 工作目录以外的文件",
        "recordkit archive ingest --inbox --jobs 4 --json",
    ),
)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--inbox", is_flag=True, help="处理 inbox/ 中的文件 (不给文件时默认如此)")
@click.option("--jobs", type=click.IntRange(1, 64), help="并行进程数 (default: CPU 核数)")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_ingest(
    ctx: click.Context, files: tuple[Path, ...], inbox: bool, jobs: int | None, as_json: bool
) -> None:
    """接收扫描件 (一次性): 检测、识别、编号、存储、加盖归档章、建立索引。

    文件会被移入档案库: 归档成功的进入 store/, 其余进入 duplicates/、unidentified/ 或
    quarantine/ 并附 <文件名>.reason.txt。退出码: 0 全部归档 (或为重复件), 1 有文件被隔离、
    待识别、出错或仍在写入。
    """
    archive_ = _archive(ctx)
    with contextlib.ExitStack() as stack:
        tick: list[Callable[[int], None]] = [lambda n: None]

        def start(total: int) -> None:
            tick[0] = stack.enter_context(progress_bar(total, "归档"))

        report = archive_.ingest(
            list(files),
            inbox=inbox or not files,
            jobs=jobs or default_jobs(),
            on_result=lambda r: tick[0](1),
            on_start=start,
        )
    archive_.close()
    if as_json:
        print_json(report.to_dict())
    else:
        rows = [_result_row(r) for r in report.recovered + report.results]
        if rows:
            print_table(["结果", "文件", "档号 / 去向", "原因"], rows)
        for name in report.still_writing:
            click.echo(f"仍在写入, 未处理 (still being written): {name}", err=True)
        _echo_ingest_notes(report)
        counts = report.counts()
        click.echo(
            f"输入 {report.inputs} 个文件 (恢复 {len(report.recovered)} 个): 归档 {counts['filed']}, "
            f"重复 {counts['duplicate']}, 待识别 {counts['unidentified']}, 隔离 {counts['quarantine']}, "
            f"出错 {counts['error']}"
            + (f", 仍在写入 {len(report.still_writing)}" if report.still_writing else "")
            + (f", 未接收 {len(report.skipped)}" if report.skipped else "")
        )
    if not report.ok:
        ctx.exit(1)


def _echo_ingest_notes(report: Any) -> None:
    """What the result table does not show: inbox entries not taken, one form filed twice."""
    for skipped in report.skipped:
        click.echo(f"未接收 (not taken): inbox/{skipped.file}  {skipped.reason}")
    for group in report.repeated_forms:
        click.echo(
            f"注意: 同一表单重复归档 (same form filed twice): {group['case_no']} {group['form_code']}: "
            f"{', '.join(group['archive_nos'])}; 请确认是否为同一份文件的两次扫描"
        )


@archive.command(
    "watch", epilog=examples("recordkit archive watch", "recordkit archive watch --jobs 2")
)
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="并行进程数")
@click.pass_context
def archive_watch(ctx: click.Context, jobs: int) -> None:
    """监视 inbox/ (含子文件夹), 文件写完 (大小和修改时间稳定) 后自动归档。

    Ctrl-C 或 SIGTERM 停止: 正在处理的文件会先处理完。稳定等待时间、重新扫描间隔等见
    recordkit.toml 的 [archive]。
    """
    archive_ = _archive(ctx)
    archive_.watch(
        jobs=jobs,
        on_result=_echo_result,
        on_event=lambda m: click.echo(m, err=True),
        on_ocr=_echo_ocr,
    )
    archive_.close()
    click.echo("已停止监视 (stopped)。", err=True)


def _echo_ocr(done: Any) -> None:
    if done.error:
        click.echo(
            f"文字识别失败 (OCR failed) {done.archive_no}: {done.error}"
            + (" (已达重试次数)" if done.final else " (稍后重试)"),
            err=True,
        )
    else:
        click.echo(
            f"文字识别 (OCR) {done.archive_no}: 识别 {done.ocr_pages} 页, 已有文本层 {done.text_pages} 页"
            + (", 利用副本已加文本层" if done.text_layer else "")
        )


@archive.command(
    "ocr",
    epilog=examples(
        "recordkit archive ocr",
        "recordkit archive ocr --all --jobs 2 --json",
        "recordkit archive ocr Z109-WS·2026-D30-0008",
    ),
)
@click.argument("archive_nos", nargs=-1, metavar="[档号]...")
@click.option("--pending", is_flag=True, help="只处理待识别的档案 (默认) (queued documents only)")
@click.option(
    "--all", "everything", is_flag=True, help="全部已归档档案重新识别 (read every document again)"
)
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="并行进程数")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_ocr(
    ctx: click.Context,
    archive_nos: tuple[str, ...],
    pending: bool,
    everything: bool,
    jobs: int,
    as_json: bool,
) -> None:
    """文字识别 (OCR): 为没有文本层的扫描页识别文字, 存入索引供检索。

    归档后会自动排队, archive watch 空闲时处理; 此命令立即处理。给出档号时只识别这些档案,
    其余留在队列中。有文本层的页直接取用, 不识别。原件不改动。有识别失败的档案时退出码为 1。
    """
    if pending and everything:
        raise click.UsageError("--pending 和 --all 只能选一个 (choose one)")
    report = _archive(ctx).ocr(
        everything, jobs, on_document=None if as_json else _echo_ocr, only=archive_nos
    )
    counts = report.counts()
    if as_json:
        print_json(report.to_dict())
    else:
        click.echo(
            f"文字识别: 完成 {counts['done']} 件, 失败 {counts['failed']} 件; 识别 {counts['ocr_pages']} 页, "
            f"已有文本层跳过 {counts['skipped_pages']} 页"
            + (f"; 重新排队 {counts['requeued']} 件 (上次中断)" if counts["requeued"] else "")
        )
    if counts["failed"]:
        ctx.exit(1)


@archive.command(
    "assign",
    epilog=examples(
        "recordkit archive assign archive/unidentified/扫描001.pdf --case TS-2026-0007 --form F03",
    ),
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--case", "case_no", required=True, help="案件编号")
@click.option("--form", "form_code", required=True, help="表单编号, 如 F03")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def archive_assign(
    ctx: click.Context, file: Path, case_no: str, form_code: str, as_json: bool
) -> None:
    """人工指定案件和表单, 归档一份无法自动识别的扫描件 (通常在 unidentified/ 中)。"""
    archive_ = _archive(ctx)
    result = archive_.assign(file, case_no, form_code)
    archive_.close()
    _echo_filing(ctx, result, as_json)


def _echo_filing(ctx: click.Context, result: Any, as_json: bool) -> None:
    """One file's outcome (assign, retry); exit 1 unless it was filed."""
    if as_json:
        print_json(result.to_dict())
    else:
        _echo_result(result)
    if result.outcome != "filed":
        ctx.exit(1)


@archive.command(
    "inbox",
    epilog=examples("recordkit archive inbox", "recordkit archive inbox --json"),
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def archive_inbox(ctx: click.Context, as_json: bool) -> None:
    """收件箱: 等待归档、已隔离、待识别、重复件 (附原因) 和最近归档的文件。"""
    entries = _archive(ctx).inbox_status()
    if as_json:
        print_json([e.to_dict() for e in entries])
        return
    if not entries:
        click.echo("收件箱是空的 (inbox empty)")
        return
    print_table(["状态", "文件", "时间", "原因"],
                [[e.label, e.file, e.time, e.reason] for e in entries])  # fmt: skip


@archive.command(
    "retry",
    epilog=examples("recordkit archive retry archive/unidentified/扫描001.pdf"),
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def archive_retry(ctx: click.Context, file: Path, as_json: bool) -> None:
    """重新归档 inbox/、quarantine/、unidentified/ 或 duplicates/ 中的一个文件 (如案件文件已更正)。"""
    _echo_filing(ctx, _archive(ctx).retry(file), as_json)


@archive.command(
    "discard",
    epilog=examples('recordkit archive discard archive/duplicates/扫描001.pdf --reason "重复扫描"'),
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--reason", required=True, help="作废原因 (记入事件日志)")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def archive_discard(ctx: click.Context, file: Path, reason: str, as_json: bool) -> None:
    """作废一个文件: 移到 archive/discarded/ 并写明原因, 记入事件日志 (从不删除)。"""
    done = _archive(ctx).discard(file, reason)
    if as_json:
        print_json(done.to_dict())
    else:
        click.echo(f"已作废: {done.file} → {done.destination} (原因: {done.reason})")


def _document_rows(docs: list[dict[str, Any]]) -> list[list[Any]]:
    return [[d["archive_no"], d["case_no"], d["form_code"], d["year"], d["retention_label"], d["pages"],
             {"none": "无", "valid": "有效", "invalid": "无效"}.get(d["signed"], d["signed"]),
             STATUS_WORDS.get(d["status"], d["status"]), (d["filed_at"] or "")[:19]]
            for d in docs]  # fmt: skip


_DOC_HEADERS = ["档号", "案件", "表单", "年度", "保管期限", "页数", "签名", "状态", "归档时间"]


@archive.command(
    "search",
    epilog=examples(
        "recordkit archive search 黄国栋",
        "recordkit archive search 退款 --year 2026 --kind 投诉",
        "recordkit archive search 抗压强度 --from 2026-01-01 --to 2026-06-30",
        "recordkit archive search --case TS-2026-0007",
        "recordkit archive search --year 2026 --retention D30 --json",
    ),
)
@click.argument("text", required=False)
@click.option("--case", "case_no", help="案件编号")
@click.option("--form", "form_code", help="表单编号")
@click.option("--year", type=int, help="年度")
@click.option(
    "--retention", type=click.Choice(["Y", "D30", "D10"], case_sensitive=False), help="保管期限代码"
)
@click.option("--kind", help="案件类别 (如 投诉、申诉)")
@click.option("--status", type=click.Choice(["filed", "filing"]), help="状态")
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="归档日期起")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="归档日期止")
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=20,
    show_default=True,
    help="最多显示的件数 (无检索词时显示最新归档的; 全部列出用 archive list)",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def archive_search(
    ctx: click.Context,
    text: str | None,
    case_no: str | None,
    form_code: str | None,
    year: int | None,
    retention: str | None,
    as_json: bool,
    **more: Any,
) -> None:
    """检索档案: 一个检索框覆盖档号、案件编号、投诉人、被投诉对象、涉及事项与投诉内容、表单题名、
    扫描件文字 (文本层/OCR); 按相关度排序并标出命中片段【】。可与条件组合。"""
    for key in ("date_from", "date_to"):
        day = _day_option(more[key], "--" + key[5:])
        more[key] = day.isoformat() if day else None
    archive_ = _archive(ctx)
    page = archive_.find(
        text, case_no, form_code, year, retention.upper() if retention else None, **more
    )
    archive_.close()
    docs = page.documents
    if as_json:
        print_json(docs)
        if page.more:  # stdout stays the plain list of documents
            click.echo(f"{page.note()}。", err=True)
        return
    print_table(_DOC_HEADERS, _document_rows(docs))
    for doc in docs:
        if doc.get("snippet"):
            click.echo(f"{doc['archive_no']}: {doc['snippet']}")
    click.echo(f"{page.note()}。" if page.more else f"共 {len(docs)} 件。")


@archive.command("reindex", epilog=examples("recordkit archive reindex"))
@click.pass_context
def archive_reindex(ctx: click.Context) -> None:
    """重建全文检索索引 (archive/search/): 由档案库索引和案件文件重新生成。"""
    report = _archive(ctx).reindex()
    click.echo(f"检索索引已重建: {report.added} 件。")


@archive.command(
    "show",
    epilog=examples(
        "recordkit archive show Z109-WS·2026-D10-0001",
        "recordkit archive show Z109-WS_2026-D10-0001 --json",
    ),
)
@click.argument("archive_no")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def archive_show(ctx: click.Context, archive_no: str, as_json: bool) -> None:
    """显示一件档案的元数据和四性检测结果 (档号中的 · 也可写作 _)。"""
    archive_ = _archive(ctx)
    doc = archive_.show(archive_no)
    archive_.close()
    if as_json:
        print_json(doc)
        return
    labels = [("档号", "archive_no"), ("案件", "case_no"), ("表单", "form_code"), ("年度", "year"),
              ("保管期限", "retention_label"), ("件号", "item_no"), ("页数", "pages"), ("签名", "signed"),
              ("到期鉴定", "disposal_due"), ("状态", "status"), ("原文件名", "original_name"),
              ("原件", "original_path"), ("利用副本", "access_path"), ("SHA-256", "sha256"), ("SM3", "sm3"),
              ("归档时间", "filed_at")]  # fmt: skip
    words = {"signed": {"none": "无", "valid": "有效", "invalid": "无效"}, "status": STATUS_WORDS}
    for label, key in labels:
        value = words.get(key, {}).get(doc[key], doc[key])
        click.echo(f"{label}: {'' if value is None else value}")
    click.echo("")
    print_table(["四性检测", "检查项", "结果", "说明"],
           [[c["category"], c["name"], CHECK_WORDS[c["result"]], c["detail"]]
            for c in doc["checks"]])  # fmt: skip


@archive.command(
    "list", epilog=examples("recordkit archive list", "recordkit archive list --year 2026 --json")
)
@click.option("--year", type=int, help="年度")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def archive_list(ctx: click.Context, year: int | None, as_json: bool) -> None:
    """按档号顺序列出档案。"""
    archive_ = _archive(ctx)
    docs = archive_.list(year)
    archive_.close()
    if as_json:
        print_json(docs)
        return
    print_table(_DOC_HEADERS, _document_rows(docs))
    click.echo(f"共 {len(docs)} 件。")


# --------------------------------------------------------------------------- archive audit and retention


@archive.command(
    "verify",
    epilog=examples(
        "recordkit archive verify",
        "recordkit archive verify --year 2026 --jobs 2",
        "recordkit archive verify --json",
    ),
)
@click.option("--year", type=int, help="只校验此年度的原件 (事件链总是整体校验)")
@click.option("--jobs", type=click.IntRange(1, 64), help="并行线程数 (default: CPU 核数)")
@click.option(
    "--head",
    metavar="HASH",
    callback=lambda c, p, v: _head_option(v),
    help="核对链头锚点: 以前校验或导出时记下的事件哈希 (64 位十六进制)",
)
@click.option("--no-log", is_flag=True, help="不把本次校验记入事件日志 (只读副本自动如此)")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_verify(
    ctx: click.Context,
    year: int | None,
    jobs: int | None,
    head: str | None,
    no_log: bool,
    as_json: bool,
) -> None:
    """校验原件和事件日志: 重新计算每份原件的 SHA-256 和 SM3 并与索引、事件日志核对。

    列出内容改变、缺失和未登记 (在 store/ 中但不在索引中) 的文件和符号链接, 按档号和路径; 核对
    索引、接收记录和利用副本与事件日志记录的值; 校验事件日志的哈希链并指出第一处断开; 打印链头
    锚点 (另行保存, 以后用 --head 核对)。本次校验记入事件日志 (只读副本或 --no-log 时不记)。
    有任何问题时退出码为 1。
    """
    archive_ = _archive(ctx)
    with contextlib.ExitStack() as stack:
        tick: list[Callable[[int], None]] = [lambda n: None]

        def start(total: int) -> None:
            tick[0] = stack.enter_context(progress_bar(total, "校验"))

        report = archive_.verify(
            year,
            jobs or os.cpu_count() or 1,
            on_start=start,
            on_progress=lambda n: tick[0](n),
            log=not no_log,
            head=head,
        )
    archive_.close()
    if as_json:
        print_json(report.to_dict())
    else:
        for line in verify_lines(report):
            click.echo(line)
    if not report.ok:
        ctx.exit(1)


def _head_option(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip().lower().lstrip("#")
    text = text.split()[-1] if text else text  # "#12 <hash>" as the report prints it
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise click.BadParameter(
            f"{value!r} 不是事件哈希 (64 位十六进制, 如 verify 报告的链头锚点)", param_hint="--head"
        )
    return text


@archive.command(
    "check",
    epilog=examples("recordkit archive check", "recordkit archive check --year 2026 --json"),
)
@click.option("--year", type=int, help="只检查此年度的档案和案件")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_check(ctx: click.Context, year: int | None, as_json: bool) -> None:
    """检查档案: 件号连续性、四性检测汇总、案件文件齐全性、办理期限。

    件号: 每个 (年度, 保管期限, 机构) 序列的空号和重号。四性检测: 每项检查的通过、警告、不通过
    件数和不通过的档案。齐全性: 每个案件按类别、状态和程序配置应归档的已签字表单
    (recordkit.toml [archive.required], 见 docs/audit.md)。期限: 已超期的案件。有问题时退出码为 1。
    """
    archive_ = _archive(ctx)
    report = archive_.check(year)
    archive_.close()
    if as_json:
        print_json(report.to_dict())
    else:
        print_table(["年度", "保管期限", "机构", "件数", "最大件号", "件号"], sequence_rows(report))
        click.echo("")
        print_table(CHECK_COUNT_HEADERS, check_count_rows(report))
        click.echo("")
        for line in check_lines(report):
            click.echo(line)
    if not report.ok:
        ctx.exit(1)


@archive.command(
    "rebuild-copy",
    epilog=examples(
        "recordkit archive rebuild-copy Z109-WS·2026-D10-0001",
        "recordkit archive rebuild-copy --missing",
    ),
)
@click.argument("archive_no", required=False)
@click.option("--missing", is_flag=True, help="重新生成全部缺失的利用副本")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_rebuild_copy(
    ctx: click.Context, archive_no: str | None, missing: bool, as_json: bool
) -> None:
    """从原件重新生成加盖归档章的利用副本 (缺失或已改变时)。

    先核对原件的 SHA-256 和 SM3 与索引、事件日志一致, 只读原件, 不改动原件; 每次重新生成记入事件日志。
    有未能生成的副本时退出码为 1。
    """
    results = _archive(ctx).rebuild_copies(archive_no, missing)
    if as_json:
        print_json([r.to_dict() for r in results])
    else:
        for r in results:
            click.echo(f"未能重新生成 {r.archive_no}: {r.error}" if r.error else
                       f"已重新生成利用副本 {r.archive_no}: {r.access_path} (SHA-256 {r.sha256[:16]}…)")  # fmt: skip
        click.echo(
            f"重新生成 {sum(not r.error for r in results)} 件, 失败 {sum(bool(r.error) for r in results)} 件。"
        )
    if any(r.error for r in results):
        ctx.exit(1)


@archive.command(
    "arrange",
    epilog=examples(
        "recordkit archive arrange --year 2026 --dry-run",
        "recordkit archive arrange --year 2026",
        'recordkit archive arrange --year 2026 --reopen --reason "补扫 TS-2026-0005 的回访记录"',
    ),
)
@click.option("--year", type=int, required=True, help="年度")
@click.option("--dry-run", is_flag=True, help="只显示将编定的件号, 不改动")
@click.option(
    "--reopen", is_flag=True, help="已封存的年度: 编入封存后接收的预归档文件 (须 --reason)"
)
@click.option("--reason", help="重新整理已封存年度的原因")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_arrange(ctx: click.Context, year: int, dry_run: bool, reopen: bool,
                    reason: str | None, as_json: bool) -> None:  # fmt: skip
    """整理一个年度的预归档文件并编定正式件号 (DA/T 22-2015), 然后封存该年度。

    按案件 (事由) 排序, 同一案件内按文件形成日期和表单顺序, 接续该年度已有的正式件号编号, 不留空号;
    利用副本按正式档号重新加盖归档章。须在 recordkit.toml 设 [archive] numbering = "arrange"。
    中断后再次运行即可完成。有利用副本未能重新生成时退出码为 1。
    """
    report = _archive(ctx).arrange(year, dry_run=dry_run, reopen=reopen, reason=reason)
    if as_json:
        print_json(report.to_dict())
    else:
        _echo_arrangement(report)
    if not report.ok:
        ctx.exit(1)


def _echo_arrangement(report: Any) -> None:
    if report.moves:
        print_table(["预归档号", "正式档号", "案件", "表单", "形成日期"],
                    [[m.provisional, m.final, m.case_no, m.form_code, m.date8] for m in report.moves])  # fmt: skip
    for error in report.errors:
        click.echo(f"未能重新加盖归档章: {error}")
    if report.dry_run:
        click.echo(
            f"预览: {report.year} 年度将编定 {len(report.moves)} 件 (未改动; 去掉 --dry-run 执行)"
        )
        if report.sealed_at and report.moves:
            click.echo(
                f'该年度已于 {report.sealed_at} 整理封存: 执行时须加 --reopen --reason "原因"'
            )
        return
    click.echo(f"{report.year} 年度已整理: 编定 {len(report.moves)} 件, 重新加盖归档章 "
               f"{len(report.restamped)} 件; 年度已封存。")  # fmt: skip


@archive.command(
    "export",
    epilog=examples(
        "recordkit archive export --year 2026 --to 审计/2026年度",
        "recordkit archive export --year 2026 --case TS-2026-0007 --to 审计/TS-2026-0007 --zip",
    ),
)
@click.option("--year", type=int, required=True, help="年度")
@click.option("--case", "cases", multiple=True, help="只导出这个案件的档案 (可重复)")
@click.option(
    "--to", "to", type=click.Path(path_type=Path), required=True, help="目标文件夹 (不存在或为空)"
)
@click.option("--zip", "as_zip", is_flag=True, help="打包为 <目标>.zip")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_export(
    ctx: click.Context, year: int, cases: tuple[str, ...], to: Path, as_zip: bool, as_json: bool
) -> None:
    """导出一个年度的档案为 BagIt 包 (RFC 8493), 供审计、评审或移交。

    包内: data/ 下的原件、索引 (CSV 和 JSON)、事件日志、归档文件目录 (PDF 和 XLSX); bag-info.txt、
    manifest-sha256.txt、tagmanifest-sha256.txt。用 recordkit archive verify-export 校验。
    """
    archive_ = _archive(ctx)
    report = archive_.export(to, year, list(cases), as_zip)
    archive_.close()
    if as_json:
        print_json(report.to_dict())
        return
    click.echo(
        f"已导出 {report.year} 年度档案 {report.documents} 件 (原件 {report.originals}, 已销毁 {report.destroyed}): "
        f"{report.path}"
    )
    click.echo(
        f"BagIt 包: {report.payload_files} 个文件, {report.payload_bytes / 1e6:.1f} MB; "
        f"校验: recordkit archive verify-export {report.path}"
    )
    head_id, head_hash = report.chain_head.split()
    click.echo(f"链头锚点 (请另行保存, 以后用 archive verify --head 核对): #{head_id} {head_hash}")


@archive.command(
    "verify-export",
    epilog=examples(
        "recordkit archive verify-export 审计/2026年度",
        "recordkit archive verify-export 审计/TS-2026-0007.zip --json",
    ),
)
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_verify_export(ctx: click.Context, path: Path, as_json: bool) -> None:
    """校验导出的 BagIt 包 (文件夹或 .zip): 清单、校验值、原件的 SM3、事件哈希链。有问题时退出码为 1。"""
    report = verify_export(path)
    if as_json:
        print_json(report.to_dict())
    else:
        for problem in report.problems:
            click.echo(problem)
        verdict = "有效" if report.ok else f"无效 ({len(report.problems)} 处问题)"
        click.echo(
            f"BagIt 包{verdict}: {report.path}; {report.files} 个文件, 原件 {report.originals} 件, "
            f"事件 {report.events} 个"
        )
    if not report.ok:
        ctx.exit(1)


def _day_option(value: str | None, option: str):
    return None if value is None else parse_day_option(value, option)


@archive.command(
    "due",
    epilog=examples(
        "recordkit archive due",
        "recordkit archive due --on 2037-01-01 --json",
        "recordkit archive due --xlsx 到期鉴定表.xlsx",
    ),
)
@click.option("--on", "on", metavar="YYYY-MM-DD", help="按这一天计算 (default: 今天)")
@click.option(
    "--xlsx",
    type=click.Path(path_type=Path),
    help="同时写出鉴定表 (Excel), 可改后用于 dispose --list",
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_due(ctx: click.Context, on: str | None, xlsx: Path | None, as_json: bool) -> None:
    """列出保管期限已满、待鉴定销毁的档案; 处于法律保全中的单独列出 (不会被销毁)。"""
    archive_ = _archive(ctx)
    report = archive_.due(_day_option(on, "--on"), xlsx)
    archive_.close()
    if as_json:
        print_json(report.to_dict())
        return
    if report.due:
        print_table(
            ["档号", "题名", "年度", "保管期限", "页数", "到期日期"],
            [
                [
                    e["archive_no"],
                    e["title"],
                    e["year"],
                    e["retention_label"],
                    e["pages"],
                    e["disposal_due"],
                ]
                for e in report.due
            ],
        )
    for entry in report.held:
        click.echo(f"保留 (法律保全) {entry['archive_no']}: {'; '.join(entry['holds'])}")
    for disposal_id in report.unfinished:
        click.echo(
            f"注意: 第 {disposal_id} 批销毁未完成, 再次运行 recordkit archive dispose 即可完成"
        )
    click.echo(
        f"截至 {report.on}: 到期 {len(report.due)} 件, 因法律保全保留 {len(report.held)} 件。"
        + (f" 鉴定表: {xlsx}" if xlsx else "")
    )


@archive.command(
    "dispose",
    epilog=examples(
        "recordkit archive dispose --due --approver 陈主任 --reason 保管期满经鉴定无保存价值 --dry-run",
        "recordkit archive dispose --due --on 2037-01-01 --approver 陈主任 --reason 保管期满 --dry-run",
        "recordkit archive dispose --due --approver 陈主任 --reason 保管期满经鉴定无保存价值",
        "recordkit archive dispose --list 到期鉴定表.xlsx --approver 陈主任 --reason 保管期满 --by 档案员王芳",
    ),
)
@click.option("--due", "use_due", is_flag=True, help="销毁全部到期且未被保全的档案")
@click.option(
    "--list",
    "list_file",
    type=click.Path(path_type=Path),
    help="销毁清单: 每行一个档号, 或含“档号”列的 .xlsx/.csv",
)
@click.option("--approver", help="批准人姓名 (必填)")
@click.option("--reason", help="销毁原因 / 鉴定意见 (必填)")
@click.option("--by", help="执行人 (default: 当前登录用户)")
@click.option("--dry-run", is_flag=True, help="只列出将销毁的档案, 不做任何改动")
@click.option(
    "--on",
    "on",
    metavar="YYYY-MM-DD",
    help="按这一天计算到期 (default: 今天; 晚于今天时只能与 --dry-run 一起演练)",
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_dispose(
    ctx: click.Context,
    use_due: bool,
    list_file: Path | None,
    approver: str | None,
    reason: str | None,
    by: str | None,
    dry_run: bool,
    on: str | None,
    as_json: bool,
) -> None:
    """销毁保管期满的档案: 写出销毁清册 (PDF + XLSX), 删除原件和利用副本, 索引保留元数据并标记已销毁。

    必须有批准人; 处于法律保全、未到期或永久保管的档案不能销毁 (整批拒绝, 不销毁任何档案)。
    中途中断时, 再次运行即完成上次的销毁。
    """
    report = _archive(ctx).dispose(
        use_due, list_file, approver, reason, by, dry_run, _day_option(on, "--on")
    )
    if as_json:
        print_json(report.to_dict())
        return
    _print_disposal(report, dry_run, on)


def _print_disposal(report: Any, dry_run: bool, on: str | None) -> None:
    for disposal_id in report.resumed:
        click.echo(f"已完成上次中断的第 {disposal_id} 批销毁")
    for entry in report.kept:
        holds = "; ".join(describe_hold(h) for h in entry["holds"])
        click.echo(
            f"保留 (法律保全, 已从第 {entry['disposal_id']} 批中撤出, 未销毁) {entry['archive_no']}: {holds}"
        )
    if report.items:
        print_table(
            ["档号", "题名", "年度", "保管期限", "页数", "鉴定意见"],
            [
                [
                    e["archive_no"],
                    e["title"],
                    e["year"],
                    e["retention_label"],
                    e["pages"],
                    e["opinion"],
                ]
                for e in report.items
            ],
        )
    for entry in report.held:
        click.echo(f"保留 (法律保全) {entry['archive_no']}: {'; '.join(entry['holds'])}")
    for archive_no in report.already_destroyed:
        click.echo(f"已销毁过, 跳过: {archive_no}")
    if dry_run and on:
        click.echo(f"按 {report.on} 计算到期。")
    if dry_run:
        click.echo(
            f"演练 (dry run): 将销毁 {len(report.items)} 件, 批准人 {report.approver}; 未做任何改动。"
        )
    elif report.disposal_id is None:
        click.echo("没有需要销毁的档案。")
    else:
        click.echo(
            f"已销毁 {len(report.items)} 件 (第 {report.disposal_id} 批, 批准人 {report.approver}, 执行人 "
            f"{report.by or '未记录'}); 销毁清册: {report.list_pdf}  {report.list_xlsx}"
        )


@archive.group("disposal", cls=RecordkitGroup)
def archive_disposal() -> None:
    """两人销毁 (two-person disposal): 一人申请 (写出销毁清册), 另一人批准后才销毁, 或驳回。"""


@archive_disposal.command(
    "propose",
    epilog=examples(
        "recordkit archive disposal propose --due --by 王芳 --reason 保管期满经鉴定无保存价值",
        "recordkit archive disposal propose Z109-WS·2015-D10-0001 --by 王芳 --reason 保管期满",
    ),
)
@click.argument("archive_nos", nargs=-1)
@click.option("--due", "use_due", is_flag=True, help="申请销毁全部到期且未被保全的档案")
@click.option("--by", help="申请人姓名 (必填)")
@click.option("--reason", help="销毁原因 / 鉴定意见 (必填)")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_disposal_propose(ctx: click.Context, archive_nos: tuple[str, ...], use_due: bool,
                             by: str | None, reason: str | None, as_json: bool) -> None:  # fmt: skip
    """申请销毁: 写出销毁清册 (PDF + XLSX, 批准人待定), 不删除任何档案; 须由另一人 approve。"""
    if use_due == bool(archive_nos):
        raise click.UsageError("请用 --due (全部到期档案) 或给出档号之一")
    report = _archive(ctx).propose_disposal(None if use_due else list(archive_nos), by, reason)
    if as_json:
        print_json(report.to_dict())
        return
    for entry in report.held:
        click.echo(f"保留 (法律保全) {entry['archive_no']}: {'; '.join(entry['holds'])}")
    for archive_no in report.already_destroyed:
        click.echo(f"已销毁过, 跳过: {archive_no}")
    p = report.proposal
    click.echo(
        f"已提交销毁申请 #{p['id']}: {len(p['items'])} 件, 申请人 {p['proposer']}, 待另一人批准; "
        f"销毁清册: {p['list_pdf']}  {p['list_xlsx']}"
    )


@archive_disposal.command(
    "approve", epilog=examples("recordkit archive disposal approve 1 --by 陈主任")
)
@click.argument("proposal_id", type=int)
@click.option("--by", help="批准人姓名 (必填, 不能是申请人)")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_disposal_approve(
    ctx: click.Context, proposal_id: int, by: str | None, as_json: bool
) -> None:
    """批准销毁申请并执行销毁 (批准人须不同于申请人)。"""
    report = _archive(ctx).approve_disposal(proposal_id, by)
    if as_json:
        print_json(report.to_dict())
        return
    _print_disposal(report, False, None)


@archive_disposal.command(
    "reject", epilog=examples("recordkit archive disposal reject 1 --by 陈主任 --reason 需续存")
)
@click.argument("proposal_id", type=int)
@click.option("--by", help="驳回人姓名 (必填)")
@click.option("--reason", help="驳回原因 (必填)")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_disposal_reject(ctx: click.Context, proposal_id: int, by: str | None, reason: str | None,
                            as_json: bool) -> None:  # fmt: skip
    """驳回 (或撤回) 销毁申请; 不删除任何档案。"""
    proposal = _archive(ctx).reject_disposal(proposal_id, by, reason)
    if as_json:
        print_json(proposal)
        return
    click.echo(
        f"已驳回销毁申请 #{proposal_id} ({proposal['decided_by']}): {proposal['decision_reason']}"
    )


@archive_disposal.command(
    "list",
    epilog=examples("recordkit archive disposal list", "recordkit archive disposal list --json"),
)
@click.option("--pending", is_flag=True, help="只列出待批准的申请")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_disposal_list(ctx: click.Context, pending: bool, as_json: bool) -> None:
    """列出销毁申请 (最新的在前)。"""
    proposals = _archive(ctx).disposal_proposals("pending" if pending else None)
    if as_json:
        print_json(proposals)
        return
    print_table(["编号", "状态", "件数", "申请人", "申请时间", "处理人", "原因"],
                [[p["id"], p["state_label"], len(p["items"]), p["proposer"], p["proposed_at"][:16],
                  p["decided_by"] or "", p["reason"]] for p in proposals])  # fmt: skip
    click.echo(f"共 {len(proposals)} 项。")


@archive.group("hold", cls=RecordkitGroup)
def archive_hold() -> None:
    """法律保全 (legal holds): 设置、解除、列出。保全期间档案不能销毁。"""


def _hold_line(hold: dict[str, Any]) -> str:
    state = (
        "生效"
        if hold["active"]
        else f"已于 {hold['released_at'][:10]} 由 {hold['released_by']} 解除"
    )
    return (
        f"#{hold['id']}  {hold['scope_label']} {hold['target']}  覆盖 {hold['documents']} 件  {hold['reason']}  "
        f"{hold['placed_by']} {hold['placed_at'][:10]}  {state}"
    )


@archive_hold.command(
    "add",
    epilog=examples(
        "recordkit archive hold add Z109-WS·2026-D10-0001 --reason 诉讼中 --by 张律师",
        "recordkit archive hold add --case TS-2026-0007 --reason 复议进行中 --by 质量负责人",
        "recordkit archive hold add --year 2026 --reason 上级检查 --by 档案室",
    ),
)
@click.argument("archive_no", required=False)
@click.option("--case", "case_no", help="保全一个案件的全部档案 (含以后归档的)")
@click.option("--year", type=int, help="保全一个年度的全部档案")
@click.option("--reason", help="保全原因 (必填)")
@click.option("--by", help="设置人 (必填)")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_hold_add(
    ctx: click.Context,
    archive_no: str | None,
    case_no: str | None,
    year: int | None,
    reason: str | None,
    by: str | None,
    as_json: bool,
) -> None:
    """设置法律保全: 一件档案 (档号)、一个案件 (--case) 或一个年度 (--year)。"""
    archive_ = _archive(ctx)
    hold = archive_.add_hold(archive_no, case_no, year, reason, by)
    archive_.close()
    if as_json:
        print_json(hold)
    else:
        click.echo(f"已设置法律保全 {_hold_line(hold)}")


@archive_hold.command(
    "remove", epilog=examples("recordkit archive hold remove 3 --by 张律师 --reason 诉讼已结束")
)
@click.argument("hold_id", type=int)
@click.option("--by", help="解除人 (必填)")
@click.option("--reason", help="解除原因")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_hold_remove(
    ctx: click.Context, hold_id: int, by: str | None, reason: str | None, as_json: bool
) -> None:
    """解除法律保全 (编号见 hold list)。"""
    archive_ = _archive(ctx)
    hold = archive_.remove_hold(hold_id, by, reason)
    archive_.close()
    if as_json:
        print_json(hold)
    else:
        click.echo(f"已解除法律保全 {_hold_line(hold)}")


@archive_hold.command(
    "list",
    epilog=examples("recordkit archive hold list", "recordkit archive hold list --all --json"),
)
@click.option("--all", "include_released", is_flag=True, help="包括已解除的")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_hold_list(ctx: click.Context, include_released: bool, as_json: bool) -> None:
    """列出法律保全 (默认只列生效的)。"""
    archive_ = _archive(ctx)
    holds = archive_.holds(include_released)
    archive_.close()
    if as_json:
        print_json(holds)
        return
    print_table(["编号", "范围", "对象", "覆盖件数", "原因", "设置人", "设置日期", "状态"],
           [[h["id"], h["scope_label"], h["target"], h["documents"], h["reason"], h["placed_by"], h["placed_at"][:10],
             "生效" if h["active"] else f"已解除 {h['released_at'][:10]}"] for h in holds])  # fmt: skip
    click.echo(f"共 {len(holds)} 项。")


@archive.group("retention", cls=RecordkitGroup)
def archive_retention() -> None:
    """保管期限 (retention) of filed records: 延长 (e.g. 重大质量事故、诉讼 → 30年 / 永久)。"""


@archive_retention.command(
    "set",
    epilog=examples(
        "recordkit archive retention set Z109-WS·2026-D10-0001 --to Y --reason 重大质量事故",
        "recordkit archive retention set --case TS-2026-0007 --to D30 --reason 诉讼中 --by 档案室",
    ),
)
@click.argument("archive_no", required=False)
@click.option("--case", "case_no", help="一个案件的全部档案")
@click.option("--to", "to", required=True, help="新的保管期限代码: Y (永久), D30, D10 …")
@click.option("--reason", help="变更原因 (必填, 记入事件日志)")
@click.option("--by", help="变更人 (默认当前登录名)")
@click.option("--force", is_flag=True, help="允许缩短保管期限 (须写明依据)")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_retention_set(ctx: click.Context, archive_no: str | None, case_no: str | None, to: str,
                          reason: str | None, by: str | None, force: bool, as_json: bool) -> None:  # fmt: skip
    """变更档案的保管期限; 每次变更记入事件日志; 缩短须 --force。"""
    changes = _archive(ctx).set_retention(archive_no, case_no, to, reason, by, force)
    if as_json:
        print_json(changes)
        return
    for c in changes:
        click.echo(f"{c['archive_no']}: 保管期限 {retention_label(c['from'])} → {retention_label(c['to'])}"
                   f" (到期鉴定 {c['disposal_due'] or '无, 永久保存'}; 原因: {c['reason']})")  # fmt: skip
    if not changes:
        click.echo(f"保管期限已是 {retention_label(to.strip().upper())}, 未变更")
