"""Orders: stock-checked, all or nothing, idempotent, own orders only."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import MANYTOONE, ONETOMANY

from shop_api.extensions import db
from shop_api.models import Order, OrderLine, Product
from shop_api.services import orders
from tests.query_count import count_queries
from tests.shop_api.factories import (
    customer_headers,
    make_product,
    order_body,
    order_count,
    staff_headers,
    stock_of,
)

PROBLEM = "application/problem+json"


def place(client: FlaskClient, headers: dict[str, str], body: Any, **extra: str) -> Any:
    return client.post("/api/orders/", json=body, headers={**headers, **extra})


def test_placing_an_order(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    mug = make_product(app, name="Mug", price_cents=1299, stock=10)
    tea = make_product(app, name="Tea", price_cents=449, stock=5)
    response = place(client, customer, order_body((mug.id, 2), (tea.id, 1)))
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/api/orders/{body['id']}"
    assert body["status"] == "placed"
    assert body["items"] == [
        {"product_id": mug.id, "product_name": "Mug", "quantity": 2, "unit_price_cents": 1299},
        {"product_id": tea.id, "product_name": "Tea", "quantity": 1, "unit_price_cents": 449},
    ]
    assert body["total_cents"] == 2 * 1299 + 449
    assert body["currency"] == "EUR"
    assert set(body) == {"id", "status", "items", "total_cents", "currency", "created_at"}
    # The answer is built from the values written, not loaded back: it must
    # still be exactly what the database now holds.
    assert client.get(response.headers["Location"], headers=customer).get_json() == body
    assert stock_of(app, mug.id) == 8
    assert stock_of(app, tea.id) == 4


def test_duplicate_lines_are_merged(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    mug = make_product(app, stock=10)
    body = place(client, customer, order_body((mug.id, 2), (mug.id, 3))).get_json()
    assert [(i["product_id"], i["quantity"]) for i in body["items"]] == [(mug.id, 5)]
    assert stock_of(app, mug.id) == 5


def test_merged_lines_over_the_limit_are_422(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    mug = make_product(app, stock=5000)
    response = place(client, customer, order_body((mug.id, 600), (mug.id, 600)))
    assert response.status_code == 422
    assert stock_of(app, mug.id) == 5000


def test_prices_come_from_the_database(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    mug = make_product(app, price_cents=1299)
    body = {"items": [{"product_id": mug.id, "quantity": 1, "unit_price_cents": 1}]}
    response = place(client, customer, body)
    assert response.status_code == 422
    assert "unit_price_cents" in str(response.get_json()["errors"])
    response = place(client, customer, {**order_body((mug.id, 1)), "total_cents": 1})
    assert response.status_code == 422
    assert order_count(app) == 0


def test_the_order_keeps_the_price_it_was_placed_at(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    mug = make_product(app, price_cents=1299)
    order = place(client, customer, order_body((mug.id, 1))).get_json()
    client.patch(
        f"/api/products/{mug.id}",
        json={"price_cents": 9999, "name": "Renamed"},
        headers=staff_headers(app),
    )
    again = client.get(f"/api/orders/{order['id']}", headers=customer).get_json()
    assert again["items"][0]["unit_price_cents"] == 1299
    assert again["items"][0]["product_name"] == "Ceramic mug"


BAD_BODIES = [
    ("zero quantity", {"items": [{"product_id": 1, "quantity": 0}]}),
    ("negative quantity", {"items": [{"product_id": 1, "quantity": -2}]}),
    ("huge quantity", {"items": [{"product_id": 1, "quantity": 10**30}]}),
    ("quantity 1001", {"items": [{"product_id": 1, "quantity": 1001}]}),
    ("string quantity", {"items": [{"product_id": 1, "quantity": "2"}]}),
    ("float quantity", {"items": [{"product_id": 1, "quantity": 2.5}]}),
    ("boolean quantity", {"items": [{"product_id": 1, "quantity": True}]}),
    ("null quantity", {"items": [{"product_id": 1, "quantity": None}]}),
    ("missing quantity", {"items": [{"product_id": 1}]}),
    ("missing product", {"items": [{"quantity": 1}]}),
    ("string product", {"items": [{"product_id": "1", "quantity": 1}]}),
    ("huge product id", {"items": [{"product_id": 10**30, "quantity": 1}]}),
    ("unknown line field", {"items": [{"product_id": 1, "quantity": 1, "colour": "red"}]}),
    ("unknown field", {"items": [{"product_id": 1, "quantity": 1}], "customer_id": 2}),
    ("empty items", {"items": []}),
    ("missing items", {}),
    ("items not a list", {"items": {"product_id": 1}}),
    ("line not an object", {"items": [1]}),
    ("body a list", [{"product_id": 1, "quantity": 1}]),
    ("body a string", "order"),
    ("too many lines", {"items": [{"product_id": n, "quantity": 1} for n in range(1, 52)]}),
]


@pytest.mark.parametrize("body", [b for _, b in BAD_BODIES], ids=[n for n, _ in BAD_BODIES])
def test_invalid_bodies_are_422_and_change_nothing(
    app: Flask, client: FlaskClient, body: Any
) -> None:
    customer = customer_headers(app)
    make_product(app, stock=10)
    response = place(client, customer, body)
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    assert response.get_json()["errors"]
    assert stock_of(app, 1) == 10
    assert order_count(app) == 0


def test_an_unknown_product_is_422_and_nothing_is_taken(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    mug = make_product(app, stock=10)
    response = place(client, customer, order_body((mug.id, 1), (999, 1)))
    assert response.status_code == 422
    assert "999" in response.get_json()["detail"]
    assert stock_of(app, mug.id) == 10
    assert order_count(app) == 0


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        (b'{"items": [', "application/json", 400),
        (b"", "application/json", 400),
        (b"items=1", "application/x-www-form-urlencoded", 415),
        (b'{"items": []}', "text/plain", 415),
        (b'{"items": []}', None, 415),
    ],
    ids=["malformed", "empty", "form", "text", "no content type"],
)
def test_malformed_or_non_json_bodies(
    app: Flask,
    client: FlaskClient,
    data: bytes,
    content_type: str | None,
    status: int,
) -> None:
    customer = customer_headers(app)
    headers = dict(customer)
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post("/api/orders/", data=data, headers=headers)
    assert response.status_code == status
    assert response.content_type == PROBLEM
    assert (
        response.get_json()["detail"]
        == {
            400: "The request body is not valid JSON.",
            415: "Send the body as JSON, with the header Content-Type: application/json.",
        }[status]
    )


def test_not_enough_stock_is_409_and_all_or_nothing(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    mug = make_product(app, name="Mug", stock=10)
    kettle = make_product(app, name="Kettle", stock=1)
    grinder = make_product(app, name="Grinder", stock=0)
    response = place(client, customer, order_body((mug.id, 3), (kettle.id, 2), (grinder.id, 1)))
    assert response.status_code == 409
    assert response.content_type == PROBLEM
    assert response.get_json()["shortages"] == [
        {"product_id": kettle.id, "product_name": "Kettle", "requested": 2, "available": 1},
        {"product_id": grinder.id, "product_name": "Grinder", "requested": 1, "available": 0},
    ]
    # The mug line had enough, but nothing was taken.
    assert stock_of(app, mug.id) == 10
    assert stock_of(app, kettle.id) == 1
    assert order_count(app) == 0


def test_stock_back_before_the_409_is_written_still_names_the_line_that_fell_short(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The shortages are read after the UPDATE missed; a cancel may give the
    # stock back in between. The 409 must still say which line fell short.
    customer = customer_headers(app)
    mug = make_product(app, name="Mug", stock=0)
    order_error = orders._order_error

    def restocked_meanwhile(*args: Any) -> Any:
        db.session.execute(update(Product).where(Product.id == mug.id).values(stock=5))
        db.session.commit()
        return order_error(*args)

    monkeypatch.setattr(orders, "_order_error", restocked_meanwhile)
    response = place(client, customer, order_body((mug.id, 1)))
    assert response.status_code == 409
    assert response.get_json()["detail"] == "Not enough stock for: Mug. Nothing was ordered."
    assert [line["product_id"] for line in response.get_json()["shortages"]] == [mug.id]
    assert order_count(app) == 0


def test_the_last_item_can_be_sold(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    mug = make_product(app, stock=2)
    assert place(client, customer, order_body((mug.id, 2))).status_code == 201
    assert stock_of(app, mug.id) == 0
    assert place(client, customer, order_body((mug.id, 1))).status_code == 409


@pytest.mark.parametrize("column", ["stock", "price_cents"])
def test_the_database_refuses_a_negative_stock_or_price(app: Flask, column: str) -> None:
    """The CHECK constraints in ``Product.__table_args__`` are the backstop:
    whatever code writes the row, the database refuses it."""
    mug = make_product(app)
    with app.app_context():
        with pytest.raises(IntegrityError, match=r"(?i)check"):
            db.session.execute(update(Product).where(Product.id == mug.id).values({column: -1}))
        db.session.rollback()
    assert stock_of(app, mug.id) == 10


# --- idempotency --------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_first_order(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    mug = make_product(app, stock=10)
    first = place(client, customer, order_body((mug.id, 2)), **{"Idempotency-Key": "abc-123"})
    retry = place(client, customer, order_body((mug.id, 2)), **{"Idempotency-Key": "abc-123"})
    assert first.status_code == retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert retry.headers["Location"] == first.headers["Location"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert stock_of(app, mug.id) == 8
    assert order_count(app) == 1


def test_a_retry_whose_json_is_written_differently_is_the_same_order(
    app: Flask, client: FlaskClient
) -> None:
    customer = customer_headers(app)
    mug, tea = make_product(app, stock=10), make_product(app, name="Tea", stock=10)
    key = {"Idempotency-Key": "abc-123", "Content-Type": "application/json"}
    first = client.post(
        "/api/orders/",
        data=json.dumps(order_body((mug.id, 2), (tea.id, 1))),
        headers={**customer, **key},
    )
    # Another client library: its own spacing, key order and line order.
    lines = [{"quantity": 1, "product_id": tea.id}, {"quantity": 2, "product_id": mug.id}]
    retry = client.post(
        "/api/orders/", data=json.dumps({"items": lines}, indent=2), headers={**customer, **key}
    )
    assert first.status_code == retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json() == first.get_json()
    assert order_count(app) == 1


def test_the_same_key_with_another_body_is_422(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    mug = make_product(app, stock=10)
    place(client, customer, order_body((mug.id, 2)), **{"Idempotency-Key": "abc-123"})
    other = place(client, customer, order_body((mug.id, 3)), **{"Idempotency-Key": "abc-123"})
    assert other.status_code == 422
    assert "Idempotency-Key" in other.get_json()["errors"]
    assert stock_of(app, mug.id) == 8


def test_keys_are_per_user(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    mug = make_product(app, stock=10)
    other = customer_headers(app, "other@example.com")
    first = place(client, customer, order_body((mug.id, 1)), **{"Idempotency-Key": "same"})
    second = place(client, other, order_body((mug.id, 1)), **{"Idempotency-Key": "same"})
    assert first.get_json()["id"] != second.get_json()["id"]
    assert "Idempotent-Replayed" not in second.headers
    assert stock_of(app, mug.id) == 8


@pytest.mark.parametrize("stock", [10, 2], ids=["stock_for_both", "stock_for_one"])
def test_a_retry_racing_the_first_request_gets_the_order_that_won(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, stock: int
) -> None:
    # Two requests with one key at the same moment: both look for an earlier
    # order before either commits. With stock for both, both take it; the
    # unique key makes the second commit fail, and its stock goes back with
    # the rollback. With stock for one, the second finds none left, and looks
    # for the key again before answering 409.
    customer = customer_headers(app)
    mug = make_product(app, stock=stock)
    key = {"Idempotency-Key": "at-once"}
    first = place(client, customer, order_body((mug.id, 2)), **key)
    replayed_order = orders._replayed_order
    looks: list[object] = []

    def first_look_finds_nothing_yet(*args: Any) -> Order | None:
        looks.append(args)
        return None if len(looks) == 1 else replayed_order(*args)

    monkeypatch.setattr(orders, "_replayed_order", first_look_finds_nothing_yet)
    second = place(client, customer, order_body((mug.id, 2)), **key)
    assert second.status_code == 201
    assert second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert stock_of(app, mug.id) == stock - 2  # taken once
    assert order_count(app) == 1
    assert len(looks) == 2  # the race: looked, found nothing, lost, looked again


def test_one_key_sent_twice_at_once_for_the_last_item_places_one_order(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same race with real requests, in two threads: each first looks for
    the key, then waits for the other to have looked too. One takes the last
    item; the other's UPDATE waits for it to commit, finds no stock, and
    answers with the order that won."""
    customer = customer_headers(app)
    mug = make_product(app, stock=1)
    both_looked = threading.Barrier(2, timeout=10)
    replayed_order = orders._replayed_order
    this_thread = threading.local()

    def first_look_waits_for_the_other_request(*args: Any) -> Order | None:
        found = replayed_order(*args)
        if not hasattr(this_thread, "looked"):
            this_thread.looked = True
            both_looked.wait()
        return found

    monkeypatch.setattr(orders, "_replayed_order", first_look_waits_for_the_other_request)
    answers: list[Any] = []

    def send() -> None:
        body, key = order_body((mug.id, 1)), {"Idempotency-Key": "at-once"}
        answers.append(place(app.test_client(), customer, body, **key))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[0].get_json() == answers[1].get_json()
    replayed = sorted(answer.headers.get("Idempotent-Replayed", "no") for answer in answers)
    assert replayed == ["no", "true"]
    assert stock_of(app, mug.id) == 0
    assert order_count(app) == 1


def test_a_failed_order_does_not_use_up_the_key(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    mug = make_product(app, stock=1)
    key = {"Idempotency-Key": "retry-me"}
    assert place(client, customer, order_body((mug.id, 2)), **key).status_code == 409
    assert place(client, customer, order_body((mug.id, 1)), **key).status_code == 201


@pytest.mark.parametrize("key", ["x" * 256, "has space", "tab\tkey", ""])
def test_an_invalid_idempotency_key_is_422(app: Flask, client: FlaskClient, key: str) -> None:
    customer = customer_headers(app)
    mug = make_product(app)
    response = place(client, customer, order_body((mug.id, 1)), **{"Idempotency-Key": key})
    assert response.status_code == 422
    assert order_count(app) == 0


# --- reading and cancelling ---------------------------------------------------------


def test_customers_list_only_their_own_orders(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    mug = make_product(app, stock=10)
    other = customer_headers(app, "other@example.com")
    mine = place(client, customer, order_body((mug.id, 1))).get_json()
    place(client, other, order_body((mug.id, 1)))
    body = client.get("/api/orders/", headers=customer).get_json()
    assert [order["id"] for order in body["items"]] == [mine["id"]]
    assert body["total"] == 1


def test_the_order_list_is_newest_first_and_paginated(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    mug = make_product(app, stock=10)
    ids = [place(client, customer, order_body((mug.id, 1))).get_json()["id"] for _ in range(3)]
    response = client.get("/api/orders/?per_page=2", headers=customer)
    assert [o["id"] for o in response.get_json()["items"]] == ids[::-1][:2]
    assert 'rel="next"' in response.headers["Link"]


def test_an_order_has_many_lines_each_with_a_foreign_key_to_it(
    app: Flask, client: FlaskClient
) -> None:
    """One-to-many: each line holds its order's id, a foreign key the
    database enforces, and ``relationship(back_populates=...)`` reads them
    from both sides, ``order.lines`` in the order they were written."""
    customer = customer_headers(app)
    assert inspect(Order).relationships["lines"].direction is ONETOMANY
    assert inspect(OrderLine).relationships["order"].direction is MANYTOONE
    mug = make_product(app, name="Mug", stock=5)
    cup = make_product(app, name="Cup", stock=5)
    placed = place(client, customer, order_body((mug.id, 1), (cup.id, 2))).get_json()
    with app.app_context():
        order = db.session.get(Order, placed["id"])
        assert order is not None
        assert [(line.product_name, line.quantity) for line in order.lines] == [
            ("Mug", 1),
            ("Cup", 2),
        ]
        assert all(line.order is order for line in order.lines)
        db.session.add(
            OrderLine(
                order_id=order.id + 1000,
                product_id=mug.id,
                product_name="Mug",
                unit_price_cents=1299,
                quantity=1,
            )
        )
        with pytest.raises(IntegrityError, match=r"(?i)foreign key"):
            db.session.flush()
        db.session.rollback()


def test_the_order_list_runs_the_same_number_of_queries_for_any_size(
    app: Flask, client: FlaskClient
) -> None:
    customer = customer_headers(app)
    products = [make_product(app, name=f"P{n}", stock=100) for n in range(3)]

    def queries() -> int:
        with count_queries(app, db) as statements:
            assert client.get("/api/orders/?per_page=50", headers=customer).status_code == 200
        return len(statements)

    place(client, customer, order_body((products[0].id, 1)))
    few = queries()
    for _ in range(10):
        place(client, customer, order_body(*[(p.id, 1) for p in products]))
    assert queries() == few


def test_someone_elses_order_is_404_everywhere(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    mug = make_product(app, stock=10)
    other = customer_headers(app, "other@example.com")
    order_id = place(client, customer, order_body((mug.id, 1))).get_json()["id"]
    assert client.get(f"/api/orders/{order_id}", headers=other).status_code == 404
    response = client.post(f"/api/orders/{order_id}/cancel", headers=other)
    assert response.status_code == 404
    assert response.content_type == PROBLEM
    assert stock_of(app, mug.id) == 9


def test_cancel_gives_the_stock_back_and_twice_is_409(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    mug = make_product(app, stock=10)
    kettle = make_product(app, name="Kettle", stock=3)
    order_id = place(client, customer, order_body((mug.id, 4), (kettle.id, 3))).get_json()["id"]
    assert (stock_of(app, mug.id), stock_of(app, kettle.id)) == (6, 0)

    response = client.post(f"/api/orders/{order_id}/cancel", headers=customer)
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    assert (stock_of(app, mug.id), stock_of(app, kettle.id)) == (10, 3)

    again = client.post(f"/api/orders/{order_id}/cancel", headers=customer)
    assert again.status_code == 409
    assert again.content_type == PROBLEM
    assert (stock_of(app, mug.id), stock_of(app, kettle.id)) == (10, 3)


def test_a_missing_order_is_404(app: Flask, client: FlaskClient) -> None:
    customer = customer_headers(app)
    assert client.get("/api/orders/999", headers=customer).status_code == 404
    assert client.post("/api/orders/999/cancel", headers=customer).status_code == 404
