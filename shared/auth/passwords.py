"""Password hashing and the one password rule for forms, API and CLI. Passwords
are compared in Unicode's NFKC form: "é" typed as one character or as "e" plus
a combining accent is the same password."""

import json
import unicodedata
from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from shared.text import shows_nothing

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128  # scrypt takes any length, but a huge one is a cheap way to burn CPU
# The commonest passwords of 8+ characters in breach lists: what attackers try first.
COMMON_PASSWORDS = frozenset(
    json.loads(Path(__file__).with_name("common_passwords.json").read_text())
)


def normalise_password(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return generate_password_hash(normalise_password(password), method="scrypt")


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, normalise_password(password))


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable, or None when it is."""
    password = normalise_password(password)
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"Use at least {PASSWORD_MIN_LENGTH} characters."
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"Use at most {PASSWORD_MAX_LENGTH} characters."
    if shows_nothing(password):  # spaces, or zero-width characters nobody can see to type
        return "Use letters, digits or symbols, not only spaces or invisible characters."
    if password.lower() in COMMON_PASSWORDS:
        return "This is one of the commonest passwords, which attackers try first. Choose another."
    return None


@cache
def dummy_hash() -> str:
    """A hash to check a password against when the address has no account
    (made once a process: the Auth extension makes it as it starts)."""
    return hash_password("not-a-real-password")


def dummy_password_check(password: str) -> None:
    """For an unknown address: as slow as a wrong password, so the answer's
    timing does not tell "no such account" from "wrong password"."""
    verify_password(dummy_hash(), password)
