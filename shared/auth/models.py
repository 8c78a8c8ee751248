"""The user columns every app shares, as a typed SQLAlchemy mixin.

An app declares ``class User(UserAccountMixin, db.Model)`` and gets the
columns, the password methods and what Flask-Login expects of a user.
"""

from __future__ import annotations

import contextlib
import secrets
import time
import unicodedata
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import CheckConstraint, DateTime, String, false, true
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, validates

from shared.auth.passwords import hash_password, verify_password
from shared.clock import utcnow

EMAIL_MAX_LENGTH = 254
DISPLAY_NAME_MAX_LENGTH = 40


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def login_id(session_token: str, *, issued_at: int) -> str:
    return f"{session_token}.{issued_at}.{secrets.token_hex(4)}"


def parse_login_id(value: str) -> tuple[str, int] | None:
    """``(session_token, issued_at)`` from :func:`login_id`'s value, or None."""
    token, _, rest = value.partition(".")
    issued, _, nonce = rest.partition(".")
    if not token or not issued.isascii() or not issued.isdigit() or not nonce:
        return None
    return token, int(issued)


def display_name_key(name: str) -> str:
    """What two display names share if they pass for each other: the same
    letters in any case or compatibility form (NFKC, then Unicode case folding)."""
    return unicodedata.normalize("NFKC", name).casefold()


def normalise_email(email: str) -> str:
    """The one spelling of an address we store and look up.

    email-validator's normal form first: Unicode NFC, and the domain in one
    spelling whether it was typed in Unicode, with compatibility characters
    (fullwidth letters) or as IDNA ("xn--..."), so no second
    account can be registered for the same mailbox. Then lower case, which
    users expect ("Ann@X.org" is "ann@x.org"); a CHECK constraint keeps every
    stored address lower-case, so the UNIQUE index is case-insensitive.
    """
    email = email.strip()
    if len(email) > EMAIL_MAX_LENGTH:
        return email.lower()  # no account has it; not worth the validator's CPU
    # Not an address at all: looked up as typed, it matches nothing.
    with contextlib.suppress(EmailNotValidError):
        email = validate_email(email, check_deliverability=False).normalized
    return email.lower()


class UserAccountMixin:
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    # What other people see of the account: never the address, which only its
    # owner and staff see (shared/auth/services.py has the rule). Unique by
    # its key, so "Ann" cannot be taken again as "ann" or in fullwidth letters.
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_MAX_LENGTH))
    display_name_key: Mapped[str] = mapped_column(String(4 * DISPLAY_NAME_MAX_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_staff: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Flask-Login keeps this in the session and remember cookies instead of the
    # primary key. Rotating it (logout, password change) makes every cookie
    # issued before worthless, which signed cookies alone cannot do.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[CheckConstraint, ...]:
        return (CheckConstraint("email = lower(email)", name="email_lowercase"),)

    @validates("display_name")
    def _keep_the_key(self, _field: str, name: str) -> str:
        self.display_name_key = display_name_key(name)
        return name

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)
        self.rotate_session_token()

    def check_password(self, password: str) -> bool:
        return verify_password(self.password_hash, password)

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    # What Flask-Login asks of a user object. ``is_active`` is the column above.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember cookie: the
        session token, when this login happened, and a nonce.

        The time lets the server refuse a remember cookie older than
        ``REMEMBER_COOKIE_DURATION`` (the cookie's own expiry is only a
        request to the browser; a copied cookie would live for ever), and
        the nonce makes every login's cookie a different one.
        """
        return login_id(self.session_token, issued_at=int(time.time()))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} {self.email}>"
