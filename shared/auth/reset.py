"""Password reset: a signed link, mailed by the worker, that works once.
Asking for one does the same work for any address (one outbox row, no
lookup), so neither answer nor timing tells who is registered; the worker
looks the address up when it sends the row, and only then makes the link."""

import hashlib
import hmac
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from shared.auth.models import UserAccountMixin, new_session_token, normalise_email
from shared.auth.passwords import hash_password, password_problem
from shared.auth.services import WeakPassword, db_and_user_model, find_user_by_email
from shared.database import MAX_ID
from shared.mail import external_url, queue_mail

TEMPLATE = "password_reset"
# Separates these signatures from the session cookie's (same secret key); not a secret.
SALT = "password-reset"


class ResetLinkUsed(Exception):
    """Another request used the same reset link a moment ago."""


def request_password_reset(email: str) -> None:
    db, _User = db_and_user_model()  # the outbox's db too: an app binds one db to both
    queue_mail(to=normalise_email(email), subject="Set a new password", template=TEMPLATE)
    db.session.commit()


def reset_mail_context(message: Any) -> dict[str, Any] | None:
    """For the worker: the link, or None (no mail) when no active account has the address."""
    user = find_user_by_email(message.recipient)
    if user is None or not user.is_active:
        return None
    link = external_url("auth.password_reset", token=reset_token(user))
    return {"link": link, "minutes": int(current_app.config["PASSWORD_RESET_MAX_AGE"]) // 60}


def reset_token(user: UserAccountMixin) -> str:
    """Signed and timestamped, with a fingerprint of the password hash: a new
    password kills it, so a link works once and an old one found later is dead."""
    return _serializer().dumps({"user": user.id, "pw": _fingerprint(user)})


def user_for_reset_token(token: str) -> Any:
    """The active user a valid, unexpired, unused token belongs to, or None."""
    db, User = db_and_user_model()
    try:
        data = _serializer().loads(token, max_age=int(current_app.config["PASSWORD_RESET_MAX_AGE"]))
    except BadSignature:  # also SignatureExpired, its subclass
        return None
    user_id = data.get("user") if isinstance(data, dict) else None
    # Signed, yet checked: an id past the column's range is a database error.
    if not isinstance(user_id, int) or not 1 <= user_id <= MAX_ID:
        return None
    user = db.session.get(User, user_id)
    if user and user.is_active and hmac.compare_digest(str(data.get("pw")), _fingerprint(user)):
        return user
    return None


def reset_password(user: UserAccountMixin, new_password: str) -> None:
    """A new password, ending every session. One conditional UPDATE, "... WHERE
    password_hash = <the hash the link was checked against>": a link sent five
    times at once changes the password once, on any database."""
    db, User = db_and_user_model()
    if problem := password_problem(new_password):
        raise WeakPassword(problem)
    changed = db.session.execute(
        db.update(User)
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
