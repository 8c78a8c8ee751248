"""The register, login, logout, account and password reset pages, under
``/auth``: plain view functions, put on one blueprint by ``auth_blueprint``
(at the end) with the app's rate limits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import SQLAlchemyError

from shared.auth import rate_limits
from shared.auth.forms import (
    AccountForm,
    LoginForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    RegisterForm,
)
from shared.auth.reset import (
    ResetLinkUsed,
    request_password_reset,
    reset_password,
    user_for_reset_token,
)
from shared.auth.safe_redirect import safe_next_path
from shared.auth.services import (
    DisplayNameTaken,
    EmailTaken,
    InvalidDisplayName,
    InvalidEmail,
    WeakPassword,
    authenticate,
    change_display_name,
    create_user,
    end_all_sessions,
)
from shared.forms import form_status

INVALID_CREDENTIALS = "Invalid e-mail or password."
DISPLAY_NAME_TAKEN = "Another account shows this name. Choose another."
# The same answer whether or not the address has an account: the form must
# not tell a stranger who is registered.
RESET_LINK_SENT = (
    "If an account uses that address, we have sent it a link to set a new password. "
    "Check your mailbox (and the spam folder); the link works once, for a limited time."
)
RESET_LINK_DEAD = "That link has expired or was already used. Ask for a new one below."


def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(_next_or_home())
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                email=form.email.data or "",
                password=form.password.data or "",
                display_name=form.display_name.data or None,
            )
        except EmailTaken:
            form.email.errors = [*form.email.errors, "An account with this e-mail already exists."]
        except DisplayNameTaken:
            form.display_name.errors = [*form.display_name.errors, DISPLAY_NAME_TAKEN]
        except InvalidEmail as error:
            form.email.errors = [*form.email.errors, str(error)]
        except InvalidDisplayName as error:
            form.display_name.errors = [*form.display_name.errors, str(error)]
        except WeakPassword as error:
            form.password.errors = [*form.password.errors, str(error)]
        else:
            _start_session(user, remember=False)
            flash("Welcome! Your account is ready.", "success")
            return redirect(_next_or_home())
    return render_template("auth/register.html", form=form), form_status(form)


def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(_next_or_home())
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            _start_session(user, remember=bool(form.remember.data))
            return redirect(_next_or_home())
        form.form_errors.append(INVALID_CREDENTIALS)
    page = render_template(
        "auth/login.html",
        form=form,
        password_reset="auth.password_reset" in current_app.view_functions,
        # Set by `make demo` only; production refuses them (shared/config.py).
        demo_logins=current_app.config["DEMO_LOGINS"],
        demo_password=current_app.config["DEMO_PASSWORD"],
    )
    return page, form_status(form)


def is_failed_login(response: Response) -> bool:
    # Only failed attempts count: someone who logs in right away is never slowed down.
    return response.status_code != 302


def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        try:
            end_all_sessions(current_user._get_current_object())
        except SQLAlchemyError:
            # The database refused the write (read-only, failing over): the
            # other devices stay logged in, but this browser's session ends.
            current_app.extensions["auth"].db.session.rollback()
            current_app.logger.exception("logout could not end the user's other sessions")
    # Clear first: logout_user() leaves a note in the session that makes
    # Flask-Login delete the remember cookie on the way out.
    session.clear()
    logout_user()
    flash("You have been logged out.", "info")
    return redirect(url_for("auth.login"))


@login_required
def account() -> ResponseReturnValue:
    """The owner's page: their address, and the name everyone else sees."""
    form = AccountForm(display_name=current_user.display_name)
    if form.validate_on_submit():
        try:
            change_display_name(current_user._get_current_object(), form.display_name.data or "")
        except DisplayNameTaken:
            form.display_name.errors = [*form.display_name.errors, DISPLAY_NAME_TAKEN]
        except InvalidDisplayName as error:
            form.display_name.errors = [*form.display_name.errors, str(error)]
        else:
            flash("Your display name is saved.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), form_status(form)


def password_reset_request() -> ResponseReturnValue:
    """Queue a reset link for the address (shared/auth/reset.py); the
    answer is the same whether or not it has an account."""
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data or "")
        flash(RESET_LINK_SENT, "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/password_reset_request.html", form=form), form_status(form)


def password_reset(token: str) -> ResponseReturnValue:
    user = user_for_reset_token(token)
    if user is None:
        flash(RESET_LINK_DEAD, "warning")
        return redirect(url_for("auth.password_reset_request"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            reset_password(user, form.password.data or "")
        except WeakPassword as error:
            form.password.errors = [*form.password.errors, str(error)]
        except ResetLinkUsed:
            flash(RESET_LINK_DEAD, "warning")
            return redirect(url_for("auth.password_reset_request"))
        else:
            session.clear()  # whoever was logged in in this browser is not any more
            logout_user()
            flash(
                "Your password is changed, and every session of your account has ended. "
                "Log in with the new password.",
                "success",
            )
            return redirect(url_for("auth.login"))
    page = render_template("auth/password_reset.html", form=form, email=user.email)
    return page, form_status(form)


def _start_session(user: object, *, remember: bool) -> None:
    # A fresh session at login: nothing planted in the cookie before it survives.
    session.clear()
    login_user(user, remember=remember)


def _next_or_home() -> str:
    return safe_next_path(request.args.get("next")) or "/"


FORM = ["GET", "POST"]
URLS: list[tuple[str, Callable[..., ResponseReturnValue], list[str]]] = [
    ("/register", register, FORM),
    ("/login", login, FORM),
    ("/logout", logout, ["POST"]),
    ("/account", account, FORM),
    ("/password-reset", password_reset_request, FORM),
    ("/password-reset/<token>", password_reset, FORM),
]
RESET_PAGES = {password_reset_request, password_reset}
# What each view's POST is limited by (shared/auth/rate_limits.py).
LIMITS: dict[Callable[..., ResponseReturnValue], list[tuple[Callable[[], str], dict[str, Any]]]] = {
    register: [(rate_limits.registrations, {})],
    login: [
        (rate_limits.failed_logins, {"deduct_when": is_failed_login}),
        (rate_limits.login_attempts, {}),
        (rate_limits.account_logins, {"key_func": rate_limits.by_account}),
    ],
    password_reset_request: [
        (rate_limits.reset_requests, {}),
        (rate_limits.account_reset_requests, {"key_func": rate_limits.by_account}),
    ],
}


def auth_blueprint(limiter: Limiter, *, password_reset: bool) -> Blueprint:
    """The pages on one blueprint, each with the app's own rate limits:
    Flask-Limiter keeps a limit on the limiter that decorated the view, so
    each app decorates the same functions with its own."""
    bp = Blueprint("auth", __name__, url_prefix="/auth")
    for rule, view, methods in URLS:
        if view in RESET_PAGES and not password_reset:
            continue
        for limit, options in LIMITS.get(view, []):
            view = limiter.limit(limit, methods=["POST"], **options)(view)
        bp.add_url_rule(rule, view_func=view, methods=methods)
    return bp
