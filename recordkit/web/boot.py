"""Start Django for one working folder: configure, migrate, create the role groups.

Django's settings are process-wide, so one process serves one working folder; asking for
a second folder in the same process is refused with a clear error.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from recordkit.errors import RecordkitError


def configure(root: Path, environ: Mapping[str, str] | None = None) -> None:
    """Configure Django for the working folder ``root`` and call ``django.setup()``
    (``environ``: instead of the process environment, e.g. another database URL)."""
    import django
    from django.conf import settings

    from recordkit.web.settings import build_settings

    root = root.resolve()
    if settings.configured:
        current = getattr(settings, "RECORDKIT_WORKDIR", None)
        if current != str(root):
            raise RecordkitError(
                f"本进程已打开工作目录 {current}，不能再打开 {root} (one working folder per process)"
            )
        return
    settings.configure(**build_settings(root, environ))
    django.setup()


def start(root: Path) -> None:
    """Configure Django, apply pending migrations and make sure every role group exists."""
    from django.core.management import call_command
    from django.db import DatabaseError

    from recordkit.web.roles import ensure_groups

    configure(root)
    try:
        call_command("migrate", interactive=False, verbosity=0)
        ensure_groups()
    except DatabaseError as exc:
        raise RecordkitError(database_problem(exc)) from None
    _owner_only_database()


def pending_migrations(root: Path) -> list[str]:
    """The web app's migrations not yet applied to its database (`recordkit db check`)."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    configure(root)
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise RecordkitError(database_problem(exc)) from None
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def prepare_database(root: Path, url: str) -> None:
    """Create the web app's tables in the database ``url`` by Django's migrations, and no
    rows: `db migrate` then copies users, groups, permissions and content types with their
    ids (post_migrate would have made its own, under other ids)."""
    from django.core.management import call_command
    from django.db import DatabaseError
    from django.db.models.signals import post_migrate

    configure(root, {"RECORDKIT_DATABASE_URL": url})
    _check_target(url)
    receivers = post_migrate.receivers
    post_migrate.receivers = []
    post_migrate.sender_receivers_cache.clear()
    try:
        call_command("migrate", interactive=False, verbosity=0)
    except DatabaseError as exc:
        raise RecordkitError(database_problem(exc)) from None
    finally:
        post_migrate.receivers = receivers
        post_migrate.sender_receivers_cache.clear()


def _check_target(url: str) -> None:
    """Django is configured once per process: refuse to migrate if this process's
    database is not ``url`` (it was configured for the folder's own database before)."""
    import dj_database_url
    from django.db import connection

    wanted = dj_database_url.parse(url)
    current = connection.settings_dict
    if (current["ENGINE"], current["NAME"]) != (wanted["ENGINE"], wanted["NAME"]):
        raise RecordkitError(
            "本进程的网页数据库不是迁移目标, 未做任何修改 (web database of this process is not "
            f"the target): {current['NAME']}"
        )


def database_problem(exc: Exception) -> str:
    """The Chinese message for a database that cannot be opened: for PostgreSQL, which
    server could not be reached (never the password), with the driver's first line."""
    from django.db import OperationalError, connection

    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if connection.vendor == "postgresql" and isinstance(exc, OperationalError):
        db, options = connection.settings_dict, connection.settings_dict.get("OPTIONS", {})
        host = db.get("HOST") or options.get("host") or "localhost"
        where = f"{host}:{db.get('PORT') or options.get('port') or 5432}/{db.get('NAME')}"
        return (
            f"无法连接 PostgreSQL 数据库服务器 {where} (cannot connect to the database server), "
            f"请检查 [database] url 或 RECORDKIT_DATABASE_URL 以及服务器是否运行: {first_line}"
        )
    return f"无法打开网页数据库 (cannot open the web database): {first_line}"


def _owner_only_database() -> None:
    """The SQLite file holds password hashes and session keys: readable by its owner only."""
    import os

    from django.db import connection

    if os.name == "posix" and connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        if path.is_file() and path.stat().st_mode & 0o077:
            path.chmod(0o600)


def wsgi_application(root: Path) -> Any:
    """The WSGI application of ``root``'s web workspace (whitenoise serves /static/)."""
    from django.core.wsgi import get_wsgi_application

    start(root)
    return get_wsgi_application()
