"""Bearer tokens and the account rules that end them. Only a token's SHA-256 is
stored: a leaked database leaks no working token. (A fast hash is right here,
unlike for passwords: tokens are long random strings that cannot be guessed.)"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from shared.auth.passwords import password_problem
from shared.clock import utcnow
from shop_api.extensions import db
from shop_api.models import ApiToken, User
from shop_api.services import ShopError

MAX_LIVE_TOKENS = 10  # per user: ten devices or scripts logged in at once


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, lifetime: timedelta) -> IssuedToken:
    """A new random token. Drops the user's expired tokens and the oldest live ones
    beyond ``MAX_LIVE_TOKENS``: a script logging in in a loop cannot grow the table."""
    now = utcnow()
    newest_live = (
        select(ApiToken.id)
        .where(ApiToken.user_id == user.id, ApiToken.expires_at > now)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        .limit(MAX_LIVE_TOKENS - 1)
    )
    db.session.execute(
        delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.id.not_in(newest_live))
    )
    token = secrets.token_urlsafe(32)
    record = ApiToken(user_id=user.id, token_hash=hash_token(token), expires_at=now + lifetime)
    db.session.add(record)
    db.session.commit()
    return IssuedToken(token=token, expires_at=record.expires_at)


def user_for_token(token: str) -> User | None:
    """The active user a valid, unexpired token belongs to, or None."""
    return db.session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.expires_at > utcnow(),
            User.is_active.is_(True),
        )
    )


def revoke_token(token: str) -> None:
    db.session.execute(delete(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    db.session.commit()


def revoke_all_tokens(user: User) -> None:
    """Log out everywhere: every token of the user stops working."""
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.commit()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """A new password under the usual rule; whoever holds a token logs in again."""
    if not user.check_password(current_password):
        errors = {"current_password": ["Wrong password."]}
        raise ShopError("The current password is wrong.", status=403, errors=errors)
    problem = password_problem(new_password)
    if problem:
        raise ShopError(problem, errors={"new_password": [problem]})
    user.set_password(new_password)
    revoke_all_tokens(user)
