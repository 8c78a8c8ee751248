"""The ``Auth`` extension: Flask-Login wired to an app's own ``User`` model,
plus the shared register / login / logout pages.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy

from shared.auth.models import UserAccountMixin, parse_login_id
from shared.auth.services import (
    PASSWORD_RESET_TEMPLATE,
    load_user_by_session_token,
    password_reset_mail_context,
)
from shared.auth.views import create_auth_blueprint


class Auth:
    """Create it unbound in ``extensions.py``, bind it in ``create_app``::

        auth = Auth()
        auth.init_app(app, db=db, user_model=User, limiter=limiter)

    ``pages=False`` is for the JSON API, which authenticates with bearer
    tokens through ``auth.login_manager.request_loader`` instead.
    ``password_reset=True`` adds "Forgot your password?" and its pages; the
    app's mail outbox (shared/mail.py) must be bound first, to send the links.
    """

    def __init__(self) -> None:
        self.login_manager = LoginManager()

    def init_app(
        self,
        app: Flask,
        *,
        db: SQLAlchemy,
        user_model: type[UserAccountMixin],
        limiter: Limiter,
        pages: bool = True,
        password_reset: bool = False,
    ) -> None:
        manager = self.login_manager
        manager.init_app(app)

        @manager.user_loader
        def load_user(login_id: str) -> UserAccountMixin | None:
            parsed = parse_login_id(login_id)
            if parsed is None:
                return None
            session_token, issued_at = parsed
            if time.time() - issued_at > _seconds(app.config["REMEMBER_COOKIE_DURATION"]):
                return None  # the login is older than any session or cookie may live
            return load_user_by_session_token(db, user_model, session_token)

        if password_reset:
            # The worker composes each reset mail (shared/auth/services.py).
            app.extensions["outbox"].compose_when_sending(
                PASSWORD_RESET_TEMPLATE, password_reset_mail_context(db, user_model)
            )
        if pages:
            manager.login_view = "auth.login"
            # Not an error: the user followed a link; say what happens next.
            manager.login_message = "Log in, and you will go straight on to the page you asked for."
            manager.login_message_category = "info"
            app.register_blueprint(
                create_auth_blueprint(db, user_model, limiter, password_reset=password_reset)
            )
        app.extensions["shared_auth"] = self


def _seconds(duration: timedelta | int | float) -> float:
    # From the environment it is a number of seconds; in code, a timedelta.
    return duration.total_seconds() if isinstance(duration, timedelta) else float(duration)
