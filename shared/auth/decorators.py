"""Access checks, one idiom each: ``bp.before_request(require_login)`` or
``bp.before_request(require_staff)`` guard a whole blueprint, so a view added
later cannot forget; ``@login_required`` (Flask-Login's) or ``@staff_required``
guard one view among public ones."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required


@login_required
def require_login() -> None:
    """Flask-Login's own check as a hook: anyone not logged in is sent to the
    login page; CORS preflights pass."""


def require_staff() -> ResponseReturnValue | None:
    """Anonymous users go to the login page; logged-in non-staff get 403."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if not current_user.is_staff:
        abort(403)
    return None


def staff_required(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        return require_staff() or view(*args, **kwargs)

    return wrapped
