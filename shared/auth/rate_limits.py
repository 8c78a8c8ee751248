"""The auth rate limits, read from config when a request is checked.

Module-level functions rather than lambdas: Flask-Limiter keeps every limit a
decorator registers, and equal functions let it see that an app created twice
(as in tests) declares the same limit, not a second one.
"""

from __future__ import annotations

from flask import current_app


def login_rate_limit() -> str:
    """Failed logins (HTML) and failed token requests (API) per client address."""
    return str(current_app.config["AUTH_LOGIN_RATE_LIMIT"])


def register_rate_limit() -> str:
    return str(current_app.config["AUTH_REGISTER_RATE_LIMIT"])
