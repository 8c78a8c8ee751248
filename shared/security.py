"""Security headers on every response.

The cookie flags live in :mod:`shared.config`; this module adds what the
browser needs to be told on each response: a Content Security Policy, no
MIME sniffing, no framing, a strict referrer policy and, in production, HSTS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response
from flask.sessions import SecureCookieSessionInterface, SessionMixin

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


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", build_csp(app.config))
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("HSTS_ENABLED"):
            headers.setdefault("Strict-Transport-Security", HSTS_VALUE)
        return response


class NoCookieSessionInterface(SecureCookieSessionInterface):
    """For JSON APIs that authenticate every request with a token: the session
    lives for one request and is never sent back as a cookie."""

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        return None


def disable_session_cookies(app: Flask) -> None:
    app.session_interface = NoCookieSessionInterface()
