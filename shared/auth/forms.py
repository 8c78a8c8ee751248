"""The auth pages' forms; Flask-WTF adds and checks the CSRF token. Shared
fields come from functions called in page order: WTForms orders a form's
fields (and so its error summary) by when each field was made."""

from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from shared.auth.models import DISPLAY_NAME_MAX_LENGTH, EMAIL_MAX_LENGTH
from shared.auth.passwords import PASSWORD_MAX_LENGTH, normalise_password, password_problem
from shared.forms import Form, MaxLength, strip_whitespace


def _email_field(*, check_format: bool = True) -> EmailField:
    validators = [DataRequired("Enter your e-mail address."), MaxLength(max=EMAIL_MAX_LENGTH)]
    if check_format:  # not at login: any address that is no account gets the same answer
        validators.append(Email("Enter a valid e-mail address."))
    return EmailField("E-mail", filters=[strip_whitespace], validators=validators)


def _password_rule(_form: Form, field: PasswordField) -> None:
    if problem := password_problem(field.data or ""):
        raise ValidationError(problem)


def _not_too_long(_form: Form, field: PasswordField) -> None:
    # Measured as the password rule measures it, after NFKC: "e" and a combining
    # accent typed 128 times is 128 characters to the rule, so at login too. NFKC
    # joins a few characters into one at most: four times the limit, typed, is
    # too long without spending the CPU to normalise it.
    password = field.data or ""
    if len(password) > 4 * PASSWORD_MAX_LENGTH or (
        len(normalise_password(password)) > PASSWORD_MAX_LENGTH
    ):
        raise ValidationError(f"Use at most {PASSWORD_MAX_LENGTH} characters.")


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
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


class LoginForm(Form):
    email = _email_field(check_format=False)
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), _not_too_long],
    )
    remember = BooleanField("Keep me logged in on this device")
    submit = SubmitField("Log in")


class RegisterForm(Form):
    email = _email_field()
    display_name = StringField(
        "Display name (optional)",
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=DISPLAY_NAME_MAX_LENGTH)],
    )
    password, password_confirm = _new_password_fields()
    submit = SubmitField("Create account")


class AccountForm(Form):
    display_name = StringField(
        "Display name",
        filters=[strip_whitespace],
        validators=[
            DataRequired("Choose the name others see."),
            Length(max=DISPLAY_NAME_MAX_LENGTH),
        ],
    )
    submit = SubmitField("Save")


class NewPasswordForm(Form):
    password, password_confirm = _new_password_fields()
    submit = SubmitField("Set the new password")


class PasswordResetRequestForm(Form):
    email = _email_field()
    submit = SubmitField("Send me a link")
