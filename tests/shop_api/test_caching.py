"""Caching of products, on both sides, never stale.

On the server, Flask-Caching keeps whole product answers (on here:
SimpleCache) under the catalogue's version, and every write that changes a
product or its stock replaces the version. Towards clients, the answers are
public and revalidated by ETag (``no-cache``): a changed price or stock changes
the ETag, so a client can never be shown a price we no longer charge. Across
processes, RedisCache carries an invalidation to every worker. A cache that
cannot be reached costs speed, never a write.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from shop_api import create_app
from shop_api.api import products as products_api
from shop_api.commands import DEMO_PRODUCTS
from shop_api.extensions import db
from tests.app_fixtures import app_on_fresh_tables
from tests.query_count import count_queries
from tests.servers import HAS_REDIS_SERVER, free_port, redis_server, serve
from tests.shop_api.factories import customer_headers, make_product, order_body, staff_headers

PRODUCT_URLS = ("/api/products/", "/api/products/{id}")


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """The shop with its cache on, as the demo runs it."""
    with app_on_fresh_tables(create_app, db, database_url, CACHE_TYPE="SimpleCache") as app:
        yield app


@pytest.mark.parametrize("url", PRODUCT_URLS)
def test_a_second_read_is_answered_from_the_cache(
    app: Flask, client: FlaskClient, url: str
) -> None:
    product = make_product(app)
    first = client.get(url.format(id=product.id))
    with count_queries(app, db) as statements:
        again = client.get(url.format(id=product.id))
    assert statements == []
    assert again.get_json() == first.get_json()


def test_each_page_and_filter_is_its_own_cached_answer(app: Flask, client: FlaskClient) -> None:
    make_product(app, name="Mug", stock=0)
    make_product(app, name="Tea", stock=5)
    everything = client.get("/api/products/").get_json()
    in_stock = client.get("/api/products/?in_stock=true").get_json()
    assert [p["name"] for p in everything["items"]] == ["Mug", "Tea"]
    assert [p["name"] for p in in_stock["items"]] == ["Tea"]


def test_the_same_parameters_in_another_order_are_their_own_cached_answer(
    app: Flask, client: FlaskClient
) -> None:
    # The view reads the first of a repeated parameter: so does the key, where
    # Flask-Caching's query_string=True would sort them.
    make_product(app, name="Cheap", price_cents=1)
    make_product(app, name="Dear", price_cents=999)
    cheap_first = client.get("/api/products/?sort=price&sort=-price").get_json()
    dear_first = client.get("/api/products/?sort=-price&sort=price").get_json()
    assert [p["name"] for p in cheap_first["items"]] == ["Cheap", "Dear"]
    assert [p["name"] for p in dear_first["items"]] == ["Dear", "Cheap"]


def test_parameters_the_detail_does_not_read_are_answered_from_the_same_entry(
    app: Flask, client: FlaskClient
) -> None:
    """Else anyone could fill the cache with ?junk=1, ?junk=2..."""
    read = f"/api/products/{make_product(app).id}"
    client.get(read)
    with count_queries(app, db) as statements:
        for junk in range(3):
            assert client.get(f"{read}?junk={junk}").status_code == 200
    assert statements == []


def test_the_list_refuses_an_unknown_parameter_before_the_cache_is_asked(
    app: Flask, client: FlaskClient
) -> None:
    """The same 422 as with the cache off, whatever is cached: a refusal
    first is not kept as everyone's page, and a cached page does not hide it."""
    make_product(app)
    refused = client.get("/api/products/?junk=1")
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"junk": ["Unknown field."]}
    assert client.get("/api/products/").status_code == 200
    with count_queries(app, db) as statements:
        assert client.get("/api/products/?junk=2").status_code == 422
    assert statements == []


@pytest.mark.parametrize("url", PRODUCT_URLS)
def test_every_write_to_a_product_clears_the_cached_reads(
    app: Flask, client: FlaskClient, url: str
) -> None:
    product = make_product(app, stock=10, price_cents=1299)
    customer, staff = customer_headers(app), staff_headers(app)
    read = url.format(id=product.id)

    def shown() -> dict[str, int]:
        body = client.get(read).get_json()
        item = body["items"][0] if "items" in body else body
        return {"stock": item["stock"], "price_cents": item["price_cents"]}

    assert shown() == {"stock": 10, "price_cents": 1299}
    placed = client.post("/api/orders/", json=order_body((product.id, 3)), headers=customer)
    assert shown() == {"stock": 7, "price_cents": 1299}  # an order
    client.post(f"/api/orders/{placed.get_json()['id']}/cancel", headers=customer)
    assert shown() == {"stock": 10, "price_cents": 1299}  # a cancel
    client.patch(f"/api/products/{product.id}", json={"price_cents": 999}, headers=staff)
    assert shown() == {"stock": 10, "price_cents": 999}  # an edit


@pytest.mark.parametrize(
    ("url", "querying_function"),
    [("/api/products/", "paginated"), ("/api/products/{id}", "product_or_404")],
)
def test_a_read_that_queried_before_a_write_does_not_leave_its_answer_cached(
    app: Flask,
    client: FlaskClient,
    url: str,
    querying_function: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The gap a cleared cache leaves: a read queries, a staff edit commits and
    invalidates, and only then does the read store its older answer."""
    product = make_product(app, price_cents=1299)
    read = url.format(id=product.id)
    queried, edited = threading.Event(), threading.Event()
    query = getattr(products_api, querying_function)

    def query_then_wait_for_the_edit(*args: object) -> object:
        answer = query(*args)
        if threading.current_thread() is reader:
            queried.set()
            assert edited.wait(10)
        return answer

    monkeypatch.setattr(products_api, querying_function, query_then_wait_for_the_edit)
    answers = []
    reader = threading.Thread(target=lambda: answers.append(app.test_client().get(read)))
    reader.start()
    assert queried.wait(10)
    edit = client.patch(
        f"/api/products/{product.id}", json={"price_cents": 999}, headers=staff_headers(app)
    )
    assert edit.status_code == 200
    edited.set()
    reader.join(10)
    assert not reader.is_alive()
    assert answers, "the paused read did not answer"
    assert "1299" in answers[0].get_data(as_text=True)  # it did answer with the old price

    body = client.get(read).get_json()
    item = body["items"][0] if "items" in body else body
    assert item["price_cents"] == 999


def test_a_write_stands_when_the_cache_is_down(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Reads go to the database, and a committed write is answered as such
    (never a 500 that a client could retry as a second order)."""
    nothing_listens = f"redis://127.0.0.1:{free_port()}/0"
    settings = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": nothing_listens}
    with app_on_fresh_tables(create_app, db, database_url, **settings) as shop:
        product = make_product(shop, stock=5)
        client = shop.test_client()
        assert client.get(f"/api/products/{product.id}").get_json()["stock"] == 5
        placed = client.post(
            "/api/orders/", json=order_body((product.id, 2)), headers=customer_headers(shop)
        )
        assert placed.status_code == 201
        changed = client.patch(
            f"/api/products/{product.id}", json={"price_cents": 999}, headers=staff_headers(shop)
        )
        assert changed.status_code == 200
        shown = client.get(f"/api/products/{product.id}").get_json()
    assert (shown["stock"], shown["price_cents"]) == (3, 999)
    failures = [r for r in caplog.records if "could not be invalidated" in r.getMessage()]
    assert len(failures) == 2
    assert all(record.levelname == "ERROR" for record in failures)


def test_a_new_product_appears_in_a_cached_list(app: Flask, client: FlaskClient) -> None:
    assert client.get("/api/products/").get_json()["total"] == 0
    created = client.post(
        "/api/products/",
        json={"name": "Kettle", "price_cents": 4999, "stock": 3},
        headers=staff_headers(app),
    )
    assert created.status_code == 201
    assert client.get("/api/products/").get_json()["total"] == 1


def test_seeding_the_demo_clears_the_cached_reads(
    client: FlaskClient, runner: FlaskCliRunner
) -> None:
    # docs/deploy.md seeds a running stack: what it had cached before must go.
    assert client.get("/api/products/").get_json()["total"] == 0
    assert client.get("/api/products/1").status_code == 404
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert client.get("/api/products/").get_json()["total"] == len(DEMO_PRODUCTS)
    assert client.get("/api/products/1").status_code == 200


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
def test_a_read_whose_if_match_names_another_version_is_a_412_problem(
    app: Flask, client: FlaskClient, url: str
) -> None:
    read = url.format(id=make_product(app).id)
    current = client.get(read).headers["ETag"]
    assert client.get(read, headers={"If-Match": current}).status_code == 200
    refused = client.get(read, headers={"If-Match": '"an-older-version"'})
    assert refused.status_code == 412
    assert refused.content_type == "application/problem+json"  # not the product's JSON
    assert refused.get_json()["detail"] == "None of the ETags in If-Match is the current one."


@pytest.mark.parametrize("url", PRODUCT_URLS)
def test_a_head_has_the_headers_of_a_get_and_revalidates_as_one(
    app: Flask, client: FlaskClient, url: str
) -> None:
    read = url.format(id=make_product(app).id)
    head = client.head(read)
    assert head.status_code == 200
    assert head.headers["Cache-Control"] == "public, no-cache"
    assert head.headers["ETag"] == client.get(read).headers["ETag"]
    assert client.head(read, headers={"If-None-Match": head.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("url", PRODUCT_URLS)
@pytest.mark.parametrize(("cache_type", "queried"), [("NullCache", True), ("SimpleCache", False)])
def test_a_304_saves_the_body_not_the_query_unless_the_cache_answers(
    database_url: str, url: str, cache_type: str, queried: bool
) -> None:
    # The ETag is compared after the answer is made (revalidated_by_etag):
    # without the server's cache, a 304 costs the same queries as a 200.
    with app_on_fresh_tables(create_app, db, database_url, CACHE_TYPE=cache_type) as shop:
        read = url.format(id=make_product(shop).id)
        client = shop.test_client()
        etag = client.get(read).headers["ETag"]
        with count_queries(shop, db) as statements:
            assert client.get(read, headers={"If-None-Match": etag}).status_code == 304
    assert bool(statements) is queried


@pytest.mark.parametrize("url", PRODUCT_URLS)
def test_a_new_price_is_never_answered_with_a_stale_304(
    app: Flask, client: FlaskClient, url: str
) -> None:
    product = make_product(app, price_cents=1299)
    first = client.get(url.format(id=product.id))
    changed = client.patch(
        f"/api/products/{product.id}", json={"price_cents": 1499}, headers=staff_headers(app)
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
        "/api/orders/", json=order_body((product.id, 3)), headers=customer_headers(app)
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
        "/api/orders/", json=order_body((product.id, 1)), headers=customer_headers(app)
    )
    assert placed.headers["Cache-Control"] == "no-store"
    assert "ETag" not in placed.headers


@pytest.mark.skipif(not HAS_REDIS_SERVER, reason="needs redis-server on PATH")
def test_a_change_in_one_worker_is_never_served_stale_by_another(
    database_url: str, tmp_path: Path
) -> None:
    """Two gunicorn workers, one RedisCache: both have cached the product;
    an order or a new price through either is served by both."""
    with (
        redis_server(tmp_path) as redis,
        app_on_fresh_tables(create_app, db, database_url) as app,
    ):
        product = make_product(app, stock=50)
        token = customer_headers(app)["Authorization"]
        staff = staff_headers(app)["Authorization"]
        port = free_port()
        env = {
            **os.environ,
            "SHOP_API_DATABASE_URL": database_url,
            "SHOP_API_CACHE_TYPE": "RedisCache",
            "SHOP_API_CACHE_REDIS_URL": redis.url,
            "SHOP_API_RATELIMIT_ENABLED": "false",
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
        ]
        base = f"http://127.0.0.1:{port}"
        with serve(
            [*command, "shop_api:create_app()"],
            env,
            log=tmp_path / "gunicorn.log",
            ready_url=f"{base}/healthz",
        ):
            url = f"{base}/api/products/{product.id}"
            for expected in (50, 49, 48):
                # Many reads: each worker answers some, from its cache once warm.
                stocks = {read_json(url)["stock"] for _ in range(20)}
                assert stocks == {expected}
                place_one(base, token, product.id)
            for price in (1499, 999):
                change_price(url, staff, price)
                assert {read_json(url)["price_cents"] for _ in range(20)} == {price}


def change_price(url: str, authorization: str, price_cents: int) -> None:
    request = urllib.request.Request(  # noqa: S310 -- our own server
        url,
        data=json.dumps({"price_cents": price_cents}).encode(),
        headers={"Authorization": authorization, "Content-Type": "application/json"},
        method="PATCH",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 200


def read_json(url: str) -> dict[str, int]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 -- our own server
        return json.loads(response.read())  # type: ignore[no-any-return]


def place_one(base: str, authorization: str, product_id: int) -> None:
    request = urllib.request.Request(  # noqa: S310 -- our own server
        f"{base}/api/orders/",
        data=json.dumps(order_body((product_id, 1))).encode(),
        headers={"Authorization": authorization, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 201
