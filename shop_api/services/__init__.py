"""The shop's rules, one module per concept: products, orders, tokens. Functions
take plain values and raise a ``ShopError`` when a rule says no; the API answers
it as problem JSON with the error's status (shop_api/api/__init__.py)."""

from typing import Any


class ShopError(Exception):
    """A rule said no, in words fit for the client. ``status`` is 422 when the
    request can never work as sent, 409 when it conflicts with the current state,
    403 when a credential is wrong (the current password, to change it), 412
    when the product changed since the ETag the client sent in ``If-Match``;
    ``errors`` names the fields at fault; ``extra`` adds members a client needs
    (list a new one in ``ProblemSchema`` too, for the OpenAPI document)."""

    def __init__(
        self, message: str, *, status: int = 422, errors: dict[str, Any] | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.errors = errors
        self.extra = extra
