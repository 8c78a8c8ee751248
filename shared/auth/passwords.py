"""Password hashing and the one password rule, shared by the forms and the CLI."""

from __future__ import annotations

from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

PASSWORD_MIN_LENGTH = 8
# scrypt hashes any length, but an unbounded input is a cheap way to burn CPU.
PASSWORD_MAX_LENGTH = 128


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable, or None when it is."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"Use at least {PASSWORD_MIN_LENGTH} characters."
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"Use at most {PASSWORD_MAX_LENGTH} characters."
    return None


@cache
def _dummy_hash() -> str:
    return hash_password("not-a-real-password")


def burn_password_check(password: str) -> None:
    """Spend the time a real password check takes.

    Called when the e-mail is unknown, so an attacker cannot tell "no such
    account" from "wrong password" by how fast the answer comes.
    """
    verify_password(_dummy_hash(), password)
