"""The shop's own numbers, served on ``/metrics`` with the request metrics
(shared/metrics.py): orders placed, refused and cancelled. Refusals for stock
rising against orders placed mean products sell out: restock, or show stock."""

from flask import current_app
from prometheus_client import Counter

ORDERS_PLACED = Counter("orders_placed_total", "Orders placed (a replayed retry is not)", ["app"])
ORDERS_REFUSED = Counter(
    "orders_refused_total",
    "Orders refused, by reason: out_of_stock (409), unknown_product (422)",
    ["app", "reason"],
)
ORDERS_CANCELLED = Counter("orders_cancelled_total", "Orders cancelled", ["app"])


def count_placed_order() -> None:
    ORDERS_PLACED.labels(app=current_app.name).inc()


def count_refused_order(reason: str) -> None:
    ORDERS_REFUSED.labels(app=current_app.name, reason=reason).inc()


def count_cancelled_order() -> None:
    ORDERS_CANCELLED.labels(app=current_app.name).inc()
