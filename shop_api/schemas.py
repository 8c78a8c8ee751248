"""Marshmallow schemas: the same classes validate requests, serialise responses and
make the OpenAPI document, so the documentation cannot drift from the code. Unknown
fields are refused (marshmallow's default): a client cannot set ids, prices on
orders, owners or staff flags."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from shared.auth.models import DISPLAY_NAME_MAX_LENGTH, EMAIL_MAX_LENGTH
from shared.auth.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from shared.clock import as_utc
from shared.database import MAX_ID
from shared.pagination import MAX_PAGE
from shared.text import breaks_the_line, has_lone_surrogate, shows_nothing
from shop_api.models import (
    CURRENCY,
    DESCRIPTION_MAX_LENGTH,
    IDEMPOTENCY_KEY_MAX_LENGTH,
    MAX_QUANTITY,
    NAME_MAX_LENGTH,
    PRODUCT_ORDERINGS,
    OrderStatus,
)

MAX_PRICE_CENTS = 10_000_000  # 100,000.00 in the shop's currency
MAX_STOCK = 1_000_000
MAX_ORDER_LINES = 50
MAX_PER_PAGE = 100
NAME_LENGTH = validate.Length(min=1, max=NAME_MAX_LENGTH)
DESCRIPTION_LENGTH = validate.Length(max=DESCRIPTION_MAX_LENGTH)
IN_CENTS = {"description": "Price in minor units (cents)."}


def _not_blank(value: str) -> None:
    if shows_nothing(value):  # spaces, or a zero-width space...
        raise ValidationError("Must not be blank.")


def _text(*rules: Any, one_line: bool = True, **kwargs: Any) -> fields.String:
    """A string field refusing NUL, and in one-line text control characters too."""

    def plain_text(value: str) -> None:
        # PostgreSQL cannot store NUL in text (a 500) and SQLite would store it raw.
        if "\x00" in value:
            raise ValidationError("Must not contain a NUL character.")
        # JSON may escape half of a UTF-16 pair ("\ud800"), which UTF-8, and so
        # the database and the password hash, cannot encode (a 500).
        if not value.isascii() and has_lone_surrogate(value):
            raise ValidationError("Must be valid Unicode text.")
        if one_line and breaks_the_line(value):
            raise ValidationError("Must be one line, without control characters.")

    return fields.String(validate=[plain_text, *rules], **kwargs)


def _integer(low: int, high: int, **kwargs: Any) -> fields.Integer:
    # strict: "5", 5.0 and true are not integers.
    return fields.Integer(strict=True, validate=validate.Range(min=low, max=high), **kwargs)


def _password(min_length: int = 1) -> fields.String:
    # The sign-up rule (shared.auth.passwords) as lengths, for the OpenAPI document.
    error = f"Use {min_length} to {PASSWORD_MAX_LENGTH} characters."
    length = validate.Length(min=min_length, max=PASSWORD_MAX_LENGTH, error=error)
    return _text(length, one_line=False, required=True)


class UtcDateTime(fields.DateTime):
    """ISO 8601 in UTC with its offset (``as_utc``: SQLite hands back naive values)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str:
        return as_utc(value).isoformat()


class CredentialsSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=EMAIL_MAX_LENGTH))
    password = _password()


class RegistrationSchema(CredentialsSchema):
    password = _password(PASSWORD_MIN_LENGTH)
    display_name = _text(
        validate.Length(min=1, max=DISPLAY_NAME_MAX_LENGTH),
        metadata={"description": "The name others see; made from the address if left out."},
    )


class PasswordChangeSchema(Schema):
    current_password = _password()
    new_password = _password(PASSWORD_MIN_LENGTH)


class UserSchema(Schema):
    id = fields.Integer()
    email = fields.String(metadata={"description": "Shown to the account's owner only."})
    display_name = fields.String()
    is_staff = fields.Boolean()
    created_at = UtcDateTime()


class TokenSchema(Schema):
    token = fields.String(metadata={"description": "Send as `Authorization: Bearer <token>`."})
    expires_at = UtcDateTime()


class ProductSchema(Schema):
    id = fields.Integer(dump_only=True)
    # Checked as sent, kept without the spaces around it (a field's post_load, in
    # marshmallow 4.3+, runs after its validators).
    name = _text(NAME_LENGTH, _not_blank, required=True, post_load=str.strip)
    description = _text(DESCRIPTION_LENGTH, one_line=False, load_default="")
    price_cents = _integer(0, MAX_PRICE_CENTS, required=True, metadata=IN_CENTS)
    currency = fields.String(
        load_default=CURRENCY,
        validate=validate.OneOf([CURRENCY], error=f"This shop sells in {CURRENCY} only."),
        metadata={"description": "The shop's currency; may be left out."},
    )
    stock = _integer(0, MAX_STOCK, required=True)


NOTHING_TO_CHANGE = "Send at least one of: name, description, price_cents, stock."


class ProductUpdateSchema(Schema):
    """PATCH: at least one of these (``minProperties``: shop_api/api/__init__.py)."""

    name = _text(NAME_LENGTH, _not_blank, post_load=str.strip)
    description = _text(DESCRIPTION_LENGTH, one_line=False)
    price_cents = _integer(0, MAX_PRICE_CENTS, metadata=IN_CENTS)
    stock = _integer(0, MAX_STOCK)

    @post_load
    def require_a_change(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if not data:
            raise ValidationError(NOTHING_TO_CHANGE)
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
    q = _text(validate.Length(max=100), metadata={"description": "Name contains (any case)."})
    in_stock = fields.Boolean(metadata={"description": "true: only products in stock."})
    sort = fields.String(load_default="name", validate=validate.OneOf(list(PRODUCT_ORDERINGS)))


class PageSchema(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


class ProductPageSchema(PageSchema):
    items = fields.List(fields.Nested(ProductSchema))


class OrderItemSchema(Schema):
    # Swagger UI's "Try it out" starts an order from these examples: one that
    # goes through on the demo data (tests/shop_api/test_openapi.py).
    product_id = _integer(1, MAX_ID, required=True, metadata={"example": 1})
    quantity = _integer(1, MAX_QUANTITY, required=True, metadata={"example": 1})


class OrderCreateSchema(Schema):
    items = fields.List(
        fields.Nested(OrderItemSchema),
        required=True,
        validate=validate.Length(
            min=1, max=MAX_ORDER_LINES, error=f"Order between 1 and {MAX_ORDER_LINES} lines."
        ),
    )


class IdempotencyHeaderSchema(Schema):
    # Printable ASCII, no spaces (a header value never holds the newline "$" allows).
    key = fields.String(
        data_key="Idempotency-Key",
        validate=validate.Regexp(
            rf"^[!-~]{{1,{IDEMPOTENCY_KEY_MAX_LENGTH}}}$",
            error=f"Use 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} printable characters, without spaces.",
        ),
        metadata={"description": "Any unique string; send it again to retry safely."},
    )


class OrderLineSchema(Schema):
    product_id = fields.Integer()
    product_name = fields.String()
    quantity = fields.Integer()
    unit_price_cents = fields.Integer()


class OrderSchema(Schema):
    id = fields.Integer()
    status = fields.Enum(OrderStatus, by_value=True)
    items = fields.List(fields.Nested(OrderLineSchema), attribute="lines")
    total_cents = fields.Integer()
    currency = fields.String()
    created_at = UtcDateTime()


class OrderPageSchema(PageSchema):
    items = fields.List(fields.Nested(OrderSchema))
