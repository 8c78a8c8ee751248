"""Rate limits are checked where a route declares one, and nowhere else,
unless the app configures limits for every route."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from shared.auth import rate_limits
from shared.auth.rate_limits import init_rate_limiter, login_account_key


def app_with_limiter(**config: object) -> tuple[Flask, Limiter]:
    # Its own Limiter: app-wide limits stay in the Limiter object once set,
    # so the tiny app's shared one must not see them.
    app = Flask(__name__)
    app.config.update({"RATELIMIT_STORAGE_URI": "memory://", **config})
    limiter = Limiter(key_func=get_remote_address)
    init_rate_limiter(app, limiter)

    @app.get("/")
    def index() -> str:
        return "ok"

    @app.get("/limited")
    @limiter.limit("2 per minute")
    def limited() -> str:
        return "ok"

    return app, limiter


def checks_every_request(app: Flask, limiter: Limiter) -> bool:
    return limiter._check_request_limit in app.before_request_funcs.get(None, [])


def test_routes_without_a_limit_skip_the_limiter_and_limited_ones_keep_it() -> None:
    app, limiter = app_with_limiter()
    assert not checks_every_request(app, limiter)
    client = app.test_client()
    assert [client.get("/").status_code for _ in range(5)] == [200] * 5
    assert [client.get("/limited").status_code for _ in range(3)] == [200, 200, 429]


def test_an_app_wide_default_limit_keeps_the_check_on_every_route() -> None:
    app, limiter = app_with_limiter(RATELIMIT_DEFAULT="3 per minute")
    assert checks_every_request(app, limiter)
    client = app.test_client()
    assert [client.get("/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_disabled_limiter_has_nothing_to_remove() -> None:
    app, limiter = app_with_limiter(RATELIMIT_ENABLED=False)
    assert not checks_every_request(app, limiter)
    assert app.test_client().get("/").status_code == 200


@pytest.mark.parametrize(
    "typed", ["ann@example.com", "  Ann@Example.COM ", "x" * 450_000, "not an address"]
)
def test_the_account_key_is_a_short_hash_whatever_was_typed(
    app: Flask, typed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    normalised: list[str] = []
    normalise = rate_limits.normalise_email
    monkeypatch.setattr(
        rate_limits, "normalise_email", lambda e: normalised.append(e) or normalise(e)
    )
    with app.test_request_context(method="POST", data={"email": typed}):
        key = login_account_key()
    assert re.fullmatch(r"account:[0-9a-f]{32}", key)
    if len(typed) > 254:
        assert normalised == []  # no CPU spent on what cannot be an address
    else:
        assert normalised == [typed]


def test_the_same_account_in_any_spelling_has_one_key(app: Flask) -> None:
    keys = set()
    for typed in ("ann@example.com", "ANN@example.com ", "ann@EXAMPLE.com"):
        with app.test_request_context(method="POST", json={"email": typed}):
            keys.add(login_account_key())
    assert len(keys) == 1
