"""Security headers on every response.

The cookie flags live in :mod:`shared.config`; this module adds what the
browser needs to be told on each response: a Content Security Policy, no
MIME sniffing, no framing, a strict referrer policy and, in production, HSTS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response

HSTS_VALUE = "max-age=31536000; includeSubDomains"


def build_csp(config: Mapping[str, Any]) -> str:
    """The Content-Security-Policy for an app's config.

    Everything is served from our own origin (Bootstrap included), so
    ``'self'`` is enough. ``data:`` images are Bootstrap's own SVG icons.
    ``CSP_IMG_SRC`` adds image origins, such as the S3 endpoint of recipes.
    """
    img_src = ["'self'", "data:", *config.get("CSP_IMG_SRC", [])]
    directives = {
        "default-src": "'self'",
        "img-src": " ".join(dict.fromkeys(img_src)),
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    headers = [
        ("Content-Security-Policy", build_csp(config)),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if config.get("HSTS_ENABLED"):
        headers.append(("Strict-Transport-Security", HSTS_VALUE))
    # Pages and API answers are made for one user or one token (a staff
    # list, an order, a new token): no browser or proxy may keep them.
    # Static files and public API answers set their own caching and keep it.
    headers.append(("Cache-Control", "no-store"))
    return headers


def init_security_headers(app: Flask) -> None:
    defaults: list[tuple[str, str]] = []

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        if not defaults:  # built once, at the first response, when config is final
            defaults.extend(security_headers(app.config))
        headers = response.headers
        # One pass over what is set; `name in headers` would raise and catch
        # a KeyError for every header that is missing (Werkzeug's Headers).
        present = {name.lower() for name, _ in headers.items()}
        for name, value in defaults:
            if name.lower() not in present:
                headers.add(name, value)
        return response
