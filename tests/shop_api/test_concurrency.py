"""No overselling under parallel requests, against a real multi-worker server.

gunicorn runs the API in several processes on one database (a SQLite file
by default, PostgreSQL with TEST_DATABASE_URL). 48 customers order the same
product at once; exactly as many orders as there is stock succeed.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask

from shop_api import create_app
from shop_api.extensions import db
from shop_api.models import Order, Product
from tests.app_fixtures import app_on_fresh_tables
from tests.servers import free_port, serve
from tests.shop_api.factories import make_product, make_token, make_user

STOCK = 10
PARALLEL_ORDERS = 48
WORKERS = 4


@pytest.fixture
def server_app(database_url: str) -> Iterator[Flask]:
    with app_on_fresh_tables(create_app, db, database_url) as app:
        yield app


@pytest.fixture
def live_server(server_app: Flask, database_url: str, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "SHOP_API_DATABASE_URL": database_url,
        # Rate limits are per process in memory; they are not under test here.
        "SHOP_API_RATELIMIT_ENABLED": "false",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
        "shop_api:create_app()",
    ]
    base = f"http://127.0.0.1:{port}"
    with serve(command, env, log=tmp_path / "gunicorn.log", ready_url=f"{base}/healthz"):
        yield base


def post_order(base: str, token: str, product_id: int) -> int:
    request = urllib.request.Request(  # noqa: S310
        f"{base}/api/orders/",
        data=json.dumps({"items": [{"product_id": product_id, "quantity": 1}]}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_parallel_orders_never_oversell(server_app: Flask, live_server: str) -> None:
    product = make_product(server_app, stock=STOCK)
    tokens = [
        make_token(server_app, make_user(server_app, f"buyer{n}@example.com"))
        for n in range(PARALLEL_ORDERS)
    ]
    with ThreadPoolExecutor(max_workers=PARALLEL_ORDERS) as pool:
        statuses = Counter(pool.map(lambda t: post_order(live_server, t, product.id), tokens))

    assert statuses == {201: STOCK, 409: PARALLEL_ORDERS - STOCK}
    with server_app.app_context():
        assert db.session.get(Product, product.id).stock == 0  # type: ignore[union-attr]
        assert db.session.scalar(db.select(db.func.count()).select_from(Order)) == STOCK
