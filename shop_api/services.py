"""The shop's rules: products, orders, stock and tokens.

Functions take plain values and raise the exceptions below; the API layer
turns those into HTTP answers. Nothing here reads the request.

The heart of it is :func:`place_order`. A tutorial reads the stock, checks
``stock >= quantity`` in Python and writes the new value back: two requests
can both read "1 left" and both sell it. Here each line is one conditional
UPDATE (``... SET stock = stock - :q WHERE id = :id AND stock >= :q``): the
database checks and decrements in one step, so the second request finds no
row to update and the whole order is rolled back.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, NoReturn

from sqlalchemy import ColumnElement, Select, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shared.auth.passwords import password_problem
from shared.clock import utcnow
from shared.database import write_turn
from shop_api.extensions import db
from shop_api.models import (
    CURRENCY,
    ApiToken,
    IdempotencyKey,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    User,
)

MAX_QUANTITY = 1000
MAX_LIVE_TOKENS = 10  # per user: ten devices or scripts logged in at once


class ShopError(Exception):
    """A rule said no; the message is fit to show the client.

    Each kind carries the status the API answers it with (422: the request
    can never work as sent; 409: it conflicts with the current state) and
    what a client needs to react (``problem_fields``): the API turns any
    ShopError into problem JSON in one place (shop_api/api/__init__.py).
    """

    status: ClassVar[int] = 422

    def problem_fields(self) -> dict[str, Any]:
        """``errors`` (by field) and/or ``extra`` members of the problem JSON."""
        return {}


class UnknownProducts(ShopError):
    def __init__(self, product_ids: list[int]) -> None:
        super().__init__(f"Unknown product ids: {', '.join(map(str, product_ids))}.")
        self.product_ids = product_ids

    def problem_fields(self) -> dict[str, Any]:
        return {"errors": {"items": {"product_id": [str(self)]}}}


class QuantityTooLarge(ShopError):
    def __init__(self, product_id: int, quantity: int) -> None:
        super().__init__(
            f"Product {product_id} is ordered {quantity} times in all; "
            f"at most {MAX_QUANTITY} per order."
        )
        self.product_id = product_id

    def problem_fields(self) -> dict[str, Any]:
        return {"errors": {"items": [str(self)]}}


@dataclass(frozen=True)
class Shortage:
    product_id: int
    product_name: str
    requested: int
    available: int


class OutOfStock(ShopError):
    status = 409

    def __init__(self, shortages: list[Shortage]) -> None:
        names = ", ".join(s.product_name for s in shortages)
        super().__init__(f"Not enough stock for: {names}. Nothing was ordered.")
        self.shortages = shortages

    def problem_fields(self) -> dict[str, Any]:
        return {"extra": {"shortages": [asdict(shortage) for shortage in self.shortages]}}


class IdempotencyKeyReused(ShopError):
    def problem_fields(self) -> dict[str, Any]:
        return {"errors": {"Idempotency-Key": [str(self)]}}


class OrderNotCancellable(ShopError):
    status = 409


class WrongCurrency(ShopError):
    def problem_fields(self) -> dict[str, Any]:
        return {"errors": {"items": [str(self)]}}


# --- products ------------------------------------------------------------------

PRODUCT_SORTS: dict[str, tuple[ColumnElement[Any], ...]] = {
    "name": (Product.name.asc(), Product.id.asc()),
    "-name": (Product.name.desc(), Product.id.desc()),
    "price": (Product.price_cents.asc(), Product.id.asc()),
    "-price": (Product.price_cents.desc(), Product.id.desc()),
    "newest": (Product.created_at.desc(), Product.id.desc()),
}


# The fields of a product as the API shows them (ProductSchema's, a test
# keeps the two equal). The two hottest reads, the list and one product,
# select just these columns and return plain dicts: no ORM objects to track
# and no marshmallow pass, which were most of a product page's time. They
# borrow a connection from the pool for the one read, without a Session to
# set up and tear down: a request that only reads products needs none.
PRODUCT_FIELDS = ("id", "name", "description", "price_cents", "currency", "stock")
_PRODUCT_COLUMNS = [getattr(Product, name) for name in PRODUCT_FIELDS]
# Built once: the statement and its compiled SQL are reused by every request.
_ONE_PRODUCT = select(*_PRODUCT_COLUMNS).where(Product.id == bindparam("product_id"))


@dataclass(frozen=True)
class Page:
    """One page of a list, with what the client needs to fetch the others."""

    items: list[dict[str, Any]]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return -(-self.total // self.per_page)  # ceiling division


def product_page(
    *,
    page: int,
    per_page: int,
    search: str | None = None,
    in_stock: bool | None = None,
    sort: str = "name",
) -> Page:
    count, rows = _product_page_statements(sort, in_stock, bool(search))
    parameters: dict[str, Any] = {"pattern": _contains_pattern(search or "")}
    with db.engine.connect() as connection:
        total = connection.execute(count, parameters).scalar_one()
        parameters |= {"limit": per_page, "offset": (page - 1) * per_page}
        # all(): one fetch for the page rather than one per row.
        rows_on_page = connection.execute(rows, parameters).all()
    items = [dict(zip(PRODUCT_FIELDS, row, strict=True)) for row in rows_on_page]
    return Page(items, page, per_page, total)


@functools.cache
def _product_page_statements(
    sort: str, in_stock: bool | None, searching: bool
) -> tuple[Select[Any], Select[Any]]:
    """The COUNT and the page query for one combination of filters, built
    once; the search text, LIMIT and OFFSET are bound parameters."""
    conditions: list[ColumnElement[bool]] = []
    if searching:
        conditions.append(func.lower(Product.name).like(bindparam("pattern"), escape="/"))
    if in_stock is True:
        conditions.append(Product.stock > 0)
    elif in_stock is False:
        conditions.append(Product.stock == 0)
    count = select(func.count()).select_from(Product).where(*conditions)
    rows = (
        select(*_PRODUCT_COLUMNS)
        .where(*conditions)
        .order_by(*PRODUCT_SORTS[sort])
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    return count, rows


def _contains_pattern(text: str) -> str:
    """A LIKE pattern for "contains ``text``, any case": % and _ in the text
    match themselves (a search for "50%" is not "50 and anything")."""
    escaped = text.lower().replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def product_fields(product_id: int) -> dict[str, Any] | None:
    """One product as the API shows it, or None."""
    with db.engine.connect() as connection:
        row = connection.execute(_ONE_PRODUCT, {"product_id": product_id}).first()
    return dict(zip(PRODUCT_FIELDS, row, strict=True)) if row is not None else None


def create_product(
    *, name: str, description: str, price_cents: int, currency: str, stock: int
) -> Product:
    if currency != CURRENCY:
        raise WrongCurrency(f"This shop sells in {CURRENCY} only.")
    product = Product(
        name=name, description=description, price_cents=price_cents, currency=currency, stock=stock
    )
    db.session.add(product)
    db.session.commit()
    return product


def update_product(product: Product, changes: dict[str, object]) -> Product:
    """Change name, description, price or stock. Past orders keep the name
    and price they were placed with (copied into their lines)."""
    for field in ("name", "description", "price_cents", "stock"):
        if field in changes:
            setattr(product, field, changes[field])
    db.session.commit()
    return product


# --- orders --------------------------------------------------------------------


@dataclass(frozen=True)
class WrittenLine:
    """An order line as just written: the product's name and price at the time."""

    product_id: int
    product_name: str
    unit_price_cents: int
    quantity: int


@dataclass(frozen=True)
class WrittenOrder:
    """An order as just written, with the fields of :class:`Order` the API shows.

    Plain values rather than a new ``Order`` and its ``OrderLine`` objects:
    the ORM instruments every object it builds, and building three of them
    cost 11% of an order's instructions (callgrind, docs/benchmarks.md).
    Nothing here is loaded again or changed afterwards, so nothing is lost.
    """

    id: int
    status: OrderStatus
    total_cents: int
    currency: str
    created_at: datetime
    lines: list[WrittenLine]


@dataclass(frozen=True)
class PlacedOrder:
    """The order to answer with: the one just written, or on a replay the
    one an earlier request with the same key placed (loaded, an ``Order``)."""

    order: WrittenOrder | Order
    replayed: bool


def merge_lines(lines: Iterable[tuple[int, int]]) -> dict[int, int]:
    """``[(product_id, quantity), ...]`` with duplicates summed, in ascending id order."""
    merged: dict[int, int] = {}
    for product_id, quantity in lines:
        merged[product_id] = merged.get(product_id, 0) + quantity
    for product_id, quantity in merged.items():
        if quantity > MAX_QUANTITY:
            raise QuantityTooLarge(product_id, quantity)
    return dict(sorted(merged.items()))


def place_order(
    customer_id: int,
    lines: Iterable[tuple[int, int]],
    *,
    idempotency_key: str | None = None,
    request_fingerprint: str = "",
) -> PlacedOrder:
    """Check stock and place the order, all or nothing, in three steps:

    1. a retry (same ``idempotency_key``) gets the order the first request placed;
    2. each line's stock is taken, or none is (``_take_stock``);
    3. the order is recorded and committed (``_record_order``), unless a
       request with the same key won the race a moment ago.

    ``lines`` are ``(product_id, quantity)`` pairs, already validated one by one.
    """
    earlier = _replay(customer_id, idempotency_key, request_fingerprint)
    if earlier is not None:
        return earlier
    quantities = merge_lines(lines)
    with write_turn(db.engine):  # SQLite: orders queue for the write lock
        order_lines, currency = _take_stock(quantities)
        order = _record_order(
            customer_id, order_lines, currency, idempotency_key, request_fingerprint
        )
        return _commit_unless_replayed(order, customer_id, idempotency_key, request_fingerprint)


def _commit_unless_replayed(
    order: WrittenOrder, customer_id: int, idempotency_key: str | None, fingerprint: str
) -> PlacedOrder:
    """Commit the new order. If another request with the same key committed
    first (its key row makes ours fail), answer with that order instead."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        earlier = _replay(customer_id, idempotency_key, fingerprint)
        if earlier is None:
            raise
        return earlier
    return PlacedOrder(order, replayed=False)


# Built once: one conditional UPDATE per order line, the heart of it all.
# Written against the table, run on the session's connection (so inside its
# transaction): no ORM objects are involved, so none of the ORM's machinery.
_products = Product.__table__
_TAKE_STOCK = (
    update(_products)
    .where(_products.c.id == bindparam("product_id"), _products.c.stock >= bindparam("quantity"))
    .values(stock=_products.c.stock - bindparam("quantity"), updated_at=bindparam("now"))
    .returning(_products.c.name, _products.c.price_cents, _products.c.currency)
)
_INSERT_ORDER = insert(Order.__table__).returning(Order.__table__.c.id)
_INSERT_LINES = insert(OrderLine.__table__)
_INSERT_KEY = insert(IdempotencyKey.__table__)


def _take_stock(quantities: dict[int, int]) -> tuple[list[WrittenLine], str]:
    """Take every line's stock, or none: one line that falls short (or names
    no product), or products priced in different currencies, roll back what
    the earlier lines took. Returns the lines, priced from the database, and
    their currency."""
    order_lines: list[WrittenLine] = []
    currencies: set[str] = set()
    missed: list[int] = []
    connection, now = db.session.connection(), utcnow()
    # Ascending id order: two orders for the same products lock their rows
    # in the same order, so they cannot deadlock on PostgreSQL.
    for product_id, quantity in quantities.items():
        taken = connection.execute(
            _TAKE_STOCK, {"product_id": product_id, "quantity": quantity, "now": now}
        ).one_or_none()
        if taken is None:
            missed.append(product_id)
            continue
        name, price_cents, currency = taken
        currencies.add(currency)
        order_lines.append(WrittenLine(product_id, name, price_cents, quantity))
    if missed:
        db.session.rollback()  # gives back what the earlier lines took
        _explain_missed(missed, quantities)
    if len(currencies) != 1:
        db.session.rollback()
        raise WrongCurrency("An order can only hold products priced in one currency.")
    return order_lines, currencies.pop()


def _explain_missed(product_ids: list[int], quantities: dict[int, int]) -> NoReturn:
    """Why no row was updated: no such product (422), or too little stock (409).
    Asked only after a miss, so an order that goes through reads nothing extra."""
    known = set(db.session.scalars(select(Product.id).where(Product.id.in_(product_ids))))
    unknown = [product_id for product_id in product_ids if product_id not in known]
    if unknown:
        raise UnknownProducts(unknown)
    raise OutOfStock(_shortages(product_ids, quantities))


def _record_order(
    customer_id: int,
    order_lines: list[WrittenLine],
    currency: str,
    idempotency_key: str | None,
    fingerprint: str,
) -> WrittenOrder:
    """Write the order, its lines and its idempotency key.

    Plain INSERTs on the session's connection rather than ``session.add``:
    the unit of work cost more than all the rest of an order (``make
    bench``). What was written comes back as a :class:`WrittenOrder`.
    """
    connection = db.session.connection()
    total_cents = sum(line.unit_price_cents * line.quantity for line in order_lines)
    now = utcnow()
    order_id = connection.execute(
        _INSERT_ORDER,
        {
            "customer_id": customer_id,
            "status": OrderStatus.PLACED,
            "total_cents": total_cents,
            "currency": currency,
            "created_at": now,
            "cancelled_at": None,
        },
    ).scalar_one()
    connection.execute(
        _INSERT_LINES,
        [
            {
                "order_id": order_id,
                "product_id": line.product_id,
                "product_name": line.product_name,
                "unit_price_cents": line.unit_price_cents,
                "quantity": line.quantity,
            }
            for line in order_lines
        ],
    )
    if idempotency_key:
        connection.execute(
            _INSERT_KEY,
            {
                "user_id": customer_id,
                "key": idempotency_key,
                "request_fingerprint": fingerprint,
                "order_id": order_id,
                "created_at": now,
            },
        )
    return WrittenOrder(
        id=order_id,
        status=OrderStatus.PLACED,
        total_cents=total_cents,
        currency=currency,
        created_at=now,
        lines=order_lines,
    )


def _shortages(product_ids: list[int], quantities: dict[int, int]) -> list[Shortage]:
    rows = db.session.execute(
        select(Product.id, Product.name, Product.stock).where(Product.id.in_(product_ids))
    ).all()
    return [
        Shortage(product_id=pid, product_name=name, requested=quantities[pid], available=stock)
        for pid, name, stock in sorted(rows)
    ]


def _replay(customer_id: int, key: str | None, fingerprint: str) -> PlacedOrder | None:
    """The order an earlier request with this key placed, or None (no key,
    or a new one). The same key with another body is refused."""
    if not key:
        return None
    earlier = db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == customer_id, IdempotencyKey.key == key
        )
    )
    if earlier is None:
        return None
    if earlier.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different request. "
            "Use a new key for a new order."
        )
    return PlacedOrder(earlier.order, replayed=True)


def request_fingerprint(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def cancel_order(order: Order) -> Order:
    """``placed`` -> ``cancelled``, with every line's stock given back, in one transaction."""
    cancelled = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status == OrderStatus.PLACED)
        .values(status=OrderStatus.CANCELLED, cancelled_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if cancelled.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise OrderNotCancellable("This order is already cancelled.")
    for line in sorted(order.lines, key=lambda line: line.product_id):
        db.session.execute(
            update(Product)
            .where(Product.id == line.product_id)
            .values(stock=Product.stock + line.quantity)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    db.session.refresh(order)
    return order


def own_orders_query(customer_id: int) -> Select[tuple[Order]]:
    return (
        select(Order)
        .where(Order.customer_id == customer_id)
        .options(selectinload(Order.lines))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )


def find_own_order(order_id: int, customer_id: int) -> Order | None:
    """The order if ``customer_id`` placed it; None for anyone else's, as for a missing one."""
    return db.session.scalar(
        select(Order)
        .where(Order.id == order_id, Order.customer_id == customer_id)
        .options(selectinload(Order.lines))
    )


# --- tokens --------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, lifetime: timedelta) -> IssuedToken:
    """A new random token; only its hash is stored.

    Also drops the user's expired tokens, and the oldest live ones beyond
    ``MAX_LIVE_TOKENS``: a script logging in in a loop cannot grow the
    table without bound (its oldest tokens stop working instead).
    """
    now = utcnow()
    db.session.execute(
        delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at <= now)
    )
    keep = (
        select(ApiToken.id)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        .limit(MAX_LIVE_TOKENS - 1)
    )
    db.session.execute(
        delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.id.not_in(keep))
    )
    token = secrets.token_urlsafe(32)
    record = ApiToken(user_id=user.id, token_hash=hash_token(token), expires_at=now + lifetime)
    db.session.add(record)
    db.session.commit()
    return IssuedToken(token=token, expires_at=record.expires_at)


@dataclass(frozen=True)
class TokenHolder:
    """Who a valid bearer token belongs to: the API's ``current_user``.

    The API's views need only these two fields of the user, so the token
    check reads just them, not a whole ORM ``User``: every request with a
    token runs it, and the ORM's query and object cost 7.5% of an order's
    instructions (callgrind, docs/benchmarks.md). Read-only: to change the user,
    load it (``db.session.get(User, holder.id)``).
    """

    id: int
    is_staff: bool
    # What Flask-Login asks of a user. The query admits active users only.
    is_authenticated: ClassVar[bool] = True
    is_active: ClassVar[bool] = True
    is_anonymous: ClassVar[bool] = False

    def get_id(self) -> str:
        return str(self.id)


# Built once: every authenticated request runs it.
_users, _tokens = User.__table__, ApiToken.__table__
_TOKEN_HOLDER = (
    select(_users.c.id, _users.c.is_staff)
    .join(_tokens, _tokens.c.user_id == _users.c.id)
    .where(
        _tokens.c.token_hash == bindparam("token_hash"),
        _tokens.c.expires_at > bindparam("now"),
        _users.c.is_active.is_(True),
    )
)


def token_holder(token: str) -> TokenHolder | None:
    """The active user a valid, unexpired token belongs to, or None."""
    row = (
        db.session.connection()
        .execute(_TOKEN_HOLDER, {"token_hash": hash_token(token), "now": utcnow()})
        .first()
    )
    return TokenHolder(id=row.id, is_staff=row.is_staff) if row is not None else None


def revoke_token(token: str) -> None:
    db.session.execute(delete(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    db.session.commit()


def revoke_all_tokens(user_id: int) -> None:
    """Log out everywhere: every token of the user stops working."""
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
    db.session.commit()


class NewPasswordRefused(ShopError):
    def problem_fields(self) -> dict[str, Any]:
        return {"errors": {"new_password": [str(self)]}}


class WrongPassword(ShopError):
    status = 403

    def problem_fields(self) -> dict[str, Any]:
        return {"errors": {"current_password": [str(self)]}}


def change_password(user_id: int, current_password: str, new_password: str) -> None:
    """A new password, under the usual rule; every token of the user ends
    with the old one (whoever holds them has to log in again)."""
    user = db.session.get(User, user_id)
    if user is None or not user.check_password(current_password):
        raise WrongPassword("The current password is wrong.")
    problem = password_problem(new_password)
    if problem:
        raise NewPasswordRefused(problem)
    user.set_password(new_password)
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
    db.session.commit()
