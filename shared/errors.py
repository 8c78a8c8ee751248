"""Error pages on the shared layout, for the HTML apps (the API answers
problem JSON: shop_api/problems.py, with the same sentences from ``describe``).

One handler covers every HTTP error, so a 405 or a 413 looks as cared-for as
a 404. A 500 shows the user nothing of what went wrong (Flask logs it).
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

# What a person should read, in place of Werkzeug's terser defaults.
FRIENDLY_DESCRIPTIONS = {
    400: "The request could not be understood. Check what you sent and try again.",
    401: "You need to log in to do that.",
    403: "You do not have permission to do that.",
    404: "There is nothing here. The address may be mistyped, or the page was removed.",
    405: "That action is not allowed here.",
    413: "What you sent is too large.",
    415: "That type of content is not accepted here.",
    422: "Some of what you sent is not valid.",
    500: "Something went wrong on our side. It has been logged; please try again later.",
}
# Headers that belong to the error body Werkzeug would have sent, not to ours.
_BODY_HEADERS = {"content-type", "content-length"}


def register_error_handlers(app: Flask, *, db: SQLAlchemy) -> None:
    """Render every HTTP error as a page on the app's layout."""

    def handle_http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        if code >= 500:
            # A failed flush leaves the session unusable until rolled back,
            # and the error page reads the logged-in user from it.
            db.session.rollback()
        headers = [
            (name, value)
            for name, value in error.get_headers()
            if name.lower() not in _BODY_HEADERS
        ]
        detail = describe(error)
        try:
            page = render_template("errors/error.html", code=code, title=error.name, detail=detail)
        except Exception:
            # The layout needs URL building, which is unavailable when the
            # request failed before routing (an untrusted Host, say). A plain
            # answer beats a second error.
            current_app.logger.warning("error page for %s rendered as plain text", code)
            plain = f"{code} {error.name}\n\n{detail}\n"
            return plain, code, [*headers, ("Content-Type", "text/plain; charset=utf-8")]
        return page, code, headers

    app.register_error_handler(HTTPException, handle_http_error)


def describe(error: HTTPException) -> str:
    """The sentence shown to the user for ``error``."""
    code = error.code or 500
    if isinstance(error, CSRFError):
        if _secure_cookie_lost_over_plain_http(error):
            return (
                "This site keeps you logged in with a cookie that browsers send over "
                "HTTPS only, and this page was opened over plain http://, so the form "
                "could not be checked. Open the site with https://. (For a trial without "
                "HTTPS, the operator can set ALLOW_PLAIN_HTTP=true; see the README, "
                "'Run it for real'.)"
            )
        return (
            "This form has expired or did not come from this site "
            f"({error.description.rstrip('.')}). Go back, reload the page and try again."
        )
    if code == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if limit:
            return f"What you sent is too large. The limit is {megabytes(limit)}."
    if code == 429:
        # Flask-Limiter's description is the limit itself, e.g. "10 per 1 minute".
        return (
            f"Too many attempts (the limit is {error.description}). Wait a little, then try again."
        )
    if code >= 500:
        return FRIENDLY_DESCRIPTIONS[500]
    # abort(404, "No such ticket.") says more than the generic sentence does.
    if error.description and error.description != type(error).description:
        return error.description
    return FRIENDLY_DESCRIPTIONS.get(code, error.description or error.name)


def _secure_cookie_lost_over_plain_http(error: CSRFError) -> bool:
    # Flask-WTF's reason when the session cookie never came back: the browser
    # dropped a Secure cookie on an http:// page (a production app tried on a
    # VM's address). The generic "form has expired" would send people hunting.
    return (
        error.description == "The CSRF session token is missing."
        and bool(current_app.config.get("SESSION_COOKIE_SECURE"))
        and not request.is_secure
    )


def megabytes(size: int) -> str:
    """``10 MB`` for 10 * 1024 * 1024 as for 10,000,000: how people say it.
    (recipes/static/photo-size.js says sizes the same way.)"""
    for unit in (1024 * 1024, 1_000_000):
        if size % unit == 0:
            return f"{size // unit} MB"
    return f"{size / 1_000_000:.1f} MB"
