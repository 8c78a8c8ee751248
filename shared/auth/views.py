"""The pages under ``/auth``: plain view functions, which ``auth_blueprint``
(extension.py) puts on a blueprint with the app's rate limits."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import SQLAlchemyError

from shared.auth import forms, reset, services
from shared.auth.safe_redirect import safe_next_path
from shared.forms import form_status
from shared.mail import prints_mail

# The same answer for any address: the page must not tell who is registered.
RESET_LINK_SENT = (
    "If an account uses that address, we have sent it a link to set a new password. "
    "Check your mailbox (and the spam folder); the link works once, for a limited time."
)
# Without a mail server (make demo), the mail is printed, and the page says where.
RESET_LINK_PRINTED = (
    "If an account uses that address, a link to set a new password is on its way. "
    "No mail server is set up here, so the mail is printed in the terminal that runs "
    "the app (make demo's), not sent; the link works once, for a limited time."
)
RESET_LINK_DEAD = "That link has expired or was already used. Ask for a new one below."


def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(_next_or_home())
    form = forms.RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data,
                password=form.password.data,
                display_name=form.display_name.data or None,
            )
        except services.AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            _start_session(user, remember=False)
            flash("Welcome! Your account is ready.", "success")
            return redirect(_next_or_home())
    return render_template("auth/register.html", form=form), form_status(form)


def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(_next_or_home())
    form = forms.LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            _start_session(user, remember=form.remember.data)
            return redirect(_next_or_home())
        form.form_errors.append("Invalid e-mail or password.")
    return render_template("auth/login.html", form=form), form_status(form)


def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        try:
            services.end_all_sessions(current_user)
        except SQLAlchemyError:
            # The database refused the write (read-only, failing over): the
            # other devices stay logged in, but this browser's session ends.
            db, _User = services.db_and_user_model()
            db.session.rollback()
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
    form = forms.AccountForm(display_name=current_user.display_name)
    if form.validate_on_submit():
        try:
            services.change_display_name(current_user, form.display_name.data)
        except services.AccountError as error:
            form.display_name.errors.append(str(error))
        else:
            flash("Your display name is saved.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), form_status(form)


def password_reset_request() -> ResponseReturnValue:
    form = forms.PasswordResetRequestForm()
    if form.validate_on_submit():
        reset.request_password_reset(form.email.data)
        flash(RESET_LINK_PRINTED if prints_mail() else RESET_LINK_SENT, "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/password_reset_request.html", form=form), form_status(form)


def password_reset(token: str) -> ResponseReturnValue:
    user = reset.user_for_reset_token(token)
    if user is None:
        flash(RESET_LINK_DEAD, "warning")
        return redirect(url_for("auth.password_reset_request"))
    form = forms.NewPasswordForm()
    if form.validate_on_submit():
        try:
            reset.reset_password(user, form.password.data)
        except reset.ResetLinkUsed:
            flash(RESET_LINK_DEAD, "warning")
            return redirect(url_for("auth.password_reset_request"))
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
