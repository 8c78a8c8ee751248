"""One log line per request: method, path, status, duration and request id.

The request id comes from the ``X-Request-ID`` header when a proxy sent a
sane one, else it is generated; it is returned in the response so a user's
bug report can be matched to the log line.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, request

REQUEST_ID_HEADER = "X-Request-ID"
# Anything else (newlines, very long values) could forge or flood log lines.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

# URL parts (view arguments) that are secrets: never written to the log.
SECRET_PATH_PARTS = frozenset({"token"})

logger = logging.getLogger("capstones.requests")


def init_request_logging(app: Flask) -> None:
    _ensure_handler()

    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()
        g.request_id = incoming_request_id() or uuid.uuid4().hex

    @app.after_request
    def log_request(response: Response) -> Response:
        request_id = g.get("request_id") or uuid.uuid4().hex
        started = g.get("request_started", time.perf_counter())
        duration_ms = (time.perf_counter() - started) * 1000
        response.headers[REQUEST_ID_HEADER] = request_id
        if not app.config["REQUEST_LOG_ENABLED"]:
            return response  # the server's access log has the line, id included
        logger.info(
            "%s %s %s %.1fms request_id=%s",
            request.method,
            printable(logged_path()),
            response.status_code,
            duration_ms,
            request_id,
        )
        return response


def logged_path() -> str:
    """The request's path, with a secret that travels in it (a password
    reset link's token) replaced by its name: logs are read by more people,
    and kept longer, than the link is valid."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in SECRET_PATH_PARTS:
            path = path.replace(str(value), f"<{name}>")
    return path


def printable(text: str) -> str:
    """``text`` with control characters escaped: a path decoded from
    ``/%0D%0AGET%20/admin`` must not start a forged line in the log."""
    return _CONTROL_CHARACTERS.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def incoming_request_id() -> str | None:
    value = request.headers.get(REQUEST_ID_HEADER, "")
    return value if _SAFE_REQUEST_ID.fullmatch(value) else None


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time of the record.

    ``logging.StreamHandler`` keeps the stream it was created with, which
    breaks when a test runner swaps ``sys.stderr`` between tests.
    """

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def _ensure_handler() -> None:
    # Our own handler, so the lines appear under `flask run` and gunicorn alike
    # without configuring the root logger of the whole process.
    logger.setLevel(logging.INFO)
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
