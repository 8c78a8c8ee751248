"""Every refusal of the API is problem JSON (RFC 9457), from one handler
(shop_api/problems.py), whatever raised it: routing, a schema, a rule or a crash."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shop_api import create_app
from shop_api.extensions import db
from shop_api.models import Product
from tests.app_fixtures import app_on_fresh_tables
from tests.shop_api.factories import make_product, staff_headers

PROBLEM = "application/problem+json"


def test_an_unknown_address_is_a_404_problem(client: FlaskClient) -> None:
    response = client.get("/api/no/such/thing")
    assert response.status_code == 404
    assert response.content_type == PROBLEM
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "There is nothing here. The address may be mistyped, or the page was removed.",
    }


def test_a_path_without_its_slash_is_answered_in_json_not_redirected_to_an_html_page(
    app: Flask, client: FlaskClient
) -> None:
    make_product(app)
    listed = client.get("/api/products")
    assert listed.status_code == 200
    assert listed.get_json()["total"] == 1
    refused = client.post("/api/products", json={"name": ""}, headers=staff_headers(app))
    assert refused.status_code == 422
    assert refused.content_type == PROBLEM
    doubled = client.get("/api//products/")
    assert doubled.status_code == 404
    assert doubled.content_type == PROBLEM


def test_field_errors_name_each_field(app: Flask, client: FlaskClient) -> None:
    response = client.post("/api/products/", json={"name": ""}, headers=staff_headers(app))
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body["title"] == "Unprocessable Entity"
    assert body["detail"] == "The request body is not valid."
    assert set(body["errors"]) >= {"name", "price_cents", "stock"}


def test_a_405_keeps_the_allow_header(client: FlaskClient) -> None:
    response = client.put("/api/products/")
    assert response.status_code == 405
    assert response.content_type == PROBLEM
    assert response.get_json()["status"] == 405
    assert "GET" in response.headers["Allow"]


@pytest.fixture
def failing_app(database_url: str) -> Iterator[Flask]:
    settings = {"PROPAGATE_EXCEPTIONS": False}  # a real server's behaviour, not a test's
    with app_on_fresh_tables(create_app, db, database_url, **settings) as app:

        def boom() -> str:
            db.session.add(Product(name="half", price_cents=1, currency="EUR", stock=1))
            db.session.flush()
            raise RuntimeError("secret internal detail")

        def clash(product_id: int) -> str:
            db.session.add(Product(id=product_id, name="twin", price_cents=1, currency="EUR"))
            db.session.commit()  # the id is taken: the flush fails
            return "saved"

        app.add_url_rule("/api/boom", "boom", boom)
        app.add_url_rule("/api/clash/<int:product_id>", "clash", clash, methods=["POST"])
        yield app


def test_a_500_shows_no_traceback_and_keeps_nothing_half_written(failing_app: Flask) -> None:
    response = failing_app.test_client().get("/api/boom")
    assert response.status_code == 500
    assert response.content_type == PROBLEM
    text = response.get_data(as_text=True)
    assert "secret" not in text
    assert "Traceback" not in text
    with failing_app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Product)) == 0


def test_a_failed_flush_is_a_500_problem_and_the_next_request_is_unharmed(
    failing_app: Flask,
) -> None:
    # No rollback in the handler: nothing in a problem answer reads the database,
    # and Flask-SQLAlchemy removes the session when the application context ends.
    product = make_product(failing_app, name="Mug")
    client = failing_app.test_client()
    response = client.post(f"/api/clash/{product.id}")
    assert response.status_code == 500
    assert response.content_type == PROBLEM
    assert client.get(f"/api/products/{product.id}").get_json()["name"] == "Mug"
