"""The base form of the apps' Flask-WTF forms, and its small helpers."""

from typing import Any

from flask_wtf import FlaskForm
from wtforms import FileField, PasswordField, StringField, TextAreaField
from wtforms.validators import Length, StopValidation, ValidationError

from shared.text import breaks_the_line, shows_nothing

NUL_MESSAGE = "Remove the NUL character (an invisible control character) from this field."
NOT_A_FILE_MESSAGE = "Type this field's text: a file cannot go here."
MULTILINE_FIELDS = (TextAreaField, PasswordField)  # the other text fields hold one line
ONE_LINE_MESSAGE = "Keep this to one line: remove the line break, tab or other control character."


class Form(FlaskForm):
    """Flask-WTF's form (CSRF token included) that also refuses a file in a text
    field, NUL in any field (PostgreSQL cannot store it, SQLite would), and
    control characters in a one-line field, which in a mail header would forge
    the next one (shared/text.py)."""

    def validate(self, extra_validators: Any = None) -> bool:
        # Flask-WTF reads files and fields together: a file sent under a text
        # field's name (only a script sends one) is not text to check.
        if misplaced := [
            field
            for field in self
            if not isinstance(field, FileField)
            and any(not isinstance(value, str) for value in field.raw_data or [])
        ]:
            for field in misplaced:  # nor shown back in the field as text
                field.data, field.raw_data, field.errors = None, [], [NOT_A_FILE_MESSAGE]
            return False
        valid: bool = super().validate(extra_validators)
        for field in self:
            one_line = isinstance(field, StringField) and not isinstance(field, MULTILINE_FIELDS)
            if any("\x00" in value for value in field.raw_data or [] if isinstance(value, str)):
                field.errors.append(NUL_MESSAGE)
                valid = False
            elif one_line and breaks_the_line(field.data or ""):
                field.errors.append(ONE_LINE_MESSAGE)
                valid = False
        return valid


def form_status(form: FlaskForm) -> int:
    """200 for a form shown the first time; 422 when it comes back with errors, so
    scripts and tests tell failure from success without reading the HTML."""
    return 422 if form.is_submitted() else 200


def at_most(limit: int, what: str) -> Length:
    """``Length(max=limit)`` whose message names the limit, the same on every form:
    ``at_most(200, "the title")`` says "Keep the title under 200 characters".
    Later checks still run: ``MaxLength`` (below) stops them, for costly ones."""
    return Length(max=limit, message=f"Keep {what} under {limit:,} characters.")


class MaxLength(Length):
    """WTForms' ``Length(max=...)`` as the field's last check: what is too long
    goes no further (an e-mail validator spends seconds on 450 kB)."""

    def __call__(self, form: Any, field: Any) -> None:
        try:
            super().__call__(form, field)
        except ValidationError as error:
            raise StopValidation(str(error)) from None


def strip_whitespace(value: str | None) -> str | None:
    """A WTForms filter: pasted text often carries spaces nobody meant to type,
    and text that shows nothing (a zero-width space, say) is empty, so that
    ``DataRequired`` asks for it. A line break becomes one character, ``\n``:
    a browser sends a text area's as two (``\r\n``) but counts one against
    its ``maxlength``, so the length checks count as the browser did."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n")
    return "" if shows_nothing(value) else value.strip()
