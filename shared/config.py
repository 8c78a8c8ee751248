"""Layered configuration: defaults, then the app's ``<PREFIX>_*`` environment
variables, then the test's overrides; and no start in production with the
development secret key or another unsafe setting."""

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 -- refused in production
MIN_PRODUCTION_SECRET_LENGTH = 32

# The settings every app shares, with their defaults (HttpOnly cookies are
# Flask's). A few more are read where they are used, with the default there:
# DATABASE_POOL_SIZE in database.py, MAIL_MAX_ATTEMPTS in mail.py, and so on.
BASE_DEFAULTS: dict[str, Any] = {
    "ENV": "development",
    "SECRET_KEY": DEV_SECRET_KEY,
    "SESSION_COOKIE_SAMESITE": "Lax",  # cross-site POSTs do not carry the cookies
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # Flask-Login's default is a year; a stolen laptop should not stay logged in that long.
    "REMEMBER_COOKIE_DURATION": timedelta(days=14),
    "HSTS_ENABLED": False,  # turned on in production
    "CSP_IMG_SRC": [],  # image origins the CSP allows besides our own (shared/security.py)
    "RATELIMIT_STORAGE_URI": "memory://",  # one process; a redis:// URL for several
    # With Redis down, count in memory (and log it) rather than fail every login.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    "AUTH_LOGIN_RATE_LIMIT": "10 per minute",  # failed attempts per address
    "AUTH_LOGIN_ATTEMPT_RATE_LIMIT": "30 per minute",  # all attempts per address
    "AUTH_ACCOUNT_LOGIN_RATE_LIMIT": "20 per minute",  # all attempts per account
    "AUTH_REGISTER_RATE_LIMIT": "5 per minute",
    "AUTH_PASSWORD_RESET_RATE_LIMIT": "5 per minute",  # per client address
    "AUTH_ACCOUNT_PASSWORD_RESET_RATE_LIMIT": "3 per hour",  # per address asked about
    "PASSWORD_RESET_MAX_AGE": 3600,  # seconds; a changed password also ends the link
    "PROXY_COUNT": 0,  # reverse proxies whose X-Forwarded-* headers are trusted
    "REQUEST_LOG_ENABLED": True,  # gunicorn's access log is off by default
    "LOG_FORMAT": "",  # json or text; empty: json in production (shared/logs.py)
    "SENTRY_DSN": "",  # empty: no error reports (shared/error_reports.py)
    "ALLOW_PLAIN_HTTP": False,  # true: no Secure cookies nor HSTS, for a trial on http://
    "MAIL_SERVER": "",  # none: mail is printed, not sent (shared/mail.py)
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "noreply@example.com",
    "MAIL_TIMEOUT": 10,  # seconds the SMTP server may stay silent (shared/mail.py)
    "EXTERNAL_URL": "",  # the public address links in mail lead to; required in production
    # Celery's broker (shared/worker.py); empty: a folder, by default in instance/.
    "CELERY_BROKER_URL": "",
    "CELERY_BROKER_FOLDER": "",
    # Where a worker serves its metrics, when PROMETHEUS_MULTIPROC_DIR is set
    # (shared/worker.py); 9808 is celery-exporter's port. 0: none.
    "WORKER_METRICS_PORT": 9808,
    "WORKER_CONCURRENCY": 2,  # processes a Celery worker runs tasks in
    # Flask-Caching: off unless an app sets SimpleCache (one process) or RedisCache.
    "CACHE_TYPE": "NullCache",
    "CACHE_NO_NULL_WARNING": True,  # off is a choice here, not a mistake
    "CACHE_REDIS_URL": None,  # for RedisCache: redis://host:6379/5
    # Seconds each call to Redis (the cache, the rate limits) may wait before the
    # request goes on without it: a Redis that accepts connections but never
    # answers must not hold every worker.
    "REDIS_TIMEOUT": 1.0,
    # The footer's links: where this app's code and its documentation are read
    # (a fork sets its own; `make demo` takes the code's from the git remote).
    "SOURCE_URL": "",
    "DOCS_URL": "",
    # Set by `make demo`: the login page lists the demo accounts and password.
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
    """Fill ``app.config`` from, in rising priority: the shared defaults, the app's
    ``defaults``, ``<PREFIX>_*`` environment variables and ``test_config``."""
    app.extensions["settings_prefix"] = prefix  # to name settings as people write them
    app.config.from_mapping(BASE_DEFAULTS)
    # One Redis may hold several apps' caches: the prefix keeps each app's keys apart.
    app.config["CACHE_KEY_PREFIX"] = f"{prefix.lower()}:"
    app.config.from_mapping(defaults)
    # <PREFIX>_SECRET_KEY becomes SECRET_KEY; values are parsed as JSON when
    # they can be, so <PREFIX>_WTF_CSRF_ENABLED=false is a real False.
    app.config.from_prefixed_env(prefix)
    app.config.from_mapping(test_config)

    # redis-py's timeouts, under any options the operator gave.
    if app.config["CACHE_TYPE"] == "RedisCache":
        options = app.config.get("CACHE_OPTIONS") or {}
        app.config["CACHE_OPTIONS"] = {**redis_timeouts(app, prefix), **options}
    if (storage := str(app.config["RATELIMIT_STORAGE_URI"])).startswith("redis"):
        options = app.config.get("RATELIMIT_STORAGE_OPTIONS") or {}
        timeouts = redis_timeouts(app, prefix)
        if storage.startswith("redis+sentinel"):  # the sentinels' connections take theirs apart
            timeouts["sentinel_kwargs"] = redis_timeouts(app, prefix)
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {**timeouts, **options}
    seconds_setting(app, prefix, "MAIL_TIMEOUT")
    # Seconds from the environment, a timedelta in code: one type for the code that reads it.
    remember = seconds_setting(app, prefix, "REMEMBER_COOKIE_DURATION", longest=timedelta(days=365))
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(seconds=remember)
    # In whole minutes in the mail: a link that works for "0 minutes" is no link.
    seconds_setting(app, prefix, "PASSWORD_RESET_MAX_AGE", shortest=60, longest=timedelta(days=7))
    if database_url := app.config.pop("DATABASE_URL", None):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(str(database_url))
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):  # a SQLite file in the instance folder
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{app.instance_path}/{app.name}.sqlite3"

    # A typo such as ENV=prod must not quietly run as development, with the public key.
    env = app.config["ENV"] = str(app.config["ENV"]).strip().lower()
    if env not in ("development", "production"):
        raise ConfigurationError(f"{prefix}_ENV must be one of development, production: {env!r}")
    if env == "production":
        check_production_settings(app, prefix)


def redis_timeouts(app: Flask, prefix: str) -> dict[str, Any]:
    """redis-py's options, for Flask-Caching's ``CACHE_OPTIONS`` and
    Flask-Limiter's ``RATELIMIT_STORAGE_OPTIONS``: each call gives up after
    ``REDIS_TIMEOUT`` seconds, once (``retry=None``: a client made from a host
    and port would otherwise try three times more, with back-off)."""
    seconds = seconds_setting(app, prefix, "REDIS_TIMEOUT")
    return {"socket_connect_timeout": seconds, "socket_timeout": seconds, "retry": None}


def seconds_setting(
    app: Flask,
    prefix: str,
    name: str,
    *,
    shortest: float = 0,
    longest: timedelta = timedelta(hours=1),
) -> float:
    """``app.config[name]`` as a number of seconds, written back so: a number,
    or a timedelta set in code, at least ``shortest`` (by default, above 0)
    and at most ``longest``, or the app refuses to start. Accepted, "1h" or
    NaN would fail every request that reads it, and a huge value overflows
    the date it is added to."""
    value = app.config[name]
    seconds = value.total_seconds() if isinstance(value, timedelta) else value
    is_number = isinstance(seconds, int | float) and not isinstance(seconds, bool)
    long_enough = is_number and (seconds >= shortest if shortest else seconds > 0)  # NaN is not
    if not (long_enough and seconds <= longest.total_seconds()):
        lowest = "above 0" if shortest == 0 else f"at least {shortest:,}"
        raise ConfigurationError(
            f"{prefix}_{name} must be seconds, {lowest} and at most "
            f"{longest.total_seconds():,.0f}: {value!r}"
        )
    app.config[name] = seconds
    return seconds


def normalise_database_url(url: str) -> str:
    """Hosts hand out ``postgres://`` URLs, which SQLAlchemy refuses, or
    ``postgresql://``, whose default driver depends on SQLAlchemy's version
    (psycopg2 before 2.1); both are rewritten to name psycopg 3, which this
    project ships."""
    scheme, _, rest = url.partition("://")
    return f"postgresql+psycopg://{rest}" if scheme in ("postgres", "postgresql") else url


def check_production_settings(app: Flask, prefix: str) -> None:
    """Refuse what is unsafe in production; make the cookies Secure and send HSTS."""
    key = app.config.get("SECRET_KEY")
    if not key or key == DEV_SECRET_KEY or len(str(key)) < MIN_PRODUCTION_SECRET_LENGTH:
        raise ConfigurationError(
            f"{prefix}_SECRET_KEY must be set to a random value of {MIN_PRODUCTION_SECRET_LENGTH}+ "
            "characters: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    if app.config["DEMO_LOGINS"] or app.config["DEMO_PASSWORD"]:
        raise ConfigurationError(
            f"Unset {prefix}_DEMO_LOGINS and {prefix}_DEMO_PASSWORD: in production the login page "
            "would show a password to everyone."
        )
    if app.debug:  # DEBUG, from <PREFIX>_DEBUG or FLASK_DEBUG
        raise ConfigurationError(
            "Debug mode is refused in production: its error pages show code and settings."
        )
    hosts = app.config.get("TRUSTED_HOSTS")
    if not isinstance(hosts, list) or not hosts or not all(isinstance(h, str) for h in hosts):
        raise ConfigurationError(
            f"{prefix}_TRUSTED_HOSTS must list the host names this app answers to, as JSON: "
            f"{prefix}_TRUSTED_HOSTS='[\"desk.example.com\"]'. Other Hosts are refused."
        )
    plain_http = app.config["ALLOW_PLAIN_HTTP"]
    if not isinstance(plain_http, bool):
        raise ConfigurationError(f"{prefix}_ALLOW_PLAIN_HTTP must be true or false: {plain_http!r}")
    if plain_http:
        app.logger.warning("%s_ALLOW_PLAIN_HTTP=true: cookies go unencrypted (trials only)", prefix)
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "HSTS_ENABLED"):
        app.config[name] = not plain_http
