"""Security headers on every response and the cookie flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.auth_client import AuthActions
from tests.shared.factories import make_user

REAL_KEY = "r" * 48
EXTERNAL = "https://desk.example.com"


@pytest.mark.parametrize(
    "path", ["/", "/auth/login", "/no/such/page", "/healthz", "/shared/static/site.css"]
)
def test_every_response_carries_the_security_headers(client: FlaskClient, path: str) -> None:
    with client.get(path) as response:  # static files are streamed: close them
        headers = response.headers
    csp = headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    # Scripts and styles fall back to default-src: inline ones are refused.
    assert "'unsafe-inline'" not in csp
    assert "script-src" not in csp
    assert "style-src" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers


def test_an_app_can_add_image_origins_to_the_csp(app_factory: Any) -> None:
    app = app_factory(CSP_IMG_SRC=["https://bucket.s3.example"])
    csp = app.test_client().get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://bucket.s3.example;" in csp


def test_bootstrap_is_served_locally(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert 'href="/bootstrap/static/css/bootstrap.min.css"' in html
    assert "cdn" not in html.lower()
    with client.get("/bootstrap/static/css/bootstrap.min.css") as css:
        assert css.status_code == 200


def test_production_sends_hsts_and_secure_cookies(app_factory: Any) -> None:
    app = app_factory(
        ENV="production", SECRET_KEY=REAL_KEY, TRUSTED_HOSTS=["localhost"], EXTERNAL_URL=EXTERNAL
    )
    make_user(app)
    client = app.test_client()
    assert client.get("/").headers["Strict-Transport-Security"].startswith("max-age=31536000")

    response = AuthActions(client).login(remember=True)
    set_cookies = response.headers.getlist("Set-Cookie")
    for name in ("session", "remember_token"):
        (line,) = [c for c in set_cookies if c.startswith(f"{name}=")]
        assert "; Secure" in line
        assert "; HttpOnly" in line
        assert "; SameSite=Lax" in line


def test_development_cookies_are_httponly_and_lax_but_not_secure(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app)
    response = auth.login(remember=True)
    set_cookies = response.headers.getlist("Set-Cookie")
    for name in ("session", "remember_token"):
        (line,) = [c for c in set_cookies if c.startswith(f"{name}=")]
        assert "; HttpOnly" in line
        assert "; SameSite=Lax" in line
        assert "Secure" not in line
    remember = next(c for c in set_cookies if c.startswith("remember_token="))
    expires = parsedate_to_datetime(remember.split("Expires=")[1].split(";")[0])
    lifetime = expires - datetime.now(UTC)
    assert timedelta(days=13, hours=23) < lifetime <= timedelta(days=14)


def test_dynamic_responses_are_not_stored_but_static_files_keep_their_caching(
    app: Flask, client: FlaskClient
) -> None:
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/missing").headers["Cache-Control"] == "no-store"
    static = client.get("/shared/static/site.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


def test_production_answers_only_its_trusted_hosts(app_factory: Any) -> None:
    app = app_factory(
        ENV="production",
        SECRET_KEY=REAL_KEY,
        TRUSTED_HOSTS=["desk.example.com"],
        EXTERNAL_URL=EXTERNAL,
    )
    client = app.test_client()
    assert client.get("/", base_url="https://desk.example.com").status_code == 200
    # A forged Host would otherwise steer absolute links and redirects elsewhere.
    refused = client.get("/auth/login", base_url="https://evil.example")
    assert refused.status_code == 400
    assert refused.content_type == "text/plain; charset=utf-8"  # the name is echoed as text only
