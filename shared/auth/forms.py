"""The register, login and password reset forms. Flask-WTF adds and checks
the CSRF token."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from shared.auth.models import EMAIL_MAX_LENGTH
from shared.auth.passwords import PASSWORD_MAX_LENGTH, password_problem
from shared.forms import Form, strip_whitespace


class LoginForm(Form):
    email = EmailField(
        "E-mail",
        filters=[strip_whitespace],
        validators=[DataRequired("Enter your e-mail address."), Length(max=EMAIL_MAX_LENGTH)],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Length(max=PASSWORD_MAX_LENGTH)],
    )
    remember = BooleanField("Keep me logged in on this device")
    submit = SubmitField("Log in")


def _email_field() -> EmailField:
    return EmailField(
        "E-mail",
        filters=[strip_whitespace],
        validators=[
            DataRequired("Enter your e-mail address."),
            Length(max=EMAIL_MAX_LENGTH),
            Email("Enter a valid e-mail address."),
        ],
    )


class NewPasswordForm(Form):
    """A new password, typed twice, under the one password rule."""

    password = PasswordField("Password", validators=[DataRequired("Choose a password.")])
    password_confirm = PasswordField(
        "Repeat the password",
        validators=[
            DataRequired("Repeat the password."),
            EqualTo("password", "The two passwords do not match."),
        ],
    )
    submit = SubmitField("Set the new password")

    def validate_password(self, field: PasswordField) -> None:
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class RegisterForm(NewPasswordForm):
    email = _email_field()
    submit = SubmitField("Create account")


class PasswordResetRequestForm(Form):
    email = _email_field()
    submit = SubmitField("Send me a link")
