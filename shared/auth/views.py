"""The register, login, logout and password reset pages, mounted at
``/auth`` by :class:`Auth`.

The blueprint is built by a function because the views need the app's ``db``,
``User`` model and rate limiter, which ``shared`` does not own.
"""

from __future__ import annotations

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
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.exc import SQLAlchemyError

from shared.auth.forms import (
    AccountForm,
    LoginForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    RegisterForm,
)
from shared.auth.models import UserAccountMixin
from shared.auth.rate_limits import (
    account_login_rate_limit,
    account_password_reset_rate_limit,
    login_account_key,
    login_attempt_rate_limit,
    login_rate_limit,
    password_reset_rate_limit,
    register_rate_limit,
)
from shared.auth.safe_redirect import safe_next_path
from shared.auth.services import (
    DisplayNameTaken,
    EmailTaken,
    InvalidDisplayName,
    InvalidEmail,
    ResetLinkUsed,
    WeakPassword,
    authenticate,
    change_display_name,
    create_user,
    end_all_sessions,
    request_password_reset,
    reset_password,
    user_for_reset_token,
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


def create_auth_blueprint(
    db: SQLAlchemy,
    user_model: type[UserAccountMixin],
    limiter: Limiter,
    *,
    password_reset: bool = False,
) -> Blueprint:
    """``password_reset=True`` adds the reset pages; the app needs a mail
    outbox for them (shared/mail.py)."""
    bp = Blueprint("auth", __name__, url_prefix="/auth")

    @bp.route("/register", methods=["GET", "POST"])
    @limiter.limit(register_rate_limit, methods=["POST"])
    def register() -> ResponseReturnValue:
        if current_user.is_authenticated:
            return redirect(_next_or_home())
        form = RegisterForm()
        if form.validate_on_submit():
            try:
                user = create_user(
                    db,
                    user_model,
                    email=form.email.data or "",
                    password=form.password.data or "",
                    display_name=form.display_name.data or None,
                )
            except EmailTaken:
                form.email.errors = [
                    *form.email.errors,
                    "An account with this e-mail already exists.",
                ]
            except DisplayNameTaken:
                form.display_name.errors = [*form.display_name.errors, DISPLAY_NAME_TAKEN]
            except (InvalidEmail, WeakPassword, InvalidDisplayName) as refusal:
                field = {
                    InvalidEmail: form.email,
                    WeakPassword: form.password,
                    InvalidDisplayName: form.display_name,
                }[type(refusal)]
                field.errors = [*field.errors, str(refusal)]
            else:
                _start_session(user, remember=False)
                flash("Welcome! Your account is ready.", "success")
                return redirect(_next_or_home())
        status = form_status(form)
        return render_template("auth/register.html", form=form), status

    @bp.route("/login", methods=["GET", "POST"])
    @limiter.limit(login_rate_limit, methods=["POST"], deduct_when=_is_failed_login)
    @limiter.limit(login_attempt_rate_limit, methods=["POST"])
    @limiter.limit(account_login_rate_limit, methods=["POST"], key_func=login_account_key)
    def login() -> ResponseReturnValue:
        if current_user.is_authenticated:
            return redirect(_next_or_home())
        form = LoginForm()
        if form.validate_on_submit():
            user = authenticate(db, user_model, form.email.data or "", form.password.data or "")
            if user is not None:
                _start_session(user, remember=bool(form.remember.data))
                return redirect(_next_or_home())
            form.form_errors.append(INVALID_CREDENTIALS)
        status = form_status(form)
        page = render_template(
            "auth/login.html",
            form=form,
            password_reset=password_reset,
            # Set by `make demo` only; production refuses them (shared/config.py).
            demo_logins=current_app.config["DEMO_LOGINS"],
            demo_password=current_app.config["DEMO_PASSWORD"],
        )
        return page, status

    @bp.route("/account", methods=["GET", "POST"])
    @login_required
    def account() -> ResponseReturnValue:
        """The owner's page: their address, and the name everyone else sees."""
        form = AccountForm(display_name=current_user.display_name)
        if form.validate_on_submit():
            try:
                change_display_name(
                    db, current_user._get_current_object(), form.display_name.data or ""
                )
            except DisplayNameTaken:
                form.display_name.errors = [*form.display_name.errors, DISPLAY_NAME_TAKEN]
            except InvalidDisplayName as refusal:
                form.display_name.errors = [*form.display_name.errors, str(refusal)]
            else:
                flash("Your display name is saved.", "success")
                return redirect(url_for("auth.account"))
        return render_template("auth/account.html", form=form), form_status(form)

    @bp.post("/logout")
    def logout() -> ResponseReturnValue:
        if current_user.is_authenticated:
            try:
                end_all_sessions(db, current_user._get_current_object())
            except SQLAlchemyError:
                # The database refused the write (read-only, failing over):
                # the other devices stay logged in, but this browser's session
                # must end whatever happens server-side.
                db.session.rollback()
                current_app.logger.exception(
                    "logout could not end the user's other sessions; ending this one only"
                )
        # Clear first: logout_user() leaves a note in the session that makes
        # Flask-Login delete the remember cookie on the way out.
        session.clear()
        logout_user()
        flash("You have been logged out.", "info")
        return redirect(url_for("auth.login"))

    if password_reset:
        _add_password_reset_pages(bp, db, user_model, limiter)
    return bp


def _add_password_reset_pages(
    bp: Blueprint, db: SQLAlchemy, user_model: type[UserAccountMixin], limiter: Limiter
) -> None:
    @bp.route("/password-reset", methods=["GET", "POST"])
    @limiter.limit(password_reset_rate_limit, methods=["POST"])
    @limiter.limit(account_password_reset_rate_limit, methods=["POST"], key_func=login_account_key)
    def password_reset_request() -> ResponseReturnValue:
        """Mail a reset link to the address, if it has an account; the answer
        is the same either way."""
        form = PasswordResetRequestForm()
        if form.validate_on_submit():
            request_password_reset(db, current_app.extensions["outbox"], form.email.data or "")
            flash(RESET_LINK_SENT, "info")
            return redirect(url_for("auth.login"))
        status = form_status(form)
        return render_template("auth/password_reset_request.html", form=form), status

    @bp.route("/password-reset/<token>", methods=["GET", "POST"])
    def password_reset(token: str) -> ResponseReturnValue:
        max_age = int(current_app.config["PASSWORD_RESET_MAX_AGE"])
        user = user_for_reset_token(db, user_model, token, max_age=max_age)
        if user is None:
            flash(RESET_LINK_DEAD, "warning")
            return redirect(url_for("auth.password_reset_request"))
        form = NewPasswordForm()
        if form.validate_on_submit():
            try:
                reset_password(db, user, form.password.data or "")
            except WeakPassword as refusal:
                form.password.errors = [*form.password.errors, str(refusal)]
            except ResetLinkUsed:
                flash(RESET_LINK_DEAD, "warning")
                return redirect(url_for("auth.password_reset_request"))
            else:
                # Whoever was logged in in this browser is not any more.
                session.clear()
                logout_user()
                flash(
                    "Your password is changed, and every session of your account has ended. "
                    "Log in with the new password.",
                    "success",
                )
                return redirect(url_for("auth.login"))
        status = form_status(form)
        return render_template("auth/password_reset.html", form=form, email=user.email), status


def _is_failed_login(response: Response) -> bool:
    # Only failed attempts count: someone who logs in right away is never slowed down.
    return response.status_code != 302


def _start_session(user: UserAccountMixin, *, remember: bool) -> None:
    # A fresh session at login: nothing planted in the cookie before it survives.
    session.clear()
    login_user(user, remember=remember)


def _next_or_home() -> str:
    return safe_next_path(request.args.get("next")) or "/"
