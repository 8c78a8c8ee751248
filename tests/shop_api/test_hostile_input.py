"""Hostile input to the API is a clear 4xx, on SQLite and PostgreSQL alike
(make test-postgres runs this module there too)."""

from __future__ import annotations

import io
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.shop_api.factories import (
    customer_headers,
    make_product,
    order_body,
    order_count,
    staff_headers,
    stock_of,
)

DEEP_JSON = "[" * 2000 + "]" * 2000
HALF = "\ud800"  # half of a UTF-16 pair, as JSON's "\\ud800" escape gives it


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/auth/register"),
        ("POST", "/api/auth/tokens"),
        ("POST", "/api/orders/"),
        ("POST", "/api/products/"),
    ],
)
def test_json_nested_a_thousand_levels_deep_is_400(
    app: Flask, client: FlaskClient, method: str, path: str
) -> None:
    headers = staff_headers(app)
    response = client.open(
        path, method=method, data=DEEP_JSON, content_type="application/json", headers=headers
    )
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"


def test_a_nul_in_a_json_field_is_422_naming_the_field(app: Flask, client: FlaskClient) -> None:
    body = {"name": "Mug\x00", "description": "x", "price_cents": 1, "currency": "EUR", "stock": 1}
    response = client.post("/api/products/", json=body, headers=staff_headers(app))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"name": ["Must not contain a NUL character."]}


def test_a_nul_in_a_credential_is_422(client: FlaskClient) -> None:
    body = {"email": "new@example.com", "password": "long enough\x00password"}
    response = client.post("/api/auth/register", json=body)
    assert response.status_code == 422
    assert "password" in response.get_json()["errors"]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/api/auth/tokens", {"email": "a@example.com", "password": HALF}, "password"),
        (
            "POST",
            "/api/auth/register",
            {"email": "a@b.org", "password": "1234567" + HALF},
            "password",
        ),
        ("POST", "/api/products/", {"name": "Mug" + HALF, "price_cents": 1, "stock": 1}, "name"),
        ("PATCH", "/api/products/{id}", {"description": HALF}, "description"),
    ],
)
def test_half_a_utf16_pair_in_a_json_field_is_422_naming_the_field(
    app: Flask, client: FlaskClient, method: str, path: str, body: dict[str, object], field: str
) -> None:
    raw = json.dumps(body)  # ensure_ascii: "\ud800" stays an escape, as JSON allows
    product = make_product(app)
    response = client.open(
        path.format(id=product.id),
        method=method,
        data=raw,
        content_type="application/json",
        headers=staff_headers(app),
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {field: ["Must be valid Unicode text."]}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"q": "mug\x00"}, "q", "Must not contain a NUL character."),
        ({"sort": "name\x00"}, "sort", "Must be one of: name, -name, price, -price, newest."),
        ({"x\x00": "1"}, "x\x00", "Unknown field."),
    ],
)
def test_a_nul_in_the_query_string_is_422_naming_the_parameter(
    client: FlaskClient, query: dict[str, str], field: str, message: str
) -> None:
    # 422 like any invalid parameter: what the OpenAPI document promises.
    response = client.get("/api/products/", query_string=query)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert response.get_json()["errors"][field] == [message]


def test_a_chunked_order_over_the_limit_is_413_and_orders_nothing(
    app: Flask, client: FlaskClient
) -> None:
    product = make_product(app, stock=5)
    # A valid order padded past the 100,000-byte limit: cut at the limit, it
    # would still be a valid order. It must be refused, not placed.
    body = (json.dumps(order_body((product.id, 1))) + " " * 100_000).encode()
    response = client.post(
        "/api/orders/",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers=customer_headers(app),
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert order_count(app) == 0
    assert stock_of(app, product.id) == 5
