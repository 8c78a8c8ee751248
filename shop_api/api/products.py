"""Products: anyone lists and reads them; staff create and change them.

Reads are cached whole (Flask-Caching's ``@cache.cached``, keyed by path and
query string) and revalidated by ETag; every change to a product or its
stock clears the cache (shop_api/services/products.py), so a cached answer
is never stale.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from flask.views import MethodView
from flask_sqlalchemy.pagination import Pagination

from shop_api.api.blueprint import BEARER, Blueprint
from shop_api.api.pagination import link_header
from shop_api.extensions import cache, db, token_auth
from shop_api.models import Product
from shop_api.schemas import (
    ProductPageSchema,
    ProductQuerySchema,
    ProductSchema,
    ProductUpdateSchema,
)
from shop_api.services import products

blp = Blueprint("products", __name__, url_prefix="/api/products", description="The catalogue")
LINK = {
    "Link": {
        "description": "RFC 8288 links: next, prev, first, last.",
        "schema": {"type": "string"},
    }
}


@blp.after_request
def revalidated_by_etag(response: Response) -> Response:
    """Products are the same for everyone: shared caches may keep them, but
    ask first on every reuse (``no-cache``); an unchanged one is a 304."""
    if request.method == "GET" and response.status_code == 200:
        response.headers["Cache-Control"] = "public, no-cache"
        response.add_etag()
        response.make_conditional(request)
    return response


@blp.route("/")
class Products(MethodView):
    @cache.cached(query_string=True)
    @blp.arguments(ProductQuerySchema, location="query")
    @blp.response(200, ProductPageSchema, headers=LINK)
    @blp.error_responses(422)
    def get(self, query: dict[str, Any]) -> tuple[Pagination, int, dict[str, str]]:
        """List products"""
        filters = {name: query[name] for name in ("q", "in_stock") if name in query}
        page = db.paginate(
            products.products_query(
                search=query.get("q"), in_stock=query.get("in_stock"), sort=query["sort"]
            ),
            page=query["page"],
            per_page=query["per_page"],
            error_out=False,
        )
        return page, 200, link_header(page, sort=query["sort"], **filters)

    @token_auth.login_required(role="staff")
    @blp.arguments(ProductSchema)
    @blp.response(
        201,
        ProductSchema,
        headers={"Location": {"description": "The product's URL.", "schema": {"type": "string"}}},
    )
    @blp.error_responses(400, 401, 403, 415, 422)
    @blp.doc(security=BEARER)
    def post(self, fields: dict[str, Any]) -> tuple[Product, int, dict[str, str]]:
        """Create a product (staff)"""
        product = products.create_product(**fields)
        return product, 201, {"Location": url_for(".ProductItem", product_id=product.id)}


@blp.route("/<id:product_id>")
class ProductItem(MethodView):
    @cache.cached()
    @blp.response(200, ProductSchema)
    @blp.error_responses(404)
    def get(self, product_id: int) -> Product:
        """One product"""
        return db.get_or_404(Product, product_id, description=f"There is no product {product_id}.")

    @token_auth.login_required(role="staff")
    @blp.arguments(ProductUpdateSchema)
    @blp.response(200, ProductSchema)
    @blp.error_responses(400, 401, 403, 404, 415, 422)
    @blp.doc(security=BEARER)
    def patch(self, changes: dict[str, Any], product_id: int) -> Product:
        """Change a product's name, description, price or stock (staff)"""
        product = db.get_or_404(
            Product, product_id, description=f"There is no product {product_id}."
        )
        return products.update_product(product, changes)
