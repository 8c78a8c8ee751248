"""Bearer-token authentication, through Flask-Login's ``request_loader``.

A mobile client keeps a token and sends ``Authorization: Bearer <token>``;
there is no session and no cookie. A request without a valid token gets 401
with ``WWW-Authenticate: Bearer`` (RFC 6750), as problem JSON.
"""

from __future__ import annotations

from flask import Request, g
from flask_login import LoginManager

from shared.errors import Problem
from shop_api import services


def init_token_auth(login_manager: LoginManager) -> None:
    login_manager.request_loader(load_user_from_bearer_token)
    login_manager.unauthorized_handler(refuse_without_token)
    # Session protection compares session data; there is no session here.
    login_manager.session_protection = None


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


def load_user_from_bearer_token(request: Request) -> services.TokenHolder | None:
    """``current_user`` for a request with a valid token: a
    :class:`~shop_api.services.TokenHolder` (the user's id and staff flag)."""
    token = bearer_token(request)
    if token is None:
        return None
    holder = services.token_holder(token)
    if holder is not None:
        g.bearer_token = token  # for DELETE /api/auth/tokens/current
    else:
        g.bearer_token_rejected = True
    return holder


def refuse_without_token() -> None:
    if g.get("bearer_token_rejected"):
        raise Problem(
            401,
            "The bearer token is invalid, expired or revoked. Get a new one from /api/auth/tokens.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    raise Problem(
        401,
        "Send a bearer token: Authorization: Bearer <token> (from /api/auth/tokens).",
        headers={"WWW-Authenticate": "Bearer"},
    )
