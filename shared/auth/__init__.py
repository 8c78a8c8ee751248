"""Accounts for all three apps: the user mixin, the account rules, the
``Auth`` extension (Flask-Login and the auth pages) and the access checks."""

from shared.auth.decorators import require_login, require_staff, staff_required
from shared.auth.extension import Auth
from shared.auth.models import UserAccountMixin
from shared.auth.services import (
    DisplayNameTaken,
    EmailTaken,
    InvalidDisplayName,
    InvalidEmail,
    WeakPassword,
    authenticate,
    create_user,
    get_or_create_user,
)

__all__ = [
    "Auth",
    "DisplayNameTaken",
    "EmailTaken",
    "InvalidDisplayName",
    "InvalidEmail",
    "UserAccountMixin",
    "WeakPassword",
    "authenticate",
    "create_user",
    "get_or_create_user",
    "require_login",
    "require_staff",
    "staff_required",
]
