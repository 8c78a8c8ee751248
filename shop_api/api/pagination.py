"""Paginated lists: ``{"items", "page", "per_page", "total", "pages"}`` in the
body (the page schemas dump Flask-SQLAlchemy's ``Pagination``), and RFC 8288
``Link`` headers to the next, previous, first and last pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import request
from flask_sqlalchemy.pagination import Pagination


def link_header(page: Pagination, **query: Any) -> dict[str, str]:
    """``{"Link": ...}`` for ``page``; ``query`` is the filters to repeat."""
    pages = page.pages or 0
    numbers = []
    if page.page < pages:
        numbers.append((page.page + 1, "next"))
    if 1 < page.page <= pages:
        numbers.append((page.page - 1, "prev"))
    if pages:
        numbers += [(1, "first"), (pages, "last")]
    if not numbers:
        return {}
    # Query strings spell booleans the way clients send them: true, not True.
    rest = {"per_page": page.per_page} | {
        name: str(value).lower() if isinstance(value, bool) else value
        for name, value in query.items()
    }
    here = request.script_root + request.path
    links = [
        f'<{here}?{urlencode({"page": number, **rest})}>; rel="{rel}"' for number, rel in numbers
    ]
    return {"Link": ", ".join(links)}
