"""Orders: a customer places, lists, reads and cancels their own; someone else's
is a 404 everywhere (``services.orders.own_orders``)."""

from typing import Any, ClassVar

from flask import request, url_for
from flask.views import MethodView
from flask_sqlalchemy.pagination import Pagination
from marshmallow import ValidationError
from webargs.flaskparser import abort  # flask_smorest.abort, typed: it never returns

from shop_api import schemas
from shop_api.api.blueprint import BEARER, BODY_ERRORS, Blueprint, invalid
from shop_api.api.pagination import LINK, paginated
from shop_api.extensions import db, token_auth
from shop_api.models import Order
from shop_api.services import orders

blp = Blueprint("orders", __name__, url_prefix="/api/orders", description="Your orders")
PLACED_HEADERS = {
    "Location": {"description": "The order's URL.", "schema": {"type": "string"}},
    "Idempotent-Replayed": {"description": "`true` on a replay.", "schema": {"type": "string"}},
}
# The answer to an order the stock cannot fill: which lines fell short, and by how much.
NOT_ENOUGH_STOCK = {
    "detail": "Not enough stock for: Espresso cup. Nothing was ordered.",
    "shortages": [
        {"product_id": 7, "product_name": "Espresso cup", "requested": 3, "available": 1}
    ],
}
# The view reads its body itself (the lesson), so the body is documented here.
ORDER_BODY = {
    "required": True,
    "content": {"application/json": {"schema": schemas.OrderCreateSchema}},
}


@blp.route("/")
class Orders(MethodView):
    decorators: ClassVar[list[Any]] = [token_auth.login_required]  # a customer's token

    @blp.arguments(schemas.PageQuerySchema, location="query")
    @blp.response(200, schemas.OrderPageSchema, headers=LINK)
    @blp.error_responses(
        401,
        422,
        _422=invalid(
            "page", "Must be greater than or equal to 1 and less than or equal to 100000.", "query"
        ),
    )
    @blp.doc(security=BEARER)
    def get(self, query: dict[str, Any]) -> tuple[Pagination, int, dict[str, str]]:
        """Your orders, newest first"""
        return paginated(orders.own_orders(token_auth.current_user()), query)

    @blp.arguments(schemas.IdempotencyHeaderSchema, location="headers")
    @blp.response(201, schemas.OrderSchema, headers=PLACED_HEADERS)
    @blp.error_responses(
        *BODY_ERRORS,
        401,
        409,
        _409=NOT_ENOUGH_STOCK,
        _422=invalid("items", "Order between 1 and 50 lines."),
    )
    @blp.doc(security=BEARER, requestBody=ORDER_BODY)
    def post(self, idempotency: dict[str, str]) -> tuple[Order, int, dict[str, str]]:
        """Place an order

        Prices come from the database. Every line's stock is checked and taken in one
        transaction: all lines or none. Duplicate lines are merged. With an
        `Idempotency-Key`, a retry returns the first order (`Idempotent-Replayed: true`).
        """
        # request.get_json(): 415 for another content type, 400 for malformed JSON.
        try:
            body = schemas.OrderCreateSchema().load(request.get_json())
        except ValidationError as error:
            abort(422, message="The request body is not valid.", errors=error.messages)
        order, replayed = orders.place_order(
            token_auth.current_user(),
            body["items"],
            idempotency_key=idempotency.get("key"),
        )
        headers = {"Location": url_for(".OrderItem", order_id=order.id)}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        # @blp.response dumps the order with OrderSchema and answers with jsonify.
        return order, 201, headers


@blp.route("/<id:order_id>")
class OrderItem(MethodView):
    decorators: ClassVar[list[Any]] = [token_auth.login_required]

    @blp.response(200, schemas.OrderSchema)
    @blp.error_responses(401, 404, _404="You have no order 42.")
    @blp.doc(security=BEARER)
    def get(self, order_id: int) -> Order:
        """One of your orders"""
        return own_order_or_404(order_id)


@blp.post("/<id:order_id>/cancel")
@token_auth.login_required
@blp.response(200, schemas.OrderSchema)
@blp.error_responses(
    401, 404, 409, _404="You have no order 42.", _409="This order is already cancelled."
)
@blp.doc(security=BEARER)
def cancel_order(order_id: int) -> Order:
    """Cancel one of your orders; its stock goes back"""
    return orders.cancel_order(own_order_or_404(order_id))


def own_order_or_404(order_id: int) -> Order:
    return db.first_or_404(
        orders.own_orders(token_auth.current_user()).where(Order.id == order_id),
        description=f"You have no order {order_id}.",
    )
