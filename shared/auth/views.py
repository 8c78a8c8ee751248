"""The register, login and logout pages, mounted at ``/auth`` by :class:`Auth`.

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
from flask_login import current_user, login_user, logout_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.exc import SQLAlchemyError

from shared.auth.forms import LoginForm, RegisterForm
from shared.auth.models import UserAccountMixin
from shared.auth.rate_limits import (
    account_login_rate_limit,
    login_account_key,
    login_attempt_rate_limit,
    login_rate_limit,
    register_rate_limit,
)
from shared.auth.safe_redirect import safe_next_path
from shared.auth.services import (
    EmailTaken,
    InvalidEmail,
    WeakPassword,
    authenticate,
    create_user,
    end_all_sessions,
)

# A form that fails validation is re-rendered with this status, so scripts
# and tests can tell it from a success without parsing HTML.
FORM_ERROR_STATUS = 422
INVALID_CREDENTIALS = "Invalid e-mail or password."


def create_auth_blueprint(
    db: SQLAlchemy, user_model: type[UserAccountMixin], limiter: Limiter
) -> Blueprint:
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
                    db, user_model, email=form.email.data or "", password=form.password.data or ""
                )
            except EmailTaken:
                form.email.errors = [
                    *form.email.errors,
                    "An account with this e-mail already exists.",
                ]
            except (InvalidEmail, WeakPassword) as refusal:
                field = form.email if isinstance(refusal, InvalidEmail) else form.password
                field.errors = [*field.errors, str(refusal)]
            else:
                _start_session(user, remember=False)
                flash("Welcome! Your account is ready.", "success")
                return redirect(_next_or_home())
        status = FORM_ERROR_STATUS if form.is_submitted() else 200
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
        status = FORM_ERROR_STATUS if form.is_submitted() else 200
        return render_template("auth/login.html", form=form), status

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

    return bp


def _is_failed_login(response: Response) -> bool:
    # Only failed attempts count: someone who logs in right away is never slowed down.
    return response.status_code != 302


def _start_session(user: UserAccountMixin, *, remember: bool) -> None:
    # A fresh session at login: nothing planted in the cookie before it survives.
    session.clear()
    login_user(user, remember=remember)


def _next_or_home() -> str:
    return safe_next_path(request.args.get("next")) or "/"
