"""Accounts and bearer tokens: register, get, use, expire, revoke."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shared.config import ConfigurationError
from shop_api.extensions import db, token_auth
from shop_api.models import ApiToken, User
from tests.auth_client import PASSWORD
from tests.query_count import count_queries
from tests.shop_api.factories import bearer, customer_headers, make_token, make_user

PROBLEM = "application/problem+json"


def test_register_creates_a_customer(app: Flask, client: FlaskClient) -> None:
    response = client.post(
        "/api/auth/register", json={"email": "New@Example.com", "password": "long enough"}
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["email"] == "new@example.com"
    assert body["display_name"] == "New"  # made from the address
    assert body["is_staff"] is False
    assert set(body) == {"id", "email", "display_name", "is_staff", "created_at"}


def test_register_cannot_make_a_staff_account(app: Flask, client: FlaskClient) -> None:
    response = client.post(
        "/api/auth/register",
        json={"email": "sneaky@example.com", "password": "long enough", "is_staff": True},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"is_staff": ["Unknown field."]}
    with app.app_context():
        assert db.session.scalar(db.select(User)) is None


def test_register_with_a_taken_email_is_409(app: Flask, client: FlaskClient) -> None:
    make_user(app, "taken@example.com")
    response = client.post(
        "/api/auth/register", json={"email": "TAKEN@example.com", "password": "long enough"}
    )
    assert response.status_code == 409
    assert response.content_type == PROBLEM


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "password": "long enough"}, "email"),
        ({"email": "a@example.com", "password": "short"}, "password"),
        ({"email": "a@example.com"}, "password"),
        ({"password": "long enough"}, "email"),
        ({"email": 5, "password": "long enough"}, "email"),
    ],
)
def test_register_refuses_invalid_fields(client: FlaskClient, body: dict, field: str) -> None:  # type: ignore[type-arg]
    response = client.post("/api/auth/register", json=body)
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    assert field in response.get_json()["errors"]


def test_registration_is_rate_limited(client: FlaskClient) -> None:
    statuses = [
        client.post(
            "/api/auth/register", json={"email": f"u{i}@example.com", "password": "long enough"}
        ).status_code
        for i in range(6)
    ]
    assert statuses == [201] * 5 + [429]


def test_a_token_for_the_right_password(app: Flask, client: FlaskClient) -> None:
    make_user(app, "ann@example.com")
    response = client.post(
        "/api/auth/tokens", json={"email": "ann@example.com", "password": PASSWORD}
    )
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    assert len(body["token"]) >= 40
    # Only the hash is stored.
    with app.app_context():
        stored = db.session.scalar(db.select(ApiToken))
        assert stored is not None
        assert stored.token_hash != body["token"]
        assert body["token"] not in stored.token_hash


@pytest.mark.parametrize(
    "credentials",
    [
        {"email": "ann@example.com", "password": "wrong password"},
        {"email": "nobody@example.com", "password": PASSWORD},
    ],
    ids=["wrong password", "unknown email"],
)
def test_wrong_credentials_are_401_with_one_message(
    app: Flask, client: FlaskClient, credentials: dict[str, str]
) -> None:
    make_user(app, "ann@example.com")
    response = client.post("/api/auth/tokens", json=credentials)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.get_json()["detail"] == "Invalid e-mail or password."


def test_an_inactive_user_gets_no_token(app: Flask, client: FlaskClient) -> None:
    make_user(app, "ann@example.com", is_active=False)
    response = client.post(
        "/api/auth/tokens", json={"email": "ann@example.com", "password": PASSWORD}
    )
    assert response.status_code == 401


def test_the_eleventh_failed_token_request_is_429(app: Flask, client: FlaskClient) -> None:
    make_user(app, "ann@example.com")
    wrong = {"email": "ann@example.com", "password": "wrong password"}
    for _ in range(10):
        assert client.post("/api/auth/tokens", json=wrong).status_code == 401
    response = client.post("/api/auth/tokens", json=wrong)
    assert response.status_code == 429
    assert response.content_type == PROBLEM


def test_requests_without_a_token_are_401_with_www_authenticate(client: FlaskClient) -> None:
    response = client.get("/api/orders/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.content_type == PROBLEM


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "bearer", "Token abc"],
)
def test_bad_authorization_headers_are_401(client: FlaskClient, header: str) -> None:
    response = client.get("/api/orders/", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_valid_token_works(app: Flask, client: FlaskClient) -> None:
    token = make_token(app, make_user(app))
    assert client.get("/api/orders/", headers=bearer(token)).status_code == 200


def test_the_request_log_line_names_the_tokens_user(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user(app)
    with caplog.at_level(logging.INFO, logger="capstones.requests"):
        client.get("/api/orders/", headers=bearer(make_token(app, user)))
        client.get("/api/orders/", headers=bearer("not-a-token"))
    lines = [record for record in caplog.records if record.name == "capstones.requests"]
    assert [(line.user_id, line.status) for line in lines] == [(user.id, 200), (None, 401)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("is_staff", [False, True])
def test_a_token_resolves_to_its_user_in_one_query(app: Flask, is_staff: bool) -> None:
    user = make_user(app, "holder@example.com", is_staff=is_staff)
    token = make_token(app, user)
    checked = token_auth.login_required(lambda: token_auth.current_user())
    with app.test_request_context(headers=bearer(token)), count_queries(app, db) as statements:
        holder = checked()
        assert isinstance(holder, User)
        assert (holder.id, holder.is_staff) == (user.id, is_staff)
    assert len(statements) == 1


def test_an_expired_token_is_401(app: Flask, client: FlaskClient) -> None:
    token = make_token(app, make_user(app), lifetime=timedelta(seconds=-1))
    response = client.get("/api/orders/", headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_a_deactivated_users_token_stops_working(app: Flask, client: FlaskClient) -> None:
    user = make_user(app)
    token = make_token(app, user)
    with app.app_context():
        db.session.execute(db.update(User).values(is_active=False))
        db.session.commit()
    assert client.get("/api/orders/", headers=bearer(token)).status_code == 401


def test_revoking_the_current_token(app: Flask, client: FlaskClient) -> None:
    user = make_user(app)
    token = make_token(app, user)
    other_token = make_token(app, user)
    response = client.delete("/api/auth/tokens/current", headers=bearer(token))
    assert response.status_code == 204
    assert response.get_data() == b""
    assert "Content-Type" not in response.headers
    assert client.get("/api/orders/", headers=bearer(token)).status_code == 401
    # Only that token: the user's other device stays logged in.
    assert client.get("/api/orders/", headers=bearer(other_token)).status_code == 200


def test_revoking_without_a_token_is_401(client: FlaskClient) -> None:
    assert client.delete("/api/auth/tokens/current").status_code == 401
    assert client.delete("/api/auth/tokens").status_code == 401


def test_logging_out_everywhere_ends_every_token_of_the_account_only(
    app: Flask, client: FlaskClient
) -> None:
    user = make_user(app)
    phone, laptop = make_token(app, user), make_token(app, user)
    someone_else = make_token(app, make_user(app, "other@example.com"))
    response = client.delete("/api/auth/tokens", headers=bearer(phone))
    assert response.status_code == 204
    assert "Content-Type" not in response.headers
    for token in (phone, laptop):
        assert client.get("/api/orders/", headers=bearer(token)).status_code == 401
    assert client.get("/api/orders/", headers=bearer(someone_else)).status_code == 200


def test_a_password_change_ends_every_token(app: Flask, client: FlaskClient) -> None:
    user = make_user(app)
    phone, laptop = make_token(app, user), make_token(app, user)
    body = {"current_password": PASSWORD, "new_password": "a brand new passphrase"}
    response = client.put("/api/auth/password", json=body, headers=bearer(phone))
    assert response.status_code == 204
    for token in (phone, laptop):
        assert client.get("/api/orders/", headers=bearer(token)).status_code == 401
    old = client.post("/api/auth/tokens", json={"email": user.email, "password": PASSWORD})
    assert old.status_code == 401
    new = client.post(
        "/api/auth/tokens", json={"email": user.email, "password": "a brand new passphrase"}
    )
    assert new.status_code == 201


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (
            {"current_password": "wrong one", "new_password": "a brand new one"},
            403,
            "current_password",
        ),
        ({"current_password": PASSWORD, "new_password": "short"}, 422, "new_password"),
        ({"current_password": PASSWORD, "new_password": "password123"}, 422, "new_password"),
        ({"new_password": "a brand new one"}, 422, "current_password"),
    ],
    ids=["wrong current password", "too short", "too common", "no current password"],
)
def test_a_refused_password_change_changes_nothing(
    app: Flask, client: FlaskClient, body: dict[str, str], status: int, field: str
) -> None:
    token = make_token(app, make_user(app))
    response = client.put("/api/auth/password", json=body, headers=bearer(token))
    assert response.status_code == status
    assert response.content_type == PROBLEM
    assert field in response.get_json()["errors"]
    assert client.get("/api/orders/", headers=bearer(token)).status_code == 200


def test_a_display_name_can_be_chosen_at_registration(app: Flask, client: FlaskClient) -> None:
    body = {"email": "new@example.com", "password": "long enough", "display_name": "Nia"}
    response = client.post("/api/auth/register", json=body)
    assert response.status_code == 201
    assert response.get_json()["display_name"] == "Nia"
    again = client.post(
        "/api/auth/register",
        json={"email": "other@example.com", "password": "long enough", "display_name": "NIA"},
    )
    assert again.status_code == 409
    assert "display name" in again.get_json()["detail"]
    bad = client.post(
        "/api/auth/register",
        json={"email": "third@example.com", "password": "long enough", "display_name": "<b>"},
    )
    assert bad.status_code == 422
    assert "display_name" in bad.get_json()["errors"]


def test_token_lifetime_is_24_hours_by_default(app: Flask) -> None:
    assert app.config["API_TOKEN_LIFETIME"] == timedelta(hours=24)


def test_token_lifetime_can_be_set_in_seconds(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    from shop_api import create_app

    for seconds in ("3600", "3600.0"):
        monkeypatch.setenv("SHOP_API_API_TOKEN_LIFETIME", seconds)
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
        assert app.config["API_TOKEN_LIFETIME"] == timedelta(hours=1)


@pytest.mark.parametrize("setting", ["1h", "-5", "0", "true", "31536001"])
def test_a_token_lifetime_that_is_not_seconds_up_to_a_year_stops_the_start(
    monkeypatch: pytest.MonkeyPatch, database_url: str, setting: str
) -> None:
    # Accepted, each would make every token request a 500 or every token born expired.
    from shop_api import create_app

    monkeypatch.setenv("SHOP_API_API_TOKEN_LIFETIME", setting)
    with pytest.raises(
        ConfigurationError,
        match=r"^SHOP_API_API_TOKEN_LIFETIME must be seconds, above 0 and at most 31,536,000: ",
    ):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})


def test_a_cookie_never_shadows_a_valid_bearer_token(app: Flask, client: FlaskClient) -> None:
    # Flask-Login tries a remember cookie before the request loader; the API
    # reads no cookies at all, so a stray one changes nothing.
    headers = customer_headers(app)
    client.set_cookie("remember_token", "1|forged")
    client.set_cookie("session", "forged")
    assert client.get("/api/orders/", headers=headers).status_code == 200
    assert client.get("/api/orders/").status_code == 401


def test_tokens_and_private_lists_are_never_stored_by_caches(
    app: Flask, client: FlaskClient
) -> None:
    make_user(app, "ann@example.com")
    issued = client.post(
        "/api/auth/tokens", json={"email": "ann@example.com", "password": PASSWORD}
    )
    assert issued.status_code == 201
    assert issued.headers["Cache-Control"] == "no-store"
    orders = client.get("/api/orders/", headers=bearer(issued.get_json()["token"]))
    assert orders.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("password", [" " * 8, "password", "12345678", "Password1"])
def test_the_api_applies_the_same_password_rule_as_the_forms(
    client: FlaskClient, password: str
) -> None:
    response = client.post(
        "/api/auth/register", json={"email": "new@example.com", "password": password}
    )
    assert response.status_code == 422
    assert "password" in response.get_json()["errors"]


def test_a_user_has_at_most_ten_live_tokens_the_oldest_go_first(
    app: Flask, client: FlaskClient
) -> None:
    user = make_user(app, "ann@example.com")
    tokens = [make_token(app, user) for _ in range(12)]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 10
    assert client.get("/api/orders/", headers=bearer(tokens[0])).status_code == 401
    assert client.get("/api/orders/", headers=bearer(tokens[1])).status_code == 401
    assert client.get("/api/orders/", headers=bearer(tokens[2])).status_code == 200
    assert client.get("/api/orders/", headers=bearer(tokens[-1])).status_code == 200


@pytest.mark.parametrize("per_address", ["per minute", "per hour"])
def test_the_rate_limit_headers_tell_nothing_of_an_accounts_logins(
    app: Flask, per_address: str
) -> None:
    """The headers count this client's attempts: the per-account limit's count
    would tell anyone how often an account's owner asked for a token this minute.
    (Flask-Limiter orders a view's limits by their unit, minutes before hours.)"""
    app.config["AUTH_LOGIN_RATE_LIMIT"] = f"10 {per_address}"
    app.config["AUTH_LOGIN_ATTEMPT_RATE_LIMIT"] = f"30 {per_address}"
    make_user(app, "ann@example.com")
    make_user(app, "ben@example.com")
    owner = app.test_client()
    for _ in range(5):
        credentials = {"email": "ann@example.com", "password": PASSWORD}
        assert owner.post("/api/auth/tokens", json=credentials).status_code == 201

    def headers_seen_by_a_stranger(email: str, address: str) -> dict[str, str]:
        stranger = app.test_client()
        stranger.environ_base["REMOTE_ADDR"] = address
        credentials = {"email": email, "password": "wrong password"}
        response = stranger.post("/api/auth/tokens", json=credentials)
        assert response.status_code == 401
        return dict(response.headers)

    ann = headers_seen_by_a_stranger("ann@example.com", "203.0.113.1")
    ben = headers_seen_by_a_stranger("ben@example.com", "203.0.113.2")
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining"):
        assert ann[name] == ben[name]


def test_an_oversized_token_request_is_413_and_no_alarm_of_the_rate_limiter(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The per-account limit's key reads the body before the view: an error
    there would make Flask-Limiter take its storage (Redis) for down, count in
    each worker's memory for a while, and log an error (a Sentry report) for
    any anonymous request."""
    credentials = {"email": "x" * 200_000, "password": "wrong password"}
    with caplog.at_level(logging.WARNING, logger="flask-limiter"):
        response = client.post("/api/auth/tokens", json=credentials)
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"
    assert [record.getMessage() for record in caplog.records] == []


def test_token_requests_are_limited_per_account_whatever_the_outcome(app: Flask) -> None:
    app.config["AUTH_ACCOUNT_LOGIN_RATE_LIMIT"] = "3 per minute"
    make_user(app, "ann@example.com")
    statuses = []
    for attempt in range(4):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"203.0.113.{attempt}"
        response = client.post(
            "/api/auth/tokens", json={"email": "ann@example.com", "password": PASSWORD}
        )
        statuses.append(response.status_code)
    assert statuses == [201, 201, 201, 429]
