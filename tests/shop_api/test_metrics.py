"""The shop's metrics on ``/metrics`` (shop_api/metrics.py): orders placed,
refused for stock and cancelled, counted by the order service on the real
API calls; and the shared request metrics, labelled with this app."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.scrape import value
from tests.shop_api.factories import customer_headers, make_product, order_body

APP = {"app": "shop_api"}


def test_placed_refused_and_cancelled_orders_are_counted(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    mug = make_product(app, stock=1)
    placed = value(client, "orders_placed_total", **APP)
    refused = value(client, "orders_refused_total", reason="out_of_stock", **APP)
    cancelled = value(client, "orders_cancelled_total", **APP)

    order = client.post("/api/orders/", json=order_body((mug.id, 1)), headers=customer)
    assert order.status_code == 201
    assert value(client, "orders_placed_total", **APP) == placed + 1

    sold_out = client.post("/api/orders/", json=order_body((mug.id, 1)), headers=customer)
    assert sold_out.status_code == 409
    assert value(client, "orders_refused_total", reason="out_of_stock", **APP) == refused + 1
    assert value(client, "orders_placed_total", **APP) == placed + 1

    order_id = order.get_json()["id"]
    assert client.post(f"/api/orders/{order_id}/cancel", headers=customer).status_code == 200
    assert value(client, "orders_cancelled_total", **APP) == cancelled + 1


def test_a_replayed_order_is_not_counted_again(app: Flask, client: FlaskClient) -> None:
    customer = {**customer_headers(app), "Idempotency-Key": "order-1"}
    mug = make_product(app, stock=5)
    placed = value(client, "orders_placed_total", **APP)
    for _ in range(2):
        client.post("/api/orders/", json=order_body((mug.id, 1)), headers=customer)
    assert value(client, "orders_placed_total", **APP) == placed + 1


def test_a_refused_token_request_and_the_api_calls_are_in_the_metrics(
    client: FlaskClient,
) -> None:
    refused = value(client, "auth_logins_refused_total", reason="unknown_email", **APP)
    credentials = {"email": "nobody@example.com", "password": "not a password"}
    assert client.post("/api/auth/tokens", json=credentials).status_code == 401
    assert value(client, "auth_logins_refused_total", reason="unknown_email", **APP) == refused + 1
    duration = "flask_http_request_duration_seconds_count"
    assert value(client, duration, endpoint="auth.create_token", status="401", **APP) == 1
