"""Accounts and bearer tokens: register, get a token, revoke one or all, change the
password; and the check every ``@token_auth.login_required`` view runs (Flask-HTTPAuth)."""

from typing import Any, NoReturn

from flask import current_app, g
from webargs.flaskparser import abort  # flask_smorest.abort, typed: it never returns

from shared.auth import (
    AccountError,
    DisplayNameTaken,
    EmailTaken,
    authenticate,
    create_user,
    rate_limits,
)
from shop_api import schemas
from shop_api.api.blueprint import BEARER, BODY_ERRORS, ERROR_DETAILS, Blueprint, invalid
from shop_api.extensions import limiter, token_auth
from shop_api.models import User
from shop_api.services import tokens

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Accounts and tokens")


@token_auth.verify_token
def user_for_bearer_token(token: str) -> User | None:
    user = tokens.user_for_token(token)
    g.bearer_token_rejected = user is None
    g.user_id = user.id if user else None  # for the request's log line
    return user


@token_auth.get_user_roles
def roles(user: User) -> list[str]:
    return ["staff"] if user.is_staff else []


@token_auth.error_handler
def auth_error(status: int) -> NoReturn:
    """401 with ``WWW-Authenticate: Bearer`` (RFC 6750); 403 for staff-only views."""
    if status == 403:
        abort(403, message="Staff only.")
    if g.get("bearer_token_rejected"):
        detail = "The bearer token is invalid, expired or revoked. Get a new one: /api/auth/tokens."
        abort(401, message=detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    abort(401, message=ERROR_DETAILS[401], headers={"WWW-Authenticate": "Bearer"})


@blp.post("/register")
@limiter.limit(rate_limits.registrations)
@blp.arguments(schemas.RegistrationSchema)
@blp.response(201, schemas.UserSchema)
@blp.error_responses(
    *BODY_ERRORS,
    409,
    429,
    _409="An account with this e-mail already exists.",
    _422=invalid("email", "Not a valid email address."),
    _429="Too many attempts (the limit is 5 per minute). Wait, then try again.",
)
def register(account: dict[str, Any]) -> User:
    """Create a customer account"""
    try:
        return create_user(
            email=account["email"],
            password=account["password"],
            display_name=account.get("display_name"),
        )
    except EmailTaken as error:
        abort(409, message=str(error))
    except DisplayNameTaken:  # the pages show theirs by the field; here the words name it
        abort(409, message="Another account shows this display name. Choose another.")
    except AccountError as error:  # error.field is the input at fault
        abort(422, message="The request body is not valid.", errors={error.field: [str(error)]})


@blp.post("/tokens")
# Only refused attempts count towards the first limit.
@limiter.limit(rate_limits.failed_logins, deduct_when=lambda response: response.status_code != 201)
@limiter.limit(rate_limits.login_attempts)
# Shared (a scope of its own): the X-RateLimit headers show a limit that is not
# shared, unless one is reached. This one counts the account's attempts from
# anyone: in the headers, it would tell a stranger how often its owner logged in.
@limiter.shared_limit(
    rate_limits.account_logins, scope="account-logins", key_func=rate_limits.by_account
)
@blp.arguments(schemas.CredentialsSchema)
@blp.response(201, schemas.TokenSchema)
@blp.error_responses(
    *BODY_ERRORS,
    401,
    429,
    _401="Invalid e-mail or password.",
    _422=invalid("password", "Missing data for required field."),
)
def create_token(credentials: dict[str, Any]) -> tokens.IssuedToken:
    """Exchange e-mail and password for a bearer token"""
    user = authenticate(credentials["email"], credentials["password"])
    if user is None:
        abort(401, message="Invalid e-mail or password.", headers={"WWW-Authenticate": "Bearer"})
    return tokens.issue_token(user, current_app.config["API_TOKEN_LIFETIME"])


@blp.delete("/tokens/current")
@token_auth.login_required
@blp.response(204)
@blp.error_responses(401)
@blp.doc(security=BEARER)
def revoke_current_token() -> None:
    """Revoke the token this request was made with"""
    tokens.revoke_token(token_auth.get_auth().token)


@blp.delete("/tokens")
@token_auth.login_required
@blp.response(204)
@blp.error_responses(401)
@blp.doc(security=BEARER)
def revoke_all_tokens() -> None:
    """Log out everywhere: revoke every token of this account"""
    tokens.revoke_all_tokens(token_auth.current_user())


@blp.put("/password")
@token_auth.login_required
@limiter.limit(rate_limits.login_attempts)
# Per account too: a stolen token must not guess the password from many addresses.
@limiter.limit(
    rate_limits.account_logins, key_func=lambda: f"account:{token_auth.current_user().id}"
)
@blp.arguments(schemas.PasswordChangeSchema)
@blp.response(204)
@blp.error_responses(
    *BODY_ERRORS,
    401,
    403,
    429,
    _403={
        "detail": "The current password is wrong.",
        "errors": {"current_password": ["Wrong password."]},
    },
    _422=invalid("new_password", "Use 8 to 128 characters."),
    _429="Too many attempts (the limit is 20 per minute). Wait, then try again.",
)
@blp.doc(security=BEARER)
def change_password(change: dict[str, Any]) -> None:
    """Change the password; every token of the account ends"""
    tokens.change_password(
        token_auth.current_user(), change["current_password"], change["new_password"]
    )
