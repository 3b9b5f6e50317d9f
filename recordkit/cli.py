"""The command line: the only module that imports click.

Each command parses options, builds a library object, calls one method and prints the
result. Errors of the ``RecordkitError`` tree are translated once, in ``RecordkitGroup``:
``Error: <Chinese message>`` on stderr and the error's exit code (1, or 2 for usage).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import RecordkitError

EPILOG_EXAMPLES = "\b\n示例 (examples):\n"
STATUS_WORDS = {"filed": "已归档", "filing": "归档中", "destroying": "销毁中", "destroyed": "已销毁"}


class RecordkitGroup(click.Group):
    """A group that turns recordkit errors into one clear line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RecordkitError as exc:
            click.echo(f"Error: {exc.message}", err=True)
            ctx.exit(exc.exit_code)
        except click.BadParameter as exc:
            # click's own checks (--kind 表扬, --jobs 0, --year abc) reject a value: bad input,
            # exit 1 like ours. A missing option or argument is a malformed command line: 2.
            if not isinstance(exc, click.MissingParameter):
                exc.exit_code = 1
            raise
        except KeyboardInterrupt:
            click.echo("已中断 (interrupted); 已完成的文件完整保留。", err=True)
            ctx.exit(130)


def _examples(*lines: str) -> str:
    return EPILOG_EXAMPLES + "\n".join(f"  {line}" for line in lines)


def _config(ctx: click.Context):
    from .config import load_config

    return load_config(ctx.obj.get("config_path"))


def _print_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _table(headers: list[str], rows: list[list[Any]]) -> None:
    """A plain aligned table; CJK characters count as two columns."""
    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    cells = [[str(c) for c in headers]] + [[_one_line(c) for c in r] for r in rows]
    widths = [max(width(r[i]) for r in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        click.echo("  ".join(c + " " * (widths[i] - width(c)) for i, c in enumerate(row)).rstrip())
        if index == 0:
            click.echo("  ".join("-" * w for w in widths))


def _one_line(value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\x0b", " ").replace("\t", " ")
    return text if len(text) <= 40 else text[:39] + "…"


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar with rate and ETA on a terminal; silent when stderr is piped."""
    if total < 2 or not sys.stderr.isatty():
        yield lambda n: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr, show_eta=True, show_percent=True,
                           item_show_func=None) as bar:
        yield bar.update


@click.group(cls=RecordkitGroup, epilog=_examples(
    "recordkit init 我的工作目录 --org 漳州市检验检测中心",
    "recordkit case new --from 投诉.yaml",
    "recordkit generate --case TS-2026-0001",
    "recordkit register --year 2026 --xlsx",
    "recordkit demo",
))
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="recordkit.toml 的路径 (default: found in this folder or its parents)")
@click.version_option(__version__, prog_name="recordkit")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """recordkit — 投诉、申诉处理表单的生成、归档与审计工具。

    Forms, archive and audit for complaint, appeal and quality-incident files.
    """
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path


# --------------------------------------------------------------------------- init

@cli.command(epilog=_examples("recordkit init", "recordkit init D:\\投诉档案 --org 某某检测中心 --fonds-no Z109 --profile lab"))
@click.argument("directory", type=click.Path(path_type=Path), default=".")
@click.option("--org", "org_name", default="示例检验检测中心", show_default=True, help="单位名称 (organisation name)")
@click.option("--fonds-no", default="Z109", show_default=True, help="全宗号")
@click.option("--profile", default="lab", show_default=True, help="程序时限配置名 (procedure profile)")
@click.option("--force", is_flag=True, help="覆盖已有的 recordkit.toml")
def init(directory: Path, org_name: str, fonds_no: str, profile: str, force: bool) -> None:
    """创建工作目录: recordkit.toml, cases/, records/, out/, archive/inbox/, form_templates/。"""
    from .config import init_workdir

    config = init_workdir(directory, org_name=org_name, fonds_no=fonds_no, profile=profile, force=force)
    click.echo(f"已创建工作目录 {config.root} (recordkit.toml, cases/, records/, out/, archive/inbox/, form_templates/)")


# --------------------------------------------------------------------------- case

@cli.group(cls=RecordkitGroup)
def case() -> None:
    """案件文件: 新建、校验、列表、从 Excel 导入。"""


@case.command("new", epilog=_examples("recordkit case new --kind 申诉", "recordkit case new --from 来访记录.yaml"))
@click.option("--kind", type=click.Choice(["投诉", "申诉", "争议", "意见建议"]), default="投诉", show_default=True, help="类别")
@click.option("--from", "source", type=click.Path(path_type=Path), help="从 YAML/JSON 文件读取案件内容")
@click.option("--allow-duplicate", is_flag=True, help="与已有案件相同 (投诉人、接收时间、内容) 时仍然新建")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果")
@click.pass_context
def case_new(ctx: click.Context, kind: str, source: Path | None, allow_duplicate: bool, as_json: bool) -> None:
    """新建案件并分配下一个编号 (TS-2026-0001 …), 写入 cases/<年>/<编号>.yaml。

    不带 --from 时写入一份待填写的空白案件文件。
    """
    from .casework import new_blank_case, new_case_from_file, open_casebook

    book = open_casebook(_config(ctx))
    created = new_case_from_file(book, source, allow_duplicate) if source else new_blank_case(book, kind)
    if as_json:
        _print_json({"case_no": created.case_no, "path": str(created.path)})
    else:
        click.echo(f"{created.case_no}  {created.path}")


@case.command("validate", epilog=_examples("recordkit case validate", "recordkit case validate cases/2026/TS-2026-0007.yaml"))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def case_validate(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """校验案件文件 (默认全部); 列出每个文件的全部错误。"""
    from .casework import validate_files

    config = _config(ctx) if not paths else _optional_config(ctx)
    report = validate_files(config, list(paths))
    for problem in report.problems:
        click.echo(problem, err=True)
    click.echo(f"已校验 {report.checked} 个文件, {report.bad} 个有错误。")
    if report.bad:
        ctx.exit(1)


def _optional_config(ctx: click.Context):
    try:
        return _config(ctx)
    except RecordkitError:
        return None


@case.command("list", epilog=_examples("recordkit case list", "recordkit case list --due-within 3d",
                                      "recordkit case list --overdue --json", "recordkit case list --open"))
@click.option("--due-within", "within", metavar="3d|12h|2w", help="只列出在此时间内到期的未完成步骤所属案件")
@click.option("--overdue", is_flag=True, help="只列出已超期的案件")
@click.option("--open", "open_only", is_flag=True, help="只列出未办结的案件")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def case_list(ctx: click.Context, within: str | None, overdue: bool, open_only: bool, as_json: bool) -> None:
    """列出案件; 可按时限筛选 (按 recordkit.toml 中的程序配置计算)。"""
    from .casework import case_statuses, filter_statuses, list_cases

    config = _config(ctx)
    keep = None
    if within or overdue or open_only:
        keep = {s.case_no for s in filter_statuses(case_statuses(config, []), within, overdue, open_only)}
    rows = list_cases(config, keep)
    if as_json:
        _print_json(rows)
        return
    _table(["编号", "类别", "接收时间", "投诉人", "状态", "文件"],
           [[r["case_no"], r["kind"], r["received_at"], r["complainant"], r["status"], r["path"]] for r in rows])


@case.command("status", epilog=_examples("recordkit case status", "recordkit case status TS-2026-0001 --json"))
@click.argument("cases", nargs=-1)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def case_status_cmd(ctx: click.Context, cases: tuple[str, ...], as_json: bool) -> None:
    """每个案件各步骤的期限、是否完成、剩余或超期 (按程序配置和工作日历)。"""
    from .casework import case_statuses
    from .clock import render_status

    statuses = case_statuses(_config(ctx), list(cases))
    if as_json:
        _print_json([s.to_dict() for s in statuses])
        return
    for index, status in enumerate(statuses):
        if index:
            click.echo("")
        click.echo(render_status(status))


@case.command("import", epilog=_examples("recordkit case import 2026年10月投诉台帐.xlsx", "recordkit case import 台帐.csv --skip-bad"))
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--skip-bad", is_flag=True, help="跳过有错误的行, 导入其余行并报告")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def case_import(ctx: click.Context, file: Path, skip_bad: bool, as_json: bool) -> None:
    """从 Excel (.xlsx) 或 CSV 导入案件; 列名可用字段路径或中文标签。"""
    from .casework import open_casebook
    from .spreadsheet import import_cases

    report = import_cases(open_casebook(_config(ctx)), file, skip_bad=skip_bad)
    _print_import(report, as_json, "案件")
    if report.skipped:
        ctx.exit(1)


# --------------------------------------------------------------------------- records

RECORD_TYPE_NAMES = ["incident", "rectification", "capa", "service", "质量事故", "整改通知", "纠正和预防措施", "售后服务"]
_TYPE_HELP = "记录类型: incident 质量事故 | rectification 整改通知 | capa 纠正和预防措施 | service 售后服务"


@cli.group(cls=RecordkitGroup)
def record() -> None:
    """其他记录 (不是投诉案件的记录): 质量事故、整改通知、纠正和预防措施、售后服务/安装。

    Each type is its own numbered register, kept as YAML files in records/<type>/<year>/,
    validated and imported like cases; a record may name the complaint case it came from
    (source_case). Its forms are filled with `fill`, `generate` and `register` like a case's.
    """


def _types(name: str | None):
    from . import schema
    from .casework import record_type

    return [record_type(name)] if name else list(schema.OTHER_TYPES)


@record.command("new", epilog=_examples("recordkit record new --type capa", "recordkit record new --type incident --from 事故.yaml",
                                       "recordkit record new --type 售后服务 --from 服务单.yaml --json"))
@click.option("--type", "type_name", required=True, type=click.Choice(RECORD_TYPE_NAMES), help=_TYPE_HELP)
@click.option("--kind", default="维修", show_default=True, help="服务类别 (service only): 维修 | 安装调试 | 保养 | 巡检 | 技术培训")
@click.option("--from", "source", type=click.Path(path_type=Path), help="从 YAML/JSON 文件读取记录内容")
@click.option("--allow-duplicate", is_flag=True, help="与已有记录相同时仍然新建")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果")
@click.pass_context
def record_new(ctx: click.Context, type_name: str, kind: str, source: Path | None, allow_duplicate: bool,
               as_json: bool) -> None:
    """新建记录并分配下一个编号 (SG-/ZG-/CA-/FW-…), 写入 records/<类型>/<年>/<编号>.yaml。

    不带 --from 时写入一份待填写的空白记录文件。
    """
    from .casework import new_blank_case, new_case_from_file, open_book

    book = open_book(_config(ctx), _types(type_name)[0])
    created = new_case_from_file(book, source, allow_duplicate) if source else new_blank_case(book, kind)
    if as_json:
        _print_json({"record_no": created.case_no, "type": book.rtype.name, "path": str(created.path)})
    else:
        click.echo(f"{created.case_no}  {created.path}")


@record.command("validate", epilog=_examples("recordkit record validate", "recordkit record validate --type capa",
                                            "recordkit record validate records/capa/2026/CA-2026-005.yaml"))
@click.option("--type", "type_name", type=click.Choice(RECORD_TYPE_NAMES), help=_TYPE_HELP + " (default: all)")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def record_validate(ctx: click.Context, type_name: str | None, paths: tuple[Path, ...]) -> None:
    """校验记录文件 (默认全部); 列出每个文件的全部错误。文件的类型按其所在文件夹或 --type 确定。"""
    from .casework import validate_files

    report = validate_files(_config(ctx), list(paths), _types(type_name))
    for problem in report.problems:
        click.echo(problem, err=True)
    click.echo(f"已校验 {report.checked} 个文件, {report.bad} 个有错误。")
    if report.bad:
        ctx.exit(1)


@record.command("list", epilog=_examples("recordkit record list", "recordkit record list --type service --open",
                                        "recordkit record list --type capa --json"))
@click.option("--type", "type_name", type=click.Choice(RECORD_TYPE_NAMES), help=_TYPE_HELP + " (default: all)")
@click.option("--open", "open_only", is_flag=True, help="只列出未关闭的记录")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def record_list(ctx: click.Context, type_name: str | None, open_only: bool, as_json: bool) -> None:
    """列出记录: 编号、类型、日期、摘要、状态、来源案件。"""
    from .casework import list_records

    rows = list_records(_config(ctx), _types(type_name), open_only)
    if as_json:
        _print_json(rows)
        return
    _table(["编号", "类型", "日期", "摘要", "状态", "来源案件", "文件"],
           [[r["record_no"], r["type_label"], r["date"], r["summary"], r["status"], r["source_case"], r["path"]]
            for r in rows])


@record.command("import", epilog=_examples("recordkit record import --type service 2026年售后服务记录.xlsx",
                                          "recordkit record import --type capa 纠正措施台帐.csv --skip-bad"))
@click.option("--type", "type_name", required=True, type=click.Choice(RECORD_TYPE_NAMES), help=_TYPE_HELP)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--skip-bad", is_flag=True, help="跳过有错误的行, 导入其余行并报告")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def record_import(ctx: click.Context, type_name: str, file: Path, skip_bad: bool, as_json: bool) -> None:
    """从 Excel (.xlsx) 或 CSV 导入记录; 列名可用字段路径或中文标签 (同案件导入规则)。"""
    from .casework import open_book
    from .spreadsheet import import_cases

    report = import_cases(open_book(_config(ctx), _types(type_name)[0]), file, skip_bad=skip_bad)
    _print_import(report, as_json, "记录")
    if report.skipped:
        ctx.exit(1)


def _print_import(report: Any, as_json: bool, what: str) -> None:
    if as_json:
        _print_json({
            "created": [c.case_no for c in report.created],
            "duplicates": [{"row": r, "case_no": n} for r, n in report.duplicates],
            "skipped": [str(p) for p in report.skipped],
            "extra_columns": report.extra_columns,
        })
        return
    for created in report.created:
        click.echo(f"{created.case_no}  {created.path}")
    for row, existing in report.duplicates:
        click.echo(f"第 {row} 行已导入过 ({existing}), 跳过")
    for problem in report.skipped:
        click.echo(f"跳过 {problem}", err=True)
    if report.extra_columns:
        click.echo(f"以下列不是{what}字段, 已保存在 extra 中: {'、'.join(report.extra_columns)}")
    click.echo(f"导入 {len(report.created)} 件, 重复 {len(report.duplicates)} 件, 跳过 {len(report.skipped)} 处错误。")


# --------------------------------------------------------------------------- profiles

@cli.group(cls=RecordkitGroup)
def profile() -> None:
    """程序时限配置 (procedure profiles): 列表、查看、检查、复制。"""


@profile.command("list", epilog=_examples("recordkit profile list"))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def profile_list(ctx: click.Context, as_json: bool) -> None:
    """列出内置和工作目录 profiles/ 中的程序配置。"""
    from .profiles import list_profiles

    config = _optional_config(ctx)
    entries = list_profiles(config.root if config else None)
    rows = [{"name": e.name, "title": e.title, "origin": e.origin, "problem": e.problem} for e in entries]
    if as_json:
        _print_json(rows)
        return
    current = config.profile if config else None
    _table(["名称", "说明", "来源", "状态"],
           [[("* " if r["name"] == current else "") + r["name"], r["title"], r["origin"], r["problem"] or "正常"] for r in rows])


@profile.command("show", epilog=_examples("recordkit profile show hospital"))
@click.argument("name")
@click.pass_context
def profile_show(ctx: click.Context, name: str) -> None:
    """显示一个程序配置文件的内容。"""
    from .profiles import profile_text

    config = _optional_config(ctx)
    click.echo(profile_text(name, config.root if config else None), nl=False)


@profile.command("check", epilog=_examples("recordkit profile check profiles/我的程序.yaml"))
@click.argument("file", type=click.Path(path_type=Path))
def profile_check(file: Path) -> None:
    """检查一个程序配置文件; 有错误时列出文件和步骤, 退出码 1。"""
    from .profiles import check_profile, describe_profile

    click.echo(describe_profile(check_profile(file)))


@profile.command("copy", epilog=_examples("recordkit profile copy hospital my-hospital"))
@click.argument("name")
@click.argument("new_name", required=False)
@click.pass_context
def profile_copy(ctx: click.Context, name: str, new_name: str | None) -> None:
    """把内置配置复制到工作目录 profiles/ 以便修改。"""
    from .profiles import copy_profile

    config = _config(ctx)
    path = copy_profile(name, config.root / "profiles", new_name, config.root)
    click.echo(f"已复制到 {path}; 在 recordkit.toml 的 [procedure] profile 中选用它。")


# --------------------------------------------------------------------------- forms

@cli.group(cls=RecordkitGroup)
def forms() -> None:
    """表单模板: 列表、详情、检查。"""


def _catalog(ctx: click.Context):
    from .catalog import Catalog

    return Catalog(_config(ctx).templates_dir)


@forms.command("list", epilog=_examples("recordkit forms list", "recordkit forms list --json"))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def forms_list(ctx: click.Context, as_json: bool) -> None:
    """列出全部表单和台帐。"""
    catalog = _catalog(ctx)
    rows = [{**f.summary(), "version": f.version} for f in catalog.forms.values()]
    if as_json:
        _print_json(rows)
        return
    _table(["编号", "名称", "版本", "类型", "记录", "纸张", "保管期限", "适用类别", "适用程序"],
           [[r["code"], r["title"], r["version"], r["type"], r["record_type"], r["paper"], r["retention"],
             "、".join(r["kinds"]) or "全部", "、".join(r["profiles"]) or "全部"] for r in rows])
    f_codes = sum(1 for r in rows if r["code"].startswith("F"))
    ledgers = sum(1 for r in rows if r["type"] == "register")
    click.echo(f"共 {len(rows)} 种: 表单 {f_codes} 种 (F 编号), 台帐 {len(rows) - f_codes} 种 (R 编号); "
               f"其中 {ledgers} 种为横向登记簿 (按年度/期间选取记录)。")


@forms.command("show", epilog=_examples("recordkit forms show F03"))
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def forms_show(ctx: click.Context, code: str, as_json: bool) -> None:
    """显示一个表单的目录信息和它使用的字段。"""
    from .casework import form_details

    details = form_details(_catalog(ctx), code)
    if as_json:
        _print_json(details)
        return
    for key, value in details.items():
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        click.echo(f"{key}: {value}")


@forms.command("check", epilog=_examples("recordkit forms check", "recordkit forms check F03"))
@click.argument("codes", nargs=-1)
@click.pass_context
def forms_check(ctx: click.Context, codes: tuple[str, ...]) -> None:
    """检查模板: 标签语法、未知字段、二维码占位图、版本号。有问题时退出码为 1。"""
    catalog = _catalog(ctx)
    bad = 0
    for form in catalog.select(list(codes)):
        problems = catalog.check(form)
        if problems:
            bad += 1
            for problem in problems:
                click.echo(str(problem), err=True)
        else:
            click.echo(f"{form.code} {form.title} 第{form.version}版: 正常")
    if bad:
        click.echo(f"Error: {bad} 个模板有问题", err=True)
        ctx.exit(1)


# --------------------------------------------------------------------------- fill / generate

def _generator(ctx: click.Context):
    from .casework import make_generator

    return make_generator(_config(ctx))


def _warn_empty(catalog: Any, outputs: list[Any]) -> None:
    """Warn (stderr, exit 0) about forms written with required content empty."""
    for output in outputs:
        if output.empty:
            fields = "、".join(f"{key} ({label})" for key, label in output.empty)
            title = catalog.get(output.form_code).title
            click.echo(f"警告: {output.form_code} {title} {output.case_no}: 以下必填内容为空, 文件中相应部分将是空白: "
                       f"{fields} (required content empty)", err=True)


def _report_batch(result: Any, as_json: bool, pdfs: list[Path], catalog: Any) -> None:
    if as_json:
        _print_json({
            "outputs": [{"case_no": o.case_no, "form_code": o.form_code, "path": str(o.path), "version": o.version,
                         "empty_required": [{"key": k, "label": label} for k, label in o.empty]}
                        for o in result.outputs],
            "pdfs": [str(p) for p in pdfs],
            "failures": [{"case": f.case, "form_code": f.form_code, "reason": f.reason} for f in result.failures],
            "skipped_edited": [{"case_no": s.case_no, "form_code": s.form_code, "path": s.path} for s in result.skipped],
        })
    else:
        for output in result.outputs:
            click.echo(f"{output.case_no}  {output.form_code}  {output.path}")
        for pdf in pdfs:
            click.echo(f"PDF  {pdf}")
        _report_skipped([s.path for s in result.skipped])
        if result.failures:
            click.echo(f"失败 {len(result.failures)} 项:", err=True)
            for failure in result.failures:
                where = " ".join(x for x in (failure.case, failure.form_code) if x)
                click.echo(f"  {where}: {failure.reason}" if where else f"  {failure.reason}", err=True)
        kept = f", 未覆盖 {len(result.skipped)} 份 (手工修改过)" if result.skipped else ""
        click.echo(f"生成 {len(result.outputs)} 份文件, 失败 {len(result.failures)} 项{kept}。")
    _warn_empty(catalog, result.outputs)


def _report_skipped(paths: list[str]) -> None:
    for path in paths:
        click.echo(f"未覆盖 (手工修改过, 用 --force 覆盖): {path}", err=True)


def _finish_batch(ctx: click.Context, generator: Any, result: Any, pdf: bool, as_json: bool, force: bool) -> None:
    """PDFs if asked, the report, and exit 1 when anything failed."""
    pdfs = generator.to_pdf(result, force) if pdf and result.outputs else []
    _report_batch(result, as_json, pdfs, generator.catalog)
    generator.close()
    if result.failures:
        ctx.exit(1)


_FORCE_HELP = "覆盖被手工修改过的输出文件 (旧文件保存在 .history/)"


@cli.command(epilog=_examples("recordkit fill F03 TS-2026-0001", "recordkit fill F01 TS-2026-0001 TS-2026-0002 --pdf",
                              "recordkit fill F26 CA-2026-005", "recordkit fill --bundle TS-2026-0005 --pdf"))
@click.argument("code", required=False)
@click.argument("cases", nargs=-1)
@click.option("--bundle", "bundle_ref", metavar="CASE",
              help="打印合集: 该案件需要的全部表单 (含关联记录的表单) 按程序顺序合成一个文件, 每表另起一页")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转换为 PDF")
@click.option("--force", is_flag=True, help=_FORCE_HELP)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def fill(ctx: click.Context, code: str | None, cases: tuple[str, ...], bundle_ref: str | None, pdf: bool,
         force: bool, as_json: bool) -> None:
    """用案件 (或记录) 数据填写一个表单, 写入 out/<编号>/<表单>.docx。

    --bundle CASE 写出 out/<编号>/<编号>-打印合集.docx (加 --pdf 同时写出 PDF): 该案件需要的每一张表单
    及其关联记录 (质量事故、整改通知、纠正措施、售后服务) 的表单, 每张另起一页, 各有自己的页眉、二维码
    和页码, 供打印签字。
    """
    if bundle_ref:
        if code or cases:
            raise click.UsageError("--bundle 不能与表单编号和案件编号同时使用 (use either CODE CASE… or --bundle CASE)")
        _fill_bundle(ctx, bundle_ref, pdf, force, as_json)
        return
    if not code or not cases:
        raise click.UsageError("需要表单编号和至少一个案件编号 (CODE CASE…), 或 --bundle CASE")
    generator = _generator(ctx)
    form = generator.catalog.get(code)
    result = generator.fill_cases(form, list(cases), force)
    _finish_batch(ctx, generator, result, pdf, as_json, force)


def _fill_bundle(ctx: click.Context, ref: str, pdf: bool, force: bool, as_json: bool) -> None:
    generator = _generator(ctx)
    result = generator.bundle(ref, pdf=pdf, force=force)
    generator.close()
    if as_json:
        _print_json({"path": str(result.path), "pdf": str(result.pdf) if result.pdf else None,
                     "forms": [{"form_code": c, "number": n} for c, n in result.contents], "pages": result.pages})
        return
    for index, (code, number) in enumerate(result.contents):
        pages = f"  {result.pages[index]} 页" if result.pages else ""
        click.echo(f"{index + 1:>2}. {code}  {number}{pages}")
    click.echo(f"打印合集 {len(result.contents)} 张表单: {result.path}")
    if result.pdf:
        click.echo(f"PDF  {result.pdf}")


@cli.command(epilog=_examples("recordkit generate", "recordkit generate --case TS-2026-0001 --case TS-2026-0002",
                              "recordkit generate --form F03 --form F18 --pdf"))
@click.option("--form", "codes", multiple=True, help="只生成这些表单 (可重复)")
@click.option("--case", "case_refs", multiple=True, help="只处理这些案件或记录 (编号或文件路径, 可重复)")
@click.option("--jobs", type=click.IntRange(1, 64), help="并行进程数 (default: CPU 核数)")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转换为 PDF")
@click.option("--force", is_flag=True, help=_FORCE_HELP)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def generate(ctx: click.Context, codes: tuple[str, ...], case_refs: tuple[str, ...], jobs: int | None,
             pdf: bool, force: bool, as_json: bool) -> None:
    """为案件和记录生成表单: 默认为每个案件 (及每条质量事故、整改、纠正措施、售后服务记录) 生成所需的全部表单。"""
    from .batch import default_jobs, run_jobs

    generator = _generator(ctx)
    plan, failures = generator.plan_jobs(list(case_refs), list(codes), force)
    with _progress(len(plan), "生成表单") as update:
        result = run_jobs(generator, plan, jobs or default_jobs(), update)
    result.failures[:0] = failures
    _finish_batch(ctx, generator, result, pdf, as_json, force)


@cli.command(epilog=_examples("recordkit regenerate --dry-run", "recordkit regenerate --form F03",
                              "recordkit regenerate --case TS-2026-0001 --force --json"))
@click.option("--form", "codes", multiple=True, help="只检查这些表单 (可重复)")
@click.option("--case", "case_nos", multiple=True, help="只检查这些案件 (可重复)")
@click.option("--since", help="只检查此日期以后生成的文件 (YYYY-MM-DD)")
@click.option("--dry-run", is_flag=True, help="只列出将要重新生成的文件及原因, 不写入")
@click.option("--force", is_flag=True, help="连同被手工修改过的输出文件一起覆盖")
@click.option("--jobs", type=click.IntRange(1, 64), help="并行进程数 (default: CPU 核数)")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def regenerate(ctx: click.Context, codes: tuple[str, ...], case_nos: tuple[str, ...], since: str | None,
               dry_run: bool, force: bool, jobs: int | None, as_json: bool) -> None:
    """模板修订或案件数据修改后, 只重新生成受影响的文件 (旧文件保存在 .history/)。"""
    from .batch import default_jobs
    from .generate import parse_day
    from .regenerate import EDITED, Regenerator

    generator = _generator(ctx)
    regenerator = Regenerator(generator)
    plan = regenerator.plan(list(case_nos), list(codes), parse_day(since, "--since").isoformat() if since else None)
    stale = [s.as_dict() for s in plan.everything]
    if dry_run:
        if as_json:
            _print_json({"stale": stale, "unchanged": plan.unchanged,
                         "failures": [{"case": f.case, "form_code": f.form_code, "reason": f.reason} for f in plan.failures]})
        else:
            _table(["编号", "表单", "原因", "文件"], [[s["case_no"], s["form_code"], s["reason_text"], s["output_path"]] for s in stale])
            click.echo(f"需重新生成 {len(plan.to_render(force)) + len(plan.derived_to_render(force))} 份, "
                       f"未变化 {plan.unchanged} 份, 手工修改 {sum(1 for s in plan.everything if s.reason == EDITED)} 份。")
        generator.close()
        if plan.failures:
            ctx.exit(1)
        return
    with _progress(len(plan.to_render(force)) + len(plan.derived_to_render(force)), "重新生成") as update:
        result = regenerator.run(plan, force, jobs or default_jobs(), update)
    generator.close()
    skipped = [s for s in plan.everything if s.reason == EDITED and not force]
    if as_json:
        _print_json({
            "regenerated": [{"case_no": o.case_no, "form_code": o.form_code, "path": str(o.path), "version": o.version} for o in result.outputs],
            "skipped_edited": [s.as_dict() for s in skipped]
            + [{"output_path": s.path, "case_no": s.case_no, "form_code": s.form_code} for s in result.skipped],
            "unchanged": plan.unchanged,
            "failures": [{"case": f.case, "form_code": f.form_code, "reason": f.reason} for f in result.failures],
        })
    else:
        for output in result.outputs:
            click.echo(f"{output.case_no}  {output.form_code}  {output.path}")
        _report_skipped([s.record.output_path for s in skipped] + [s.path for s in result.skipped])
        for failure in result.failures:
            click.echo(f"失败 {failure.case} {failure.form_code}: {failure.reason}", err=True)
        click.echo(f"重新生成 {len(result.outputs)} 份, 未变化 {plan.unchanged} 份, 跳过 {len(skipped) + len(result.skipped)} 份, "
                   f"失败 {len(result.failures)} 项。")
    if result.failures:
        ctx.exit(1)


@cli.command(epilog=_examples("recordkit register --year 2026 --xlsx", "recordkit register --from 2026-10-01 --to 2026-10-31",
                              "recordkit register --year 2026 --status open"))
@click.option("--form", "code", default="R01", show_default=True,
              help="台帐编号: R01 投诉登记台帐, F10 客户投诉接收登记表, R02 顾客来电来函来访处理记录, "
                   "F29 售后服务故障处理记事表, R03 售后服务记录表")
@click.option("--year", type=int, help="年度 (按接收时间; 记录按其日期)")
@click.option("--from", "start", help="起始日期 YYYY-MM-DD")
@click.option("--to", "end", help="截止日期 YYYY-MM-DD")
@click.option("--status", type=click.Choice(["open", "closed"]), help="open 未办结 / closed 已办结")
@click.option("--xlsx", is_flag=True, help="同时写出相同列的 Excel 文件")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转换为 PDF")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def register(ctx: click.Context, code: str, year: int | None, start: str | None, end: str | None,
             status: str | None, xlsx: bool, pdf: bool, as_json: bool) -> None:
    """生成台帐 (默认 R01 投诉登记台帐): 按年度、日期范围或状态选取案件或记录, 横向 A4, 每页重复标题行。

    选取为空时也写出台帐, 注明“本期无记录”。--xlsx 同时写出相同列的 Excel 文件。
    """
    from .generate import parse_day
    from .office import convert_to_pdf

    generator = _generator(ctx)
    result = generator.register(
        code, year, parse_day(start, "--from") if start else None, parse_day(end, "--to") if end else None, status, xlsx
    )
    pdf_path = convert_to_pdf([result.path])[0] if pdf else None
    generator.close()
    if as_json:
        _print_json({"path": str(result.path), "xlsx": str(result.xlsx) if result.xlsx else None,
                     "pdf": str(pdf_path) if pdf_path else None, "count": result.count, "period": result.period})
        return
    click.echo(f"{result.period}: {result.count} 件  {result.path}")
    for extra in (result.xlsx, pdf_path):
        if extra:
            click.echo(f"  {extra}")


# --------------------------------------------------------------------------- archive

@cli.group(cls=RecordkitGroup)
def archive() -> None:
    """档案: 接收签字扫描件, 检测 (四性检测)、编号 (档号)、加盖归档章、检索。

    Signed scans in archive/inbox/ are checked, numbered, stored read-only, stamped on an
    access copy and indexed (docs/archive.md).
    """


def _archive(ctx: click.Context):
    from .archive import Archive

    return Archive(_config(ctx))


def _result_row(result: Any) -> list[Any]:
    where = result.archive_no if result.outcome == "filed" else result.destination
    if result.outcome == "duplicate" and result.archive_no:
        where = f"{result.destination} (= {result.archive_no})"
    return [result.label, result.source, where, result.reason]


def _echo_result(result: Any) -> None:
    click.echo("  ".join(str(c) for c in _result_row(result) if c))


@archive.command("ingest", epilog=_examples(
    "recordkit archive ingest                     # 处理 archive/inbox/ 中的全部扫描件",
    "recordkit archive ingest ~/扫描/扫描件.pdf ~/扫描/另一份.pdf   # 工作目录以外的文件",
    "recordkit archive ingest --inbox --jobs 4 --json",
))
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--inbox", is_flag=True, help="处理 inbox/ 中的文件 (不给文件时默认如此)")
@click.option("--jobs", type=click.IntRange(1, 64), help="并行进程数 (default: CPU 核数)")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_ingest(ctx: click.Context, files: tuple[Path, ...], inbox: bool, jobs: int | None, as_json: bool) -> None:
    """接收扫描件 (一次性): 检测、识别、编号、存储、加盖归档章、建立索引。

    文件会被移入档案库: 归档成功的进入 store/, 其余进入 duplicates/、unidentified/ 或
    quarantine/ 并附 <文件名>.reason.txt。退出码: 0 全部归档 (或为重复件), 1 有文件被隔离、
    待识别、出错或仍在写入。
    """
    import contextlib

    from .batch import default_jobs

    archive_ = _archive(ctx)
    with contextlib.ExitStack() as stack:
        tick: list[Callable[[int], None]] = [lambda n: None]

        def start(total: int) -> None:
            tick[0] = stack.enter_context(_progress(total, "归档"))

        report = archive_.ingest(list(files), inbox=inbox or not files, jobs=jobs or default_jobs(),
                                 on_result=lambda r: tick[0](1), on_start=start)
    archive_.close()
    if as_json:
        _print_json(report.to_dict())
    else:
        rows = [_result_row(r) for r in report.recovered + report.results]
        if rows:
            _table(["结果", "文件", "档号 / 去向", "原因"], rows)
        for name in report.still_writing:
            click.echo(f"仍在写入, 未处理 (still being written): {name}", err=True)
        _echo_ingest_notes(report)
        counts = report.counts()
        click.echo(f"输入 {report.inputs} 个文件 (恢复 {len(report.recovered)} 个): 归档 {counts['filed']}, "
                   f"重复 {counts['duplicate']}, 待识别 {counts['unidentified']}, 隔离 {counts['quarantine']}, "
                   f"出错 {counts['error']}" + (f", 仍在写入 {len(report.still_writing)}" if report.still_writing else "")
                   + (f", 未接收 {len(report.skipped)}" if report.skipped else ""))
    if not report.ok:
        ctx.exit(1)


def _echo_ingest_notes(report: Any) -> None:
    """What the result table does not show: inbox entries not taken, one form filed twice."""
    for skipped in report.skipped:
        click.echo(f"未接收 (not taken): inbox/{skipped.file}  {skipped.reason}")
    for group in report.repeated_forms:
        click.echo(f"注意: 同一表单重复归档 (same form filed twice): {group['case_no']} {group['form_code']}: "
                   f"{', '.join(group['archive_nos'])}; 请确认是否为同一份文件的两次扫描")


@archive.command("watch", epilog=_examples("recordkit archive watch", "recordkit archive watch --jobs 2"))
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="并行进程数")
@click.pass_context
def archive_watch(ctx: click.Context, jobs: int) -> None:
    """监视 inbox/ (含子文件夹), 文件写完 (大小和修改时间稳定) 后自动归档。

    Ctrl-C 或 SIGTERM 停止: 正在处理的文件会先处理完。稳定等待时间、重新扫描间隔等见
    recordkit.toml 的 [archive]。
    """
    archive_ = _archive(ctx)
    archive_.watch(jobs=jobs, on_result=_echo_result, on_event=lambda m: click.echo(m, err=True))
    archive_.close()
    click.echo("已停止监视 (stopped)。", err=True)


@archive.command("assign", epilog=_examples(
    "recordkit archive assign archive/unidentified/扫描001.pdf --case TS-2026-0007 --form F03",
))
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--case", "case_no", required=True, help="案件编号")
@click.option("--form", "form_code", required=True, help="表单编号, 如 F03")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def archive_assign(ctx: click.Context, file: Path, case_no: str, form_code: str, as_json: bool) -> None:
    """人工指定案件和表单, 归档一份无法自动识别的扫描件 (通常在 unidentified/ 中)。"""
    archive_ = _archive(ctx)
    result = archive_.assign(file, case_no, form_code)
    archive_.close()
    if as_json:
        _print_json(result.to_dict())
    else:
        _echo_result(result)
    if result.outcome != "filed":
        ctx.exit(1)


def _document_rows(docs: list[dict[str, Any]]) -> list[list[Any]]:
    return [[d["archive_no"], d["case_no"], d["form_code"], d["year"], d["retention_label"], d["pages"],
             {"none": "无", "valid": "有效", "invalid": "无效"}.get(d["signed"], d["signed"]),
             STATUS_WORDS.get(d["status"], d["status"]), (d["filed_at"] or "")[:19]]
            for d in docs]  # fmt: skip


_DOC_HEADERS = ["档号", "案件", "表单", "年度", "保管期限", "页数", "签名", "状态", "归档时间"]


@archive.command("search", epilog=_examples(
    "recordkit archive search 黄国栋", "recordkit archive search 退款 --year 2026 --kind 投诉",
    "recordkit archive search 抗压强度 --from 2026-01-01 --to 2026-06-30",
    "recordkit archive search --case TS-2026-0007", "recordkit archive search --year 2026 --retention D30 --json",
))
@click.argument("text", required=False)
@click.option("--case", "case_no", help="案件编号")
@click.option("--form", "form_code", help="表单编号")
@click.option("--year", type=int, help="年度")
@click.option("--retention", type=click.Choice(["Y", "D30", "D10"], case_sensitive=False), help="保管期限代码")
@click.option("--kind", help="案件类别 (如 投诉、申诉)")
@click.option("--status", type=click.Choice(["filed", "filing"]), help="状态")
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="归档日期起")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="归档日期止")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="全文检索最多显示的件数")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def archive_search(ctx: click.Context, text: str | None, case_no: str | None, form_code: str | None,
                   year: int | None, retention: str | None, as_json: bool, **more: Any) -> None:
    """检索档案: 一个检索框覆盖档号、案件编号、投诉人、被投诉对象、涉及事项与投诉内容、表单题名、
    扫描件文字 (文本层/OCR); 按相关度排序并标出命中片段【】。可与条件组合。"""
    for key in ("date_from", "date_to"):
        day = _day_option(more[key], "--" + key[5:])
        more[key] = day.isoformat() if day else None
    archive_ = _archive(ctx)
    docs = archive_.search(text, case_no, form_code, year, retention.upper() if retention else None, **more)
    archive_.close()
    if as_json:
        _print_json(docs)
        return
    _table(_DOC_HEADERS, _document_rows(docs))
    for doc in docs:
        if doc.get("snippet"):
            click.echo(f"{doc['archive_no']}: {doc['snippet']}")
    click.echo(f"共 {len(docs)} 件。")


@archive.command("reindex", epilog=_examples("recordkit archive reindex"))
@click.pass_context
def archive_reindex(ctx: click.Context) -> None:
    """重建全文检索索引 (archive/search/): 由档案库索引和案件文件重新生成。"""
    archive_ = _archive(ctx)
    report = archive_.reindex()
    archive_.close()
    click.echo(f"检索索引已重建: {report.added} 件。")


@archive.command("show", epilog=_examples("recordkit archive show Z109-WS·2026-D10-0001",
                                         "recordkit archive show Z109-WS_2026-D10-0001 --json"))
@click.argument("archive_no")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def archive_show(ctx: click.Context, archive_no: str, as_json: bool) -> None:
    """显示一件档案的元数据和四性检测结果 (档号中的 · 也可写作 _)。"""
    archive_ = _archive(ctx)
    doc = archive_.show(archive_no)
    archive_.close()
    if as_json:
        _print_json(doc)
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
    _table(["四性检测", "检查项", "结果", "说明"],
           [[c["category"], c["name"], {"pass": "通过", "fail": "不通过", "warn": "警告"}[c["result"]], c["detail"]]
            for c in doc["checks"]])  # fmt: skip


@archive.command("list", epilog=_examples("recordkit archive list", "recordkit archive list --year 2026 --json"))
@click.option("--year", type=int, help="年度")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def archive_list(ctx: click.Context, year: int | None, as_json: bool) -> None:
    """按档号顺序列出档案。"""
    archive_ = _archive(ctx)
    docs = archive_.list(year)
    archive_.close()
    if as_json:
        _print_json(docs)
        return
    _table(_DOC_HEADERS, _document_rows(docs))
    click.echo(f"共 {len(docs)} 件。")


# --------------------------------------------------------------------------- archive audit and retention

@archive.command("verify", epilog=_examples("recordkit archive verify", "recordkit archive verify --year 2026 --jobs 2",
                                           "recordkit archive verify --json"))
@click.option("--year", type=int, help="只校验此年度的原件 (事件链总是整体校验)")
@click.option("--jobs", type=click.IntRange(1, 64), help="并行线程数 (default: CPU 核数)")
@click.option("--head", metavar="HASH", callback=lambda c, p, v: _head_option(v),
              help="核对链头锚点: 以前校验或导出时记下的事件哈希 (64 位十六进制)")
@click.option("--no-log", is_flag=True, help="不把本次校验记入事件日志 (只读副本自动如此)")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_verify(ctx: click.Context, year: int | None, jobs: int | None, head: str | None, no_log: bool,
                   as_json: bool) -> None:
    """校验原件和事件日志: 重新计算每份原件的 SHA-256 和 SM3 并与索引、事件日志核对。

    列出内容改变、缺失和未登记 (在 store/ 中但不在索引中) 的文件和符号链接, 按档号和路径; 核对
    索引、接收记录和利用副本与事件日志记录的值; 校验事件日志的哈希链并指出第一处断开; 打印链头
    锚点 (另行保存, 以后用 --head 核对)。本次校验记入事件日志 (只读副本或 --no-log 时不记)。
    有任何问题时退出码为 1。
    """
    import contextlib

    archive_ = _archive(ctx)
    with contextlib.ExitStack() as stack:
        tick: list[Callable[[int], None]] = [lambda n: None]

        def start(total: int) -> None:
            tick[0] = stack.enter_context(_progress(total, "校验"))

        report = archive_.verify(year, jobs or os.cpu_count() or 1, on_start=start, on_progress=lambda n: tick[0](n),
                                 log=not no_log, head=head)
    archive_.close()
    if as_json:
        _print_json(report.to_dict())
    else:
        from .audit import verify_lines

        for line in verify_lines(report):
            click.echo(line)
    if not report.ok:
        ctx.exit(1)


def _head_option(value: str | None) -> str | None:
    import re

    if value is None:
        return None
    text = value.strip().lower().lstrip("#")
    text = text.split()[-1] if text else text  # "#12 <hash>" as the report prints it
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise click.BadParameter(f"{value!r} 不是事件哈希 (64 位十六进制, 如 verify 报告的链头锚点)", param_hint="--head")
    return text


@archive.command("check", epilog=_examples("recordkit archive check", "recordkit archive check --year 2026 --json"))
@click.option("--year", type=int, help="只检查此年度的档案和案件")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_check(ctx: click.Context, year: int | None, as_json: bool) -> None:
    """检查档案: 件号连续性、四性检测汇总、案件文件齐全性、办理期限。

    件号: 每个 (年度, 保管期限, 机构) 序列的空号和重号。四性检测: 每项检查的通过、警告、不通过
    件数和不通过的档案。齐全性: 每个案件按类别、状态和程序配置应归档的已签字表单
    (recordkit.toml [archive.required], 见 docs/audit.md)。期限: 已超期的案件。有问题时退出码为 1。
    """
    from .audit import check_count_rows, check_lines, sequence_rows

    archive_ = _archive(ctx)
    report = archive_.check(year)
    archive_.close()
    if as_json:
        _print_json(report.to_dict())
    else:
        _table(["年度", "保管期限", "机构", "件数", "最大件号", "件号"], sequence_rows(report))
        click.echo("")
        _table(["四性检测", "检查项", "通过", "警告", "不通过"], check_count_rows(report))
        click.echo("")
        for line in check_lines(report):
            click.echo(line)
    if not report.ok:
        ctx.exit(1)


@archive.command("rebuild-copy", epilog=_examples("recordkit archive rebuild-copy Z109-WS·2026-D10-0001",
                                                 "recordkit archive rebuild-copy --missing"))
@click.argument("archive_no", required=False)
@click.option("--missing", is_flag=True, help="重新生成全部缺失的利用副本")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_rebuild_copy(ctx: click.Context, archive_no: str | None, missing: bool, as_json: bool) -> None:
    """从原件重新生成加盖归档章的利用副本 (缺失或已改变时)。

    先核对原件的 SHA-256 和 SM3 与索引、事件日志一致, 只读原件, 不改动原件; 每次重新生成记入事件日志。
    有未能生成的副本时退出码为 1。
    """
    from .access_copies import rebuild_copies

    archive_ = _archive(ctx)
    try:
        results = rebuild_copies(archive_, archive_no, missing)
    finally:
        archive_.close()
    if as_json:
        _print_json([r.to_dict() for r in results])
    else:
        for r in results:
            click.echo(f"未能重新生成 {r.archive_no}: {r.error}" if r.error else
                       f"已重新生成利用副本 {r.archive_no}: {r.access_path} (SHA-256 {r.sha256[:16]}…)")  # fmt: skip
        click.echo(f"重新生成 {sum(not r.error for r in results)} 件, 失败 {sum(bool(r.error) for r in results)} 件。")
    if any(r.error for r in results):
        ctx.exit(1)


@archive.command("export", epilog=_examples("recordkit archive export --year 2026 --to 审计/2026年度",
                                           "recordkit archive export --year 2026 --case TS-2026-0007 --to 审计/TS-2026-0007 --zip"))
@click.option("--year", type=int, required=True, help="年度")
@click.option("--case", "cases", multiple=True, help="只导出这个案件的档案 (可重复)")
@click.option("--to", "to", type=click.Path(path_type=Path), required=True, help="目标文件夹 (不存在或为空)")
@click.option("--zip", "as_zip", is_flag=True, help="打包为 <目标>.zip")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_export(ctx: click.Context, year: int, cases: tuple[str, ...], to: Path, as_zip: bool, as_json: bool) -> None:
    """导出一个年度的档案为 BagIt 包 (RFC 8493), 供审计、评审或移交。

    包内: data/ 下的原件、索引 (CSV 和 JSON)、事件日志、归档文件目录 (PDF 和 XLSX); bag-info.txt、
    manifest-sha256.txt、tagmanifest-sha256.txt。用 recordkit archive verify-export 校验。
    """
    archive_ = _archive(ctx)
    report = archive_.export(to, year, list(cases), as_zip)
    archive_.close()
    if as_json:
        _print_json(report.to_dict())
        return
    click.echo(f"已导出 {report.year} 年度档案 {report.documents} 件 (原件 {report.originals}, 已销毁 {report.destroyed}): "
               f"{report.path}")
    click.echo(f"BagIt 包: {report.payload_files} 个文件, {report.payload_bytes / 1e6:.1f} MB; "
               f"校验: recordkit archive verify-export {report.path}")
    head_id, head_hash = report.chain_head.split()
    click.echo(f"链头锚点 (请另行保存, 以后用 archive verify --head 核对): #{head_id} {head_hash}")


@archive.command("verify-export", epilog=_examples("recordkit archive verify-export 审计/2026年度",
                                                  "recordkit archive verify-export 审计/TS-2026-0007.zip --json"))
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_verify_export(ctx: click.Context, path: Path, as_json: bool) -> None:
    """校验导出的 BagIt 包 (文件夹或 .zip): 清单、校验值、原件的 SM3、事件哈希链。有问题时退出码为 1。"""
    from .bag import verify_export

    report = verify_export(path)
    if as_json:
        _print_json(report.to_dict())
    else:
        for problem in report.problems:
            click.echo(problem)
        verdict = "有效" if report.ok else f"无效 ({len(report.problems)} 处问题)"
        click.echo(f"BagIt 包{verdict}: {report.path}; {report.files} 个文件, 原件 {report.originals} 件, "
                   f"事件 {report.events} 个")
    if not report.ok:
        ctx.exit(1)


def _day_option(value: str | None, option: str):
    from .dates import parse_day_option

    return None if value is None else parse_day_option(value, option)


@archive.command("due", epilog=_examples("recordkit archive due", "recordkit archive due --on 2037-01-01 --json",
                                        "recordkit archive due --xlsx 到期鉴定表.xlsx"))
@click.option("--on", "on", metavar="YYYY-MM-DD", help="按这一天计算 (default: 今天)")
@click.option("--xlsx", type=click.Path(path_type=Path), help="同时写出鉴定表 (Excel), 可改后用于 dispose --list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_due(ctx: click.Context, on: str | None, xlsx: Path | None, as_json: bool) -> None:
    """列出保管期限已满、待鉴定销毁的档案; 处于法律保全中的单独列出 (不会被销毁)。"""
    archive_ = _archive(ctx)
    report = archive_.due(_day_option(on, "--on"))
    if xlsx:
        from .retention import write_due_xlsx

        write_due_xlsx(archive_, report, xlsx)
    archive_.close()
    if as_json:
        _print_json(report.to_dict())
        return
    if report.due:
        _table(["档号", "题名", "年度", "保管期限", "页数", "到期日期"],
               [[e["archive_no"], e["title"], e["year"], e["retention_label"], e["pages"], e["disposal_due"]] for e in report.due])
    for entry in report.held:
        click.echo(f"保留 (法律保全) {entry['archive_no']}: {'; '.join(entry['holds'])}")
    for disposal_id in report.unfinished:
        click.echo(f"注意: 第 {disposal_id} 批销毁未完成, 再次运行 recordkit archive dispose 即可完成")
    click.echo(f"截至 {report.on}: 到期 {len(report.due)} 件, 因法律保全保留 {len(report.held)} 件。"
               + (f" 鉴定表: {xlsx}" if xlsx else ""))


@archive.command("dispose", epilog=_examples(
    "recordkit archive dispose --due --approver 陈主任 --reason 保管期满经鉴定无保存价值 --dry-run",
    "recordkit archive dispose --due --on 2037-01-01 --approver 陈主任 --reason 保管期满 --dry-run",
    "recordkit archive dispose --due --approver 陈主任 --reason 保管期满经鉴定无保存价值",
    "recordkit archive dispose --list 到期鉴定表.xlsx --approver 陈主任 --reason 保管期满 --by 档案员王芳",
))
@click.option("--due", "use_due", is_flag=True, help="销毁全部到期且未被保全的档案")
@click.option("--list", "list_file", type=click.Path(path_type=Path), help="销毁清单: 每行一个档号, 或含“档号”列的 .xlsx/.csv")
@click.option("--approver", help="批准人姓名 (必填)")
@click.option("--reason", help="销毁原因 / 鉴定意见 (必填)")
@click.option("--by", help="执行人 (default: 当前登录用户)")
@click.option("--dry-run", is_flag=True, help="只列出将销毁的档案, 不做任何改动")
@click.option("--on", "on", metavar="YYYY-MM-DD", help="按这一天计算到期 (default: 今天; 晚于今天时只能与 --dry-run 一起演练)")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_dispose(ctx: click.Context, use_due: bool, list_file: Path | None, approver: str | None,
                    reason: str | None, by: str | None, dry_run: bool, on: str | None, as_json: bool) -> None:
    """销毁保管期满的档案: 写出销毁清册 (PDF + XLSX), 删除原件和利用副本, 索引保留元数据并标记已销毁。

    必须有批准人; 处于法律保全、未到期或永久保管的档案不能销毁 (整批拒绝, 不销毁任何档案)。
    中途中断时, 再次运行即完成上次的销毁。
    """
    from .retention import describe_hold

    archive_ = _archive(ctx)
    report = archive_.dispose(use_due, list_file, approver, reason, by, dry_run, _day_option(on, "--on"))
    archive_.close()
    if as_json:
        _print_json(report.to_dict())
        return
    for disposal_id in report.resumed:
        click.echo(f"已完成上次中断的第 {disposal_id} 批销毁")
    for entry in report.kept:
        holds = "; ".join(describe_hold(h) for h in entry["holds"])
        click.echo(f"保留 (法律保全, 已从第 {entry['disposal_id']} 批中撤出, 未销毁) {entry['archive_no']}: {holds}")
    if report.items:
        _table(["档号", "题名", "年度", "保管期限", "页数", "鉴定意见"],
               [[e["archive_no"], e["title"], e["year"], e["retention_label"], e["pages"], e["opinion"]] for e in report.items])
    for entry in report.held:
        click.echo(f"保留 (法律保全) {entry['archive_no']}: {'; '.join(entry['holds'])}")
    for archive_no in report.already_destroyed:
        click.echo(f"已销毁过, 跳过: {archive_no}")
    if dry_run and on:
        click.echo(f"按 {report.on} 计算到期。")
    if dry_run:
        click.echo(f"演练 (dry run): 将销毁 {len(report.items)} 件, 批准人 {report.approver}; 未做任何改动。")
    elif report.disposal_id is None:
        click.echo("没有需要销毁的档案。")
    else:
        click.echo(f"已销毁 {len(report.items)} 件 (第 {report.disposal_id} 批, 批准人 {report.approver}, 执行人 "
                   f"{report.by or '未记录'}); 销毁清册: {report.list_pdf}  {report.list_xlsx}")


@archive.group("hold", cls=RecordkitGroup)
def archive_hold() -> None:
    """法律保全 (legal holds): 设置、解除、列出。保全期间档案不能销毁。"""


def _hold_line(hold: dict[str, Any]) -> str:
    state = "生效" if hold["active"] else f"已于 {hold['released_at'][:10]} 由 {hold['released_by']} 解除"
    return (f"#{hold['id']}  {hold['scope_label']} {hold['target']}  覆盖 {hold['documents']} 件  {hold['reason']}  "
            f"{hold['placed_by']} {hold['placed_at'][:10]}  {state}")


@archive_hold.command("add", epilog=_examples(
    "recordkit archive hold add Z109-WS·2026-D10-0001 --reason 诉讼中 --by 张律师",
    "recordkit archive hold add --case TS-2026-0007 --reason 复议进行中 --by 质量负责人",
    "recordkit archive hold add --year 2026 --reason 上级检查 --by 档案室",
))
@click.argument("archive_no", required=False)
@click.option("--case", "case_no", help="保全一个案件的全部档案 (含以后归档的)")
@click.option("--year", type=int, help="保全一个年度的全部档案")
@click.option("--reason", help="保全原因 (必填)")
@click.option("--by", help="设置人 (必填)")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_hold_add(ctx: click.Context, archive_no: str | None, case_no: str | None, year: int | None,
                     reason: str | None, by: str | None, as_json: bool) -> None:
    """设置法律保全: 一件档案 (档号)、一个案件 (--case) 或一个年度 (--year)。"""
    archive_ = _archive(ctx)
    hold = archive_.add_hold(archive_no, case_no, year, reason, by)
    archive_.close()
    if as_json:
        _print_json(hold)
    else:
        click.echo(f"已设置法律保全 {_hold_line(hold)}")


@archive_hold.command("remove", epilog=_examples("recordkit archive hold remove 3 --by 张律师 --reason 诉讼已结束"))
@click.argument("hold_id", type=int)
@click.option("--by", help="解除人 (必填)")
@click.option("--reason", help="解除原因")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_hold_remove(ctx: click.Context, hold_id: int, by: str | None, reason: str | None, as_json: bool) -> None:
    """解除法律保全 (编号见 hold list)。"""
    archive_ = _archive(ctx)
    hold = archive_.remove_hold(hold_id, by, reason)
    archive_.close()
    if as_json:
        _print_json(hold)
    else:
        click.echo(f"已解除法律保全 {_hold_line(hold)}")


@archive_hold.command("list", epilog=_examples("recordkit archive hold list", "recordkit archive hold list --all --json"))
@click.option("--all", "include_released", is_flag=True, help="包括已解除的")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def archive_hold_list(ctx: click.Context, include_released: bool, as_json: bool) -> None:
    """列出法律保全 (默认只列生效的)。"""
    archive_ = _archive(ctx)
    holds = archive_.holds(include_released)
    archive_.close()
    if as_json:
        _print_json(holds)
        return
    _table(["编号", "范围", "对象", "覆盖件数", "原因", "设置人", "设置日期", "状态"],
           [[h["id"], h["scope_label"], h["target"], h["documents"], h["reason"], h["placed_by"], h["placed_at"][:10],
             "生效" if h["active"] else f"已解除 {h['released_at'][:10]}"] for h in holds])  # fmt: skip
    click.echo(f"共 {len(holds)} 项。")


# --------------------------------------------------------------------------- demo

@cli.command(epilog=_examples("recordkit demo", "recordkit demo --dir /tmp/recordkit-demo"))
@click.option("--dir", "directory", type=click.Path(path_type=Path), help="演示工作目录 (default: a new temporary folder)")
def demo(directory: Path | None) -> None:
    """演示: 用自带的示例案件走一遍完整流程 (what `make demo` runs)。"""
    from .demo import run_demo

    run_demo(directory, echo=click.echo, table=_table)


# --------------------------------------------------------------------------- reports

@cli.group(cls=RecordkitGroup)
def report() -> None:
    """统计报表: 月报、年报 (Word + Excel, 可选 PDF), 含服务目标与图表。"""


def _report_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--pdf and --json, shared by the monthly and yearly reports."""
    command = click.pass_context(command)
    command = click.option("--json", "as_json", is_flag=True, help="以 JSON 输出文件路径和全部统计数字")(command)
    return click.option("--pdf", is_flag=True, help="同时用 LibreOffice 转换为 PDF")(command)


def _print_report(result: Any, as_json: bool) -> None:
    from .reports import report_lines

    if as_json:
        _print_json(result.to_dict())
        return
    for line in report_lines(result):
        click.echo(line)


@report.command("monthly", epilog=_examples("recordkit report monthly --month 2026-10",
                                           "recordkit report monthly --month 2026-10 --pdf",
                                           "recordkit report monthly --month 2026-10 --json"))
@click.option("--month", required=True, metavar="YYYY-MM", help="统计月份 (按接收时间), 如 2026-10")
@_report_options
def report_monthly(ctx: click.Context, month: str, pdf: bool, as_json: bool) -> None:
    """投诉处理统计月报: 写入 out/reports/投诉统计月报-YYYY-MM.docx / .xlsx (/ .pdf)。"""
    from .reports import parse_month, write_report

    period = parse_month(month)
    _print_report(write_report(_config(ctx), period, pdf=pdf), as_json)


@report.command("yearly", epilog=_examples("recordkit report yearly --year 2026",
                                          "recordkit report yearly --year 2026 --pdf --json"))
@click.option("--year", required=True, metavar="YYYY", help="统计年度 (按接收时间), 如 2026")
@_report_options
def report_yearly(ctx: click.Context, year: str, pdf: bool, as_json: bool) -> None:
    """投诉处理统计年报: 写入 out/reports/投诉统计年报-YYYY.docx / .xlsx (/ .pdf)。"""
    from .reports import parse_year, write_report

    period = parse_year(year)
    _print_report(write_report(_config(ctx), period, pdf=pdf), as_json)


def main() -> None:
    # Windows consoles default to a legacy code page; Chinese output needs UTF-8.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    cli(obj={})


if __name__ == "__main__":  # pragma: no cover
    main()
