"""Orders: a customer places, lists, reads and cancels their own.

Someone else's order is a 404 everywhere: the owner is part of every query.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from shared.auth import require_login
from shared.errors import Problem
from shop_api import services
from shop_api.api.pages import paginated_response
from shop_api.extensions import db
from shop_api.models import IDEMPOTENCY_KEY_MAX_LENGTH, Order
from shop_api.openapi import operation
from shop_api.schemas import (
    OrderCreateSchema,
    OrderPageSchema,
    OrderSchema,
    PageQuerySchema,
    placed_order_json,
)

bp = Blueprint("orders", __name__, url_prefix="/api/orders")
bp.before_request(require_login)  # every order needs a customer's token
# Built once: a schema holds no per-request state, and building one
# costs about as much as the query it serves.
ORDER_CREATE_SCHEMA = OrderCreateSchema()
ORDER_SCHEMA = OrderSchema()
PAGE_QUERY_SCHEMA = PageQuerySchema()

IDEMPOTENCY_HEADER = "Idempotency-Key"
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]+")


@bp.post("/")
@operation(
    summary="Place an order",
    tag="orders",
    description=(
        "Prices come from the database. Every line's stock is checked and taken in one "
        "transaction: all lines or none. Duplicate lines are merged. With an "
        "`Idempotency-Key`, a retry returns the first order (`Idempotent-Replayed: true`)."
    ),
    auth=True,
    body=OrderCreateSchema,
    headers={
        IDEMPOTENCY_HEADER: {
            "required": False,
            "description": "Any unique string up to 255 characters; reuse it to retry safely.",
            "schema": {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH},
        }
    },
    responses={201: ("The order; `Location` is its URL.", OrderSchema)},
    response_headers={
        201: {"Location": "The order's URL.", "Idempotent-Replayed": "`true` on a replay."}
    },
    errors=(409,),
    error_details={409: "Not enough stock for: Espresso cup. Nothing was ordered."},
)
def place_order(body: dict[str, Any]) -> ResponseReturnValue:
    key = _idempotency_key()
    lines = [(item["product_id"], item["quantity"]) for item in body["items"]]
    # A refusal (unknown product, too little stock, ...) is a ShopError,
    # answered as problem JSON with its own status (shop_api/api/__init__.py).
    placed = services.place_order(
        current_user.id,
        lines,
        idempotency_key=key,
        request_fingerprint=services.request_fingerprint(request.get_data()),
    )
    headers = {"Location": url_for(".get_order", order_id=placed.order.id)}
    if placed.replayed:
        headers["Idempotent-Replayed"] = "true"
    if isinstance(placed.order, services.WrittenOrder):  # just placed: no marshmallow pass
        return placed_order_json(placed.order), 201, headers
    return ORDER_SCHEMA.dump(placed.order), 201, headers


@bp.get("/")
@operation(
    summary="Your orders, newest first",
    tag="orders",
    auth=True,
    query=PageQuerySchema,
    responses={200: ("One page of your orders.", OrderPageSchema)},
    response_headers={200: {"Link": "RFC 8288 links: next, prev, first, last."}},
)
def list_orders(query: dict[str, Any]) -> ResponseReturnValue:
    pagination = db.paginate(
        services.own_orders_query(current_user.id),
        page=query["page"],
        per_page=query["per_page"],
        error_out=False,
    )
    page = services.Page(
        ORDER_SCHEMA.dump(pagination.items, many=True),
        pagination.page,
        pagination.per_page,
        pagination.total or 0,
    )
    return paginated_response(page)


@bp.get("/<id:order_id>")
@operation(
    summary="One of your orders",
    tag="orders",
    auth=True,
    responses={200: ("The order.", OrderSchema)},
    errors=(404,),
)
def get_order(order_id: int) -> ResponseReturnValue:
    return ORDER_SCHEMA.dump(_own_order_or_404(order_id))


@bp.post("/<id:order_id>/cancel")
@operation(
    summary="Cancel one of your orders; its stock goes back",
    tag="orders",
    auth=True,
    responses={200: ("The cancelled order.", OrderSchema)},
    errors=(404, 409),
    error_details={409: "This order is already cancelled."},
)
def cancel_order(order_id: int) -> ResponseReturnValue:
    order = services.cancel_order(_own_order_or_404(order_id))
    return ORDER_SCHEMA.dump(order)


def _own_order_or_404(order_id: int) -> Order:
    order = services.find_own_order(order_id, customer_id=current_user.id)
    if order is None:
        raise Problem(404, f"You have no order {order_id}.")
    return order


def _idempotency_key() -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not _PRINTABLE_ASCII.fullmatch(key):
        message = f"Use 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} printable characters, without spaces."
        raise Problem(
            422, "The Idempotency-Key header is not valid.", errors={IDEMPOTENCY_HEADER: [message]}
        )
    return key
