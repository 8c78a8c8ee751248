"""Password reset: a signed link, mailed by the worker, that works once.

The request ("mail me a link") does the same work whatever the address:
one outbox row, one commit, nothing looked up, so neither its answer nor
its timing tells a stranger who is registered. The worker decides, when it
sends the row, whether an account uses the address (``reset_mail_context``),
and only then makes the link, which is never stored.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import update

from shared.auth.models import (
    EMAIL_MAX_LENGTH,
    UserAccountMixin,
    new_session_token,
    normalise_email,
)
from shared.auth.passwords import hash_password, password_problem
from shared.auth.services import WeakPassword, db_and_user_model, find_user_by_email
from shared.database import MAX_ID
from shared.mail import external_url

TEMPLATE = "password_reset"
# Separates these signatures from the session cookie's (same secret key); not a secret.
SALT = "password-reset"


class ResetLinkUsed(Exception):
    """Another request used the same reset link a moment ago."""


def request_password_reset(email: str) -> None:
    """Queue a reset mail to ``email``, whether or not it has an account."""
    db, _User = db_and_user_model()
    current_app.extensions["outbox"].queue(
        to=normalise_email(email[:EMAIL_MAX_LENGTH]),
        subject="Set a new password",
        template=TEMPLATE,
    )
    db.session.commit()


def reset_mail_context(message: Any) -> dict[str, Any] | None:
    """For the worker: the link for the row's address, or None when no active
    account uses it (nothing is sent)."""
    user = find_user_by_email(message.recipient)
    if user is None or not user.is_active:
        return None
    token = reset_token(user)
    minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE"]) // 60
    return {"link": external_url("auth.password_reset", token=token), "minutes": minutes}


def reset_token(user: UserAccountMixin) -> str:
    """A signed, timestamped token naming the user and a fingerprint of the
    current password hash: it dies when the password changes, so a link
    works once, and an old one found in a mailbox later is dead."""
    return _serializer().dumps({"user": user.id, "pw": _fingerprint(user)})


def user_for_reset_token(token: str) -> Any:
    """The active user a valid, unexpired, unused token belongs to, or None."""
    db, User = db_and_user_model()
    try:
        data = _serializer().loads(token, max_age=int(current_app.config["PASSWORD_RESET_MAX_AGE"]))
    except BadSignature:  # also SignatureExpired, its subclass
        return None
    user_id = data.get("user") if isinstance(data, dict) else None
    # Signed by us, but checked all the same: an id past the column's range
    # is an error on the database, not "no such user".
    if not isinstance(user_id, int) or not 1 <= user_id <= MAX_ID:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(str(data.get("pw", "")), _fingerprint(user)):
        return None  # the password changed since: the link was used, or is stale
    return user


def reset_password(user: UserAccountMixin, new_password: str) -> None:
    """A new password under the usual rule, ending every session and
    remember cookie of the account. One conditional UPDATE, "... WHERE
    password_hash = <the hash the link was checked against>", so a link sent
    five times at once changes the password once: the other requests find
    the hash changed (ResetLinkUsed), whatever the database."""
    db, User = db_and_user_model()
    problem = password_problem(new_password)
    if problem:
        raise WeakPassword(problem)
    changed = db.session.execute(
        update(User)
        .where(User.id == user.id, User.password_hash == user.password_hash)
        .values(password_hash=hash_password(new_password), session_token=new_session_token())
    )
    db.session.commit()
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise ResetLinkUsed("That link was already used.")


def _fingerprint(user: UserAccountMixin) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.config["SECRET_KEY"]), salt=SALT)
