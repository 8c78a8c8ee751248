"""SQL injection: classic payloads in every query parameter and id of the
shop API. Each is plain text to the database (bound parameters): a search
finds nothing, a bad page or sort is a 422 naming the parameter, an id that
is not a number is a 404, nobody sees another customer's order, and every
table keeps its rows."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shop_api.extensions import db
from tests.injection import (
    PAYLOADS,
    assert_no_leak,
    assert_nothing_changed,
    in_path,
    row_counts,
    table_names,
)
from tests.shop_api.factories import customer_headers, make_product, order_body

OTHERS_PRODUCT = "Bob's engraved mug"


@pytest.fixture
def shop(app: Flask, client: FlaskClient) -> dict[str, Any]:
    mug = make_product(app, name="Ceramic mug")
    engraved = make_product(app, name=OTHERS_PRODUCT, stock=5)
    bob = customer_headers(app, "bob@example.com")
    placed = client.post("/api/orders/", json=order_body((engraved.id, 1)), headers=bob)
    assert placed.status_code == 201
    ann = customer_headers(app, "ann@example.com")
    return {"ann": ann, "mug": mug, "bobs_order": placed.get_json()["id"]}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_product_search_and_filters_take_a_payload_as_text(
    app: Flask, client: FlaskClient, shop: dict[str, Any], payload: str
) -> None:
    before, tables = row_counts(app, db), table_names(app, db)
    found = client.get("/api/products/", query_string={"q": payload})
    assert found.status_code == 200
    assert found.get_json()["items"] == []
    assert found.get_json()["total"] == 0

    for parameter in ("sort", "page", "per_page", "in_stock"):
        refused = client.get("/api/products/", query_string={parameter: payload})
        assert refused.status_code == 422, parameter
        assert parameter in refused.get_json()["errors"]
    assert client.get(f"/api/products/{in_path(payload)}").status_code == 404
    assert_nothing_changed(app, db, before, tables)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_orders_cannot_be_reached_with_a_payload(
    app: Flask, client: FlaskClient, shop: dict[str, Any], payload: str
) -> None:
    before, tables = row_counts(app, db), table_names(app, db)
    ann = shop["ann"]
    for url in (
        f"/api/orders/{in_path(payload)}",
        f"/api/orders/{shop['bobs_order']}{in_path(' ' + payload)}",
    ):
        response = client.get(url, headers=ann)
        assert response.status_code == 404
        assert_no_leak(response.get_data(as_text=True), OTHERS_PRODUCT)
    listing = client.get("/api/orders/", query_string={"page": payload}, headers=ann)
    assert listing.status_code == 422
    assert client.get("/api/orders/", headers=ann).get_json()["items"] == []

    # In a JSON body a payload is a value of the wrong type: 422, nothing ordered.
    body = {"items": [{"product_id": payload, "quantity": 1}]}
    assert client.post("/api/orders/", json=body, headers=ann).status_code == 422
    assert_nothing_changed(app, db, before, tables)


def test_the_search_escapes_like_wildcards(app: Flask, client: FlaskClient) -> None:
    make_product(app, name="100% cotton tee")
    make_product(app, name="Cotton tote")
    names = lambda q: [p["name"] for p in client.get(f"/api/products/?q={q}").get_json()["items"]]  # noqa: E731
    assert names("%25") == ["100% cotton tee"]  # the character itself, not "anything"
    assert names("_") == []
