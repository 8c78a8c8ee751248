"""The shop API's part of tests/operations/test_prometheus.py: how to prepare
it, a refused login, and an order refused for stock, with the query that
finds it in Prometheus."""

from __future__ import annotations

import requests

PREPARE = [["db", "upgrade"], ["seed-demo"]]  # the demo's catalogue and accounts
SETTINGS: dict[str, str] = {}
CUSTOMER = {"email": "customer@example.com", "password": "demo-password"}


def refuse_login(base: str) -> None:
    wrong = {**CUSTOMER, "password": "not the password"}
    assert requests.post(f"{base}/api/auth/tokens", json=wrong, timeout=10).status_code == 401


def make_events(base: str) -> list[str]:
    token = requests.post(f"{base}/api/auth/tokens", json=CUSTOMER, timeout=10).json()["token"]
    products = requests.get(f"{base}/api/products/", timeout=10).json()["items"]
    sold_out = next(product for product in products if product["stock"] == 0)
    order = {"items": [{"product_id": sold_out["id"], "quantity": 1}]}
    headers = {"Authorization": f"Bearer {token}"}
    response = requests.post(f"{base}/api/orders/", json=order, headers=headers, timeout=10)
    assert response.status_code == 409, response.text
    return ['orders_refused_total{app="shop_api", reason="out_of_stock"}']
