"""No answer gives a visitor or a customer anyone's e-mail address but their
own (``UserSchema``'s ``email`` goes to the account's owner only)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.every_page import addresses_on_every_page, assert_no_page_shows_another_address
from tests.shop_api.factories import customer_headers, make_product, order_body, staff_headers


def test_no_answer_gives_a_visitor_or_a_customer_anyone_elses_address(
    app: Flask, client: FlaskClient
) -> None:
    staff_headers(app)
    product = make_product(app, stock=10)
    customer = customer_headers(app, "ann@example.com")
    other = customer_headers(app, "bob@example.com")
    theirs = client.post("/api/orders/", json=order_body((product.id, 1)), headers=other)
    mine = client.post("/api/orders/", json=order_body((product.id, 2)), headers=customer)
    values: dict[str, list[object]] = {
        "product_id": [product.id],
        "order_id": [theirs.json["id"], mine.json["id"]],  # type: ignore[index]
    }

    shown = addresses_on_every_page(app, client, values)
    assert_no_page_shows_another_address(shown, viewer=None)

    shown = addresses_on_every_page(app, client, values, headers=customer)
    assert_no_page_shows_another_address(shown, viewer="ann@example.com")
    assert client.get(f"/api/orders/{mine.json['id']}", headers=customer).status_code == 200  # type: ignore[index]
