"""CORS (cross-origin resource sharing) for the API: off unless
``SHOP_API_CORS_ORIGINS`` lists the web origins allowed to call it.

A native mobile app is not a browser: it sends no ``Origin`` and needs no
CORS, so the default is off. A web front end served from another origin
(``https://shop.example.com`` calling ``https://api.example.com``) is
different: the browser first asks with a *preflight* (``OPTIONS`` with
``Origin`` and ``Access-Control-Request-Method``) and lets the page read an
answer only if it names the page's origin. Here only listed origins are
named, never ``*``, and no cookies are involved (tokens travel in
``Authorization``, which the preflight allows), so no
``Access-Control-Allow-Credentials``.

A small after-request hook rather than Flask-CORS: the whole policy fits on
one screen, and a reader sees every header it sends.
"""

from __future__ import annotations

import re

from flask import Flask, Response, request

from shared.config import ConfigurationError

# What a browser may send (beyond the always-allowed simple headers) and read.
ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, If-None-Match"
EXPOSED_HEADERS = "ETag, Idempotent-Replayed, Link, Location, Retry-After, X-Request-ID"
# How long a browser may reuse a preflight's answer before asking again.
PREFLIGHT_MAX_AGE_SECONDS = 600
_ORIGIN = re.compile(r"https?://[^/\s:]+(:[0-9]{1,5})?")


def init_cors(app: Flask) -> None:
    origins = allowed_origins(app.config.get("CORS_ORIGINS"))
    if not origins:
        return

    @app.after_request
    def add_cors_headers(response: Response) -> Response:
        # The answer depends on Origin: a shared cache must not hand one
        # origin's answer to another (product pages are publicly cacheable).
        response.vary.add("Origin")
        origin = request.headers.get("Origin")
        if origin not in origins or not request.path.startswith("/api/"):
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
        if request.method == "OPTIONS":  # the preflight: Flask's automatic OPTIONS answer
            response.headers["Access-Control-Allow-Methods"] = ", ".join(sorted(response.allow))
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE_SECONDS)
        else:
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return response


def allowed_origins(setting: object) -> frozenset[str]:
    """``["https://shop.example.com", "http://localhost:3000"]``, checked:
    an origin is a scheme, a host and maybe a port, nothing else."""
    if not setting:
        return frozenset()
    if not isinstance(setting, list) or not all(isinstance(item, str) for item in setting):
        raise ConfigurationError(
            "SHOP_API_CORS_ORIGINS must be a JSON list of origins, e.g. "
            """SHOP_API_CORS_ORIGINS='["https://shop.example.com"]'."""
        )
    for origin in setting:
        if not _ORIGIN.fullmatch(origin):
            raise ConfigurationError(
                f"SHOP_API_CORS_ORIGINS: {origin!r} is not an origin. Write scheme, host and "
                "port only, e.g. https://shop.example.com or http://localhost:3000 "
                "(no path, no trailing slash, no *)."
            )
    return frozenset(setting)
