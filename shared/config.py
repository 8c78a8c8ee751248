"""Layered configuration: defaults, then the app's environment variables, then
the test's overrides.

Every app calls :func:`configure` first thing in ``create_app``, so all three
read their settings the same way (``HELPDESK_DATABASE_URL``,
``SHOP_API_SECRET_KEY``, ...), and none of them can start in production with
the development secret key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask

# Good enough to sign a cookie on a laptop; refused the moment ENV=production.
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 -- refused in production, see below
MIN_PRODUCTION_SECRET_LENGTH = 32
ENVIRONMENTS = frozenset({"development", "production"})

BASE_DEFAULTS: dict[str, Any] = {
    "ENV": "development",
    "SECRET_KEY": DEV_SECRET_KEY,
    "SQLALCHEMY_DATABASE_URI": None,
    # Cookies: JavaScript cannot read them, cross-site POSTs do not carry them.
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": False,
    # Flask-Login's default is 365 days; a stolen laptop should not stay logged in a year.
    "REMEMBER_COOKIE_DURATION": timedelta(days=14),
    "HSTS_ENABLED": False,
    "CSP_IMG_SRC": [],
    # Flask-Limiter: in-memory works for one process; set a redis:// URL for several.
    "RATELIMIT_STORAGE_URI": "memory://",
    # When Redis is down, count in this process's memory instead (and log it)
    # rather than failing every login with a 500. /readyz names Redis meanwhile.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    "AUTH_LOGIN_RATE_LIMIT": "10 per minute",  # failed attempts per address
    "AUTH_LOGIN_ATTEMPT_RATE_LIMIT": "30 per minute",  # all attempts per address
    "AUTH_ACCOUNT_LOGIN_RATE_LIMIT": "20 per minute",  # all attempts per account
    "AUTH_REGISTER_RATE_LIMIT": "5 per minute",
    "AUTH_PASSWORD_RESET_RATE_LIMIT": "5 per minute",  # per client address
    "AUTH_ACCOUNT_PASSWORD_RESET_RATE_LIMIT": "3 per hour",  # per address asked about
    # Seconds a password reset link works (it also dies when the password changes).
    "PASSWORD_RESET_MAX_AGE": 3600,
    "BOOTSTRAP_SERVE_LOCAL": True,
    # How many reverse proxies to trust X-Forwarded-* headers from (shared/proxy.py).
    "PROXY_COUNT": 0,
    # One log line per request from the app (gunicorn's access log is off by default).
    "REQUEST_LOG_ENABLED": True,
    # Production cookies are Secure: browsers keep them over https:// only. For
    # a trial on plain http:// (a VM's address), this drops Secure and HSTS.
    "ALLOW_PLAIN_HTTP": False,
    # Mail (shared/mail.py, Flask-Mail's names): no server means printed, not sent.
    "MAIL_SERVER": "",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "noreply@example.com",
    # The public address links in mail lead to; required in production.
    "EXTERNAL_URL": "",
    # Celery's broker (shared/worker.py); empty: a folder, by default in instance/.
    "CELERY_BROKER_URL": "",
    "CELERY_BROKER_FOLDER": "",
    # Flask-Caching (its own setting names): off unless an app turns it on.
    # SimpleCache lives in one process; with several (gunicorn -w 2) use
    # RedisCache, so an invalidation reaches every worker.
    "CACHE_TYPE": "NullCache",
    "CACHE_DEFAULT_TIMEOUT": 300,
    "CACHE_NO_NULL_WARNING": True,  # off is a choice here, not a mistake
    "CACHE_REDIS_URL": None,  # for RedisCache: redis://host:6379/5
    # Set by `make demo` (scripts/demo.py): the login page lists the demo
    # accounts. Refused in production, where they would advertise a password.
    "DEMO_LOGINS": "",
    "DEMO_PASSWORD": "",
}


class ConfigurationError(RuntimeError):
    """A setting makes it unsafe or impossible to start the app."""


def configure(
    app: Flask,
    prefix: str,
    defaults: Mapping[str, Any] | None = None,
    test_config: Mapping[str, Any] | None = None,
) -> None:
    """Fill ``app.config`` from, in rising priority: the shared defaults, the
    app's ``defaults``, ``<PREFIX>_*`` environment variables and ``test_config``.

    ``<PREFIX>_DATABASE_URL`` becomes ``SQLALCHEMY_DATABASE_URI``; without it
    the app uses a SQLite file in its instance folder.
    """
    # For messages that name a setting the way the user writes it (HELPDESK_...).
    app.extensions["settings_prefix"] = prefix
    app.config.from_mapping(BASE_DEFAULTS)
    # One Redis may hold several apps' caches: each clears only its own.
    app.config["CACHE_KEY_PREFIX"] = f"{prefix.lower()}:"
    app.config.from_mapping(defaults or {})
    # Reads e.g. HELPDESK_SECRET_KEY into SECRET_KEY; values are parsed as JSON
    # when they can be, so HELPDESK_WTF_CSRF_ENABLED=false is a real False.
    app.config.from_prefixed_env(prefix)
    if test_config is not None:
        app.config.from_mapping(test_config)

    database_url = app.config.pop("DATABASE_URL", None)
    if database_url:
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(str(database_url))
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        os.makedirs(app.instance_path, exist_ok=True)
        database_file = os.path.join(app.instance_path, f"{app.name}.sqlite3")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database_file}"

    _check_environment(app, prefix)
    if is_production(app):
        _check_secret_key(app, prefix)
        _check_production_settings(app, prefix)
        https_only = not _flag(app, prefix, "ALLOW_PLAIN_HTTP")
        app.config.update(
            SESSION_COOKIE_SECURE=https_only,
            REMEMBER_COOKIE_SECURE=https_only,
            HSTS_ENABLED=https_only,
        )
        if not https_only:
            app.logger.warning(
                "%s_ALLOW_PLAIN_HTTP=true: cookies are sent over plain HTTP, where anyone on "
                "the network can read them. For trials only; serve HTTPS for real use.",
                prefix,
            )


def _flag(app: Flask, prefix: str, name: str) -> bool:
    """A true/false setting; anything else stops the app rather than guessing."""
    value = app.config[name]
    if not isinstance(value, bool):
        raise ConfigurationError(f"{prefix}_{name} must be true or false, not {value!r}.")
    return value


def is_production(app: Flask) -> bool:
    return str(app.config.get("ENV", "")).lower() == "production"


def normalise_database_url(url: str) -> str:
    """Let people paste the URL their host gives them.

    Hosts hand out ``postgres://`` or ``postgresql://`` URLs; SQLAlchemy would
    pick psycopg2 for those, while this project ships psycopg 3.
    """
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url.removeprefix(scheme)
    return url


def _check_environment(app: Flask, prefix: str) -> None:
    """A typo such as ENV=prod must not quietly run in development mode with
    the public development key."""
    value = app.config["ENV"]
    if not isinstance(value, str) or value.strip().lower() not in ENVIRONMENTS:
        raise ConfigurationError(
            f"{prefix}_ENV must be one of {', '.join(sorted(ENVIRONMENTS))}, not {value!r}."
        )
    app.config["ENV"] = value.strip().lower()


def _check_production_settings(app: Flask, prefix: str) -> None:
    if app.config.get("DEMO_LOGINS") or app.config.get("DEMO_PASSWORD"):
        raise ConfigurationError(
            f"{prefix}_DEMO_LOGINS and {prefix}_DEMO_PASSWORD are for `make demo`: in "
            "production the login page would show a password to everyone. Unset them."
        )
    if app.debug or app.config.get("DEBUG"):
        raise ConfigurationError(
            f"Debug mode is refused when {prefix}_ENV=production: its error pages show "
            "source code and settings. Unset FLASK_DEBUG and "
            f"{prefix}_DEBUG, and leave --debug off."
        )
    hosts = app.config.get("TRUSTED_HOSTS")
    if not isinstance(hosts, list) or not hosts or not all(isinstance(h, str) for h in hosts):
        raise ConfigurationError(
            f"{prefix}_TRUSTED_HOSTS must list the host names this app answers to when "
            f"{prefix}_ENV=production, as JSON: {prefix}_TRUSTED_HOSTS='[\"desk.example.com\"]'. "
            "Requests for any other Host are refused, so links and redirects cannot be "
            "pointed at another site."
        )


def _check_secret_key(app: Flask, prefix: str) -> None:
    key = app.config.get("SECRET_KEY")
    if not key or key == DEV_SECRET_KEY or len(str(key)) < MIN_PRODUCTION_SECRET_LENGTH:
        raise ConfigurationError(
            f"{prefix}_SECRET_KEY must be set to a random value of at least "
            f"{MIN_PRODUCTION_SECRET_LENGTH} characters when {prefix}_ENV=production. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
