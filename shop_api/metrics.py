"""The shop's own numbers, served on ``/metrics`` with the request metrics
(shared/metrics.py): orders placed, refused and cancelled. Refusals for stock
rising against orders placed mean products sell out: restock, or show stock."""

from prometheus_client import Counter

ORDERS_PLACED = Counter("orders_placed_total", "Orders placed (a replayed retry is not)", ["app"])
ORDERS_REFUSED = Counter(
    "orders_refused_total",
    "Orders refused, by reason: out_of_stock (409), unknown_product (422)",
    ["app", "reason"],
)
ORDERS_CANCELLED = Counter("orders_cancelled_total", "Orders cancelled", ["app"])
