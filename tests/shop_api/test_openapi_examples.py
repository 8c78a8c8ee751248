"""Every refusal example in the OpenAPI document is a real answer: for each
operation and each problem it documents, the request below gets exactly the
example's body from the running code. An example that drifts from the code
(a new wording, a missing member such as ``shortages``) fails here.

A new operation is asked for as the others are: with a staff token if its
summary says "(staff)", as the documentation shows it; about the ids below
(``There is no product 4242.``); and, for a refusal of its own (a 409, a
422), with the request added to ``REQUESTS``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from shop_api.problems import PROBLEM
from tests.shop_api.factories import customer_headers, make_product, order_body, staff_headers

PRODUCT, MISSING_PRODUCT, MISSING_ORDER = 7, 4242, 42  # the ids the examples name
# The operation-specific refusals: (method, path, status) -> the request that
# gets it (repeated until it does, for 429), as client.open() keywords.
REQUESTS: dict[tuple[str, str, int], dict[str, Any]] = {
    ("POST", "/api/auth/register", 409): {
        "json": {"email": "ann@example.com", "password": "long enough pw"}
    },
    ("POST", "/api/auth/register", 422): {
        "json": {"email": "ann.example.com", "password": "long enough pw"}
    },
    ("POST", "/api/auth/register", 429): {
        "json": {"email": "ann@example.com", "password": "long enough pw"}
    },
    ("POST", "/api/auth/tokens", 401): {
        "json": {"email": "ann@example.com", "password": "a wrong password"}
    },
    ("POST", "/api/auth/tokens", 422): {"json": {"email": "ann@example.com"}},
    ("POST", "/api/auth/tokens", 429): {
        "json": {"email": "ann@example.com", "password": "a wrong password"}
    },
    ("PUT", "/api/auth/password", 403): {
        "json": {"current_password": "a wrong password", "new_password": "long enough pw"}
    },
    ("PUT", "/api/auth/password", 422): {
        "json": {"current_password": "a wrong password", "new_password": "short"}
    },
    ("PUT", "/api/auth/password", 429): {
        "json": {"current_password": "a wrong password", "new_password": "long enough pw"}
    },
    ("GET", "/api/products/", 422): {"query_string": {"sort": "cheapest"}},
    ("POST", "/api/products/", 422): {"json": {"name": "Mug", "price_cents": -1, "stock": 5}},
    ("PATCH", "/api/products/{product_id}", 412): {
        "json": {"stock": 1},
        "headers": {"If-Match": '"an-etag-read-before-a-change"'},
    },
    ("PATCH", "/api/products/{product_id}", 422): {"json": {}},
    ("GET", "/api/orders/", 422): {"query_string": {"page": 0}},
    ("POST", "/api/orders/", 409): {"json": order_body((PRODUCT, 3))},
    ("POST", "/api/orders/", 422): {"json": {"items": []}},
    ("POST", "/api/orders/{order_id}/cancel", 409): {},  # the order is cancelled first
}


# What a valid request of each method sends (a 404 or a 401 comes before
# anything is read; a PATCH needs one change to get past validation).
VALID_BODIES: dict[str, Any] = {"GET": None, "PATCH": {"stock": 1}}


def documented_refusals(document: dict[str, Any]) -> Iterator[tuple[str, str, int, Any, bool]]:
    """(method, path, status, example, staff only) for every problem example."""
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":  # shared by the path's operations, not one
                continue
            for status, response in operation["responses"].items():
                example = response.get("content", {}).get(PROBLEM, {}).get("example")
                if example is not None:
                    staff_only = "(staff)" in operation["summary"]
                    yield method.upper(), path, int(status), example, staff_only


def request_for(
    method: str, path: str, status: int, *, staff_only: bool, tokens: dict[str, Any], order: int
) -> tuple[str, dict[str, Any]]:
    """The URL and client.open() keywords of a request that gets ``status``."""
    ids = {"product_id": PRODUCT, "order_id": order}
    if status == 404:
        ids = {"product_id": MISSING_PRODUCT, "order_id": MISSING_ORDER}
    url = re.sub(r"{(\w+)}", lambda match: str(ids[match.group(1)]), path)
    headers = (
        {} if status == 401 else tokens["customer" if status == 403 or not staff_only else "staff"]
    )
    options = REQUESTS.get((method, path, status))
    if options is None:  # a refusal any operation of its kind gets
        options = {"json": VALID_BODIES.get(method, {})}
        if status == 400:
            options = {"data": "{not json", "content_type": "application/json"}
        if status == 413:  # a byte over MAX_CONTENT_LENGTH's default
            options = {"data": "x" * 100_001, "content_type": "application/json"}
        if status == 415:
            options = {"data": "not json", "content_type": "text/plain"}
    return url, {**options, "headers": headers | options.get("headers", {})}


def test_every_refusal_example_is_what_the_code_answers(app: Flask, client: FlaskClient) -> None:
    tokens = {"customer": customer_headers(app, "ann@example.com"), "staff": staff_headers(app)}
    make_product(app, id=PRODUCT, name="Espresso cup", stock=1)
    body = order_body((PRODUCT, 1))
    order = client.post("/api/orders/", json=body, headers=tokens["customer"]).get_json()
    client.post(f"/api/orders/{order['id']}/cancel", headers=tokens["customer"])
    document = client.get("/api/openapi.json").get_json()

    compared, mismatches = 0, {}
    for method, path, status, example, staff_only in documented_refusals(document):
        url, options = request_for(
            method, path, status, staff_only=staff_only, tokens=tokens, order=order["id"]
        )
        answer = client.open(url, method=method, **options)
        for _ in range(40 if status == 429 else 0):  # until the limit is reached
            if answer.status_code == 429:
                break
            answer = client.open(url, method=method, **options)
        if (answer.status_code, answer.get_json()) != (status, example):
            mismatches[f"{method} {path} {status}"] = {
                "real": answer.get_json(),
                "example": example,
            }
        compared += 1
    assert mismatches == {}
    assert compared >= 40  # every operation's refusals, not a few
