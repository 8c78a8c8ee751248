"""The OpenAPI document (flask-smorest's) is valid, made from the same
marshmallow schemas that validate requests, and covers every API route."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from openapi_spec_validator import validate
from werkzeug.http import HTTP_STATUS_CODES

from shared.commands import DEMO_PASSWORD
from shop_api.api import auth, orders, products
from shop_api.schemas import ProductUpdateSchema
from tests.shop_api.factories import customer_headers, make_product, order_body


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_document_is_valid_openapi_3(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"].startswith("3.")


def test_every_api_rule_is_documented(app: Flask, document: dict[str, Any]) -> None:
    documented = {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
        if method != "parameters"
    }
    resources = {blueprint.name for blueprint in (auth.blp, products.blp, orders.blp)}
    routes = {
        (re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.partition(".")[0] in resources
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert len(routes) == 13  # the contract's operations, and the two "log out" ones
    assert routes == documented


def test_bearer_scheme_and_protected_operations(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    place_order = document["paths"]["/api/orders/"]["post"]
    assert place_order["security"] == [{"bearerAuth": []}]
    assert "security" not in document["paths"]["/api/products/"]["get"]


def test_error_responses_are_problem_json(document: dict[str, Any]) -> None:
    responses = document["paths"]["/api/orders/"]["post"]["responses"]
    for status in ("400", "401", "409", "415", "422"):
        content = responses[status]["content"]
        assert list(content) == ["application/problem+json"]
        assert content["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }
    assert "WWW-Authenticate" in responses["401"]["headers"]
    stock = responses["409"]["content"]["application/problem+json"]["example"]
    assert stock["detail"].startswith("Not enough stock for")


def test_every_refusal_shows_an_example_with_its_own_status_and_title(
    document: dict[str, Any],
) -> None:
    seen = set()
    for path, operations in document["paths"].items():
        for method, described in operations.items():
            if method == "parameters":  # shared by the path's operations
                continue
            for status, response in described["responses"].items():
                problem = response.get("content", {}).get("application/problem+json")
                if problem is None:
                    continue
                example = problem["example"]
                where = f"{method.upper()} {path} {status}"
                assert example["status"] == int(status), where
                assert example["title"] == HTTP_STATUS_CODES[int(status)], where
                assert example["detail"], where
                seen.add(int(status))
    assert seen >= {400, 401, 403, 404, 409, 415, 422, 429}
    registration = document["paths"]["/api/auth/register"]["post"]["responses"]["409"]
    example = registration["content"]["application/problem+json"]["example"]
    assert example["detail"] == "An account with this e-mail already exists."


def test_every_operation_that_reads_a_body_documents_413(document: dict[str, Any]) -> None:
    reading = [
        (method, path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if method != "parameters" and "requestBody" in operation
    ]
    assert len(reading) >= 5
    for method, path in reading:
        assert "413" in document["paths"][path][method]["responses"], f"{method} {path}"


def test_every_list_documents_the_link_header_it_sends(
    app: Flask, client: FlaskClient, document: dict[str, Any]
) -> None:
    customer = customer_headers(app)
    mug = make_product(app)
    client.post("/api/orders/", json=order_body((mug.id, 1)), headers=customer)
    for path in ("/api/products/", "/api/orders/"):
        assert "Link" in client.get(path, headers=customer).headers
        assert "Link" in document["paths"][path]["get"]["responses"]["200"]["headers"], path


def test_every_product_read_documents_its_etag_and_304(
    app: Flask, client: FlaskClient, document: dict[str, Any]
) -> None:
    mug = make_product(app)
    for path in ("/api/products/", "/api/products/{product_id}"):
        url = path.format(product_id=mug.id)
        etag = client.get(url).headers["ETag"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        responses = document["paths"][path]["get"]["responses"]
        assert "ETag" in responses["200"]["headers"], path
        assert "ETag" in responses["304"]["headers"], path
        assert "content" not in responses["304"], path  # a 304 has no body


def test_schemas_come_from_the_marshmallow_classes(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    item = schemas["OrderItem"]
    assert item["required"] == ["product_id", "quantity"]
    assert item["properties"]["quantity"]["maximum"] == 1000
    assert item["additionalProperties"] is False
    assert set(schemas["Product"]["properties"]) == {
        "id",
        "name",
        "description",
        "price_cents",
        "currency",
        "stock",
    }


def test_the_schema_that_documents_a_body_is_the_one_that_validates_it(
    app: Flask, client: FlaskClient
) -> None:
    # The same class: a rule added to ProductUpdateSchema is in the document
    # and refuses requests, with no second declaration to forget.
    document = client.get("/api/openapi.json").get_json()
    patch = document["paths"]["/api/products/{product_id}"]["patch"]
    body = patch["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ProductUpdate"}
    assert set(document["components"]["schemas"]["ProductUpdate"]["properties"]) == set(
        ProductUpdateSchema().fields
    )


def test_interactive_docs_are_served_locally(client: FlaskClient) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-spec-url="/api/openapi.json"' in html
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        with client.get(asset) as asset_response:
            assert asset_response.status_code == 200, asset
    assert "http" not in html.split("<body>")[1]  # no outside script or style


def test_rules_beyond_field_properties_are_documented(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["ProductUpdate"]["minProperties"] == 1
    assert schemas["Product"]["properties"]["currency"]["enum"] == ["EUR"]
    assert schemas["Registration"]["properties"]["password"]["minLength"] == 8


def test_the_bare_address_leads_to_the_docs(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/api/docs"
    assert client.get("/nothing-here").status_code == 404  # only the bare address


def test_the_docs_show_the_shops_name_logo_and_colour(client: FlaskClient) -> None:
    html = client.get("/api/docs").get_data(as_text=True)
    assert re.search(
        r'<header class="shop-header">\s*<img src="/static/logo.svg"[^>]*>\s*<span>Shop API</span>',
        html,
    )
    assert '<link rel="icon" type="image/svg+xml" href="/static/logo.svg">' in html
    with client.get("/static/logo.svg") as logo:
        assert logo.mimetype == "image/svg+xml"
        assert b"#3730a3" in logo.data
    with client.get("/static/swagger-a11y.css") as css:
        assert b".shop-header" in css.data
        assert b"--site-accent: #3730a3;" in css.data


def try_it_out_body(document: dict[str, Any], path: str) -> Any:
    """The body Swagger UI's "Try it out" starts a POST to ``path`` from."""
    content = document["paths"][path]["post"]["requestBody"]["content"]
    return sample(document, content["application/json"]["schema"])


def sample(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    """Each property's example, as Swagger UI fills them in (no default here:
    a property without an example fails the test)."""
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if schema["type"] == "array":
        return [sample(document, schema["items"])]
    if schema["type"] == "object":
        return {name: sample(document, each) for name, each in schema["properties"].items()}
    return schema["example"]


def test_the_try_it_out_order_goes_through_on_the_demo_data(
    client: FlaskClient, runner: FlaskCliRunner, document: dict[str, Any]
) -> None:
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    demo_login = {"email": "customer@example.com", "password": DEMO_PASSWORD}
    token = client.post("/api/auth/tokens", json=demo_login)
    assert token.status_code == 201
    order = client.post(
        "/api/orders/",
        json=try_it_out_body(document, "/api/orders/"),
        headers={"Authorization": f"Bearer {token.get_json()['token']}"},
    )
    assert order.status_code == 201
