"""Where the process's log lines go, and in what shape: one handler on the root
logger, so every logger's lines (the request line, ``app.logger``, the mail
outbox, the libraries') come out alike; one JSON object per line in production
(python-json-logger's ``JsonFormatter``), plain lines in development.
``<PREFIX>_LOG_FORMAT=json`` or ``text`` chooses either way.

Each line carries the id of the request it was written in, or of the request
that queued the Celery task it was written in (shared/worker.py puts the id in
the task message's headers), or the one a line names itself: the worker's lines
about a mail name the request that queued it (shared/mail.py)."""

import logging

from celery import current_task
from flask import Flask, g, has_request_context
from flask.logging import default_handler, wsgi_errors_stream
from pythonjsonlogger.json import JsonFormatter

from shared.config import ConfigurationError

TEXT_FORMAT = "%(asctime)s %(levelname)s %(message)s"
LOG_FORMATS = ("json", "text")


def current_request_id() -> str | None:
    """The request's id (shared/request_logging.py), or in a Celery task the id
    of the request that queued it; None in neither (a beat tick, a command)."""
    if has_request_context():
        return g.get("request_id")
    # Celery's own log formatter reads the running task the same way.
    headers = current_task.request.headers if current_task else None
    return (headers or {}).get("request_id")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record a handler writes. Flask's docs add
    request data in a formatter; as a filter it serves both formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Kept when the line names its request (``extra={"request_id": ...}``):
        # the worker's lines about a mail name the request that queued it.
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


# Flask's documented stream: the server's error stream (stderr) at the time of
# each line, so the lines show under `flask run` and gunicorn alike.
handler = logging.StreamHandler(wsgi_errors_stream)  # type: ignore[call-overload]
handler.addFilter(RequestIdFilter())


def init_logging(app: Flask) -> None:
    """Give the root logger the handler, in this app's format. Logging is the
    process's: a process serves one app, and the last app made sets the format."""
    kind = app.config["LOG_FORMAT"] or ("json" if app.config["ENV"] == "production" else "text")
    if kind not in LOG_FORMATS:
        prefix = app.extensions["settings_prefix"]
        raise ConfigurationError(f"{prefix}_LOG_FORMAT must be json or text: {kind!r}")
    handler.setFormatter(json_formatter() if kind == "json" else logging.Formatter(TEXT_FORMAT))
    logging.getLogger().addHandler(handler)  # once, however many apps are made
    # Flask's own handler would write app.logger's lines a second time, unformatted.
    app.logger.removeHandler(default_handler)


def json_formatter() -> JsonFormatter:
    """timestamp, level, logger, message, request_id, then whatever the line
    adds with ``extra=`` (the request line: user_id, route, status...)."""
    return JsonFormatter(
        "{levelname}{name}{message}{request_id}",
        style="{",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp=True,
    )


def format_like_the_app(other: logging.Handler) -> None:
    """In JSON mode, make ``other`` (a handler Celery made) write JSON lines
    with the request id too; in text mode leave it as it is."""
    if isinstance(handler.formatter, JsonFormatter):
        other.setFormatter(handler.formatter)
        other.addFilter(RequestIdFilter())
