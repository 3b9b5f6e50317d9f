"""Django settings built at run time from one working folder.

There is no settings module a user edits: ``build_settings`` reads the ``[web]`` section of
the folder's ``recordkit.toml`` (and the environment) and returns the dict handed to
``django.conf.settings.configure``. Web state lives in ``<folder>/.recordkit/``.

``[web]`` keys (all optional):

- ``database_url``: **deprecated** alias of ``[database] url``, read only when that is
  absent. Users, sessions and change history live in the workspace's database: env
  ``RECORDKIT_DATABASE_URL``, else ``[database] url`` (the one setting that moves every
  store to PostgreSQL, docs/scale.md), else ``[web] database_url``, else
  ``sqlite:///<folder>/.recordkit/web.sqlite3``.
- ``allowed_hosts``: host names the server answers to (default ``["*"]``: any name or LAN
  address, because office machines are reached by IP).
- ``https``: true when an HTTPS reverse proxy sits in front; cookies become Secure and the
  proxy's ``X-Forwarded-Proto`` header is trusted.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from recordkit.config import load_config
from recordkit.errors import ConfigError
from recordkit.files import write_atomic

DATABASE_ENV = "RECORDKIT_DATABASE_URL"
MAX_UPLOAD_MB = 20
STATE_DIR = ".recordkit"
SESSION_HOURS = 8
LOGIN_FAILURE_LIMIT = 5
LOCKOUT_MINUTES = 15


def state_dir(root: Path) -> Path:
    return root / STATE_DIR


def secret_key(root: Path) -> str:
    """The folder's SECRET_KEY: generated once, kept in .recordkit/secret_key (mode 600)."""
    path = state_dir(root) / "secret_key"
    if not path.exists():
        # write_atomic goes through mkstemp, so the file is born owner-only (0600).
        write_atomic(path, secrets.token_urlsafe(50).encode("ascii"))
    try:
        if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: 无法读取网页密钥 (cannot read the secret key): {exc}") from None


def database_url_setting(
    root: Path, web: Mapping[str, Any], environ: Mapping[str, str]
) -> tuple[str, str]:
    """(URL, where it came from); "" when none is set (SQLite in .recordkit/)."""
    database = load_config(root).section("database")
    for where, value in (
        (DATABASE_ENV, environ.get(DATABASE_ENV)),
        ("[database] url", database.get("url")),
        ("[web] database_url", web.get("database_url")),
    ):
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise ConfigError(f"{root / 'recordkit.toml'}: {where}: 应为文本 (must be a string)")
        return value, where
    return "", ""


def deprecated_setting(root: Path) -> bool:
    """True when the web tables' database comes from the deprecated ``[web] database_url``."""
    return database_url_setting(root, _web_section(root), os.environ)[1] == "[web] database_url"


def database_settings(
    root: Path, web: Mapping[str, Any], environ: Mapping[str, str]
) -> dict[str, Any]:
    """DATABASES['default'] from env RECORDKIT_DATABASE_URL, [database] url, the deprecated
    [web] database_url, or SQLite in .recordkit/."""
    import dj_database_url

    url, _where = database_url_setting(root, web, environ)
    url = url or f"sqlite:///{(state_dir(root) / 'web.sqlite3').as_posix()}"
    try:
        db = dj_database_url.parse(url, conn_max_age=0)
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"数据库地址无效 (invalid database URL) {url!r}: {exc}") from None
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # Waitress serves from several threads: take the write lock at BEGIN and wait for
        # it rather than failing with "database is locked" half-way through a save.
        db["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    elif db["ENGINE"] == "django.db.backends.postgresql":
        # An unreachable server is reported after 10 s instead of hanging the start-up.
        db.setdefault("OPTIONS", {}).setdefault("connect_timeout", 10)
    return db


def _web_section(root: Path) -> dict[str, Any]:
    section = load_config(root).section("web")
    hosts = section.get("allowed_hosts", ["*"])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise ConfigError(
            f"{root / 'recordkit.toml'}: [web] allowed_hosts: 应为文本列表 (list of strings)"
        )
    return section


def upload_limit(root: Path) -> int:
    """导入: the largest register a browser may upload, in bytes ([web] max_upload_mb, default
    20). Read from the working folder when asked, so a change needs no restart."""
    megabytes = _web_section(root).get("max_upload_mb", MAX_UPLOAD_MB)
    if isinstance(megabytes, bool) or not isinstance(megabytes, (int, float)) or megabytes <= 0:
        raise ConfigError(
            f"{root / 'recordkit.toml'}: [web] max_upload_mb: 应为正数 (a positive number of MB)"
        )
    return int(megabytes * 1024 * 1024)


# Everything that does not depend on the working folder or on HTTPS.
STATIC_SETTINGS: dict[str, Any] = {
    "DEBUG": False,
    "INSTALLED_APPS": [
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.staticfiles",
        "axes",
        "recordkit.web.apps.WebConfig",
    ],
    "MIDDLEWARE": [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        # Every view needs a login unless marked @login_not_required (only the login page).
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "axes.middleware.AxesMiddleware",
    ],
    "ROOT_URLCONF": "recordkit.web.site_urls",
    "TEMPLATES": [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [],
            "APP_DIRS": True,
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                    "recordkit.web.roles.navigation",
                ]
            },
        }
    ],
    "AUTHENTICATION_BACKENDS": [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ],
    "AUTH_PASSWORD_VALIDATORS": [
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {"NAME": "recordkit.web.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    ],
    "LANGUAGE_CODE": "zh-hans",
    "LANGUAGES": [("zh-hans", "简体中文")],
    "TIME_ZONE": "Asia/Shanghai",
    "USE_I18N": True,
    "USE_TZ": True,
    "STATIC_URL": "/static/",
    # Served by whitenoise straight from the package (no collectstatic into the folder).
    "WHITENOISE_USE_FINDERS": True,
    "LOGIN_URL": "web:login",
    "LOGIN_REDIRECT_URL": "web:dashboard",
    "LOGOUT_REDIRECT_URL": "web:login",
    # A working day: the session ends 8 hours after login, or when the browser closes.
    "SESSION_COOKIE_AGE": SESSION_HOURS * 3600,
    "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "CSRF_FAILURE_VIEW": "recordkit.web.views.csrf_failure",
    "X_FRAME_OPTIONS": "DENY",
    "SECURE_CONTENT_TYPE_NOSNIFF": True,
    "SECURE_REFERRER_POLICY": "same-origin",
    # django-axes: lock a user name from one address after 5 failures, for 15 minutes.
    "AXES_FAILURE_LIMIT": LOGIN_FAILURE_LIMIT,
    "AXES_COOLOFF_TIME": LOCKOUT_MINUTES / 60,
    "AXES_LOCKOUT_PARAMETERS": [["username", "ip_address"]],
    "AXES_RESET_ON_SUCCESS": True,
    "AXES_LOCKOUT_TEMPLATE": "web/lockout.html",
    "AXES_VERBOSE": False,
    "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
    # Server errors (500) go to stderr of `recordkit serve`, with their traceback.
    "LOGGING": {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"stderr": {"class": "logging.StreamHandler"}},
        "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR"}},
    },
}


def build_settings(root: Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings of the web workspace of the working folder ``root``."""
    root = root.resolve()
    web = _web_section(root)
    https = bool(web.get("https", False))
    state_dir(root).mkdir(parents=True, exist_ok=True)
    values: dict[str, Any] = {
        **STATIC_SETTINGS,
        "RECORDKIT_WORKDIR": str(root),
        "RECORDKIT_HTTPS": https,
        "SECRET_KEY": secret_key(root),
        "ALLOWED_HOSTS": web.get("allowed_hosts", ["*"]),
        "DATABASES": {
            "default": database_settings(root, web, os.environ if environ is None else environ)
        },
        "SESSION_COOKIE_SECURE": https,
        "CSRF_COOKIE_SECURE": https,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https") if https else None,
    }
    return values
