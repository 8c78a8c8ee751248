"""The auth rate limits, read from config when a request is checked.

Module-level functions rather than lambdas: Flask-Limiter keeps every limit a
decorator registers, and equal functions let it see that an app created twice
(as in tests) declares the same limit, not a second one.
"""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, request
from flask_limiter import Limiter

from shared.auth.models import EMAIL_MAX_LENGTH, normalise_email

APP_WIDE_LIMIT_SETTINGS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


def init_rate_limiter(app: Flask, limiter: Limiter) -> None:
    """Bind Flask-Limiter, checking limits only where a route declares one.

    Flask-Limiter also checks every request in a ``before_request`` hook,
    for app-wide limits. This project has none: each limit sits on its route
    (logins, registration, tokens) and that route's decorator checks it. The
    hook then only costs time, a fifth of a product request (``make bench``),
    so it is removed, unless app-wide limits are configured.
    """
    limiter.init_app(app)
    manager = limiter.limit_manager
    app_wide = manager.default_limits or manager.application_limits
    if app_wide or any(app.config.get(name) for name in APP_WIDE_LIMIT_SETTINGS):
        return
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # absent when RATELIMIT_ENABLED is false
        hooks.remove(limiter._check_request_limit)


def login_rate_limit() -> str:
    """Failed logins (HTML) and failed token requests (API) per client address."""
    return str(current_app.config["AUTH_LOGIN_RATE_LIMIT"])


def register_rate_limit() -> str:
    return str(current_app.config["AUTH_REGISTER_RATE_LIMIT"])


def login_attempt_rate_limit() -> str:
    """Every login attempt per client address, right or wrong: each one costs
    a deliberately slow password check, so even correct ones can flood a server."""
    return str(current_app.config["AUTH_LOGIN_ATTEMPT_RATE_LIMIT"])


def account_login_rate_limit() -> str:
    """Every login attempt per account, from whatever address."""
    return str(current_app.config["AUTH_ACCOUNT_LOGIN_RATE_LIMIT"])


def password_reset_rate_limit() -> str:
    """Reset requests per client address: each one may send a mail."""
    return str(current_app.config["AUTH_PASSWORD_RESET_RATE_LIMIT"])


def account_password_reset_rate_limit() -> str:
    """Reset requests per address asked about: nobody's mailbox gets flooded."""
    return str(current_app.config["AUTH_ACCOUNT_PASSWORD_RESET_RATE_LIMIT"])


def login_account_key() -> str:
    """The account a login attempt names (the form's or the JSON body's
    e-mail), as a fixed-size hash: the key lives in Redis for the limit's
    window, so a 450 kB "address" must not become a 450 kB key. An input
    longer than any address is not normalised (which costs CPU) but hashed
    as it is; it names no account either way."""
    email = request.form.get("email") if request.form else None
    if email is None and request.is_json:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    if not isinstance(email, str):
        email = ""
    elif len(email) <= EMAIL_MAX_LENGTH:
        email = normalise_email(email)
    return "account:" + hashlib.sha256(email.encode(errors="replace")).hexdigest()[:32]
