"""The ``Auth`` extension: an app's ``db`` and ``User`` model for the
account rules (shared/auth/services.py), and for the HTML apps Flask-Login
and the auth pages."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy

from shared.auth import reset
from shared.auth.models import parse_login_id
from shared.auth.services import user_by_session_token
from shared.auth.views import auth_blueprint


class Auth:
    """Created unbound in ``extensions.py``, bound in ``create_app``::

        auth.init_app(app, db=db, user_model=User, limiter=limiter, password_reset=True)

    Without a ``limiter`` (the JSON API), only the account rules: no pages,
    no sessions. ``password_reset=True`` adds "Forgot your password?"; the
    app's mail outbox (shared/mail.py) must be bound first, to send the links.
    """

    def __init__(self) -> None:
        self.login_manager = LoginManager()

    def init_app(
        self,
        app: Flask,
        *,
        db: SQLAlchemy,
        user_model: type[Any],
        limiter: Limiter | None = None,
        password_reset: bool = False,
    ) -> None:
        self.db, self.user_model = db, user_model
        app.extensions["auth"] = self
        if limiter is None:
            return
        manager = self.login_manager
        manager.init_app(app)
        manager.user_loader(load_user)
        manager.login_view = "auth.login"
        # Not an error: the user followed a link; say what happens next.
        manager.login_message = "Log in, and you will go straight on to the page you asked for."
        manager.login_message_category = "info"
        app.register_blueprint(auth_blueprint(limiter, password_reset=password_reset))
        if password_reset:
            # The worker composes each reset mail when it sends it (shared/auth/reset.py).
            app.extensions["outbox"].compose_when_sending(reset.TEMPLATE, reset.reset_mail_context)


def load_user(login_id: str) -> Any:
    """Flask-Login's user loader: the session or remember cookie holds the
    user's session token and when they logged in (shared/auth/models.py)."""
    parsed = parse_login_id(login_id)
    if parsed is None:
        return None
    session_token, issued_at = parsed
    lifetime = current_app.config["REMEMBER_COOKIE_DURATION"]
    if isinstance(lifetime, timedelta):  # from the environment it is a number of seconds
        lifetime = lifetime.total_seconds()
    if time.time() - issued_at > float(lifetime):
        return None  # the login is older than any session or cookie may live
    return user_by_session_token(session_token)
