"""Small helpers for the apps' Flask-WTF forms."""

from __future__ import annotations


def strip_whitespace(value: str | None) -> str | None:
    """A WTForms filter: pasted text often carries spaces nobody meant to type."""
    return value.strip() if isinstance(value, str) else value
