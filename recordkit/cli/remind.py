"""`recordkit remind`: e-mail each handler the steps of their cases due soon or overdue."""

from __future__ import annotations

import click

from recordkit.cli.output import config_of, examples, print_json, print_table
from recordkit.clock import reminders
from recordkit.errors import RecordkitError


@click.command(
    "remind",
    epilog=examples(
        "recordkit remind --dry-run", "recordkit remind --within 5", "recordkit remind --json"
    ),
)
@click.option(
    "--within",
    default=3,
    show_default=True,
    type=click.IntRange(0, 60),
    help="提醒多少个工作日内到期的步骤 (working days)",
)
@click.option("--dry-run", is_flag=True, help="只列出将发送的提醒, 不发邮件")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def remind(ctx: click.Context, within: int, dry_run: bool, as_json: bool) -> None:
    """按 recordkit.toml 的 [mail] 设置, 给每位处理人发送到期和超期步骤的提醒邮件。"""
    digests = reminders.run(config_of(ctx), within, dry_run)
    if as_json:
        print_json([d.as_dict() for d in digests])
    elif not digests:
        click.echo(f"没有需要提醒的步骤 (nothing overdue or due within {within} working days)")
    else:
        print_table(
            ["处理人", "邮箱", "已超期", "即将到期", "案件", "结果"],
            [
                [
                    d.handler,
                    d.address or "-",
                    len(d.overdue),
                    len(d.due_soon),
                    "、".join(sorted({i.case_no for i in d.items})),
                    d.state,
                ]
                for d in digests
            ],
        )
    refused = [d for d in digests if d.state == reminders.REFUSED]
    if refused:
        raise RecordkitError(
            "邮件服务器拒收了以下提醒 (refused): "
            + "；".join(f"{d.handler} <{d.address}>: {d.reason}" for d in refused)
        )
