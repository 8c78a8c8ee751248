"""Marshmallow schemas: what the API accepts and what it returns.

The same classes validate requests, serialise responses and generate the
OpenAPI document, so the documentation cannot drift from the code. Unknown
fields are refused (marshmallow's default), which is how a client is kept
from setting ids, prices on orders, owners or staff flags.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from marshmallow import Schema, ValidationError, fields, post_load, validate

from shared.auth.models import DISPLAY_NAME_MAX_LENGTH, EMAIL_MAX_LENGTH
from shared.auth.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from shared.database import MAX_ID
from shared.pagination import MAX_PAGE
from shop_api.models import CURRENCY, DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH
from shop_api.services import MAX_QUANTITY, PRODUCT_SORTS, WrittenOrder

MAX_PRICE_CENTS = 10_000_000  # 100,000.00 in the shop's currency
MAX_STOCK = 1_000_000
MAX_ORDER_LINES = 50
MAX_PER_PAGE = 100


def _strict_int(**kwargs: Any) -> fields.Integer:
    # strict: "5", 5.0 and true are not integers.
    return fields.Integer(strict=True, **kwargs)


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


def _name_field(*, required: bool) -> fields.String:
    return fields.String(
        required=required, validate=[validate.Length(min=1, max=NAME_MAX_LENGTH), _not_blank]
    )


def utc_iso(value: datetime) -> str:
    """ISO 8601 in UTC with its offset. SQLite hands back naive values; they are UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


class UtcDateTime(fields.DateTime):
    """A datetime field shown by :func:`utc_iso`."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else utc_iso(value)


# --- errors --------------------------------------------------------------------


class ProblemSchema(Schema):
    """An error, as RFC 9457 problem details."""

    # No examples here: each status's example is in its response (openapi.py).
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(metadata={"description": "Messages per field, for invalid input."})
    shortages = fields.List(
        fields.Dict(),
        metadata={"description": "On 409 for stock: each product that fell short."},
    )


# --- accounts and tokens -----------------------------------------------------


class CredentialsSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=EMAIL_MAX_LENGTH))
    password = fields.String(
        required=True, validate=validate.Length(min=1, max=PASSWORD_MAX_LENGTH)
    )


def _new_password_field() -> fields.String:
    # The same rule as the HTML sign-up form (shared.auth.passwords), stated
    # as lengths so the OpenAPI document carries it too.
    return fields.String(
        required=True,
        validate=validate.Length(
            min=PASSWORD_MIN_LENGTH,
            max=PASSWORD_MAX_LENGTH,
            error=f"Use {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters.",
        ),
    )


class RegistrationSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=EMAIL_MAX_LENGTH))
    password = _new_password_field()
    display_name = fields.String(
        validate=validate.Length(min=1, max=DISPLAY_NAME_MAX_LENGTH),
        metadata={"description": "The name others see; made from the address if left out."},
    )


class PasswordChangeSchema(Schema):
    current_password = fields.String(
        required=True, validate=validate.Length(min=1, max=PASSWORD_MAX_LENGTH)
    )
    new_password = _new_password_field()


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.String(
        dump_only=True, metadata={"description": "Shown to the account's owner only."}
    )
    display_name = fields.String(dump_only=True)
    is_staff = fields.Boolean(dump_only=True)
    created_at = UtcDateTime(dump_only=True)


class TokenSchema(Schema):
    token = fields.String(
        dump_only=True, metadata={"description": "Send as `Authorization: Bearer <token>`."}
    )
    expires_at = UtcDateTime(dump_only=True)


# --- products --------------------------------------------------------------------


class ProductSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = _name_field(required=True)
    description = fields.String(
        load_default="", validate=validate.Length(max=DESCRIPTION_MAX_LENGTH)
    )
    price_cents = _strict_int(
        required=True,
        validate=validate.Range(min=0, max=MAX_PRICE_CENTS),
        metadata={"description": "Price in minor units (cents)."},
    )
    currency = fields.String(
        load_default=CURRENCY,
        validate=validate.OneOf([CURRENCY], error=f"This shop sells in {CURRENCY} only."),
        metadata={"description": "The shop's currency; may be left out."},
    )
    stock = _strict_int(required=True, validate=validate.Range(min=0, max=MAX_STOCK))

    @post_load
    def strip_name(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "name" in data:
            data["name"] = data["name"].strip()
        return data


class ProductUpdateSchema(Schema):
    """PATCH: any of these; currency is fixed per shop."""

    OPENAPI_EXTRA: ClassVar[dict[str, Any]] = {"minProperties": 1}

    name = _name_field(required=False)
    description = fields.String(validate=validate.Length(max=DESCRIPTION_MAX_LENGTH))
    price_cents = _strict_int(validate=validate.Range(min=0, max=MAX_PRICE_CENTS))
    stock = _strict_int(validate=validate.Range(min=0, max=MAX_STOCK))

    @post_load
    def require_a_change(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if not data:
            raise ValidationError("Send at least one of: name, description, price_cents, stock.")
        if "name" in data:
            data["name"] = data["name"].strip()
        return data


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1),
        metadata={"description": f"Items per page; values above {MAX_PER_PAGE} are capped."},
    )

    @post_load
    def cap_per_page(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["per_page"] = min(data["per_page"], MAX_PER_PAGE)
        return data


class ProductQuerySchema(PageQuerySchema):
    q = fields.String(
        validate=validate.Length(max=100), metadata={"description": "Name contains (any case)."}
    )
    in_stock = fields.Boolean(metadata={"description": "true: only products in stock."})
    sort = fields.String(load_default="name", validate=validate.OneOf(list(PRODUCT_SORTS)))


class PageSchema(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


class ProductPageSchema(PageSchema):
    items = fields.List(fields.Nested(ProductSchema))


# --- orders ----------------------------------------------------------------------


class OrderItemSchema(Schema):
    product_id = _strict_int(required=True, validate=validate.Range(min=1, max=MAX_ID))
    quantity = _strict_int(required=True, validate=validate.Range(min=1, max=MAX_QUANTITY))


class OrderCreateSchema(Schema):
    items = fields.List(
        fields.Nested(OrderItemSchema),
        required=True,
        validate=validate.Length(
            min=1, max=MAX_ORDER_LINES, error=f"Order between 1 and {MAX_ORDER_LINES} lines."
        ),
    )


class OrderLineSchema(Schema):
    product_id = fields.Integer()
    product_name = fields.String()
    quantity = fields.Integer()
    unit_price_cents = fields.Integer()


class OrderSchema(Schema):
    id = fields.Integer()
    status = fields.String(validate=validate.OneOf(["placed", "cancelled"]))
    items = fields.List(fields.Nested(OrderLineSchema), attribute="lines")
    total_cents = fields.Integer()
    currency = fields.String()
    created_at = UtcDateTime()


def placed_order_json(order: WrittenOrder) -> dict[str, Any]:
    """What ``OrderSchema().dump(order)`` gives for an order just placed,
    without a marshmallow pass: the answer to every new order, the busiest
    write (``make bench``: 4% of an order's instructions). The same way the
    product reads skip the schema; a test keeps the two field for field equal
    (tests/shop_api/test_orders.py)."""
    return {
        "id": order.id,
        "status": str(order.status),
        "items": [
            {
                "product_id": line.product_id,
                "product_name": line.product_name,
                "quantity": line.quantity,
                "unit_price_cents": line.unit_price_cents,
            }
            for line in order.lines
        ],
        "total_cents": order.total_cents,
        "currency": order.currency,
        "created_at": utc_iso(order.created_at),
    }


class OrderPageSchema(PageSchema):
    items = fields.List(fields.Nested(OrderSchema))
