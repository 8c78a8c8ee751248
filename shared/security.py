"""Security headers on every response, HSTS too in production. (The cookie
flags are set in shared/config.py.)"""

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response


def build_csp(config: Mapping[str, Any]) -> str:
    """Everything comes from our own origin, Bootstrap included; ``data:`` images
    are Bootstrap's SVG icons; ``CSP_IMG_SRC`` adds image origins (recipes' S3)."""
    img_src = " ".join(dict.fromkeys(["'self'", "data:", *config.get("CSP_IMG_SRC", [])]))
    return (
        f"default-src 'self'; img-src {img_src}; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = {
            "Content-Security-Policy": build_csp(app.config),
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "strict-origin-when-cross-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
            # Pages and API answers are made for one user or one token: no browser or
            # proxy may keep them. Static files and public API answers set their own.
            "Cache-Control": "no-store",
        }
        if app.config.get("HSTS_ENABLED"):
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        for name, value in headers.items():
            response.headers.setdefault(name, value)  # what the view set stays
        return response
