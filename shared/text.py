"""Rules for the text people type, the same in every app. A one-line field holds
one line: a ticket title becomes a mail's ``Subject:``, and Python's header encoder
breaks lines at VT, FF, ``\\x1c``-``\\x1e``, ``\\x85`` and U+2028 too, not only at
CR and LF, so such a title could forge headers. And a name cannot pass for another."""

import unicodedata

# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators.
_NOT_ON_ONE_LINE = frozenset({"Cc", "Zl", "Zp"})
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")  # Hangul fillers and their kin
# Scripts written together with Han characters, counted as one.
_EAST_ASIAN = ("HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "CJK", "HALFWIDTH", "IDEOGRAPHIC")


def breaks_the_line(text: str) -> bool:
    """Whether ``text`` holds a line break, a tab or another control character."""
    return any(unicodedata.category(character) in _NOT_ON_ONE_LINE for character in text)


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds half of a UTF-16 pair, which only JSON's ``\\u``
    escapes let in (form and URL decoding replace it) and UTF-8 cannot encode."""
    return any(unicodedata.category(character) == "Cs" for character in text)


def one_line(text: str) -> str:
    """``text`` with each run of control characters and whitespace made one space."""
    cleaned = "".join(" " if unicodedata.category(c) in _NOT_ON_ONE_LINE else c for c in text)
    return " ".join(cleaned.split())


def shows_nothing(text: str) -> bool:
    """Whether ``text`` is blank to the eye: spaces, format characters that draw
    nothing (zero-width space, BOM, direction marks), blank letters and the
    blank Braille pattern, or nothing at all. ``str.strip()`` keeps all but spaces."""
    return all(
        character.isspace()
        or unicodedata.category(character) == "Cf"
        or character in _BLANK_LETTERS
        or character == "\u2800"
        for character in text
    )


def looks_empty(text: str) -> bool:
    """Whether ``text`` holds a letter that shows nothing ("ann" + U+3164 passes for "ann")."""
    return any(character in _BLANK_LETTERS for character in text)


def mixes_scripts(text: str) -> bool:
    """Whether the letters of ``text`` mix alphabets not written together, as
    "soup" with a Cyrillic "o" (U+043E) does. Japanese and Korean count as one
    script, which may sit beside Latin ("Tシャツ"), as UTS #39 allows."""
    # Unicode names start with the script: "LATIN SMALL LETTER A", "CYRILLIC ...".
    names = (unicodedata.name(character, "UNKNOWN") for character in text if character.isalpha())
    scripts = {"CJK" if name.startswith(_EAST_ASIAN) else name.split(" ", 1)[0] for name in names}
    return len(scripts - {"LATIN"}) > 1 or (len(scripts) > 1 and "CJK" not in scripts)
