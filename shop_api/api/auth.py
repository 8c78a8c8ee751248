"""Accounts and bearer tokens: register, get a token, revoke it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from shared.auth import authenticate, create_user
from shared.auth.rate_limits import (
    account_login_rate_limit,
    login_account_key,
    login_attempt_rate_limit,
    login_rate_limit,
    register_rate_limit,
)
from shared.errors import Problem
from shop_api import services
from shop_api.extensions import db, limiter
from shop_api.models import User
from shop_api.openapi import operation
from shop_api.schemas import (
    CredentialsSchema,
    PasswordChangeSchema,
    RegistrationSchema,
    TokenSchema,
    UserSchema,
)

bp = Blueprint("api_auth", __name__, url_prefix="/api/auth")
# Built once: a schema holds no per-request state, and building one
# costs about as much as the query it serves.
CREDENTIALS_SCHEMA = CredentialsSchema()
REGISTRATION_SCHEMA = RegistrationSchema()
TOKEN_SCHEMA = TokenSchema()
USER_SCHEMA = UserSchema()


def _is_refused(response: Response) -> bool:
    return response.status_code != 201


@bp.post("/register")
@limiter.limit(register_rate_limit)
@operation(
    summary="Create a customer account",
    tag="auth",
    body=RegistrationSchema,
    responses={201: ("The new account.", UserSchema)},
    errors=(409, 429),
    error_details={409: "An account with this e-mail already exists."},
)
def register(body: dict[str, Any]) -> ResponseReturnValue:
    # A taken address or name, a weak password: answered in shop_api/api/__init__.py.
    user = create_user(
        db,
        User,
        email=body["email"],
        password=body["password"],
        display_name=body.get("display_name"),
    )
    return USER_SCHEMA.dump(user), 201


@bp.post("/tokens")
# Only refused attempts count towards the limit.
@limiter.limit(login_rate_limit, deduct_when=_is_refused)
@limiter.limit(login_attempt_rate_limit)
@limiter.limit(account_login_rate_limit, key_func=login_account_key)
@operation(
    summary="Exchange e-mail and password for a bearer token",
    tag="auth",
    body=CredentialsSchema,
    responses={201: ("A token and when it expires.", TokenSchema)},
    errors=(401, 429),
)
def create_token(body: dict[str, Any]) -> ResponseReturnValue:
    user = authenticate(db, User, body["email"], body["password"])
    if user is None:
        raise Problem(401, "Invalid e-mail or password.", headers={"WWW-Authenticate": "Bearer"})
    issued = services.issue_token(user, current_app.config["API_TOKEN_LIFETIME"])
    return TOKEN_SCHEMA.dump(issued), 201


@bp.delete("/tokens/current")
@login_required
@operation(
    summary="Revoke the token this request was made with",
    tag="auth",
    auth=True,
    responses={204: ("Revoked; the token no longer works.", None)},
)
def revoke_current_token() -> ResponseReturnValue:
    services.revoke_token(g.bearer_token)
    return _no_content()


@bp.delete("/tokens")
@login_required
@operation(
    summary="Log out everywhere: revoke every token of this account",
    tag="auth",
    auth=True,
    responses={204: ("Revoked; none of the account's tokens works any more.", None)},
)
def revoke_all_tokens() -> ResponseReturnValue:
    services.revoke_all_tokens(current_user.id)
    return _no_content()


@bp.put("/password")
@login_required
@limiter.limit(login_attempt_rate_limit)
@operation(
    summary="Change the password; every token of the account ends",
    tag="auth",
    auth=True,
    body=PasswordChangeSchema,
    responses={204: ("Changed. Get a new token with the new password.", None)},
    errors=(403, 429),
    error_details={403: "The current password is wrong."},
)
def change_password(body: dict[str, Any]) -> ResponseReturnValue:
    services.change_password(current_user.id, body["current_password"], body["new_password"])
    return _no_content()


def _no_content() -> ResponseReturnValue:
    response = current_app.response_class(status=204)
    del response.headers["Content-Type"]  # 204 has no body, so no type either
    return response
