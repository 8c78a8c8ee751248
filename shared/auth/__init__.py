"""Accounts for all three apps: the user mixin, password rules, the ``Auth``
extension (Flask-Login plus the auth pages) and the access checks
(``require_login``, ``require_staff``, ``staff_required``).
"""

from shared.auth.decorators import require_login, require_staff, staff_required
from shared.auth.extension import Auth
from shared.auth.models import UserAccountMixin, normalise_email
from shared.auth.safe_redirect import safe_next_path
from shared.auth.services import (
    DisplayNameTaken,
    EmailTaken,
    InvalidDisplayName,
    InvalidEmail,
    WeakPassword,
    authenticate,
    create_user,
    end_all_sessions,
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
    "end_all_sessions",
    "normalise_email",
    "require_login",
    "require_staff",
    "safe_next_path",
    "staff_required",
]
