"""Click commands of the workspace's databases: ``recordkit db check`` and ``db migrate``
(issue 15, docs/scale.md). The work is in ``recordkit.index.migrate``; the web app's own
tables are Django's (``recordkit.web.boot``)."""

from __future__ import annotations

import click

from recordkit.cli.output import RecordkitGroup, examples, print_json, print_table, workspace
from recordkit.errors import RecordkitError
from recordkit.index.dbops import Line, MigrationInterrupted
from recordkit.index.migrate import check, migrate
from recordkit.web.boot import pending_migrations, prepare_database
from recordkit.web.settings import deprecated_setting


@click.group(cls=RecordkitGroup)
def db() -> None:
    """数据库: 检查连接和结构, 把 SQLite 档案迁移到 PostgreSQL (docs/scale.md)。"""


def _print(lines: list[Line], as_json: bool, extra: dict | None = None) -> None:
    if as_json:
        print_json(
            {
                **(extra or {}),
                "ok": all(x.ok for x in lines),
                "checks": [x.to_dict() for x in lines],
            }
        )
        return
    print_table(
        ["检查项", "结果", "说明"], [[x.item, "正常" if x.ok else "失败", x.detail] for x in lines]
    )


def _web_line(ctx: click.Context) -> Line:
    try:
        pending = pending_migrations(workspace(ctx).config.root)
    except RecordkitError as exc:
        return Line("网页迁移", False, str(exc))
    if pending:
        return Line(
            "网页迁移",
            False,
            f"有 {len(pending)} 个迁移待应用 (pending): {', '.join(pending[:3])}"
            f"{' …' if len(pending) > 3 else ''}; 启动 recordkit serve 或运行 recordkit user list 时自动应用",
        )
    return Line("网页迁移", True, "Django 迁移已全部应用 (all applied)")


@db.command("check", epilog=examples("recordkit db check", "recordkit db check --json"))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def db_check(ctx: click.Context, as_json: bool) -> None:
    """检查数据库: 后端、能否连接、各存储的表和行数、网页表的迁移是否已应用。有问题时退出码为 1。"""
    ws = workspace(ctx)
    lines = check(ws.database_stores(), ws.database_url())
    if all(line.ok for line in lines):
        lines.append(_web_line(ctx))
    if deprecated_setting(ws.config.root):
        lines.append(
            Line(
                "网页数据库设置",
                True,
                "[web] database_url 已弃用 (deprecated): 请改用 [database] url, 它对整个工作区生效",
            )
        )
    _print(lines, as_json)
    if not all(line.ok for line in lines):
        if not as_json:
            click.echo("Error: 数据库检查未通过 (database check failed)", err=True)
        ctx.exit(1)


@db.command(
    "migrate",
    epilog=examples(
        "recordkit db migrate --to postgresql://recordkit@db.example/recordkit",
        "recordkit db migrate --to postgresql://recordkit@db.example/recordkit --resume",
    ),
)
@click.option("--to", "url", required=True, help="目标 PostgreSQL 数据库地址 (postgresql://…)")
@click.option("--resume", is_flag=True, help="目标已有数据时继续上次中断的迁移 (跳过已复制的行)")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def db_migrate(ctx: click.Context, url: str, resume: bool, as_json: bool) -> None:
    """把本工作目录的 SQLite 数据库 (档案索引、OCR 队列、输出清单、案件缓存、检索状态、网页表)
    复制到 PostgreSQL, 然后在目标上核对行数、件号序列和事件链。源文件只读, 不会被修改。

    目标已有数据时拒绝, 除非 --resume; 中断后 (Ctrl+C) 加 --resume 再运行即可继续。
    迁移后在 recordkit.toml 中设置 [database] url 即切换到 PostgreSQL。核对未通过时退出码为 1。
    """
    ws = workspace(ctx)
    root = ws.config.root
    if ws.database_url():
        raise RecordkitError(
            "本工作目录已在使用 PostgreSQL ([database] url 或 RECORDKIT_DATABASE_URL), "
            "迁移的来源是 SQLite 文件: 请在迁移前去掉该设置 (the folder already uses PostgreSQL)"
        )
    try:
        report = migrate(
            ws.database_stores(), url, resume, prepare=lambda: prepare_database(root, url)
        )
    except (MigrationInterrupted, KeyboardInterrupt):
        raise RecordkitError(
            "迁移被中断 (interrupted): 已复制的行已提交; 加 --resume 再运行一次即可继续"
        ) from None
    _print(report.lines, as_json, {"target": report.target, "copied": report.copied})
    if not as_json:
        click.echo(f"已复制到 {report.target}: {sum(report.copied.values())} 行 (rows read)")
    if not report.ok:
        ctx.exit(1)
