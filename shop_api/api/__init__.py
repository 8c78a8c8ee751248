"""The JSON API under ``/api``, on flask-smorest: a blueprint per resource, with
``MethodView`` classes, marshmallow schemas for what goes in and out, and the
OpenAPI document made from both (``/api/openapi.json``, ``/api/docs``)."""

from flask import Flask, Response
from flask.typing import ResponseReturnValue
from flask_smorest import current_api
from webargs.flaskparser import abort  # flask_smorest.abort, typed: it never returns
from werkzeug.exceptions import HTTPException

from shared.database import MAX_ID, IdConverter
from shop_api.api import auth, docs, orders, products
from shop_api.extensions import api
from shop_api.schemas import ProductUpdateSchema
from shop_api.services import ShopError


def register_blueprints(app: Flask) -> None:
    # /api/orders is answered as /api/orders/ (and /healthz/ as /healthz),
    # instead of Werkzeug's redirect, whose body is an HTML page; "//" inside a
    # path is a 404 problem, not a redirect either. Before the rules are added:
    # each rule reads strict_slashes when it is added.
    app.url_map.strict_slashes = False
    app.url_map.merge_slashes = False
    # Ids in URLs (shared/database.py) are documented as the integers they are.
    api.register_converter(
        IdConverter, lambda _: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    )
    # Registered by hand to add what marshmallow cannot say: a PATCH changes something.
    api.spec.components.schema("ProductUpdate", {"minProperties": 1}, schema=ProductUpdateSchema)
    for blueprint in (auth.blp, products.blp, orders.blp):
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.bp)
    app.register_error_handler(ShopError, answer_shop_error)
    app.after_request(no_content_type_without_content)


def answer_shop_error(error: ShopError) -> ResponseReturnValue:
    """A rule said no (shop_api/services): problem JSON with its status, the
    answer a view's ``abort`` gets. Caught here, because an exception raised
    out of an error handler would be a 500."""
    try:
        abort(error.status, message=str(error), errors=error.errors, extra=error.extra)
    except HTTPException as http_error:
        return current_api.handle_http_exception(http_error)


def no_content_type_without_content(response: Response) -> Response:
    """A 204 has no body, so no ``Content-Type`` either (flask-smorest sets one)."""
    if response.status_code == 204:
        del response.headers["Content-Type"]
    return response
