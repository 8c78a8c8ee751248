"""The ``Auth`` extension: the app's ``db`` and ``User`` for the account rules and,
in the HTML apps, Flask-Login and the auth pages under the app's rate limits."""

import re
import time
from datetime import timedelta
from functools import partial
from typing import Any

from flask import Blueprint, Flask, Response, current_app, flash, g, redirect, request
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_login import LoginManager, login_url
from flask_sqlalchemy import SQLAlchemy

from shared.auth import passwords, rate_limits, reset, views
from shared.auth.services import AuthState, db_and_user_model

FORM_SENT_LOGGED_OUT = (
    "You were logged out, so what you sent was not saved. Log in, and you will go "
    "back to the page you were on."
)
# What ``UserAccountMixin.get_id()`` makes: the session token, the login time, a nonce.
LOGIN_ID = re.compile(r"([\w-]+)\.([0-9]+)\.[0-9a-f]+", re.ASCII)


class Auth:
    """Unbound in ``extensions.py``, bound with ``auth.init_app(app, db=db, user_model=User,
    limiter=limiter)``. Without a limiter (the JSON API): no pages, no sessions. The pages
    mail password resets: bind the mail outbox (shared/mail.py) first.

    It keeps nothing itself: each app's ``db`` and ``User`` are in ``app.extensions``
    and each app gets its own ``LoginManager``, so one ``Auth`` serves every app a
    process builds (Flask's pattern for extensions)."""

    def init_app(
        self, app: Flask, *, db: SQLAlchemy, user_model: type[Any], limiter: Limiter | None = None
    ) -> None:
        app.extensions["auth"] = AuthState(db=db, user_model=user_model)
        # Made now, not by the first login naming an unknown address, which
        # would take one hash longer than the others: a tell.
        passwords.dummy_hash()
        if limiter is None:
            return
        manager = LoginManager(app)
        manager.user_loader(load_user)
        manager.login_view = "auth.login"
        # Not an error: the user followed a link; say what happens next.
        manager.login_message = "Log in, and you will go straight on to the page you asked for."
        manager.login_message_category = "info"
        manager.unauthorized_handler(send_to_login)
        app.register_blueprint(auth_blueprint(limiter))
        app.extensions["outbox"]["composers"][reset.TEMPLATE] = reset.reset_mail_context


def send_to_login() -> ResponseReturnValue:
    """Flask-Login's redirect to the login page, whose ``next`` is where to go
    on after it. For a form sent once the session had ended (a logout on
    another device, an expired login), that is the page the form was on: the
    URL it was sent to takes POST only, so going there after login was a 405.
    The message says what the form lost."""
    manager = current_app.login_manager  # type: ignore[attr-defined]
    if request.method in ("GET", "HEAD"):
        flash(manager.login_message, manager.login_message_category)
        return redirect(login_url(manager.login_view, next_url=request.url))
    flash(FORM_SENT_LOGGED_OUT, manager.login_message_category)
    return redirect(login_url(manager.login_view, next_url=request.referrer or None))


def load_user(login_id: str) -> Any:
    """Flask-Login's user loader: the active user whose session token the
    cookie holds, unless the login is older than any session or cookie may live."""
    match = LOGIN_ID.fullmatch(login_id)
    if match is None:
        return None
    token, issued_at = match.groups()
    lifetime: timedelta = current_app.config["REMEMBER_COOKIE_DURATION"]
    if time.time() - int(issued_at) > lifetime.total_seconds():
        return None
    db, User = db_and_user_model()
    user = db.session.scalar(db.select(User).where(User.session_token == token, User.is_active))
    g.user_id = user.id if user else None  # for the request's log line
    return user


def is_failed_login(response: Response) -> bool:
    # Only failed attempts count: someone who logs in right away is never slowed down.
    # Not a lambda: an app decorating the views again adds no second, equal limit.
    return response.status_code != 302


def auth_blueprint(limiter: Limiter) -> Blueprint:
    """The pages; registering, logging in and asking for a reset link are under
    this app's limits (their POSTs). Flask-Limiter keeps a limit on the limiter
    that decorated the view, so each app decorates them anew."""
    limit = partial(limiter.limit, methods=["POST"])
    # Shared limits (a scope of their own, used once): the X-RateLimit headers
    # show a limit that is not shared, unless one is reached. These count an
    # account's attempts from anyone: in the headers, they would tell a
    # stranger how often its owner logged in.
    per_account = partial(limiter.shared_limit, methods=["POST"], key_func=rate_limits.by_account)
    form = ["GET", "POST"]
    bp = Blueprint("auth", __name__, url_prefix="/auth")
    register = limit(rate_limits.registrations)(views.register)
    bp.add_url_rule("/register", view_func=register, methods=form)
    login = limit(rate_limits.failed_logins, deduct_when=is_failed_login)(views.login)
    login = limit(rate_limits.login_attempts)(login)
    login = per_account(rate_limits.account_logins, scope="account-logins")(login)
    bp.add_url_rule("/login", view_func=login, methods=form)
    bp.add_url_rule("/logout", view_func=views.logout, methods=["POST"])
    bp.add_url_rule("/account", view_func=views.account, methods=form)
    ask = limit(rate_limits.reset_requests)(views.password_reset_request)
    ask = per_account(rate_limits.account_reset_requests, scope="account-reset-requests")(ask)
    bp.add_url_rule("/password-reset", view_func=ask, methods=form)
    bp.add_url_rule("/password-reset/<token>", view_func=views.password_reset, methods=form)
    return bp
