"""Paginated lists: ``{"items", "page", "per_page", "total", "pages"}`` in the
body (the page schemas dump Flask-SQLAlchemy's ``Pagination``), and RFC 8288
``Link`` headers to the next, previous, first and last pages."""

from typing import Any
from urllib.parse import urlencode

from flask import request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from shop_api.extensions import db

# The header paginated() answers, for each list's documentation.
LINK = {"Link": {"description": "RFC 8288: next, prev, first, last.", "schema": {"type": "string"}}}


def paginated(
    statement: Select[Any], query: dict[str, Any]
) -> tuple[Pagination, int, dict[str, str]]:
    """The page of ``statement`` that ``query`` (the loaded query string) asks for,
    with its ``Link`` header. A page past the end is empty, not a 404."""
    page = db.paginate(statement, page=query["page"], per_page=query["per_page"], error_out=False)
    numbers = {
        "next": page.next_num,
        "prev": page.prev_num if page.page <= (page.pages or 0) else None,  # none past the end
        "first": 1 if page.pages else None,
        "last": page.pages or None,
    }
    # Each link repeats the query, with booleans spelled as clients send them.
    args = {
        name: str(value).lower() if isinstance(value, bool) else value
        for name, value in query.items()
    }
    here = request.script_root + request.path
    links = [
        f'<{here}?{urlencode(args | {"page": number})}>; rel="{rel}"'
        for rel, number in numbers.items()
        if number
    ]
    return page, 200, {"Link": ", ".join(links)} if links else {}
