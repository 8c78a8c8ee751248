"""Security headers on every response.

The cookie flags live in :mod:`shared.config`; this module adds what the
browser needs to be told on each response: a Content Security Policy, no
MIME sniffing, no framing, a strict referrer policy and, in production, HSTS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

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
        # Pages and API answers are made for one user or one token (a staff
        # list, an order, a new token): no browser or proxy may keep them.
        # Static files set their own caching and keep it.
        headers.setdefault("Cache-Control", "no-store")
        return response


class NoCookieSessionInterface(SecureCookieSessionInterface):
    """For JSON APIs that authenticate every request with a token: the session
    lives for one request and is never sent back as a cookie."""

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        return None


class CookielessRequest(Request):
    """A request whose cookies are never read: a stray ``remember_token`` or
    ``session`` cookie cannot log anyone in, nor shadow a valid bearer token
    (Flask-Login tries a remember cookie before the request loader)."""

    @cached_property
    def cookies(self) -> ImmutableMultiDict[str, str]:
        return ImmutableMultiDict()


def disable_cookies(app: Flask) -> None:
    """For token APIs: no session cookie goes out, and no cookie is read."""
    app.session_interface = NoCookieSessionInterface()
    app.request_class = type("CookielessRequest", (CookielessRequest, app.request_class), {})
