"""Account rules: creating users, display names, credentials, sessions. (A
reset link's new password is set in reset.py, and an app's own services may
change a password too.) The app's ``db`` and ``User`` come from its ``Auth``
extension."""

import re
import secrets
import unicodedata
from typing import Any, TypedDict

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_sqlalchemy import SQLAlchemy
from prometheus_client import Counter
from sqlalchemy.exc import IntegrityError

from shared.auth.models import DISPLAY_NAME_MAX_LENGTH, display_name_key, normalise_email
from shared.auth.passwords import dummy_password_check, password_problem
from shared.text import looks_empty, mixes_scripts, shows_nothing

EMAIL_TAKEN = "An account with this e-mail already exists."
NAME_TAKEN = "Another account shows this name. Choose another."
# Letters and digits of any script, spaces, and . ' - _ (with at least one
# letter or digit: checked_display_name).
DISPLAY_NAME = re.compile(r"[\w.' -]+")
# Why, for the operator only: a wave of unknown addresses is credential stuffing.
LOGINS_REFUSED = Counter(
    "auth_logins_refused_total",
    "Logins and token requests refused, by reason: unknown_email, wrong_password, inactive",
    ["app", "reason"],
)


class AccountError(ValueError):
    """A refused account change: ``field`` names the input at fault, the message says why."""

    field = ""


class EmailTaken(AccountError):
    field = "email"


class InvalidEmail(AccountError):
    field = "email"


class DisplayNameTaken(AccountError):
    field = "display_name"


class InvalidDisplayName(AccountError):
    field = "display_name"


class WeakPassword(AccountError):
    field = "password"


class AuthState(TypedDict):
    """``app.extensions["auth"]``: the ``db`` and ``User`` one app bound to ``Auth``."""

    db: SQLAlchemy
    user_model: type[Any]


def db_and_user_model() -> tuple[SQLAlchemy, type[Any]]:
    """The ``db`` and ``User`` the current app bound to ``Auth`` (shared/auth/extension.py)."""
    auth: AuthState = current_app.extensions["auth"]
    return auth["db"], auth["user_model"]


def create_user(
    *, email: str, password: str, is_staff: bool = False, display_name: str | None = None
) -> Any:
    """Without ``display_name``, one is made from the address: "ann" for
    ann@example.com, "ann 4821" if taken."""
    db, User = db_and_user_model()
    if problem := password_problem(password):
        raise WeakPassword(problem)
    try:
        address = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(str(error)) from None
    local_part = address.local_part
    # Refused: a local part that could pass for another on screen (it is also
    # the display name made from it).
    if (
        mixes_scripts(local_part)
        or any(shows_nothing(character) for character in local_part)
        or not unicodedata.is_normalized("NFKC", local_part)
    ):
        raise InvalidEmail("The part before the @ uses look-alike characters or mixes alphabets.")
    email = normalise_email(address.normalized)
    if find_user_by_email(email) is not None:
        raise EmailTaken(EMAIL_TAKEN)
    name = checked_display_name(display_name) if display_name else derived_display_name(local_part)
    user = User(email=email, display_name=name, is_staff=is_staff)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as error:  # another sign-up took the address or the name a moment ago
        db.session.rollback()
        if find_user_by_email(email) is not None:
            raise EmailTaken(EMAIL_TAKEN) from error
        raise DisplayNameTaken(NAME_TAKEN) from error
    return user


def get_or_create_user(*, email: str, password: str, **fields: Any) -> Any:
    """The user with this e-mail, created if missing (for idempotent demo seeds)."""
    return find_user_by_email(email) or create_user(email=email, password=password, **fields)


def checked_display_name(name: str, *, for_user: Any = None) -> str:
    """``name`` tidied, if valid and no account but ``for_user`` shows one that passes for it."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= DISPLAY_NAME_MAX_LENGTH:
        raise InvalidDisplayName(f"Use 1 to {DISPLAY_NAME_MAX_LENGTH} characters.")
    if not DISPLAY_NAME.fullmatch(name) or not any(c.isalnum() for c in name):
        raise InvalidDisplayName("Use letters, digits, spaces and . ' - _ only.")
    if mixes_scripts(name) or looks_empty(name) or not unicodedata.is_normalized("NFKC", name):
        raise InvalidDisplayName("Use one alphabet, without look-alike or invisible characters.")
    if display_name_taken(name, for_user=for_user):
        raise DisplayNameTaken(NAME_TAKEN)
    return name


def display_name_taken(name: str, *, for_user: Any = None) -> bool:
    db, User = db_and_user_model()
    query = db.select(User.id).where(User.display_name_key == display_name_key(name))
    if for_user is not None:
        query = query.where(User.id != for_user.id)
    return db.session.scalar(query) is not None


def derived_display_name(local_part: str) -> str:
    """A free display name from an address's local part: "ann.lee+news" -> "ann.lee"."""
    base = local_part.split("+", 1)[0]
    base = "".join(c for c in base if c.isalnum() or c in ".-_")[: DISPLAY_NAME_MAX_LENGTH - 5]
    name = base = base.strip(".-_") or "member"
    while display_name_taken(name):
        name = f"{base} {secrets.randbelow(9000) + 1000}"
    return name


def change_display_name(user: Any, name: str) -> None:
    db, _User = db_and_user_model()
    user.display_name = checked_display_name(name, for_user=user)
    try:
        db.session.commit()
    except IntegrityError as error:  # another account took it a moment ago
        db.session.rollback()
        raise DisplayNameTaken(NAME_TAKEN) from error


def find_user_by_email(email: str) -> Any:
    db, User = db_and_user_model()
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> Any:
    """The active user with these credentials, or None: an unknown address, a
    wrong password and a disabled account look alike, and take as long."""
    user = find_user_by_email(email)
    if user is None:
        dummy_password_check(password)
        reason = "unknown_email"
    elif not user.check_password(password):
        reason = "wrong_password"
    elif not user.is_active:
        reason = "inactive"
    else:
        return user
    LOGINS_REFUSED.labels(app=current_app.name, reason=reason).inc()
    return None


def end_all_sessions(user: Any) -> None:
    db, _User = db_and_user_model()
    user.rotate_session_token()
    db.session.commit()
