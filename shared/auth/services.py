"""Account rules: creating users, display names, checking credentials,
ending sessions. Views, CLI commands and the API call these; nothing else
writes users. Each app's ``db`` and ``User`` model come from its ``Auth``
extension (``current_app.extensions["auth"]``).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.exc import IntegrityError

from shared.auth.models import (
    DISPLAY_NAME_MAX_LENGTH,
    UserAccountMixin,
    display_name_key,
    normalise_email,
)
from shared.auth.passwords import dummy_password_check, password_problem
from shared.text import looks_empty, mixes_scripts


class EmailTaken(Exception):
    """Another account already uses this e-mail address."""


class DisplayNameTaken(Exception):
    """Another account already shows this name."""


class WeakPassword(ValueError):
    """The password breaks the password rule; the message says which part."""


class InvalidEmail(ValueError):
    """The address is not a valid e-mail address; the message says why."""


class InvalidDisplayName(ValueError):
    """The display name breaks the rule; the message says which part."""


def db_and_user_model() -> tuple[SQLAlchemy, type[Any]]:
    """The current app's ``db`` and ``User``, as its ``Auth`` extension holds them."""
    auth = current_app.extensions["auth"]
    return auth.db, auth.user_model


def create_user(
    *, email: str, password: str, is_staff: bool = False, display_name: str | None = None
) -> Any:
    """A new account. Without ``display_name``, one is made from the
    address's local part ("ann" for ann@example.com, "ann 4821" if taken)."""
    db, User = db_and_user_model()
    problem = password_problem(password)
    if problem:
        raise WeakPassword(problem)
    try:
        address = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(str(error)) from None
    problem = local_part_problem(address.local_part)
    if problem:
        raise InvalidEmail(problem)
    email = normalise_email(address.normalized)
    if find_user_by_email(email) is not None:
        raise EmailTaken(email)
    if display_name:
        name = checked_display_name(display_name)
    else:
        name = derived_display_name(address.local_part)
    user = User(email=email, display_name=name, is_staff=is_staff)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as error:  # another sign-up took the address or name a moment ago
        db.session.rollback()
        if find_user_by_email(email) is not None:
            raise EmailTaken(email) from error
        raise DisplayNameTaken(name) from error
    return user


def get_or_create_user(*, email: str, password: str, **fields: Any) -> Any:
    """The user with this e-mail, created if missing: what idempotent demo seeds need."""
    return find_user_by_email(email) or create_user(email=email, password=password, **fields)


def local_part_problem(local_part: str) -> str | None:
    """Why the part before the @ could pass for another address, or None:
    compatibility characters (fullwidth "ann") or mixed alphabets (a Cyrillic
    "a" among Latin letters) look like someone else's address on screen."""
    if unicodedata.normalize("NFKC", local_part) != local_part:
        return "The part before the @ uses look-alike (compatibility) characters."
    if mixes_scripts(local_part):
        return "The part before the @ mixes alphabets (say Latin and Cyrillic)."
    return None


# --- display names -------------------------------------------------------------

# Letters and digits of any script, spaces, and . ' - _ between them.
_DISPLAY_NAME = re.compile(r"[\w.' -]+")


def checked_display_name(name: str, *, for_user: UserAccountMixin | None = None) -> str:
    """``name`` with its spaces tidied, if it follows the rule and no account
    but ``for_user`` shows a name that passes for it ("Ann" and "ann": see
    ``display_name_key``). Raises InvalidDisplayName or DisplayNameTaken."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= DISPLAY_NAME_MAX_LENGTH:
        raise InvalidDisplayName(f"Use 1 to {DISPLAY_NAME_MAX_LENGTH} characters.")
    if not _DISPLAY_NAME.fullmatch(name) or not any(c.isalnum() for c in name):
        raise InvalidDisplayName("Use letters, digits, spaces and . ' - _ only.")
    if mixes_scripts(name) or looks_empty(name) or unicodedata.normalize("NFKC", name) != name:
        raise InvalidDisplayName("Use one alphabet, without look-alike or invisible characters.")
    if display_name_taken(name, for_user=for_user):
        raise DisplayNameTaken(name)
    return name


def display_name_taken(name: str, *, for_user: UserAccountMixin | None = None) -> bool:
    db, User = db_and_user_model()
    query = db.select(User.id).where(User.display_name_key == display_name_key(name))
    if for_user is not None:
        query = query.where(User.id != for_user.id)
    return db.session.scalar(query) is not None


def derived_display_name(local_part: str) -> str:
    """A free display name from an address's local part: "ann.lee+shop" -> "ann.lee"."""
    base = local_part.split("+", 1)[0]
    base = "".join(c for c in base if c.isalnum() or c in ".-_")[: DISPLAY_NAME_MAX_LENGTH - 5]
    name = base = base.strip(".-_") or "member"
    while display_name_taken(name):
        name = f"{base} {secrets.randbelow(9000) + 1000}"
    return name


def change_display_name(user: UserAccountMixin, name: str) -> None:
    """Raises InvalidDisplayName or DisplayNameTaken; the user's own name
    in another case is not "taken"."""
    db, _User = db_and_user_model()
    user.display_name = checked_display_name(name, for_user=user)
    try:
        db.session.commit()
    except IntegrityError as error:  # another account took it a moment ago
        db.session.rollback()
        raise DisplayNameTaken(name) from error


# --- logging in and out --------------------------------------------------------


def find_user_by_email(email: str) -> Any:
    db, User = db_and_user_model()
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> Any:
    """The active user with these credentials, or None, whatever the reason.
    Unknown address, wrong password and disabled account look the same from
    outside, and take about the same time (a dummy check for an unknown one)."""
    user = find_user_by_email(email)
    if user is None:
        dummy_password_check(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def user_by_session_token(session_token: str) -> Any:
    db, User = db_and_user_model()
    return db.session.scalar(
        db.select(User).where(User.session_token == session_token, User.is_active.is_(True))
    )


def end_all_sessions(user: UserAccountMixin) -> None:
    """Invalidate every session and remember cookie issued to ``user``."""
    db, _User = db_and_user_model()
    user.rotate_session_token()
    db.session.commit()
