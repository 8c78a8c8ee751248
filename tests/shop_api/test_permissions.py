"""Who may call what: every route x anonymous, customer, other customer, staff.

The order belongs to "customer"; "other" is another customer. Someone else's
order is a 404, never a 403: its existence is not confirmed.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.auth_client import PASSWORD
from tests.routes import assert_the_matrix_lists_every_route
from tests.shop_api.factories import bearer, make_product, make_token, make_user, order_body

PRODUCT = {"name": "New", "price_cents": 100, "currency": "EUR", "stock": 1}

# (method, url, body, {who: status})
MATRIX: list[tuple[str, str, Any, dict[str, int]]] = [
    (
        "GET",
        "/api/products/",
        None,
        {"anonymous": 200, "customer": 200, "other": 200, "staff": 200},
    ),
    (
        "GET",
        "/api/products/{product}",
        None,
        {"anonymous": 200, "customer": 200, "other": 200, "staff": 200},
    ),
    (
        "POST",
        "/api/products/",
        PRODUCT,
        {"anonymous": 401, "customer": 403, "other": 403, "staff": 201},
    ),
    (
        "PATCH",
        "/api/products/{product}",
        {"stock": 5},
        {"anonymous": 401, "customer": 403, "other": 403, "staff": 200},
    ),
    (
        "POST",
        "/api/orders/",
        "order",
        {"anonymous": 401, "customer": 201, "other": 201, "staff": 201},
    ),
    ("GET", "/api/orders/", None, {"anonymous": 401, "customer": 200, "other": 200, "staff": 200}),
    (
        "GET",
        "/api/orders/{order}",
        None,
        {"anonymous": 401, "customer": 200, "other": 404, "staff": 404},
    ),
    (
        "POST",
        "/api/orders/{order}/cancel",
        None,
        {"anonymous": 401, "customer": 200, "other": 404, "staff": 404},
    ),
    (
        "DELETE",
        "/api/auth/tokens/current",
        None,
        {"anonymous": 401, "customer": 204, "other": 204, "staff": 204},
    ),
    (
        "DELETE",
        "/api/auth/tokens",
        None,
        {"anonymous": 401, "customer": 204, "other": 204, "staff": 204},
    ),
    (
        "PUT",
        "/api/auth/password",
        {"current_password": PASSWORD, "new_password": "a new long password"},
        {"anonymous": 401, "customer": 204, "other": 204, "staff": 204},
    ),
    (
        "POST",
        "/api/auth/register",
        {"email": "new@example.com", "password": "long enough"},
        {"anonymous": 201, "customer": 201, "other": 201, "staff": 201},
    ),
    (
        "POST",
        "/api/auth/tokens",
        {"email": "customer@example.com", "password": PASSWORD},
        {"anonymous": 201, "customer": 201, "other": 201, "staff": 201},
    ),
    (
        "GET",
        "/api/openapi.json",
        None,
        {"anonymous": 200, "customer": 200, "other": 200, "staff": 200},
    ),
    ("GET", "/api/docs", None, {"anonymous": 200, "customer": 200, "other": 200, "staff": 200}),
    ("GET", "/", None, {"anonymous": 302, "customer": 302, "other": 302, "staff": 302}),
]
CASES = [
    pytest.param(method, url, body, who, status, id=f"{who} {method} {url}")
    for method, url, body, expected in MATRIX
    for who, status in expected.items()
]


@pytest.mark.parametrize(("method", "url", "body", "who", "status"), CASES)
def test_permission_matrix(
    app: Flask, client: FlaskClient, method: str, url: str, body: Any, who: str, status: int
) -> None:
    headers = {
        "customer": bearer(make_token(app, make_user(app, "customer@example.com"))),
        "other": bearer(make_token(app, make_user(app, "other@example.com"))),
        "staff": bearer(make_token(app, make_user(app, "staff@example.com", is_staff=True))),
        "anonymous": {},
    }
    product = make_product(app)
    order = client.post(
        "/api/orders/", json=order_body((product.id, 1)), headers=headers["customer"]
    ).get_json()
    if body == "order":
        body = order_body((product.id, 1))

    response = client.open(
        url.format(product=product.id, order=order["id"]),
        method=method,
        json=body,
        headers=headers[who],
    )
    assert response.status_code == status
    if status >= 400:
        assert response.content_type == "application/problem+json"
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "url", "body", "who", "status"), CASES)
def test_no_response_ever_sets_a_cookie(
    app: Flask, client: FlaskClient, method: str, url: str, body: Any, who: str, status: int
) -> None:
    token = make_token(app, make_user(app, "customer@example.com"))
    headers = {} if who == "anonymous" else bearer(token)
    product = make_product(app)
    response = client.open(
        url.format(product=product.id, order=1),
        method=method,
        json=order_body((product.id, 1)) if body == "order" else body,
        headers=headers,
    )
    assert "Set-Cookie" not in response.headers
    assert client.get_cookie("session") is None


def test_error_responses_set_no_cookie_either(client: FlaskClient) -> None:
    for response in (
        client.get("/api/nowhere"),
        client.post("/api/orders/", data="x", content_type="application/json"),
        client.put("/api/products/"),
    ):
        assert "Set-Cookie" not in response.headers


def test_the_matrix_lists_every_route_of_the_app(app: Flask) -> None:
    assert_the_matrix_lists_every_route(app, [(row[0], row[1]) for row in MATRIX])
