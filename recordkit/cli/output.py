"""Output helpers of the command line: the error-translating group, example epilogs,
aligned tables, JSON, progress bars, and the one way a command gets its ``Workspace``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from recordkit.config import Config
from recordkit.errors import RecordkitError
from recordkit.workspace import Workspace

EPILOG_EXAMPLES = "\b\n示例 (examples):\n"


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


def examples(*lines: str) -> str:
    return EPILOG_EXAMPLES + "\n".join(f"  {line}" for line in lines)


def config_of(ctx: click.Context) -> Config:
    return workspace(ctx).config


def print_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    """A plain aligned table; CJK characters count as two columns."""

    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    cells = [[str(c) for c in headers]] + [[one_line(c) for c in r] for r in rows]
    widths = [max(width(r[i]) for r in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        click.echo("  ".join(c + " " * (widths[i] - width(c)) for i, c in enumerate(row)).rstrip())
        if index == 0:
            click.echo("  ".join("-" * w for w in widths))


def one_line(value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\x0b", " ").replace("\t", " ")
    return text if len(text) <= 40 else text[:39] + "…"


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar with rate and ETA on a terminal; silent when stderr is piped."""
    if total < 2 or not sys.stderr.isatty():
        yield lambda n: None
        return
    with click.progressbar(
        length=total,
        label=label,
        file=sys.stderr,
        show_eta=True,
        show_percent=True,
        item_show_func=None,
    ) as bar:
        yield bar.update


def workspace(ctx: click.Context) -> Workspace:
    """The working folder of this command line (``--config`` or found from here)."""
    return Workspace.open(ctx.obj.get("config_path"))


def optional_config(ctx: click.Context):
    try:
        return config_of(ctx)
    except RecordkitError:
        return None


def print_import(report: Any, as_json: bool, what: str) -> None:
    if as_json:
        print_json(
            {
                "created": [c.case_no for c in report.created],
                "duplicates": [{"row": r, "case_no": n} for r, n in report.duplicates],
                "skipped": [str(p) for p in report.skipped],
                "extra_columns": report.extra_columns,
            }
        )
        return
    for created in report.created:
        click.echo(f"{created.case_no}  {created.path}")
    for row, existing in report.duplicates:
        click.echo(f"第 {row} 行已导入过 ({existing}), 跳过")
    for problem in report.skipped:
        click.echo(f"跳过 {problem}", err=True)
    if report.extra_columns:
        click.echo(f"以下列不是{what}字段, 已保存在 extra 中: {'、'.join(report.extra_columns)}")
    click.echo(
        f"导入 {len(report.created)} 件, 重复 {len(report.duplicates)} 件, 跳过 {len(report.skipped)} 处错误。"
    )
