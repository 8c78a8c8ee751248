"""HTTP caching of products: public, revalidated by ETag, never stale.

Products are the same for everyone, so caches may keep them, but every
reuse asks the server first (``no-cache``) and a changed price or stock
changes the ETag: a client can never be shown a price we no longer charge.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shop_api import services
from shop_api.extensions import db
from shop_api.models import Product
from shop_api.schemas import ProductSchema
from tests.shop_api.factories import make_customer, make_product, make_staff, order_body

PRODUCT_URLS = ("/api/products/", "/api/products/{id}")


@pytest.mark.parametrize("url", PRODUCT_URLS)
def test_products_are_public_and_carry_an_etag(app: Flask, client: FlaskClient, url: str) -> None:
    product = make_product(app)
    response = client.get(url.format(id=product.id))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, no-cache"
    assert response.headers["ETag"]


@pytest.mark.parametrize("url", PRODUCT_URLS)
def test_an_unchanged_product_is_a_304_without_a_body(
    app: Flask, client: FlaskClient, url: str
) -> None:
    product = make_product(app)
    first = client.get(url.format(id=product.id))
    again = client.get(url.format(id=product.id), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]


@pytest.mark.parametrize("url", PRODUCT_URLS)
def test_a_new_price_is_never_answered_with_a_stale_304(
    app: Flask, client: FlaskClient, url: str
) -> None:
    product = make_product(app, price_cents=1299)
    first = client.get(url.format(id=product.id))
    changed = client.patch(
        f"/api/products/{product.id}", json={"price_cents": 1499}, headers=make_staff(app)
    )
    assert changed.status_code == 200
    after = client.get(url.format(id=product.id), headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200
    assert "1499" in after.get_data(as_text=True)
    assert after.headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize("url", PRODUCT_URLS)
def test_stock_taken_by_an_order_is_never_answered_with_a_stale_304(
    app: Flask, client: FlaskClient, url: str
) -> None:
    product = make_product(app, stock=10)
    first = client.get(url.format(id=product.id))
    placed = client.post(
        "/api/orders/", json=order_body((product.id, 3)), headers=make_customer(app)
    )
    assert placed.status_code == 201
    after = client.get(url.format(id=product.id), headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200
    body = after.get_json()
    shown = body["items"][0] if "items" in body else body
    assert shown["stock"] == 7


def test_a_missing_product_is_not_cached(client: FlaskClient) -> None:
    response = client.get("/api/products/999")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers


def test_orders_stay_private(app: Flask, client: FlaskClient) -> None:
    product = make_product(app)
    placed = client.post(
        "/api/orders/", json=order_body((product.id, 1)), headers=make_customer(app)
    )
    assert placed.headers["Cache-Control"] == "no-store"
    assert "ETag" not in placed.headers


def test_the_fast_read_path_shows_exactly_what_the_schema_documents(app: Flask) -> None:
    """The list and detail skip marshmallow for speed; they must still
    answer field for field what ProductSchema (and so the OpenAPI
    document) says."""
    product = make_product(app)
    with app.app_context():
        stored = db.session.get(Product, product.id)
        documented = ProductSchema().dump(stored)
        assert services.product_fields(product.id) == documented
        page = services.product_page(page=1, per_page=20)
        assert page.items == [documented]
    assert set(services.PRODUCT_FIELDS) == set(ProductSchema().dump_fields)
