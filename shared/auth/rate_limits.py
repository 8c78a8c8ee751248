"""The auth rate limits, read from config when a request is checked, and
the key that counts attempts per account rather than per client address."""

from __future__ import annotations

import hashlib

from flask import current_app, request

from shared.auth.models import EMAIL_MAX_LENGTH, normalise_email


def failed_logins() -> str:
    """Failed logins (HTML) and failed token requests (API) per client address."""
    return str(current_app.config["AUTH_LOGIN_RATE_LIMIT"])


def login_attempts() -> str:
    """Every login attempt per client address, right or wrong: each costs a
    deliberately slow password check, so even correct ones can flood a server."""
    return str(current_app.config["AUTH_LOGIN_ATTEMPT_RATE_LIMIT"])


def account_logins() -> str:
    """Every login attempt per account, from whatever address."""
    return str(current_app.config["AUTH_ACCOUNT_LOGIN_RATE_LIMIT"])


def registrations() -> str:
    return str(current_app.config["AUTH_REGISTER_RATE_LIMIT"])


def reset_requests() -> str:
    """Reset requests per client address: each one may send a mail."""
    return str(current_app.config["AUTH_PASSWORD_RESET_RATE_LIMIT"])


def account_reset_requests() -> str:
    """Reset requests per address asked about: nobody's mailbox gets flooded."""
    return str(current_app.config["AUTH_ACCOUNT_PASSWORD_RESET_RATE_LIMIT"])


def by_account() -> str:
    """The account an attempt names (the form's or the JSON body's e-mail),
    as a fixed-size hash: the key lives in the limit's storage for its
    window, so a 450 kB "address" must not become a 450 kB key."""
    email = request.form.get("email") if request.form else None
    if email is None and request.is_json:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    if not isinstance(email, str):
        email = ""
    elif len(email) <= EMAIL_MAX_LENGTH:  # longer names no account: not worth normalising
        email = normalise_email(email)
    return "account:" + hashlib.sha256(email.encode(errors="replace")).hexdigest()[:32]
