"""CORS: off unless ``SHOP_API_CORS_ORIGINS`` lists the web origins allowed to call
the API (a native app sends no ``Origin``). Listed origins are named, never ``*``;
no credentials, as tokens travel in ``Authorization``. A small hook rather than
Flask-CORS, so a reader sees every header it sends."""

import re

from flask import Flask, Response, request

from shared.config import ConfigurationError

# What a browser may send (beyond the always-allowed simple headers) and read.
ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, If-Match, If-None-Match"
EXPOSED_HEADERS = "ETag, Idempotent-Replayed, Link, Location, Retry-After, X-Request-ID"
PREFLIGHT_MAX_AGE_SECONDS = 600  # how long a browser may reuse a preflight's answer
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
    """The setting, checked: a list of origins, each a scheme, a host and maybe a port."""
    if not setting:
        return frozenset()
    if not isinstance(setting, list) or not all(
        isinstance(origin, str) and _ORIGIN.fullmatch(origin) for origin in setting
    ):
        raise ConfigurationError(
            f"SHOP_API_CORS_ORIGINS must be a JSON list of origins, not {setting!r}. Write "
            "scheme, host and port only (no path, no trailing slash, no *), e.g. "
            """SHOP_API_CORS_ORIGINS='["https://shop.example.com", "http://localhost:3000"]'."""
        )
    return frozenset(setting)
