"""Products: the public list and detail, and staff create and patch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from shop_api import schemas
from shop_api.api import products as products_api
from shop_api.api.products import ProductItem, Products
from shop_api.extensions import db
from shop_api.models import Product
from shop_api.services import ShopError
from shop_api.services import products as products_service
from tests.shop_api.factories import customer_headers, make_product, order_body, staff_headers

PROBLEM = "application/problem+json"
NEW_PRODUCT = {
    "name": "Hand grinder",
    "description": "Burr grinder.",
    "price_cents": 5999,
    "currency": "EUR",
    "stock": 8,
}


def names(response: Any) -> list[str]:
    return [item["name"] for item in response.get_json()["items"]]


def test_list_shape(app: Flask, client: FlaskClient) -> None:
    product = make_product(app)
    response = client.get("/api/products/")
    assert response.status_code == 200
    assert response.get_json() == {
        "items": [
            {
                "id": product.id,
                "name": "Ceramic mug",
                "description": "Holds coffee.",
                "price_cents": 1299,
                "currency": "EUR",
                "stock": 10,
            }
        ],
        "page": 1,
        "per_page": 20,
        "total": 1,
        "pages": 1,
    }


def test_an_empty_list(client: FlaskClient) -> None:
    body = client.get("/api/products/").get_json()
    assert body == {"items": [], "page": 1, "per_page": 20, "total": 0, "pages": 0}


def test_pagination_and_link_headers(app: Flask, client: FlaskClient) -> None:
    for n in range(5):
        make_product(app, name=f"Product {n}")
    first = client.get("/api/products/?per_page=2")
    assert names(first) == ["Product 0", "Product 1"]
    assert first.get_json()["pages"] == 3
    link = first.headers["Link"]
    assert '</api/products/?page=2&per_page=2&sort=name>; rel="next"' in link
    assert 'rel="prev"' not in link
    assert '</api/products/?page=3&per_page=2&sort=name>; rel="last"' in link

    middle = client.get("/api/products/?per_page=2&page=2")
    assert 'rel="prev"' in middle.headers["Link"]
    assert 'rel="next"' in middle.headers["Link"]
    last = client.get("/api/products/?per_page=2&page=3")
    assert names(last) == ["Product 4"]
    assert 'rel="next"' not in last.headers["Link"]


def test_a_page_past_the_end_is_empty(app: Flask, client: FlaskClient) -> None:
    make_product(app)
    body = client.get("/api/products/?page=5").get_json()
    assert body["items"] == []
    assert body["page"] == 5


def test_per_page_is_capped_at_100(app: Flask, client: FlaskClient) -> None:
    assert client.get("/api/products/?per_page=500").get_json()["per_page"] == 100


def test_filters_and_sorting(app: Flask, client: FlaskClient) -> None:
    now = datetime.now(UTC)
    make_product(app, name="Mug", price_cents=1000, stock=0, created_at=now - timedelta(days=2))
    make_product(app, name="Big mug", price_cents=3000, stock=5, created_at=now - timedelta(days=1))
    make_product(app, name="Kettle", price_cents=2000, stock=1, created_at=now)
    assert names(client.get("/api/products/?q=MUG")) == ["Big mug", "Mug"]
    in_stock = client.get("/api/products/?in_stock=true&per_page=1")
    assert names(in_stock) == ["Big mug"]
    assert "in_stock=true" in in_stock.headers["Link"]
    assert names(client.get("/api/products/?in_stock=true")) == ["Big mug", "Kettle"]
    assert names(client.get("/api/products/?in_stock=false")) == ["Mug"]
    assert names(client.get("/api/products/?sort=price")) == ["Mug", "Kettle", "Big mug"]
    assert names(client.get("/api/products/?sort=-price")) == ["Big mug", "Kettle", "Mug"]
    assert names(client.get("/api/products/?sort=-name")) == ["Mug", "Kettle", "Big mug"]
    assert names(client.get("/api/products/?sort=newest")) == ["Kettle", "Big mug", "Mug"]


def test_search_treats_wildcards_literally(app: Flask, client: FlaskClient) -> None:
    make_product(app, name="100% cotton bag")
    make_product(app, name="1000 filters")
    assert names(client.get("/api/products/?q=100%25")) == ["100% cotton bag"]


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=abc",
        "per_page=0",
        "sort=popular",
        "in_stock=maybe",
        "colour=red",
        "page=99999999999999999999",
        "q=" + "x" * 101,
    ],
)
def test_invalid_query_parameters_are_422(client: FlaskClient, query: str) -> None:
    response = client.get(f"/api/products/?{query}")
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    assert response.get_json()["errors"]


def test_detail(app: Flask, client: FlaskClient) -> None:
    product = make_product(app)
    response = client.get(f"/api/products/{product.id}")
    assert response.status_code == 200
    assert response.get_json()["name"] == "Ceramic mug"


def test_mvc_the_product_view_hands_the_model_to_its_schema(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MVC in an API: the model (a ``Product`` row), the view function
    (``ProductItem.get``, MVC's controller) that loads it, and the marshmallow
    schema that writes it as JSON, where a page would render a template."""
    product = make_product(app)
    given: list[object] = []
    dump = schemas.ProductSchema.dump

    def record(schema: schemas.ProductSchema, obj: object, **kwargs: Any) -> Any:
        given.append(obj)
        return dump(schema, obj, **kwargs)

    monkeypatch.setattr(schemas.ProductSchema, "dump", record)
    response = client.get(f"/api/products/{product.id}")
    assert [type(obj) for obj in given] == [Product]
    assert response.get_json() == dump(schemas.ProductSchema(), given[0])
    assert response.get_json()["name"] == "Ceramic mug"


@pytest.mark.parametrize("product_id", ["999", "0", "99999999999999999999", "abc"])
def test_missing_product_is_a_404_problem(client: FlaskClient, product_id: str) -> None:
    response = client.get(f"/api/products/{product_id}")
    assert response.status_code == 404
    assert response.content_type == PROBLEM


def test_staff_create_a_product(app: Flask, client: FlaskClient) -> None:
    response = client.post("/api/products/", json=NEW_PRODUCT, headers=staff_headers(app))
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/api/products/{body['id']}"
    assert {k: body[k] for k in NEW_PRODUCT} == NEW_PRODUCT
    assert client.get(response.headers["Location"]).get_json() == body


def test_a_new_products_name_loses_the_spaces_around_it(app: Flask, client: FlaskClient) -> None:
    body = {**NEW_PRODUCT, "name": "  Hand grinder "}
    response = client.post("/api/products/", json=body, headers=staff_headers(app))
    assert response.status_code == 201
    assert response.get_json()["name"] == "Hand grinder"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "\u200b\ufeff"}, "name"),  # zero-width space, BOM: nothing shows
        ({"name": "x" * 201}, "name"),
        ({"price_cents": -1}, "price_cents"),
        ({"price_cents": 12.5}, "price_cents"),
        ({"price_cents": "1299"}, "price_cents"),
        ({"price_cents": 10_000_001}, "price_cents"),
        ({"stock": -3}, "stock"),
        ({"stock": True}, "stock"),
        ({"currency": "USD"}, "currency"),
        ({"currency": "eur"}, "currency"),
        ({"currency": 978}, "currency"),
        ({"id": 7}, "id"),
        ({"description": "x" * 5001}, "description"),
    ],
)
def test_create_refuses_invalid_fields(
    app: Flask, client: FlaskClient, change: dict[str, Any], field: str
) -> None:
    response = client.post(
        "/api/products/", json={**NEW_PRODUCT, **change}, headers=staff_headers(app)
    )
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert client.get("/api/products/").get_json()["total"] == 0


@pytest.mark.parametrize("missing", ["name", "price_cents", "stock"])
def test_create_requires_fields(app: Flask, client: FlaskClient, missing: str) -> None:
    body = {k: v for k, v in NEW_PRODUCT.items() if k != missing}
    response = client.post("/api/products/", json=body, headers=staff_headers(app))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {missing: ["Missing data for required field."]}


def test_staff_patch_a_product(app: Flask, client: FlaskClient) -> None:
    product = make_product(app)
    response = client.patch(
        f"/api/products/{product.id}",
        json={"price_cents": 1499, "stock": 3, "name": "  Big mug "},
        headers=staff_headers(app),
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["name"], body["price_cents"], body["stock"]) == ("Big mug", 1499, 3)
    assert body["description"] == "Holds coffee."


def test_a_patch_with_the_etag_read_applies_and_one_with_a_stale_etag_is_412(
    app: Flask, client: FlaskClient
) -> None:
    staff, customer = staff_headers(app), customer_headers(app)
    product = make_product(app, stock=2)
    read = client.get(f"/api/products/{product.id}")
    etag = read.headers["ETag"]
    assert etag.strip('"') == etag_of_product(app, product.id)  # the check sees the GET's ETag
    # A sale after the read: staff who set 12 meaning "2 + 10" would erase it.
    assert (
        client.post("/api/orders/", json=order_body((product.id, 1)), headers=customer).status_code
        == 201
    )
    stale = client.patch(
        f"/api/products/{product.id}", json={"stock": 12}, headers={**staff, "If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.content_type == "application/problem+json"
    assert "changed since the ETag you sent was read" in stale.get_json()["detail"]
    again = client.get(f"/api/products/{product.id}")
    assert again.get_json()["stock"] == 1  # the sale stands
    fresh = client.patch(
        f"/api/products/{product.id}",
        json={"stock": 11},
        headers={**staff, "If-Match": again.headers["ETag"]},
    )
    assert fresh.status_code == 200
    assert fresh.get_json()["stock"] == 11
    # Behind nginx, a gzipped answer's ETag comes weak: W/"..." is the same tag.
    weak = client.get(f"/api/products/{product.id}").headers["ETag"]
    as_gzipped = client.patch(
        f"/api/products/{product.id}",
        json={"stock": 10},
        headers={**staff, "If-Match": f"W/{weak}"},
    )
    assert as_gzipped.status_code == 200
    # "*" asks only that the product exists: no ETag to compare, nothing refused.
    sale = client.post("/api/orders/", json=order_body((product.id, 1)), headers=customer)
    assert sale.status_code == 201
    anything = client.patch(
        f"/api/products/{product.id}", json={"stock": 5}, headers={**staff, "If-Match": "*"}
    )
    assert anything.status_code == 200
    assert anything.get_json()["stock"] == 5


def test_a_change_between_the_etag_check_and_the_update_is_412_too(app: Flask) -> None:
    """The check and the write are one conditional UPDATE, as an order's are:
    a sale committed after the view compared the ETag is not overwritten."""
    product_id = make_product(app, stock=2).id
    with app.app_context():
        as_read = db.session.get(Product, product_id)
        assert as_read is not None
        assert as_read.stock == 2
        with db.engine.begin() as other:  # another request's sale, committed meanwhile
            other.execute(update(Product).where(Product.id == product_id).values(stock=1))
        with pytest.raises(ShopError) as refused:
            products_service.update_product(as_read, {"stock": 12}, as_read=True)
        assert refused.value.status == 412
        assert db.session.get(Product, product_id).stock == 1


def etag_of_product(app: Flask, product_id: int) -> str:
    with app.test_request_context():
        return products_api.etag_of(db.session.get(Product, product_id))


@pytest.mark.parametrize(
    "body", [{}, {"currency": "EUR"}, {"id": 3}, {"stock": -1}, {"price_cents": None}]
)
def test_patch_refuses_empty_or_invalid_changes(
    app: Flask, client: FlaskClient, body: dict
) -> None:  # type: ignore[type-arg]
    product = make_product(app)
    response = client.patch(f"/api/products/{product.id}", json=body, headers=staff_headers(app))
    assert response.status_code == 422
    assert client.get(f"/api/products/{product.id}").get_json()["price_cents"] == 1299


def test_patch_a_missing_product_is_404(app: Flask, client: FlaskClient) -> None:
    response = client.patch("/api/products/999", json={"stock": 1}, headers=staff_headers(app))
    assert response.status_code == 404


def test_customers_cannot_create_or_patch(app: Flask, client: FlaskClient) -> None:
    product = make_product(app)
    customer = customer_headers(app)
    assert client.post("/api/products/", json=NEW_PRODUCT, headers=customer).status_code == 403
    response = client.patch(f"/api/products/{product.id}", json={"stock": 0}, headers=customer)
    assert response.status_code == 403
    assert response.content_type == PROBLEM
    assert client.get(f"/api/products/{product.id}").get_json()["stock"] == 10


def test_currency_may_be_left_out(app: Flask, client: FlaskClient) -> None:
    body = {k: v for k, v in NEW_PRODUCT.items() if k != "currency"}
    response = client.post("/api/products/", json=body, headers=staff_headers(app))
    assert response.status_code == 201
    assert response.get_json()["currency"] == "EUR"


@pytest.mark.parametrize(
    ("resource", "url", "verbs"),
    [
        (Products, "/api/products/", {"GET", "POST"}),
        (ProductItem, "/api/products/1", {"GET", "PATCH"}),
    ],
)
def test_a_method_view_answers_the_verbs_its_class_defines_and_405_for_the_rest(
    client: FlaskClient, resource: type, url: str, verbs: set[str]
) -> None:
    assert resource.methods == verbs  # MethodView reads them from get(), post(), patch()...
    response = client.delete(url)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == verbs | {"HEAD", "OPTIONS"}
    # A method HTTP does not define gets the same answer, problem+json and all
    # (shared/metrics.py makes it without counting it).
    made_up = client.open(url, method="BREW")
    assert made_up.status_code == 405
    assert made_up.content_type == "application/problem+json"
    assert made_up.get_json() == response.get_json()
    assert made_up.headers["Allow"] == response.headers["Allow"]
    assert made_up.headers["X-Content-Type-Options"] == "nosniff"
