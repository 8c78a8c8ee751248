"""Products: anyone lists and reads them; staff create and change them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, url_for
from flask.typing import ResponseReturnValue

from shared.auth import staff_required
from shared.errors import Problem
from shop_api import services
from shop_api.api.pages import paginated_response, public_json
from shop_api.extensions import db
from shop_api.models import Product
from shop_api.openapi import operation
from shop_api.schemas import (
    ProductPageSchema,
    ProductQuerySchema,
    ProductSchema,
    ProductUpdateSchema,
)

bp = Blueprint("products", __name__, url_prefix="/api/products")
# Built once: a schema holds no per-request state, and building one
# costs about as much as the query it serves.
PRODUCT_QUERY_SCHEMA = ProductQuerySchema()
PRODUCT_SCHEMA = ProductSchema()
PRODUCT_UPDATE_SCHEMA = ProductUpdateSchema()


@bp.get("/")
@operation(
    summary="List products",
    tag="products",
    query=ProductQuerySchema,
    responses={200: ("One page of products.", ProductPageSchema)},
    response_headers={200: {"Link": "RFC 8288 links: next, prev, first, last."}},
)
def list_products(query: dict[str, Any]) -> ResponseReturnValue:
    page = services.product_page(
        page=query["page"],
        per_page=query["per_page"],
        search=query.get("q"),
        in_stock=query.get("in_stock"),
        sort=query["sort"],
    )
    filters: dict[str, Any] = {name: query[name] for name in ("q", "in_stock") if name in query}
    filters["sort"] = query["sort"]
    return paginated_response(page, public=True, **filters)


@bp.get("/<id:product_id>")
@operation(
    summary="One product",
    tag="products",
    responses={200: ("The product.", ProductSchema)},
    errors=(404,),
)
def get_product(product_id: int) -> ResponseReturnValue:
    product = services.product_fields(product_id)
    if product is None:
        raise Problem(404, f"There is no product {product_id}.")
    return public_json(product)


@bp.post("/")
@staff_required
@operation(
    summary="Create a product (staff)",
    tag="products",
    auth=True,
    staff=True,
    body=ProductSchema,
    responses={201: ("The new product; `Location` is its URL.", ProductSchema)},
    response_headers={201: {"Location": "The product's URL."}},
)
def create_product(body: dict[str, Any]) -> ResponseReturnValue:
    product = services.create_product(**body)
    location = url_for(".get_product", product_id=product.id)
    return PRODUCT_SCHEMA.dump(product), 201, {"Location": location}


@bp.patch("/<id:product_id>")
@staff_required
@operation(
    summary="Change a product's name, description, price or stock (staff)",
    tag="products",
    auth=True,
    staff=True,
    body=ProductUpdateSchema,
    responses={200: ("The changed product.", ProductSchema)},
    errors=(404,),
)
def update_product(product_id: int, body: dict[str, Any]) -> ResponseReturnValue:
    product = _product_or_404(product_id)
    return PRODUCT_SCHEMA.dump(services.update_product(product, body))


def _product_or_404(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None:
        raise Problem(404, f"There is no product {product_id}.")
    return product
