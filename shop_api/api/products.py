"""Products: anyone lists and reads them (cached whole, keyed by the catalogue's
version, the path and the parameters a list reads, and revalidated by ETag);
staff create and change them."""

import hashlib
import json
from typing import Any

from flask import Response, current_app, jsonify, request, url_for
from flask.views import MethodView
from flask_smorest import current_api
from flask_sqlalchemy.pagination import Pagination
from webargs.flaskparser import abort  # flask_smorest.abort, typed: it never returns
from werkzeug.exceptions import PreconditionFailed
from werkzeug.http import generate_etag

from shared.caching import cache_version
from shop_api import schemas
from shop_api.api.blueprint import BEARER, BODY_ERRORS, Blueprint, invalid
from shop_api.api.pagination import LINK, paginated
from shop_api.extensions import cache, db, token_auth
from shop_api.models import Product
from shop_api.services import products

blp = Blueprint("products", __name__, url_prefix="/api/products", description="The catalogue")
# What revalidated_by_etag answers, for the reads' documentation.
ETAG = {
    "ETag": {
        "description": "Send it back in `If-None-Match`: a 304 while nothing changed.",
        "schema": {"type": "string"},
    }
}
NOT_MODIFIED = "Nothing changed since the ETag sent in `If-None-Match`; no body."
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "schema": {"type": "string"},
    "description": "The ETag of the product as you read it: the change applies only "
    "while the product is still so (else 412).",
}


@blp.after_request
def revalidated_by_etag(response: Response) -> Response:
    """The same for everyone: shared caches may keep them, but must ask before
    every reuse (``no-cache``); an unchanged one is a 304. Werkzeug's ETag, not
    flask-smorest's ``@blp.etag``: that one answers inside the view, which a
    Flask-Caching hit never runs, and Flask-Caching would keep its 304 as the
    answer for every client. A HEAD is a GET without the body: the same headers."""
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.headers["Cache-Control"] = "public, no-cache"
        response.add_etag()
        response.make_conditional(request)
        if response.status_code == 412:  # an If-Match naming another version
            # Werkzeug keeps the body it was given; a refusal is problem JSON.
            refusal = PreconditionFailed("None of the ETags in If-Match is the current one.")
            return current_app.make_response(current_api.handle_http_exception(refusal))
    return response


def item_cache_key() -> str:
    """A product's cached answer: the catalogue's version, then the path."""
    return f"products/{cache_version(cache, products.CATALOGUE)}{request.path}"


def list_cache_key() -> str:
    """A page of the list: the item's key, plus each parameter the list reads,
    by its first value, as the view reads it. Not Flask-Caching's
    ``query_string=True``: it sorts repeated values, so ``?sort=-price&sort=price``
    got the answer of ``?sort=price&sort=-price``. The query string is
    validated before the cache is asked (``@blp.arguments`` above
    ``@cache.cached``), so an unknown parameter is a 422 whatever is cached,
    and a 422 is never cached as the answer for everyone."""
    read = [request.args.get(name) for name in LIST_PARAMETERS]
    return f"{item_cache_key()}?{hashlib.sha256(json.dumps(read).encode()).hexdigest()}"


LIST_PARAMETERS = sorted(schemas.ProductQuerySchema().fields)


@blp.route("/")
class Products(MethodView):
    @blp.arguments(schemas.ProductQuerySchema, location="query")
    @cache.cached(key_prefix=list_cache_key)
    @blp.response(200, schemas.ProductPageSchema, headers={**LINK, **ETAG})
    @blp.alt_response(304, description=NOT_MODIFIED, headers=ETAG)
    @blp.error_responses(
        422, _422=invalid("sort", "Must be one of: name, -name, price, -price, newest.", "query")
    )
    def get(self, query: dict[str, Any]) -> tuple[Pagination, int, dict[str, str]]:
        """List products"""
        return paginated(
            products.products_query(
                search=query.get("q"), in_stock=query.get("in_stock"), sort=query["sort"]
            ),
            query,
        )

    @token_auth.login_required(role="staff")
    @blp.arguments(schemas.ProductSchema)
    @blp.response(
        201,
        schemas.ProductSchema,
        headers={"Location": {"description": "The product's URL.", "schema": {"type": "string"}}},
    )
    @blp.error_responses(
        *BODY_ERRORS,
        401,
        403,
        _422=invalid(
            "price_cents", "Must be greater than or equal to 0 and less than or equal to 10000000."
        ),
    )
    @blp.doc(security=BEARER)
    def post(self, fields: dict[str, Any]) -> tuple[Product, int, dict[str, str]]:
        """Create a product (staff)"""
        product = products.create_product(fields)
        return product, 201, {"Location": url_for(".ProductItem", product_id=product.id)}


@blp.route("/<id:product_id>")
class ProductItem(MethodView):
    @cache.cached(key_prefix=item_cache_key)
    @blp.response(200, schemas.ProductSchema, headers=ETAG)
    @blp.alt_response(304, description=NOT_MODIFIED, headers=ETAG)
    @blp.error_responses(404, _404="There is no product 4242.")
    def get(self, product_id: int) -> Product:
        """One product"""
        return product_or_404(product_id)

    @token_auth.login_required(role="staff")
    @blp.arguments(schemas.ProductUpdateSchema)
    @blp.response(200, schemas.ProductSchema)
    @blp.error_responses(
        *BODY_ERRORS,
        401,
        403,
        404,
        412,
        _404="There is no product 4242.",
        _412=products.CHANGED_SINCE_READ,
        _422=invalid("_schema", schemas.NOTHING_TO_CHANGE),
    )
    @blp.doc(security=BEARER, parameters=[IF_MATCH])
    def patch(self, changes: dict[str, Any], product_id: int) -> Product:
        """Change a product's name, description, price or stock (staff)

        Send the ETag you read in `If-Match`, and a change made since (a sale
        that took stock) is a 412 instead of being overwritten.
        """
        product = product_or_404(product_id)
        sent = request.if_match  # none, "*" (the product exists) or the ETags read
        # Weak or strong: the tag hashes the JSON itself, and nginx sends it
        # weak (W/"...") when it gzips the answer (docker/nginx/).
        if sent and not sent.contains_weak(etag_of(product)):
            abort(412, message=products.CHANGED_SINCE_READ)
        as_read = bool(sent) and not sent.star_tag
        return products.update_product(product, changes, as_read=as_read)


def etag_of(product: Product) -> str:
    """The ETag a GET of ``product`` answers with: Werkzeug's hash of the same
    JSON body (``revalidated_by_etag``)."""
    return generate_etag(jsonify(schemas.ProductSchema().dump(product)).get_data())


def product_or_404(product_id: int) -> Product:
    return db.get_or_404(Product, product_id, description=f"There is no product {product_id}.")
