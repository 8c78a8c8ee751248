"""Strict ``?page=`` handling on top of Flask-SQLAlchemy's ``db.paginate``.

``page=abc`` or ``page=-1`` is bad input (400); a page past the last one does
not exist (404); page 1 of an empty list is an empty page (200), which the
template shows as an empty state.
"""

from __future__ import annotations

from typing import Any

from flask import abort, request
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

# Far past any real list, and small enough that OFFSET never overflows.
MAX_PAGE = 100_000


def page_from_request(name: str = "page") -> int:
    raw = request.args.get(name, "1").strip()
    # isascii(): str.isdigit() is also true for "²", "①" and other digits
    # that int() cannot read.
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        abort(400, f"'{name}' must be a whole number of 1 or more.")
    page = int(raw)
    if page > MAX_PAGE:
        abort(404, f"There is no page {page}.")
    return page


def paginate(
    db: SQLAlchemy, statement: Select[Any], *, per_page: int, total: int | None = None
) -> Pagination:
    """One page of ``statement``. Pass ``total`` when it is known already
    (a kept count), to spare the COUNT query over the whole list."""
    page = page_from_request()
    pagination = db.paginate(
        statement, page=page, per_page=per_page, error_out=False, count=total is None
    )
    if total is not None:
        pagination.total = total
    if page > 1 and page > (pagination.pages or 0):
        abort(404, f"There is no page {page}; the last page is {max(pagination.pages or 0, 1)}.")
    return pagination
