"""Error pages on the shared layout for the HTML apps; the API's problem JSON
(an API app's problems.py) says the same sentences, from ``describe``. One handler
covers every HTTP error; a 500 shows nothing of what went wrong (Flask logs it)."""

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_limiter.errors import RateLimitExceeded
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFError
from limits import RateLimitItem
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


def register_error_handlers(app: Flask, *, db: SQLAlchemy) -> None:
    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        if code >= 500:
            # A failed flush leaves the session unusable until rolled back
            # (PendingRollbackError), and this page still queries it: the layout
            # shows the logged-in user, whom Flask-Login loads on first use.
            # (The next request is safe without it: Flask-SQLAlchemy removes the
            # session when the application context ends.)
            db.session.rollback()
        response = error.get_response()  # with its headers: Allow, Retry-After...
        detail = describe(error)
        try:
            response.data = render_template(
                "errors/error.html", code=code, title=error.name, detail=detail
            )
        except Exception:
            # The layout builds URLs, impossible when the request failed before
            # routing (an untrusted Host, say): a plain answer beats a second error.
            current_app.logger.warning("error page for %s rendered as plain text", code)
            response.data = f"{code} {error.name}\n\n{detail}\n"
            response.content_type = "text/plain; charset=utf-8"
        return response


def describe(error: HTTPException) -> str:
    """The sentence shown to the user for ``error``."""
    code = error.code or 500
    if isinstance(error, CSRFError):
        # The session cookie never came back: browsers drop a Secure cookie on an
        # http:// page (a production app tried on a VM's address).
        if (
            error.description == "The CSRF session token is missing."
            and current_app.config.get("SESSION_COOKIE_SECURE")
            and not request.is_secure
        ):
            return (
                "This site's cookie is sent over HTTPS only, and this page was opened over "
                "plain http://, so the form could not be checked. Open it with https:// (or, "
                "for a trial without HTTPS, the operator may set ALLOW_PLAIN_HTTP=true)."
            )
        return (
            "This form has expired or did not come from this site "
            f"({error.description.rstrip('.')}). Go back, reload the page and try again."
        )
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if code == 413 and limit:
        return f"What you sent is too large. The limit is {megabytes(limit)}."
    if isinstance(error, RateLimitExceeded):
        said = as_people_say_it(error.limit.limit)
        return f"Too many attempts (the limit is {said}). Wait, then try again."
    if code >= 500:
        return FRIENDLY_DESCRIPTIONS[500]
    # abort(404, "No such item.") says more than the generic sentence does.
    if error.description and error.description != type(error).description:
        return error.description
    return FRIENDLY_DESCRIPTIONS.get(code, error.description or error.name)


def as_people_say_it(limit: RateLimitItem) -> str:
    """ "10 per minute", "10 per 5 minutes": the limits library writes "10 per
    1 minute" and "10 per 5 minute"."""
    unit = limit.GRANULARITY.name
    if limit.multiples == 1:
        return f"{limit.amount} per {unit}"
    return f"{limit.amount} per {limit.multiples} {unit}s"


def megabytes(size: int) -> str:
    """``10 MB`` for 10 * 1024 * 1024 as for 10,000,000, as people say it
    (and as a page's script that checks a file's size should)."""
    for unit in (1024 * 1024, 1_000_000):
        if size % unit == 0:
            return f"{size // unit} MB"
    return f"{size / 1_000_000:.1f} MB"
