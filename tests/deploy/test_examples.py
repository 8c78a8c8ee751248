"""docs/examples/: the textbook idioms that docs/textbook-answers.md sets
beside ours run, and do what they teach. Each example is loaded afresh from
its file for each test (its module-level state and the environment variables
its classes read at import start clean)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest
from flask.testing import FlaskClient
from flask_jwt_extended import decode_token

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
LoadExample = Callable[[str], ModuleType]


@pytest.fixture
def load_example(monkeypatch: pytest.MonkeyPatch) -> LoadExample:
    def load(name: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(
            f"docs_examples_{name}", EXAMPLES / f"{name}.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, spec.name, module)  # Flask finds its root path there
        spec.loader.exec_module(module)
        return module

    return load


# --- Flask-JWT-Extended: access and refresh tokens, a blocklist ------------------

JWT_KEY = "k" * 64  # PyJWT warns about HMAC keys under 32 bytes


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def jwt_example(load_example: LoadExample, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("JWT_SECRET_KEY", JWT_KEY)
    return load_example("jwt_refresh_blocklist")


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
        load_example("jwt_refresh_blocklist").create_app()
