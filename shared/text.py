"""Rules for the text people type, the same in every app: a one-line field
holds one line, and a name does not mix alphabets to pass for another.

Why it matters: a ticket title becomes a mail's ``Subject:`` header, and
Python's header encoder starts a new line not only at CR and LF but at
vertical tab, form feed, ``\\x1c``-``\\x1e``, ``\\x85`` and the Unicode line and
paragraph separators, so a title carrying one can forge headers after it.
"""

from __future__ import annotations

import unicodedata

# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators.
_NOT_ON_ONE_LINE = frozenset({"Cc", "Zl", "Zp"})


def breaks_the_line(text: str) -> bool:
    """Whether ``text`` holds a line break, a tab or another control character."""
    return any(unicodedata.category(character) in _NOT_ON_ONE_LINE for character in text)


def one_line(text: str) -> str:
    """``text`` with every run of control characters and whitespace made one
    space: what a mail subject built from user text is passed through."""
    cleaned = "".join(
        " " if unicodedata.category(character) in _NOT_ON_ONE_LINE else character
        for character in text
    )
    return " ".join(cleaned.split())


# Letters to Unicode that show nothing: Hangul fillers and their kin.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def looks_empty(text: str) -> bool:
    """Whether ``text`` holds a character that shows nothing: "ann" plus a
    Hangul filler would pass for "ann" on screen."""
    return any(character in _BLANK_LETTERS for character in text)


def mixes_scripts(text: str) -> bool:
    """Whether the letters of ``text`` come from alphabets that are not written
    together, as in "soup" typed with a Cyrillic "o" (U+043E): on screen it
    passes for the Latin word. Japanese (Han, Hiragana, Katakana) and Korean (Han, Hangul)
    count as one script, which may also sit beside Latin letters ("Tシャツ"),
    as Unicode's "highly restrictive" profile (UTS #39) allows."""
    scripts = {_script(character) for character in text if character.isalpha()}
    return len(scripts - {"LATIN"}) > 1 or (len(scripts) > 1 and "CJK" not in scripts)


# Scripts written together with Han characters, counted as one.
_EAST_ASIAN = ("HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "CJK", "HALFWIDTH", "IDEOGRAPHIC")


def _script(character: str) -> str:
    # Unicode names start with the script: "LATIN SMALL LETTER A", "CYRILLIC ...".
    name = unicodedata.name(character, "UNKNOWN")
    return "CJK" if name.startswith(_EAST_ASIAN) else name.split(" ", 1)[0]
