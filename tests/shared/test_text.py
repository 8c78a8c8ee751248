"""shared/text.py's rules for typed text, on their own (the forms and schemas
that use them are tested in each app)."""

from __future__ import annotations

import pytest

from shared.forms import strip_whitespace
from shared.text import shows_nothing


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\u200b",
        "\ufeff\u2800",
        "\u3164 \u200e",
        "\u00a0\u3000",
        "\u202e\u2066",
        "\ufe0f\U000e0100\u034f",
    ],
    ids=["empty", "spaces", "zero-width", "BOM, Braille", "filler", "wide", "direction", "VS"],
)
def test_text_that_draws_nothing_shows_nothing(text: str) -> None:
    assert shows_nothing(text)
    assert strip_whitespace(text) == ""  # so DataRequired asks for the field


@pytest.mark.parametrize("text", ["a", "\u200bHi", "é", "·", "\u2801", "\u06dd", "\u0600"])
def test_text_with_one_visible_character_shows_something(text: str) -> None:
    assert not shows_nothing(text)
    assert strip_whitespace(f"  {text} ") == text


def test_a_line_break_is_one_character_as_the_browser_counts_it() -> None:
    # Browsers send a text area's line breaks as CRLF, but count one character
    # for each against its maxlength.
    assert strip_whitespace(" one\r\ntwo\r\n\r\nthree\n ") == "one\ntwo\n\nthree"
