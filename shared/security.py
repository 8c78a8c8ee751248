"""Security headers on every response, HSTS too in production. (The cookie
flags are set in shared/config.py.)"""

from flask import Flask, Response


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response: Response) -> Response:
        return add_security_headers(app, response)


def add_security_headers(app: Flask, response: Response) -> Response:
    """``response`` with the headers below, where its view has not set its own.
    (shared/metrics.py adds them too, to the answers it makes before Flask.)"""
    # The CSP: everything comes from our own origin, Bootstrap included; ``data:``
    # images are Bootstrap's SVG icons; ``CSP_IMG_SRC`` adds image origins (an S3 bucket).
    img_src = " ".join(dict.fromkeys(["'self'", "data:", *app.config["CSP_IMG_SRC"]]))
    headers = {
        "Content-Security-Policy": (
            f"default-src 'self'; img-src {img_src}; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        # Pages and API answers are made for one user or one token: no browser or
        # proxy may keep them. Static files and public API answers set their own.
        "Cache-Control": "no-store",
    }
    if app.config["HSTS_ENABLED"]:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    for name, value in headers.items():
        response.headers.setdefault(name, value)  # what the view set stays
    return response
