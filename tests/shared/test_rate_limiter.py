"""Rate limits are checked where a route declares one, and nowhere else,
unless the app configures limits for every route."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from shared.auth.rate_limits import init_rate_limiter


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
