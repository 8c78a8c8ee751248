"""The shop's rules, one module per concept: products, orders, tokens.

Functions take plain values (ids, numbers, the acting user) and raise a
``ShopError`` when a rule says no; the API turns it into problem JSON with
the status it carries (shop_api/problems.py). Nothing here reads the request.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ShopError(Exception):
    """A rule said no; the message is fit to show the client. ``status`` is
    the answer's status (422: the request can never work as sent; 409: it
    conflicts with the current state); ``errors`` name the fields at fault
    and ``extra`` adds members a client needs to react."""

    status: ClassVar[int] = 422

    def __init__(self, message: str, *, errors: dict[str, Any] | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.errors = errors
        self.extra = extra
