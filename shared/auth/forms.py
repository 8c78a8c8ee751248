"""The register, login and password reset forms. Flask-WTF adds and checks
the CSRF token."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from shared.auth.models import DISPLAY_NAME_MAX_LENGTH, EMAIL_MAX_LENGTH
from shared.auth.passwords import PASSWORD_MAX_LENGTH, password_problem
from shared.forms import Form, MaxLength, strip_whitespace


class LoginForm(Form):
    email = EmailField(
        "E-mail",
        filters=[strip_whitespace],
        validators=[DataRequired("Enter your e-mail address."), MaxLength(EMAIL_MAX_LENGTH)],
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
            MaxLength(EMAIL_MAX_LENGTH),
            Email("Enter a valid e-mail address."),
        ],
    )


def _password_rule(_form: Form, field: PasswordField) -> None:
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    """A new password, typed twice, under the one password rule."""
    password = PasswordField(
        "Password", validators=[DataRequired("Choose a password."), _password_rule]
    )
    password_confirm = PasswordField(
        "Repeat the password",
        validators=[
            DataRequired("Repeat the password."),
            EqualTo("password", "The two passwords do not match."),
        ],
    )
    return password, password_confirm


# Fields are made by functions, in the order the page shows them: WTForms
# orders a form's fields (and so the error summary) by when each was made.
class NewPasswordForm(Form):
    password, password_confirm = _new_password_fields()
    submit = SubmitField("Set the new password")


def _display_name_field(*, required: bool) -> StringField:
    first = DataRequired("Choose the name others see.") if required else Optional()
    return StringField(
        "Display name" if required else "Display name (optional)",
        filters=[strip_whitespace],
        validators=[first, Length(max=DISPLAY_NAME_MAX_LENGTH)],
    )


class RegisterForm(Form):
    email = _email_field()
    display_name = _display_name_field(required=False)
    password, password_confirm = _new_password_fields()
    submit = SubmitField("Create account")


class AccountForm(Form):
    display_name = _display_name_field(required=True)
    submit = SubmitField("Save")


class PasswordResetRequestForm(Form):
    email = _email_field()
    submit = SubmitField("Send me a link")
