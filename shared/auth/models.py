"""``class User(UserAccountMixin, db.Model)``: the user columns every app shares,
the password methods and what Flask-Login expects of a user."""

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


def display_name_key(name: str) -> str:
    """What display names that pass for each other share: NFKC, then case folding."""
    return unicodedata.normalize("NFKC", name).casefold()


def normalise_email(email: str) -> str:
    """The one spelling we store and look up: email-validator's normal form (one
    spelling of the domain, typed in Unicode, fullwidth or IDNA), so no second
    account takes the same mailbox; then lower case, which a CHECK enforces."""
    email = email.strip()
    if len(email) > EMAIL_MAX_LENGTH:
        return email.lower()  # no account has it; not worth the validator's CPU
    with contextlib.suppress(EmailNotValidError):  # not an address: looked up as typed
        email = validate_email(email, check_deliverability=False).normalized
    return email.lower()


class UserAccountMixin:
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    # Shown to others instead of the address; unique by its key, so "Ann"
    # cannot be taken again as "ann" or in fullwidth letters.
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_MAX_LENGTH))
    display_name_key: Mapped[str] = mapped_column(String(4 * DISPLAY_NAME_MAX_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_staff: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Flask-Login's cookies hold this, not the id: rotating it (logout, new password)
    # voids every cookie issued before, which signed cookies alone cannot do.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # What Flask-Login asks of a user; ``is_active`` is the column above.
    is_authenticated = True
    is_anonymous = False

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

    def get_id(self) -> str:
        """For Flask-Login's cookies (read by ``load_user``): the session token, the
        login time, so a copied cookie dies on time, and a nonce per login."""
        return f"{self.session_token}.{int(time.time())}.{secrets.token_hex(4)}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} {self.email}>"
