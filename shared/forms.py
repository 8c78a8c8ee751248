"""The base form and small helpers for the apps' Flask-WTF forms."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm

NUL_MESSAGE = "Remove the NUL character (an invisible control character) from this field."


class Form(FlaskForm):
    """What every form of the HTML apps is: Flask-WTF's form (CSRF token
    included) that also refuses NUL characters in any field.

    PostgreSQL cannot store NUL in text and SQLite would store it raw; either
    way it is never something a person meant to type, so it is a field error
    (422), on every database alike.
    """

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)
        for field in self:
            raw_values = field.raw_data or []
            if any(isinstance(value, str) and "\x00" in value for value in raw_values):
                field.errors = [*field.errors, NUL_MESSAGE]
                valid = False
        return valid


def strip_whitespace(value: str | None) -> str | None:
    """A WTForms filter: pasted text often carries spaces nobody meant to type."""
    return value.strip() if isinstance(value, str) else value
