"""JSON answers the API shares: paginated lists (``{"items", "page",
"per_page", "total", "pages"}`` plus RFC 8288 ``Link`` headers for the other
pages) and the HTTP caching of public data.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, jsonify, request

from shop_api.services import Page

# Products are the same for everyone, so shared caches (a CDN, nginx) may
# keep them; "no-cache" makes every reuse ask us first (If-None-Match), and
# the ETag lets us answer 304 with no body when nothing changed. So a client
# never shows a price or a stock level we no longer have. Anything tied to a
# user or a token keeps the app-wide "no-store" (shared/security.py).
PUBLIC_CACHE_CONTROL = "public, no-cache"


def public_json(payload: Any) -> Response:
    """A JSON answer anyone may cache, revalidated by ETag (304 when unchanged)."""
    response = jsonify(payload)
    response.headers["Cache-Control"] = PUBLIC_CACHE_CONTROL
    response.add_etag()
    if request.if_none_match:  # the client has a copy: 304 if it is still right
        response.make_conditional(request)  # changes the response in place
    return response


def paginated_response(page: Page, *, public: bool = False, **query: Any) -> Response:
    """The page as JSON; ``query`` is the filters to repeat in the links."""
    payload = {
        "items": page.items,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }
    response = public_json(payload) if public else jsonify(payload)
    # Query strings spell booleans the way clients send them: true, not True.
    query = {"per_page": page.per_page} | {
        name: str(value).lower() if isinstance(value, bool) else value
        for name, value in query.items()
    }
    numbers = []
    if page.page < page.pages:
        numbers.append((page.page + 1, "next"))
    if 1 < page.page <= page.pages:
        numbers.append((page.page - 1, "prev"))
    if page.pages:
        numbers += [(1, "first"), (page.pages, "last")]
    if numbers:
        # The links lead to this same URL with another page number; the rest
        # of the query is the same in each, so it is encoded once.
        here, rest = request.script_root + request.path, urlencode(query)
        response.headers["Link"] = ", ".join(
            f'<{here}?page={number}&{rest}>; rel="{rel}"' for number, rel in numbers
        )
    return response
