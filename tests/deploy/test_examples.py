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
from flask import Config
from flask.testing import FlaskClient
from flask_jwt_extended import decode_token

from shop_api import create_app as create_shop_api

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


def test_the_answers_page_names_every_example_and_each_has_tests_here() -> None:
    answers = (ROOT / "docs" / "textbook-answers.md").read_text()
    this_file = Path(__file__).read_text()
    examples = sorted(path.stem for path in EXAMPLES.glob("*.py"))
    assert examples
    for name in examples:
        assert f"`docs/examples/{name}.py`" in answers
        assert f'load_example("{name}")' in this_file


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


# --- Config classes chosen by FLASK_CONFIG ----------------------------------------


@pytest.fixture
def production_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "s" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://shop@db/shop")


@pytest.mark.parametrize(
    ("name", "testing", "secure_cookies"),
    [("development", False, False), ("testing", True, False), ("production", False, True)],
)
@pytest.mark.usefixtures("production_environment")
def test_flask_config_picks_the_class(
    load_example: LoadExample,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    testing: bool,
    secure_cookies: bool,
) -> None:
    monkeypatch.setenv("FLASK_CONFIG", name)
    example = load_example("config_classes")
    app = example.create_app()
    assert app.config["TESTING"] is testing
    assert app.config["SESSION_COOKIE_SECURE"] is secure_cookies
    assert app.test_client().get("/").json == {
        "config": name,
        "testing": testing,
        "secure_cookies": secure_cookies,
    }


def test_without_flask_config_the_app_runs_as_development_with_the_development_key(
    load_example: LoadExample, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("FLASK_CONFIG", "SECRET_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    app = load_example("config_classes").create_app()
    assert app.config["SECRET_KEY"] == "dev"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///dev.sqlite3"
    assert app.config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.usefixtures("production_environment")
def test_production_uses_the_environments_key_and_never_the_development_one(
    load_example: LoadExample,
) -> None:
    app = load_example("config_classes").create_app("production")
    assert app.config["SECRET_KEY"] == "s" * 48
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://shop@db/shop"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
@pytest.mark.usefixtures("production_environment")
def test_production_refuses_to_start_without_a_secret_key_or_a_database(
    load_example: LoadExample, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    monkeypatch.delenv(missing)
    example = load_example("config_classes")
    with pytest.raises(RuntimeError, match=f"needs {missing}"):
        example.create_app("production")
    assert example.create_app("development").config["SECRET_KEY"]  # a fallback there only


def test_class_attributes_read_the_environment_once_at_import(
    load_example: LoadExample, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    example = load_example("config_classes")
    monkeypatch.setenv("SECRET_KEY", "s" * 48)  # too late: the class body has run
    with pytest.raises(RuntimeError, match="needs SECRET_KEY"):
        example.create_app("production")
    assert load_example("config_classes").create_app("production").config["SECRET_KEY"]


def test_from_object_reads_a_property_only_from_an_instance() -> None:
    class ProductionConfig:
        DB_SERVER = "db.internal"

        @property
        def DATABASE_URI(self) -> str:
            return f"postgresql://shop@{self.DB_SERVER}/shop"

    from_class, from_instance = Config(ROOT), Config(ROOT)
    from_class.from_object(ProductionConfig)
    from_instance.from_object(ProductionConfig())
    assert isinstance(from_class["DATABASE_URI"], property)
    assert from_instance["DATABASE_URI"] == "postgresql://shop@db.internal/shop"


def test_an_unknown_config_name_stops_the_app(load_example: LoadExample) -> None:
    with pytest.raises(KeyError, match="prod"):
        load_example("config_classes").create_app("prod")


# --- Flask-CORS with per-resource options ----------------------------------------

FRONT_END = "https://shop.example.com"
PREFLIGHT = {
    "Origin": FRONT_END,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
}


@pytest.fixture
def cors_client(load_example: LoadExample) -> FlaskClient:
    return load_example("cors_flask_cors").create_app().test_client()


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
    example = load_example("cors_flask_cors")
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
