"""The shop API's textbook alternatives in docs/examples/shop_api/ run and do
what docs/textbook-answers.md says: Flask-JWT-Extended with refresh tokens
and a blocklist, and Flask-CORS answering the same preflight as our hook."""

from __future__ import annotations

from datetime import timedelta
from types import ModuleType

import pytest
from flask.testing import FlaskClient
from flask_jwt_extended import decode_token

from shop_api import cors
from shop_api import create_app as create_shop_api
from tests.examples import LoadExample, load_example

__all__ = ["load_example"]  # the fixture, for pytest


# --- Flask-JWT-Extended: access and refresh tokens, a blocklist ------------------

JWT_KEY = "k" * 64  # PyJWT warns about HMAC keys under 32 bytes


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def jwt_example(load_example: LoadExample, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("JWT_SECRET_KEY", JWT_KEY)
    return load_example("shop_api/jwt_refresh_blocklist")


@pytest.fixture
def jwt_client(jwt_example: ModuleType) -> FlaskClient:
    return jwt_example.create_app().test_client()


def log_in(client: FlaskClient, password: str) -> dict[str, str]:
    answer = client.post("/login", json={"username": "alice", "password": password})
    assert answer.status_code == 200, answer.json
    tokens = answer.json
    assert isinstance(tokens, dict)
    return tokens


def test_login_gives_a_short_lived_access_token_and_a_long_lived_refresh_token(
    jwt_example: ModuleType, jwt_client: FlaskClient
) -> None:
    tokens = log_in(jwt_client, jwt_example.DEMO_PASSWORD)
    with jwt_client.application.app_context():
        access = decode_token(tokens["access_token"])
        refresh = decode_token(tokens["refresh_token"])
    assert (access["type"], access["sub"]) == ("access", "alice")
    assert access["exp"] - access["iat"] == timedelta(minutes=15).total_seconds()
    assert (refresh["type"], refresh["sub"]) == ("refresh", "alice")
    assert refresh["exp"] - refresh["iat"] == timedelta(days=30).total_seconds()
    answer = jwt_client.get("/protected", headers=bearer(tokens["access_token"]))
    assert answer.status_code == 200
    assert answer.json == {"logged_in_as": "alice"}


def test_a_wrong_password_or_no_token_is_a_401(jwt_client: FlaskClient) -> None:
    wrong = jwt_client.post("/login", json={"username": "alice", "password": "guess"})
    assert wrong.status_code == 401
    assert wrong.json == {"msg": "Bad username or password"}
    assert jwt_client.get("/protected").status_code == 401


def test_a_refresh_token_gets_a_new_access_token_and_only_a_refresh_token_does(
    jwt_example: ModuleType, jwt_client: FlaskClient
) -> None:
    tokens = log_in(jwt_client, jwt_example.DEMO_PASSWORD)
    refreshed = jwt_client.post("/refresh", headers=bearer(tokens["refresh_token"]))
    assert refreshed.status_code == 200
    assert refreshed.json is not None
    new_access = refreshed.json["access_token"]
    assert new_access != tokens["access_token"]
    assert jwt_client.get("/protected", headers=bearer(new_access)).status_code == 200
    # Each token does its own job: no refreshing with an access token, and a
    # refresh token opens no protected view.
    assert jwt_client.post("/refresh", headers=bearer(tokens["access_token"])).status_code == 422
    assert jwt_client.get("/protected", headers=bearer(tokens["refresh_token"])).status_code == 422


def test_a_revoked_access_token_is_refused_with_401_and_other_logins_keep_working(
    jwt_example: ModuleType, jwt_client: FlaskClient
) -> None:
    phone = log_in(jwt_client, jwt_example.DEMO_PASSWORD)
    laptop = log_in(jwt_client, jwt_example.DEMO_PASSWORD)
    logout = jwt_client.delete("/logout", headers=bearer(phone["access_token"]))
    assert logout.json == {"msg": "Access token revoked"}
    refused = jwt_client.get("/protected", headers=bearer(phone["access_token"]))
    assert refused.status_code == 401
    assert refused.json == {"msg": "Token has been revoked"}
    assert jwt_client.get("/protected", headers=bearer(laptop["access_token"])).status_code == 200


def test_a_revoked_refresh_token_gets_no_new_access_token(
    jwt_example: ModuleType, jwt_client: FlaskClient
) -> None:
    tokens = log_in(jwt_client, jwt_example.DEMO_PASSWORD)
    logout = jwt_client.delete("/logout", headers=bearer(tokens["refresh_token"]))
    assert logout.json == {"msg": "Refresh token revoked"}
    refused = jwt_client.post("/refresh", headers=bearer(tokens["refresh_token"]))
    assert refused.status_code == 401
    assert refused.json == {"msg": "Token has been revoked"}
    # Without a revocation of its own, the access token works until it expires:
    # what the short lifetime is for.
    assert jwt_client.get("/protected", headers=bearer(tokens["access_token"])).status_code == 200


def test_an_expired_access_token_is_refused_with_401(jwt_example: ModuleType) -> None:
    # Issued already expired, so the test needs no clock of its own.
    app = jwt_example.create_app({"JWT_ACCESS_TOKEN_EXPIRES": timedelta(seconds=-1)})
    client = app.test_client()
    tokens = log_in(client, jwt_example.DEMO_PASSWORD)
    refused = client.get("/protected", headers=bearer(tokens["access_token"]))
    assert refused.status_code == 401
    assert refused.json == {"msg": "Token has expired"}


def test_a_token_signed_with_another_key_is_refused_without_any_lookup(
    jwt_example: ModuleType, jwt_client: FlaskClient
) -> None:
    other_app = jwt_example.create_app({"JWT_SECRET_KEY": "o" * 64})
    forged = log_in(other_app.test_client(), jwt_example.DEMO_PASSWORD)
    refused = jwt_client.get("/protected", headers=bearer(forged["access_token"]))
    assert refused.status_code == 422
    assert refused.json == {"msg": "Signature verification failed"}


def test_the_jwt_example_does_not_start_without_a_key(
    load_example: LoadExample, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JWT_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="JWT_SECRET_KEY"):
        load_example("shop_api/jwt_refresh_blocklist").create_app()


# --- Flask-CORS with per-resource options ----------------------------------------

FRONT_END = "https://shop.example.com"
PREFLIGHT = {
    "Origin": FRONT_END,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
}


@pytest.fixture
def cors_client(load_example: LoadExample) -> FlaskClient:
    return load_example("shop_api/cors_flask_cors").create_app().test_client()


def test_a_listed_origin_may_read_the_answer_and_the_exposed_headers(
    cors_client: FlaskClient,
) -> None:
    answer = cors_client.post("/api/orders/", json={"items": []}, headers={"Origin": FRONT_END})
    assert answer.status_code == 201
    assert answer.headers["Access-Control-Allow-Origin"] == FRONT_END
    assert "Location" in answer.headers["Access-Control-Expose-Headers"]
    assert "Origin" in answer.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in answer.headers


def test_a_listed_origins_preflight_is_answered(cors_client: FlaskClient) -> None:
    preflight = cors_client.options("/api/orders/", headers=PREFLIGHT)
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == FRONT_END
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == (
        "authorization, content-type, idempotency-key"
    )
    assert preflight.headers["Access-Control-Max-Age"] == "600"
    # A header not in allow_headers is left out of the answer: the browser
    # then refuses to send the request.
    asked = {**PREFLIGHT, "Access-Control-Request-Headers": "authorization, x-debug"}
    partial = cors_client.options("/api/orders/", headers=asked)
    assert partial.headers["Access-Control-Allow-Headers"] == "authorization"


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "https://shop.example.com.evil.example", "null"]
)
def test_any_other_origin_gets_no_cors_header_not_even_vary(
    cors_client: FlaskClient, origin: str
) -> None:
    for answer in (
        cors_client.options("/api/orders/", headers={**PREFLIGHT, "Origin": origin}),
        cors_client.get("/api/products/", headers={"Origin": origin}),
    ):
        assert answer.status_code == 200
        assert not [name for name, _ in answer.headers.items() if name.startswith("Access-Control")]
        # Flask-CORS adds Vary: Origin only beside its own headers; our hook
        # adds it to every answer (shop_api/cors.py).
        assert "Vary" not in answer.headers


def test_the_resource_key_is_a_regular_expression_matched_at_the_start_of_the_path(
    cors_client: FlaskClient,
) -> None:
    outside = cors_client.get("/healthz", headers={"Origin": FRONT_END})
    assert "Access-Control-Allow-Origin" not in outside.headers
    # r"/api/*" is "/api" and any number of "/", so /apiary matches too.
    prefix = cors_client.get("/apiary", headers={"Origin": FRONT_END})
    assert prefix.status_code == 404
    assert prefix.headers["Access-Control-Allow-Origin"] == FRONT_END


def test_our_hook_answers_the_same_preflight_as_flask_cors(
    load_example: LoadExample, cors_client: FlaskClient
) -> None:
    example = load_example("shop_api/cors_flask_cors")
    ours = create_shop_api(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "CORS_ORIGINS": example.ALLOWED_ORIGINS}
    ).test_client()
    for client in (cors_client, ours):
        answer = client.options("/api/orders/", headers=PREFLIGHT)
        assert answer.headers["Access-Control-Allow-Origin"] == FRONT_END
        allowed = answer.headers["Access-Control-Allow-Headers"].lower()
        assert {"authorization", "content-type", "idempotency-key"} <= set(allowed.split(", "))
        assert answer.headers["Access-Control-Max-Age"] == "600"
        assert "Access-Control-Allow-Credentials" not in answer.headers
        other = client.options("/api/orders/", headers={**PREFLIGHT, "Origin": "https://x.example"})
        assert "Access-Control-Allow-Origin" not in other.headers
    # The same lists (a preflight's answer names only the headers it asked for).
    assert cors.ALLOWED_HEADERS.split(", ") == example.ALLOWED_HEADERS
    assert cors.EXPOSED_HEADERS.split(", ") == example.EXPOSED_HEADERS
