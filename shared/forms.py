"""The base form and small helpers for the apps' Flask-WTF forms."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import Length, StopValidation, ValidationError

from shared.text import breaks_the_line

NUL_MESSAGE = "Remove the NUL character (an invisible control character) from this field."
ONE_LINE_MESSAGE = "Keep this to one line: remove the line break, tab or other control character."
# A form sent back with errors is "bad input" (422), not a success (200):
# scripts and tests can tell the two apart without reading the HTML.
FORM_ERROR_STATUS = 422


class Form(FlaskForm):
    """What every form of the HTML apps is: Flask-WTF's form (CSRF token
    included) that also refuses NUL characters in any field, and line breaks
    and other control characters in one-line fields.

    PostgreSQL cannot store NUL in text and SQLite would store it raw; either
    way it is never something a person meant to type, so it is a field error
    (422), on every database alike. A one-line field (a title, an address, a
    name) may end up in a mail header, where a line break forges the next
    header (shared/text.py).
    """

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)
        for field in self:
            values = [value for value in field.raw_data or [] if isinstance(value, str)]
            if any("\x00" in value for value in values):
                field.errors = [*field.errors, NUL_MESSAGE]
                valid = False
            elif _is_one_line(field) and breaks_the_line(field.data or ""):  # after strip filters
                field.errors = [*field.errors, ONE_LINE_MESSAGE]
                valid = False
        return valid


def _is_one_line(field: Any) -> bool:
    return isinstance(field, StringField) and not isinstance(field, TextAreaField | PasswordField)


def form_status(form: FlaskForm) -> int:
    """The status of a page that shows ``form``: 200 the first time, 422
    when it comes back with errors."""
    return FORM_ERROR_STATUS if form.is_submitted() else 200


class MaxLength(Length):
    """WTForms' ``Length(max=...)``, but the field's last check: what is too
    long goes no further (an e-mail validator spends seconds on 450 kB)."""

    def __init__(self, limit: int, message: str | None = None) -> None:
        super().__init__(max=limit, message=message)

    def __call__(self, form: Any, field: Any) -> None:
        try:
            super().__call__(form, field)
        except ValidationError as error:
            raise StopValidation(str(error)) from None


def strip_whitespace(value: str | None) -> str | None:
    """A WTForms filter: pasted text often carries spaces nobody meant to type."""
    return value.strip() if isinstance(value, str) else value
