"""Paginated JSON lists: ``{"items", "page", "per_page", "total", "pages"}``
plus RFC 8288 ``Link`` headers for the next and previous pages."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for
from flask_sqlalchemy.pagination import Pagination
from marshmallow import Schema


def paginated_response(
    pagination: Pagination, item_schema: Schema, endpoint: str, **query: Any
) -> Response:
    response = jsonify(
        items=item_schema.dump(pagination.items, many=True),
        page=pagination.page,
        per_page=pagination.per_page,
        total=pagination.total,
        pages=pagination.pages,
    )
    # Query strings spell booleans the way clients send them: true, not True.
    query = {name: str(value).lower() if isinstance(value, bool) else value
             for name, value in query.items()}  # fmt: skip
    links = []
    per_page = pagination.per_page
    if pagination.has_next:
        links.append(
            (url_for(endpoint, page=pagination.next_num, per_page=per_page, **query), "next")
        )
    if pagination.has_prev and pagination.page <= pagination.pages:
        links.append(
            (url_for(endpoint, page=pagination.prev_num, per_page=per_page, **query), "prev")
        )
    if pagination.pages:
        links.append((url_for(endpoint, page=1, per_page=per_page, **query), "first"))
        links.append((url_for(endpoint, page=pagination.pages, per_page=per_page, **query), "last"))
    if links:
        response.headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for url, rel in links)
    return response
