"""Access checks for views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort, current_app
from flask_login import current_user

P = ParamSpec("P")
R = TypeVar("R")


def staff_required(view: Callable[P, R]) -> Callable[P, R]:
    """Anonymous users go to the login page; logged-in non-staff get 403."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        if not current_user.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
