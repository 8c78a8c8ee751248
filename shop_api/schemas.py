"""Marshmallow schemas: what the API accepts and what it returns.

The same classes validate requests (``@blp.arguments``), serialise
responses (``@blp.response``) and make the OpenAPI document (flask-smorest),
so the documentation cannot drift from the code. Unknown fields are refused
(marshmallow's default), which is how a client is kept from setting ids,
prices on orders, owners or staff flags.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from apispec import BasePlugin
from marshmallow import Schema, ValidationError, fields, post_load, validate

from shared.auth.models import DISPLAY_NAME_MAX_LENGTH, EMAIL_MAX_LENGTH
from shared.auth.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from shared.database import MAX_ID
from shared.pagination import MAX_PAGE
from shared.text import breaks_the_line
from shop_api.models import (
    CURRENCY,
    DESCRIPTION_MAX_LENGTH,
    MAX_QUANTITY,
    NAME_MAX_LENGTH,
    PRODUCT_ORDERINGS,
)

MAX_PRICE_CENTS = 10_000_000  # 100,000.00 in the shop's currency
MAX_STOCK = 1_000_000
MAX_ORDER_LINES = 50
MAX_PER_PAGE = 100


def _strict_int(**kwargs: Any) -> fields.Integer:
    # strict: "5", 5.0 and true are not integers.
    return fields.Integer(strict=True, **kwargs)


def _no_nul(value: str) -> None:
    # PostgreSQL cannot store NUL in text (a 500) and SQLite would store it raw.
    if "\x00" in value:
        raise ValidationError("Must not contain a NUL character.")


def _one_line(value: str) -> None:
    _no_nul(value)
    if breaks_the_line(value):
        raise ValidationError("Must be one line, without control characters.")


def _text(*, one_line: bool = True, **kwargs: Any) -> fields.String:
    """A string field that refuses NUL, and for one-line text control characters."""
    rules = kwargs.pop("validate", [])
    rules = rules if isinstance(rules, list) else [rules]
    return fields.String(validate=[_one_line if one_line else _no_nul, *rules], **kwargs)


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


def _name_field(*, required: bool) -> fields.String:
    return _text(
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


# --- accounts and tokens -----------------------------------------------------


class CredentialsSchema(Schema):
    email = fields.Email(required=True, validate=[_no_nul, validate.Length(max=EMAIL_MAX_LENGTH)])
    password = _text(
        one_line=False, required=True, validate=validate.Length(min=1, max=PASSWORD_MAX_LENGTH)
    )


def _new_password_field() -> fields.String:
    # The same rule as the HTML sign-up form (shared.auth.passwords), stated
    # as lengths so the OpenAPI document carries it too.
    return _text(
        one_line=False,
        required=True,
        validate=validate.Length(
            min=PASSWORD_MIN_LENGTH,
            max=PASSWORD_MAX_LENGTH,
            error=f"Use {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters.",
        ),
    )


class RegistrationSchema(Schema):
    email = fields.Email(required=True, validate=[_no_nul, validate.Length(max=EMAIL_MAX_LENGTH)])
    password = _new_password_field()
    display_name = _text(
        validate=validate.Length(min=1, max=DISPLAY_NAME_MAX_LENGTH),
        metadata={"description": "The name others see; made from the address if left out."},
    )


class PasswordChangeSchema(Schema):
    current_password = _text(
        one_line=False, required=True, validate=validate.Length(min=1, max=PASSWORD_MAX_LENGTH)
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
    description = _text(
        one_line=False, load_default="", validate=validate.Length(max=DESCRIPTION_MAX_LENGTH)
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
    description = _text(one_line=False, validate=validate.Length(max=DESCRIPTION_MAX_LENGTH))
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
    q = _text(
        validate=validate.Length(max=100), metadata={"description": "Name contains (any case)."}
    )
    in_stock = fields.Boolean(metadata={"description": "true: only products in stock."})
    sort = fields.String(load_default="name", validate=validate.OneOf(list(PRODUCT_ORDERINGS)))


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


class OrderPageSchema(PageSchema):
    items = fields.List(fields.Nested(OrderSchema))


class SchemaExtrasPlugin(BasePlugin):
    """apispec's plugin hook: adds a schema class's ``OPENAPI_EXTRA`` (rules
    marshmallow cannot state as field properties, such as ``minProperties``)
    to its component in the OpenAPI document."""

    def schema_helper(
        self, name: str, definition: dict[str, Any], **kwargs: Any
    ) -> dict[str, Any] | None:
        extra = getattr(kwargs.get("schema"), "OPENAPI_EXTRA", None)
        return dict(extra) if extra else None
