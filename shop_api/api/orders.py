"""Orders: a customer places, lists, reads and cancels their own.

Someone else's order is a 404 everywhere: the owner is part of every query
(``services.orders.own_orders``).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from flask import request, url_for
from flask.views import MethodView
from flask_sqlalchemy.pagination import Pagination
from marshmallow import ValidationError

from shop_api.api.blueprint import BEARER, Blueprint
from shop_api.api.pagination import link_header
from shop_api.extensions import db, token_auth
from shop_api.models import IDEMPOTENCY_KEY_MAX_LENGTH, Order
from shop_api.problems import problem
from shop_api.schemas import OrderCreateSchema, OrderPageSchema, OrderSchema, PageQuerySchema
from shop_api.services import orders

blp = Blueprint("orders", __name__, url_prefix="/api/orders", description="Your orders")
IDEMPOTENCY_HEADER = "Idempotency-Key"
LOCATION = {
    "Location": {"description": "The order's URL.", "schema": {"type": "string"}},
    "Idempotent-Replayed": {"description": "`true` on a replay.", "schema": {"type": "string"}},
}
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]+")
PLACE_ORDER_DOC = {
    "description": (
        "Prices come from the database. Every line's stock is checked and taken in one "
        "transaction: all lines or none. Duplicate lines are merged. With an "
        "`Idempotency-Key`, a retry returns the first order (`Idempotent-Replayed: true`)."
    ),
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": OrderCreateSchema}},
    },
    "parameters": [
        {
            "in": "header",
            "name": IDEMPOTENCY_HEADER,
            "required": False,
            "description": "Any unique string up to 255 characters; reuse it to retry safely.",
            "schema": {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH},
        }
    ],
}


@blp.route("/")
class Orders(MethodView):
    decorators: ClassVar[list[Any]] = [
        token_auth.login_required
    ]  # every order needs a customer's token

    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, OrderPageSchema)
    @blp.error_responses(401, 422)
    @blp.doc(security=BEARER)
    def get(self, query: dict[str, Any]) -> tuple[Pagination, int, dict[str, str]]:
        """Your orders, newest first"""
        page = db.paginate(
            orders.own_orders(token_auth.current_user()),
            page=query["page"],
            per_page=query["per_page"],
            error_out=False,
        )
        return page, 200, link_header(page)

    @blp.response(201, OrderSchema, headers=LOCATION)
    @blp.error_responses(
        400, 401, 409, 415, 422, _409="Not enough stock for: Espresso cup. Nothing was ordered."
    )
    @blp.doc(security=BEARER, **PLACE_ORDER_DOC)
    def post(self) -> tuple[Order, int, dict[str, str]]:
        """Place an order"""
        # The brief's words: read the body with request.get_json() (415 for
        # another type, 400 for malformed JSON) and validate it with the schema.
        try:
            body = OrderCreateSchema().load(request.get_json())
        except ValidationError as error:
            raise problem(422, "The request body is not valid.", errors=error.messages) from None
        order, replayed = orders.place_order(
            token_auth.current_user(),
            body["items"],
            idempotency_key=_idempotency_key(),
            request_fingerprint=orders.request_fingerprint(request.get_data()),
        )
        headers = {"Location": url_for(".OrderItem", order_id=order.id)}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return order, 201, headers


@blp.route("/<id:order_id>")
class OrderItem(MethodView):
    decorators: ClassVar[list[Any]] = [token_auth.login_required]

    @blp.response(200, OrderSchema)
    @blp.error_responses(401, 404)
    @blp.doc(security=BEARER)
    def get(self, order_id: int) -> Order:
        """One of your orders"""
        return own_order_or_404(order_id)


@blp.post("/<id:order_id>/cancel")
@token_auth.login_required
@blp.response(200, OrderSchema)
@blp.error_responses(401, 404, 409, _409="This order is already cancelled.")
@blp.doc(security=BEARER)
def cancel_order(order_id: int) -> Order:
    """Cancel one of your orders; its stock goes back"""
    return orders.cancel_order(own_order_or_404(order_id))


def own_order_or_404(order_id: int) -> Order:
    return db.first_or_404(
        orders.own_orders(token_auth.current_user()).where(Order.id == order_id),
        description=f"You have no order {order_id}.",
    )


def _idempotency_key() -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not _PRINTABLE_ASCII.fullmatch(key):
        message = f"Use 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} printable characters, without spaces."
        raise problem(
            422,
            "The Idempotency-Key header is not valid.",
            errors={IDEMPOTENCY_HEADER: [message]},
        )
    return key
