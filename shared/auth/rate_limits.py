"""The auth rate limits, read from config (shared/config.py) at each request,
and the key that counts attempts per account rather than per client address."""

import hashlib
from collections.abc import Callable

from flask import current_app, request
from werkzeug.exceptions import HTTPException

from shared.auth.models import normalise_email


def limit_from_config(name: str) -> Callable[[], str]:
    """A limit for ``limiter.limit(...)``, read from ``app.config[name]`` at each request."""
    return lambda: str(current_app.config[name])


failed_logins = limit_from_config("AUTH_LOGIN_RATE_LIMIT")  # refused logins and token requests
# Every attempt, right or wrong: each costs a deliberately slow password check.
login_attempts = limit_from_config("AUTH_LOGIN_ATTEMPT_RATE_LIMIT")
account_logins = limit_from_config("AUTH_ACCOUNT_LOGIN_RATE_LIMIT")
registrations = limit_from_config("AUTH_REGISTER_RATE_LIMIT")
reset_requests = limit_from_config("AUTH_PASSWORD_RESET_RATE_LIMIT")  # each one may send a mail
# Per account, so one mailbox cannot be flooded from many addresses.
account_reset_requests = limit_from_config("AUTH_ACCOUNT_PASSWORD_RESET_RATE_LIMIT")


def by_account() -> str:
    """The account an attempt names: its e-mail (form or JSON body) in the
    spelling the login looks up, spaces around it stripped ("ann@example.com"
    and 300 spaces is ann's account too), hashed to a fixed size: a 450 kB
    "address" must not become a 450 kB key in the limit's storage."""
    try:
        body = request.get_json(silent=True) if request.is_json else request.form
    except HTTPException:  # a body too large (413) or cut off: the view refuses it too
        # Raised in here, it would reach Flask-Limiter, which takes any error
        # for its storage being down: it would count in this process's memory
        # instead, and log an error for an anonymous request.
        body = None
    email = body.get("email") if isinstance(body, dict) else None
    email = normalise_email(email) if isinstance(email, str) else ""
    return "account:" + hashlib.sha256(email.encode(errors="replace")).hexdigest()[:32]
