"""Access checks for views, one idiom each:

- a whole blueprint: ``bp.before_request(require_login)`` or
  ``bp.before_request(require_staff)``, so a view added later cannot forget;
- one view among public ones: ``@login_required`` (Flask-Login's) or
  ``@staff_required``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort, current_app, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_login.config import EXEMPT_METHODS

P = ParamSpec("P")
R = TypeVar("R")


def require_login() -> ResponseReturnValue | None:
    """For ``blueprint.before_request``: every view of the blueprint needs a
    logged-in user. Flask-Login's answer for anyone else: the login page
    (HTML apps), or 401 (the API). CORS preflights (OPTIONS) pass, as with
    ``@login_required``."""
    if request.method in EXEMPT_METHODS or current_user.is_authenticated:
        return None
    return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]


def require_staff() -> ResponseReturnValue | None:
    """For ``blueprint.before_request``: guards every view of a staff blueprint,
    so a view that forgets a decorator is still closed.

    Anonymous users go to the login page; logged-in non-staff get 403.
    """
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if not current_user.is_staff:
        abort(403)
    return None


def staff_required(view: Callable[P, R]) -> Callable[P, R]:
    """The same check as :func:`require_staff`, for a single view."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        answer = require_staff()
        if answer is not None:
            return answer  # type: ignore[return-value]
        return view(*args, **kwargs)

    return wrapped
