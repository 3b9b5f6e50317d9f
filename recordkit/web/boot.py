"""Start Django for one working folder: configure, migrate, create the role groups.

Django's settings are process-wide, so one process serves one working folder; asking for
a second folder in the same process is refused with a clear error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from recordkit.errors import RecordkitError


def configure(root: Path) -> None:
    """Configure Django for the working folder ``root`` and call ``django.setup()``."""
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
    settings.configure(**build_settings(root))
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
