"""Orders: placing one without overselling, cancelling it, reading your own.

``place_order`` is the lesson. A tutorial reads the stock, checks
``stock >= quantity`` in Python and writes the new value back: two requests
can both read "1 left" and both sell it. Here each line is one conditional
UPDATE::

    UPDATE products SET stock = stock - :q WHERE id = :id AND stock >= :q
    RETURNING name, price_cents

The database checks and takes the stock in one step, under its row lock, so
the second request finds no row to update and its whole order is rolled
back: every line or none.
"""

import hashlib
import json

from flask import current_app
from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shared.clock import utcnow
from shop_api.extensions import db
from shop_api.metrics import ORDERS_CANCELLED, ORDERS_PLACED, ORDERS_REFUSED
from shop_api.models import (
    CURRENCY,
    MAX_QUANTITY,
    IdempotencyKey,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    User,
)
from shop_api.services import ShopError
from shop_api.services.products import invalidate_product_cache


def place_order(
    customer: User,
    items: list[dict[str, int]],
    *,
    idempotency_key: str | None = None,
) -> tuple[Order, bool]:
    """Place the order, all or nothing, at the database's prices: ``(order, replayed)``.
    A retry (the ``idempotency_key`` and items of a placed order) gets that order back."""
    quantities = merged_quantities(items)
    # What the key stands for: the products and quantities, however a retry's
    # JSON is spaced or its lines ordered.
    fingerprint = hashlib.sha256(json.dumps(sorted(quantities.items())).encode()).hexdigest()
    earlier = _replayed_order(customer, idempotency_key, fingerprint)
    if earlier is not None:
        return earlier, True
    order = Order(customer=customer, currency=CURRENCY)
    # Ascending ids: two orders for the same products lock their rows in the
    # same order, so they cannot deadlock on PostgreSQL.
    for product_id, quantity in sorted(quantities.items()):
        taken = db.session.execute(
            update(Product)
            .where(Product.id == product_id, Product.stock >= quantity)
            .values(stock=Product.stock - quantity)
            .returning(Product.name, Product.price_cents)
        ).one_or_none()
        if taken is None:  # no such product, or too little stock
            db.session.rollback()  # gives back what the earlier lines took
            # The same key at the same moment may have taken the last items:
            # then its order is the answer, not a 409. That request had
            # committed before this UPDATE could miss (the UPDATE waits on
            # PostgreSQL's row lock, or for SQLite's one writer), so a new
            # look finds its key.
            earlier = _replayed_order(customer, idempotency_key, fingerprint)
            if earlier is not None:
                return earlier, True
            error = _order_error(product_id, quantities)
            reason = "out_of_stock" if error.status == 409 else "unknown_product"
            ORDERS_REFUSED.labels(app=current_app.name, reason=reason).inc()
            raise error
        order.lines.append(
            OrderLine(
                product_id=product_id,
                product_name=taken.name,
                unit_price_cents=taken.price_cents,
                quantity=quantity,
            )
        )
    order.total_cents = sum(line.unit_price_cents * line.quantity for line in order.lines)
    db.session.add(order)
    if idempotency_key:
        db.session.add(
            IdempotencyKey(
                user_id=customer.id,
                key=idempotency_key,
                request_fingerprint=fingerprint,
                order=order,
            )
        )
    try:
        db.session.commit()
    except IntegrityError:
        # Another request with the same key committed first: its order is the answer.
        db.session.rollback()
        earlier = _replayed_order(customer, idempotency_key, fingerprint)
        if earlier is None:
            raise
        return earlier, True
    invalidate_product_cache()
    ORDERS_PLACED.labels(app=current_app.name).inc()
    return order, False


def merged_quantities(items: list[dict[str, int]]) -> dict[int, int]:
    """``{product_id: quantity}``, with a product on several lines summed."""
    quantities: dict[int, int] = {}
    for item in items:
        product_id = item["product_id"]
        quantities[product_id] = quantities.get(product_id, 0) + item["quantity"]
        if quantities[product_id] > MAX_QUANTITY:
            raise ShopError(
                f"Product {product_id} is ordered {quantities[product_id]} times in all; "
                f"at most {MAX_QUANTITY} per order.",
                errors={"items": [f"At most {MAX_QUANTITY} of one product."]},
            )
    return quantities


def _order_error(product_id: int, quantities: dict[int, int]) -> ShopError:
    """Unknown products, or every line that falls short. Asked only after a miss,
    so an order that goes through reads nothing extra."""
    rows = db.session.execute(
        select(Product.id, Product.name, Product.stock).where(Product.id.in_(quantities))
    ).all()
    found = {row.id for row in rows}
    if product_id not in found:
        message = f"Unknown product ids: {', '.join(map(str, sorted(set(quantities) - found)))}."
        return ShopError(message, errors={"items": {"product_id": [message]}})
    # The line whose UPDATE missed is named even if its stock is back by now
    # (a cancel committed since): a 409 always says what fell short. Its
    # "available" is the stock as read now; where that is enough, trying
    # again may succeed.
    short = [row for row in sorted(rows) if row.stock < quantities[row.id] or row.id == product_id]
    return ShopError(
        f"Not enough stock for: {', '.join(row.name for row in short)}. Nothing was ordered.",
        status=409,
        shortages=[
            {
                "product_id": row.id,
                "product_name": row.name,
                "requested": quantities[row.id],
                "available": row.stock,
            }
            for row in short
        ],
    )


def _replayed_order(customer: User, key: str | None, fingerprint: str) -> Order | None:
    """The order an earlier request with this key placed, or None. The same key
    with other items is refused."""
    if not key:
        return None
    earlier = db.session.scalar(select(IdempotencyKey).filter_by(user_id=customer.id, key=key))
    if earlier is None:
        return None
    if earlier.request_fingerprint != fingerprint:
        raise ShopError(
            "This Idempotency-Key was already used for a different request. "
            "Use a new key for a new order.",
            errors={"Idempotency-Key": ["Already used for a different request."]},
        )
    return earlier.order


def cancel_order(order: Order) -> Order:
    """``placed`` -> ``cancelled``, with every line's stock given back, in one
    transaction. The conditional UPDATE makes a second cancel (even at the
    same moment) a 409 instead of giving the stock back twice."""
    cancelled = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status == OrderStatus.PLACED)
        .values(status=OrderStatus.CANCELLED, cancelled_at=utcnow())
    )
    if cancelled.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise ShopError("This order is already cancelled.", status=409)
    for line in sorted(order.lines, key=lambda line: line.product_id):
        db.session.execute(
            update(Product)
            .where(Product.id == line.product_id)
            .values(stock=Product.stock + line.quantity)
        )
    db.session.commit()
    invalidate_product_cache()
    ORDERS_CANCELLED.labels(app=current_app.name).inc()
    return order


def own_orders(customer: User) -> Select[tuple[Order]]:
    """The customer's orders, newest first, lines loaded in one more query. The
    owner is in the query itself: someone else's order is simply not found."""
    return (
        select(Order)
        .where(Order.customer_id == customer.id)
        .options(selectinload(Order.lines))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
