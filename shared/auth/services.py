"""Account rules with plain arguments: creating users, checking credentials,
ending sessions, resetting passwords. Views and CLI commands call these;
nothing else writes users.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_sqlalchemy import SQLAlchemy
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from shared.auth.models import (
    DISPLAY_NAME_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    UserAccountMixin,
    display_name_key,
    new_session_token,
    normalise_email,
)
from shared.auth.passwords import burn_password_check, hash_password, password_problem
from shared.database import MAX_ID
from shared.mail import MailOutbox, external_url
from shared.text import looks_empty, mixes_scripts

PASSWORD_RESET_TEMPLATE = "password_reset"  # noqa: S105 -- a template name

UserT = TypeVar("UserT", bound=UserAccountMixin)


class EmailTaken(Exception):
    """Another account already uses this e-mail address."""


class WeakPassword(ValueError):
    """The password breaks the password rule; the message says which part."""


class InvalidEmail(ValueError):
    """The address is not a valid e-mail address; the message says why."""


class DisplayNameTaken(Exception):
    """Another account already shows this name."""


class InvalidDisplayName(ValueError):
    """The display name breaks the rule; the message says which part."""


def create_user(
    db: SQLAlchemy,
    user_model: type[UserT],
    *,
    email: str,
    password: str,
    is_staff: bool = False,
    display_name: str | None = None,
) -> UserT:
    """A new account. Without ``display_name``, one is made from the
    address's local part ("ann" for ann@example.com, "ann 4821" if taken)."""
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
    if display_name:
        name = checked_display_name(db, user_model, display_name)
    else:
        name = derived_display_name(db, user_model, address.local_part)
    user = user_model()
    user.email = email
    user.display_name = name
    user.is_staff = is_staff
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:  # another sign-up took the address or name a moment ago
        db.session.rollback()
        if find_user_by_email(db, user_model, email) is not None:
            raise EmailTaken(email) from exc
        raise DisplayNameTaken(name) from exc
    return user


# Letters and digits of any script, spaces, and . ' - _ between them.
_DISPLAY_NAME = re.compile(r"[\w.' -]+")


def checked_display_name(
    db: SQLAlchemy,
    user_model: type[UserAccountMixin],
    name: str,
    *,
    for_user: UserAccountMixin | None = None,
) -> str:
    """``name`` with its spaces tidied, if it follows the rule and no other
    account than ``for_user`` shows it or a name that passes for it ("Ann"
    and "ann", see ``display_name_key``). Raises InvalidDisplayName or
    DisplayNameTaken."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= DISPLAY_NAME_MAX_LENGTH:
        raise InvalidDisplayName(f"Use 1 to {DISPLAY_NAME_MAX_LENGTH} characters.")
    if not _DISPLAY_NAME.fullmatch(name) or not any(c.isalnum() for c in name):
        raise InvalidDisplayName("Use letters, digits, spaces and . ' - _ only.")
    if mixes_scripts(name) or looks_empty(name) or unicodedata.normalize("NFKC", name) != name:
        raise InvalidDisplayName("Use one alphabet, without look-alike or invisible characters.")
    if display_name_taken(db, user_model, name, for_user=for_user):
        raise DisplayNameTaken(name)
    return name


def display_name_taken(
    db: SQLAlchemy,
    user_model: type[UserAccountMixin],
    name: str,
    *,
    for_user: UserAccountMixin | None = None,
) -> bool:
    query = db.select(user_model.id).where(user_model.display_name_key == display_name_key(name))
    if for_user is not None:
        query = query.where(user_model.id != for_user.id)
    return db.session.scalar(query) is not None


def derived_display_name(
    db: SQLAlchemy, user_model: type[UserAccountMixin], local_part: str
) -> str:
    """A free display name from an address's local part: "ann.lee+shop" -> "ann.lee"."""
    base = local_part.split("+", 1)[0]
    base = "".join(c for c in base if c.isalnum() or c in ".-_")[: DISPLAY_NAME_MAX_LENGTH - 5]
    base = base.strip(".-_") or "member"
    name = base
    while display_name_taken(db, user_model, name):
        name = f"{base} {secrets.randbelow(9000) + 1000}"
    return name


def change_display_name(db: SQLAlchemy, user: UserAccountMixin, name: str) -> None:
    """Raises InvalidDisplayName or DisplayNameTaken; the user's own name
    in another case is not "taken"."""
    user.display_name = checked_display_name(db, type(user), name, for_user=user)
    try:
        db.session.commit()
    except IntegrityError as exc:  # another account took it a moment ago
        db.session.rollback()
        raise DisplayNameTaken(name) from exc


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
    display_name: str | None = None,
) -> UserT:
    """The user with this e-mail, created if missing: what idempotent demo seeds need."""
    existing = find_user_by_email(db, user_model, email)
    if existing is not None:
        return existing
    return create_user(
        db,
        user_model,
        email=email,
        password=password,
        is_staff=is_staff,
        display_name=display_name,
    )


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
    user_id = data.get("user") if isinstance(data, dict) else None
    # Signed by us, but checked all the same: an id past the column's range
    # is an error on the database, not "no such user".
    if not isinstance(user_id, int) or not 1 <= user_id <= MAX_ID:
        return None
    user = db.session.get(user_model, user_id)
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(str(data.get("pw", "")), _password_fingerprint(user)):
        return None  # the password changed since: the link was used, or is stale
    return user


class ResetLinkUsed(Exception):
    """Another request used the same reset link a moment ago."""


def reset_password(db: SQLAlchemy, user: UserAccountMixin, new_password: str) -> None:
    """Set a new password under the usual rule, and end every session and
    remember cookie of the account (whoever had them).

    One conditional UPDATE, "... WHERE password_hash = <the hash the link
    was checked against>", so that a link sent five times at once changes
    the password once: the other requests find the hash changed and get
    ResetLinkUsed, whatever the database.
    """
    problem = password_problem(new_password)
    if problem:
        raise WeakPassword(problem)
    user_model = type(user)
    changed = db.session.execute(
        update(user_model)
        .where(user_model.id == user.id, user_model.password_hash == user.password_hash)
        .values(password_hash=hash_password(new_password), session_token=new_session_token())
    )
    db.session.commit()
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise ResetLinkUsed("That link was already used.")


def request_password_reset(db: SQLAlchemy, outbox: MailOutbox, email: str) -> None:
    """Queue a reset mail to ``email``, whether or not it has an account.

    The request does the same work either way (one row, one commit, nothing
    looked up), so neither its answer nor its timing tells a stranger who is
    registered. The worker decides, when it sends the row, whether there is
    an account to mail (``password_reset_mail_context``); the link, made
    then, is never stored.
    """
    outbox.queue(
        to=normalise_email(email[:EMAIL_MAX_LENGTH]),
        subject="Set a new password",
        template=PASSWORD_RESET_TEMPLATE,
    )
    db.session.commit()


def password_reset_mail_context(
    db: SQLAlchemy, user_model: type[UserAccountMixin]
) -> Callable[[Any], dict[str, Any] | None]:
    """For the worker: the reset mail's link for the row's address, or None
    when no active account uses it (nothing is sent)."""

    def context(message: Any) -> dict[str, Any] | None:
        user = find_user_by_email(db, user_model, message.recipient)
        if user is None or not user.is_active:
            return None
        max_age = int(current_app.config["PASSWORD_RESET_MAX_AGE"])
        token = password_reset_token(user)
        return {"link": external_url("auth.password_reset", token=token), "minutes": max_age // 60}

    return context


def _password_fingerprint(user: UserAccountMixin) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.config["SECRET_KEY"]), salt=PASSWORD_RESET_SALT)
