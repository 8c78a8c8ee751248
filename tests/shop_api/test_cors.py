"""CORS: off by default; with SHOP_API_CORS_ORIGINS, a listed web origin
gets its preflight answered and may read the API's answers, any other
origin gets no CORS header (so its browser refuses to show it the answer)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shared.config import ConfigurationError
from shop_api import create_app
from shop_api.extensions import db
from tests.app_fixtures import app_on_fresh_tables
from tests.shop_api.factories import customer_headers, make_product

FRONT_END = "https://shop.example.com"
PREFLIGHT = {
    "Origin": FRONT_END,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
}


@pytest.fixture
def cors_app(database_url: str) -> Iterator[Flask]:
    settings = {"CORS_ORIGINS": [FRONT_END, "http://localhost:3000"]}
    with app_on_fresh_tables(create_app, db, database_url, **settings) as app:
        yield app


def test_cors_is_off_by_default(app: Flask, client: FlaskClient) -> None:
    make_product(app)
    answer = client.get("/api/products/", headers={"Origin": FRONT_END})
    assert answer.status_code == 200
    assert "Access-Control-Allow-Origin" not in answer.headers
    preflight = client.options("/api/orders/", headers=PREFLIGHT)
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_a_listed_origins_preflight_is_answered(cors_app: Flask) -> None:
    preflight = cors_app.test_client().options("/api/orders/", headers=PREFLIGHT)
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == FRONT_END
    assert set(preflight.headers["Access-Control-Allow-Methods"].split(", ")) >= {"GET", "POST"}
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
    # Each header a page's script sends: the token, JSON, a retry's key, and
    # the ETags of a revalidation and of a staff change (If-Match).
    for header in ("authorization", "content-type", "idempotency-key", "if-match", "if-none-match"):
        assert header in allowed.split(", ")
    assert preflight.headers["Access-Control-Max-Age"] == "600"
    assert "Access-Control-Allow-Credentials" not in preflight.headers  # tokens, not cookies
    assert "Origin" in preflight.headers["Vary"]


def test_a_listed_origin_may_read_answers_and_their_headers(cors_app: Flask) -> None:
    client = cors_app.test_client()
    customer = customer_headers(cors_app)
    product = make_product(cors_app)
    placed = client.post(
        "/api/orders/",
        json={"items": [{"product_id": product.id, "quantity": 1}]},
        headers={**customer, "Origin": FRONT_END},
    )
    assert placed.status_code == 201
    assert placed.headers["Access-Control-Allow-Origin"] == FRONT_END
    exposed = placed.headers["Access-Control-Expose-Headers"]
    assert "Location" in exposed
    assert "Link" in exposed
    assert "Origin" in placed.headers["Vary"]


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "https://shop.example.com.evil.example", "null"]
)
def test_any_other_origin_gets_no_cors_header(cors_app: Flask, origin: str) -> None:
    client = cors_app.test_client()
    for answer in (
        client.options("/api/orders/", headers={**PREFLIGHT, "Origin": origin}),
        client.get("/api/products/", headers={"Origin": origin}),
    ):
        assert "Access-Control-Allow-Origin" not in answer.headers
        assert "Origin" in answer.headers["Vary"]  # a cache keeps the two apart


def test_pages_outside_the_api_get_no_cors_header(cors_app: Flask) -> None:
    answer = cors_app.test_client().get("/healthz", headers={"Origin": FRONT_END})
    assert "Access-Control-Allow-Origin" not in answer.headers


@pytest.mark.parametrize(
    "setting",
    ["*", ["*"], ["https://shop.example.com/"], ["shop.example.com"], ["https://a.example/path"]],
)
def test_a_setting_that_is_not_a_list_of_origins_stops_the_app(
    database_url: str, setting: object
) -> None:
    with pytest.raises(ConfigurationError, match="SHOP_API_CORS_ORIGINS"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url, "CORS_ORIGINS": setting})
