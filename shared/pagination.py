"""Strict ``?page=`` on top of Flask-SQLAlchemy's ``db.paginate``: ``page=abc``
or ``page=-1`` is bad input (400), a page past the last does not exist (404),
and page 1 of an empty list is an empty page (200), shown as an empty state."""

from typing import Any

from flask import abort, request
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

MAX_PAGE = 100_000  # far past any real list, and small enough that OFFSET never overflows


def paginate(
    db: SQLAlchemy, statement: Select[Any], *, per_page: int, total: int | None = None
) -> Pagination:
    """One page of ``statement``. Pass ``total`` when it is known already (a kept
    count), to spare the COUNT query over the whole list."""
    raw = request.args.get("page", "1").strip()
    digits = raw.lstrip("0")
    # isascii(): "²" and "①" are digits to str.isdigit(), but not to int().
    if not (raw.isascii() and raw.isdigit()) or not digits:
        abort(400, "'page' must be a whole number of 1 or more.")
    # Counted before int() reads them: it refuses more than 4,300 digits.
    if len(digits) > len(str(MAX_PAGE)) or int(digits) > MAX_PAGE:
        abort(404, f"There is no page past {MAX_PAGE:,}.")
    page = int(digits)
    pagination = db.paginate(
        statement, page=page, per_page=per_page, error_out=False, count=total is None
    )
    if total is not None:
        pagination.total = total
    last_page = max(pagination.pages, 1)
    if page > last_page:
        abort(404, f"There is no page {page}; the last page is {last_page}.")
    return pagination
