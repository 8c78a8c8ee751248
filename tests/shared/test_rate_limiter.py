"""Rate limits: each applies where a route declares it (or to every route
when the app sets a default), and the per-account key is a short hash."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from shared.auth import models as auth_models
from shared.auth import rate_limits


def app_with_limiter(**config: object) -> Flask:
    """A bare app; the limiter stays in ``app.extensions`` (its decorators
    hold it only by a weak reference)."""
    # Its own Limiter: app-wide limits stay in the Limiter object once set,
    # so the tiny app's shared one must not see them.
    app = Flask(__name__)
    app.config.update({"RATELIMIT_STORAGE_URI": "memory://", **config})
    limiter = Limiter(key_func=get_remote_address)
    limiter.init_app(app)
    app.extensions["test_limiter"] = limiter

    @app.get("/")
    def index() -> str:
        return "ok"

    @app.get("/limited")
    @limiter.limit("2 per minute")
    def limited() -> str:
        return "ok"

    return app


def test_a_limit_applies_where_a_route_declares_it() -> None:
    client = app_with_limiter().test_client()
    assert [client.get("/").status_code for _ in range(5)] == [200] * 5
    assert [client.get("/limited").status_code for _ in range(3)] == [200, 200, 429]


def test_an_app_wide_default_limit_applies_to_every_route() -> None:
    client = app_with_limiter(RATELIMIT_DEFAULT="3 per minute").test_client()
    assert [client.get("/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_disabled_limiter_limits_nothing() -> None:
    client = app_with_limiter(RATELIMIT_ENABLED=False).test_client()
    assert [client.get("/limited").status_code for _ in range(3)] == [200] * 3


@pytest.mark.parametrize(
    "typed", ["ann@example.com", "  Ann@Example.COM ", "x" * 450_000, "not an address"]
)
def test_the_account_key_is_a_short_hash_whatever_was_typed(
    app: Flask, typed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    validated: list[str] = []
    validate = auth_models.validate_email
    monkeypatch.setattr(
        auth_models, "validate_email", lambda e, **kw: validated.append(e) or validate(e, **kw)
    )
    with app.test_request_context(method="POST", data={"email": typed}):
        key = rate_limits.by_account()
    assert re.fullmatch(r"account:[0-9a-f]{32}", key)
    if len(typed) > 254:
        assert validated == []  # no CPU spent on what cannot be an address
    else:
        assert validated == [typed.strip()]


def test_the_same_account_in_any_spelling_has_one_key(app: Flask) -> None:
    keys = set()
    # Spaces around it too, however many: the form strips them and logs ann in.
    padded = ("ann@example.com" + " " * 300, "\t" * 300 + "ann@example.com")
    for typed in ("ann@example.com", "ANN@example.com ", "ann@EXAMPLE.com", *padded):
        with app.test_request_context(method="POST", json={"email": typed}):
            keys.add(rate_limits.by_account())
    assert len(keys) == 1


def test_a_body_over_the_size_limit_has_the_key_of_no_account(app: Flask) -> None:
    """Not an error: raised in the key, it would reach Flask-Limiter, which
    takes any error for its storage being down (the view answers 413)."""
    with app.test_request_context(method="POST", json={"email": ""}):
        nobody = rate_limits.by_account()
    oversized = {"email": "ann@example.com", "password": "x" * app.config["MAX_CONTENT_LENGTH"]}
    for body in ({"json": oversized}, {"data": oversized}):
        with app.test_request_context(method="POST", **body):  # type: ignore[arg-type]
            assert rate_limits.by_account() == nobody
