"""Products, orders and their lines, API tokens and idempotency keys. Money is
integer minor units (``price_cents``): floats cannot hold 0.10 exactly, and sums drift."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import UnaryExpression

from shared.auth import UserAccountMixin
from shared.clock import utcnow
from shared.database import string_enum
from shop_api.extensions import db

NAME_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5_000
IDEMPOTENCY_KEY_MAX_LENGTH = 255
# One currency per shop, so an order's total is a plain sum.
CURRENCY = "EUR"
MAX_QUANTITY = 1000  # of one product in one order


class OrderStatus(enum.StrEnum):
    PLACED = "placed"
    CANCELLED = "cancelled"


class User(UserAccountMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "users"


class Product(db.Model):  # type: ignore[name-defined]
    __tablename__ = "products"
    __table_args__ = (
        # The last line of defence: whatever the code does, stock never goes negative.
        sa.CheckConstraint("stock >= 0", name="stock_not_negative"),
        sa.CheckConstraint("price_cents >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX_LENGTH), index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    price_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    stock: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# ?sort= on the product list: each a full ordering (the id breaks ties), so
# pages never repeat or skip a product.
PRODUCT_ORDERINGS: dict[str, tuple[UnaryExpression[Any], ...]] = {
    "name": (Product.name.asc(), Product.id.asc()),
    "-name": (Product.name.desc(), Product.id.desc()),
    "price": (Product.price_cents.asc(), Product.id.asc()),
    "-price": (Product.price_cents.desc(), Product.id.desc()),
    "newest": (Product.created_at.desc(), Product.id.desc()),
}


class Order(db.Model):  # type: ignore[name-defined]
    __tablename__ = "orders"
    __table_args__ = (sa.Index("ix_orders_customer_created", "customer_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[OrderStatus] = mapped_column(
        string_enum(OrderStatus, "order_status"), default=OrderStatus.PLACED
    )
    # 64 bits: 50 lines of 1,000 items at the top price exceed a 32-bit integer.
    total_cents: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]

    customer: Mapped[User] = relationship()
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )


class OrderLine(db.Model):  # type: ignore[name-defined]
    """One product in an order, with its name and price as they were when ordered."""

    __tablename__ = "order_lines"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    product_name: Mapped[str] = mapped_column(sa.String(NAME_MAX_LENGTH))
    unit_price_cents: Mapped[int]
    quantity: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="lines")


class ApiToken(db.Model):  # type: ignore[name-defined]
    """A bearer token, stored as its SHA-256 only (shop_api/services/tokens.py)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class IdempotencyKey(db.Model):  # type: ignore[name-defined]
    """Which order a client's ``Idempotency-Key`` placed: a retry gets that order back."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(IDEMPOTENCY_KEY_MAX_LENGTH))
    # SHA-256 of the ordered products and quantities: the same key for another order is refused.
    request_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship()
