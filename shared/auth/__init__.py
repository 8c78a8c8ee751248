"""Accounts for every app: the user mixin, the account rules, the
``Auth`` extension (Flask-Login and the auth pages) and the access checks."""

# ``name as name`` re-exports a name (PEP 484), as flask/__init__.py does.
from shared.auth.decorators import require_login as require_login
from shared.auth.decorators import require_staff as require_staff
from shared.auth.decorators import staff_required as staff_required
from shared.auth.extension import Auth as Auth
from shared.auth.models import UserAccountMixin as UserAccountMixin
from shared.auth.services import AccountError as AccountError
from shared.auth.services import DisplayNameTaken as DisplayNameTaken
from shared.auth.services import EmailTaken as EmailTaken
from shared.auth.services import authenticate as authenticate
from shared.auth.services import create_user as create_user
from shared.auth.services import get_or_create_user as get_or_create_user
