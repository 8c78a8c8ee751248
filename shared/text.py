"""Rules for the text people type, the same in every app. A one-line field holds
one line: a title typed in a form becomes a mail's ``Subject:``, and Python's header encoder
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
    """Whether ``text`` is blank to the eye: nothing but whitespace, Unicode's
    default-ignorable characters and the blank Braille pattern. (``str.strip()``
    removes only the whitespace.)"""
    return all(
        character.isspace() or _drawn_as_nothing(character) or character == "\u2800"
        for character in text
    )


def _drawn_as_nothing(character: str) -> bool:
    """Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt):
    zero-width spaces and joiners, direction marks, variation selectors, the
    BOM, Hangul fillers... Not every format character: U+06DD, say, is drawn."""
    code = ord(character)
    return any(low <= code <= high for low, high in _DEFAULT_IGNORABLE)


_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
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
