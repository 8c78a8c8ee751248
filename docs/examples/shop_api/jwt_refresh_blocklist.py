"""The textbook token login: Flask-JWT-Extended with a short-lived access token,
a refresh token and a blocklist, as its documentation writes it ("Refreshing
Tokens" and "JWT Revoking / Blocklist"). The shop API does this differently:
opaque random tokens it stores as SHA-256 and looks up on every request
(``shop_api/services/tokens.py``); docs/textbook-answers.md compares the two.

Run it: ``JWT_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')
flask --app docs/examples/shop_api/jwt_refresh_blocklist.py run``, then

    POST   /login      {"username": "alice", "password": ...} -> access and refresh token
    GET    /protected  Authorization: Bearer <access token>
    POST   /refresh    Authorization: Bearer <refresh token>  -> a new access token
    DELETE /logout     Authorization: Bearer <either token>   -> that token is revoked

Proved by ``tests/shop_api/test_textbook_examples.py``.
"""

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask, jsonify, request
from flask.typing import ResponseReturnValue
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    create_refresh_token,
    get_jwt,
    get_jwt_identity,
    jwt_required,
)
from werkzeug.security import check_password_hash, generate_password_hash

ACCESS_EXPIRES = timedelta(minutes=15)  # how long a stolen access token works
REFRESH_EXPIRES = timedelta(days=30)  # how long a login lasts without a password

jwt = JWTManager()
auth = Blueprint("auth", __name__)

# One demo account; a real app reads the user and the password hash from its database.
DEMO_PASSWORD = "correct horse battery staple"  # noqa: S105 -- the example's own demo account
USERS = {"alice": generate_password_hash(DEMO_PASSWORD)}

# The revoked tokens' ids (the ``jti`` claim). In memory, this set is one
# process's and is forgotten at a restart; in production it lives where every
# worker sees it: Redis, with each entry expiring when its token would
# (``redis.set(jti, "", ex=ttl)``, the docs' blocklist_redis.py), or a table.
blocklist: set[str] = set()


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    # No fallback key: anyone who knows the key can sign tokens for any user.
    app.config["JWT_SECRET_KEY"] = os.environ.get("JWT_SECRET_KEY")
    app.config["JWT_ACCESS_TOKEN_EXPIRES"] = ACCESS_EXPIRES
    app.config["JWT_REFRESH_TOKEN_EXPIRES"] = REFRESH_EXPIRES
    app.config.from_mapping(test_config)
    if not app.config["JWT_SECRET_KEY"]:
        raise RuntimeError("Set JWT_SECRET_KEY to a random value of 32+ bytes.")
    jwt.init_app(app)
    app.register_blueprint(auth)
    return app


# Called for every token a protected view receives, after its signature and
# expiry are checked: True means revoked, and the view answers 401.
@jwt.token_in_blocklist_loader
def check_if_token_revoked(jwt_header: dict[str, Any], jwt_payload: dict[str, Any]) -> bool:
    return jwt_payload["jti"] in blocklist


@auth.post("/login")
def login() -> ResponseReturnValue:
    data = request.get_json()
    username, password = data.get("username", ""), data.get("password", "")
    password_hash = USERS.get(username)
    if password_hash is None or not check_password_hash(password_hash, password):
        return jsonify(msg="Bad username or password"), 401
    return jsonify(
        access_token=create_access_token(identity=username),
        refresh_token=create_refresh_token(identity=username),
    )


# Only a refresh token gets in here (an access token is refused with 422),
# and a revoked one is refused with 401: logging out ends the login.
@auth.post("/refresh")
@jwt_required(refresh=True)
def refresh() -> ResponseReturnValue:
    return jsonify(access_token=create_access_token(identity=get_jwt_identity()))


@auth.get("/protected")
@jwt_required()
def protected() -> ResponseReturnValue:
    return jsonify(logged_in_as=get_jwt_identity())


# One endpoint revokes whichever token it is sent: a client logging out sends
# its access token and then its refresh token (the docs' "Revoking Refresh Tokens").
@auth.delete("/logout")
@jwt_required(verify_type=False)
def logout() -> ResponseReturnValue:
    token = get_jwt()
    blocklist.add(token["jti"])
    return jsonify(msg=f"{token['type'].capitalize()} token revoked")
