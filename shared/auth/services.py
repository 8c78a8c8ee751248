"""Account rules with plain arguments: creating users, checking credentials,
ending sessions, resetting passwords. Views and CLI commands call these;
nothing else writes users.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from typing import TypeVar

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_sqlalchemy import SQLAlchemy
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from shared.auth.models import UserAccountMixin, normalise_email
from shared.auth.passwords import burn_password_check, password_problem
from shared.text import mixes_scripts

UserT = TypeVar("UserT", bound=UserAccountMixin)


class EmailTaken(Exception):
    """Another account already uses this e-mail address."""


class WeakPassword(ValueError):
    """The password breaks the password rule; the message says which part."""


class InvalidEmail(ValueError):
    """The address is not a valid e-mail address; the message says why."""


def create_user(
    db: SQLAlchemy,
    user_model: type[UserT],
    *,
    email: str,
    password: str,
    is_staff: bool = False,
) -> UserT:
    problem = password_problem(password)
    if problem:
        raise WeakPassword(problem)
    try:
        address = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidEmail(str(exc)) from None
    problem = local_part_problem(address.local_part)
    if problem:
        raise InvalidEmail(problem)
    email = normalise_email(address.normalized)
    if find_user_by_email(db, user_model, email) is not None:
        raise EmailTaken(email)
    user = user_model()
    user.email = email
    user.is_staff = is_staff
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:  # two sign-ups with one address at the same moment
        db.session.rollback()
        raise EmailTaken(email) from exc
    return user


def local_part_problem(local_part: str) -> str | None:
    """Why the part before the @ could pass for another address, or None.

    A local part in compatibility characters (fullwidth "ann") or mixing
    scripts (a Cyrillic "a" among Latin letters) looks like someone else's
    address on screen; mail servers may treat them as the same mailbox or not.
    """
    if unicodedata.normalize("NFKC", local_part) != local_part:
        return "The part before the @ uses look-alike (compatibility) characters."
    if mixes_scripts(local_part):
        return "The part before the @ mixes alphabets (say Latin and Cyrillic)."
    return None


def get_or_create_user(
    db: SQLAlchemy,
    user_model: type[UserT],
    *,
    email: str,
    password: str,
    is_staff: bool = False,
) -> UserT:
    """The user with this e-mail, created if missing: what idempotent demo seeds need."""
    existing = find_user_by_email(db, user_model, email)
    if existing is not None:
        return existing
    return create_user(db, user_model, email=email, password=password, is_staff=is_staff)


def find_user_by_email(db: SQLAlchemy, user_model: type[UserT], email: str) -> UserT | None:
    return db.session.scalar(
        db.select(user_model).where(user_model.email == normalise_email(email))
    )


def authenticate(
    db: SQLAlchemy, user_model: type[UserT], email: str, password: str
) -> UserT | None:
    """The active user with these credentials, or None, whatever the reason.

    Unknown address, wrong password and disabled account all look the same
    from outside, and take about the same time.
    """
    user = find_user_by_email(db, user_model, email)
    if user is None:
        burn_password_check(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def load_user_by_session_token(
    db: SQLAlchemy, user_model: type[UserT], session_token: str
) -> UserT | None:
    return db.session.scalar(
        db.select(user_model).where(
            user_model.session_token == session_token,
            user_model.is_active.is_(True),
        )
    )


def end_all_sessions(db: SQLAlchemy, user: UserAccountMixin) -> None:
    """Invalidate every session and remember cookie issued to ``user``."""
    user.rotate_session_token()
    db.session.commit()


# --- password reset --------------------------------------------------------------

# Separates these signatures from the session cookie's (same secret key); not a secret.
PASSWORD_RESET_SALT = "password-reset"  # noqa: S105


def password_reset_token(user: UserAccountMixin) -> str:
    """A signed, timestamped token for ``user``'s reset link.

    It names the user and a fingerprint of the current password hash, so it
    stops working the moment the password changes: a link works once, and
    an old link found in a mailbox later is dead. Nothing is stored.
    """
    return _reset_serializer().dumps({"user": user.id, "pw": _password_fingerprint(user)})


def user_for_reset_token(
    db: SQLAlchemy, user_model: type[UserT], token: str, *, max_age: int
) -> UserT | None:
    """The active user a valid, unexpired, unused token belongs to, or None."""
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except BadSignature:  # also SignatureExpired, its subclass
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = db.session.get(user_model, data["user"])
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(str(data.get("pw", "")), _password_fingerprint(user)):
        return None  # the password changed since: the link was used, or is stale
    return user


def reset_password(db: SQLAlchemy, user: UserAccountMixin, new_password: str) -> None:
    """Set a new password under the usual rule, and end every session and
    remember cookie of the account (whoever had them)."""
    problem = password_problem(new_password)
    if problem:
        raise WeakPassword(problem)
    user.set_password(new_password)
    user.rotate_session_token()
    db.session.commit()


def _password_fingerprint(user: UserAccountMixin) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.config["SECRET_KEY"]), salt=PASSWORD_RESET_SALT)
