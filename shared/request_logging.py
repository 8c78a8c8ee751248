"""One log line per request: method, path, status, duration and request id,
and as fields of a JSON line (production, shared/logs.py) also the route and
the user's id.

The id comes from a sane ``X-Request-ID`` header (a proxy's), else it is made
here; the response carries it, so a user's report can be matched to the line.
``REQUEST_LOG_STATIC = False`` leaves out static files and 304s (a browser
checking what it has), most of the requests a page makes: ``make demo`` does."""

import logging
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request

from shared.logs import init_logging

# Anything else (line breaks, very long values) could forge or flood log lines.
REQUEST_ID_MAX_LENGTH = 128  # the outbox keeps the id too (shared/mail.py)
SAFE_REQUEST_ID = re.compile(rf"[A-Za-z0-9._:-]{{1,{REQUEST_ID_MAX_LENGTH}}}")
# Control characters and line separators, escaped: a path decoded from
# /%0D%0AGET%20/admin must not start a forged line in the log.
ESCAPES = {code: f"\\x{code:02x}" for code in [*range(0x20), *range(0x7F, 0xA0)]}
ESCAPES.update({0x2028: "\\u2028", 0x2029: "\\u2029"})

logger = logging.getLogger("capstones.requests")


def init_request_logging(app: Flask) -> None:
    """Call it before any ``init_*`` that adds a hook which may refuse a
    request (CSRF, a rate limit): before_request hooks run in the order they
    were added, so a refused request is timed and keeps its id too."""
    app.config.setdefault("REQUEST_LOG_STATIC", True)
    init_logging(app)
    logger.setLevel(logging.INFO)
    if not any(isinstance(each, ResetTokenHidden) for each in app.logger.filters):
        app.logger.addFilter(ResetTokenHidden())  # the logger is the process's, by name

    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex

    @app.after_request
    def log_request(response: Response) -> Response:
        # No id yet when an earlier before_request hook refused the request.
        request_id = g.setdefault("request_id", uuid.uuid4().hex)
        response.headers["X-Request-ID"] = request_id
        if not app.config["REQUEST_LOG_ENABLED"]:
            return response  # the server's access log has the line, id included
        if not app.config["REQUEST_LOG_STATIC"] and is_static_or_unchanged(response):
            return response
        duration_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        path = without_reset_token(request.path).translate(ESCAPES)
        logger.info(
            "%s %s %s %.1fms request_id=%s",
            request.method,
            path,
            response.status_code,
            duration_ms,
            request_id,
            # The same facts as fields of a JSON line; ``g.user_id`` is set where
            # the request's user was looked up (no lookup only for the log).
            extra={
                "user_id": g.get("user_id"),
                "route": request.endpoint,
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": round(duration_ms, 1),
            },
        )
        return response


def without_reset_token(text: str) -> str:
    """``text`` with the request's reset-link token (a route's ``<token>``)
    written ``<token>``. It opens an account, and logs, traces and error
    reports are read by more people, and kept longer, than the link works."""
    if has_request_context() and (token := (request.view_args or {}).get("token")):
        return text.replace(str(token), "<token>")
    return text


class ResetTokenHidden(logging.Filter):
    """For the app's own logger: Flask logs an unhandled error as "Exception
    on <path>", and on a reset link's page the path holds the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = without_reset_token(record.getMessage()), ()
        return True


def is_static_or_unchanged(response: Response) -> bool:
    """A file from a ``static`` endpoint (the app's or a blueprint's, such as
    Bootstrap-Flask's), or a 304: nothing a reader of the log is looking for."""
    endpoint = request.endpoint or ""
    return response.status_code == 304 or endpoint.rpartition(".")[2] == "static"
