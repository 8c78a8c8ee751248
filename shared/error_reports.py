"""Unhandled errors reported to Sentry (or a service that speaks its protocol,
such as GlitchTip) when ``<PREFIX>_SENTRY_DSN`` is set: the web app's through
Sentry's Flask integration, the worker's through its Celery one (the worker
builds the app, so this runs there too). Off by default; needs the ``sentry``
extra, and without it a DSN is logged as an error.

No personal data leaves. ``send_default_pii=False`` used to say so; sentry-sdk
2.76 replaced it with ``data_collection``, set here stricter than that default:
no user, cookies, request bodies (forms hold passwords and addresses), client
addresses, SQL parameters, and no local variables of the failing code's frames
(a view's ``account`` dict holds a password under a name no denylist knows);
the stack trace keeps its files, lines and code. A reset link's token is
``<token>``."""

import logging
from typing import TYPE_CHECKING, Any

from flask import Flask

from shared.request_logging import without_reset_token

if TYPE_CHECKING:
    from sentry_sdk.types import Event

logger = logging.getLogger("capstones.error_reports")
# Headers that carry the client's address or its cookies (matched in part).
PERSONAL_HEADERS = ["cookie", "forwarded", "-ip", "remote-", "via"]


def init_error_reports(app: Flask) -> None:
    if not (dsn := app.config["SENTRY_DSN"]):
        return
    try:  # the optional `sentry` extra
        import sentry_sdk
        from sentry_sdk.integrations.celery import CeleryIntegration
        from sentry_sdk.integrations.flask import FlaskIntegration
    except ImportError:
        setting = f"{app.extensions['settings_prefix']}_SENTRY_DSN"
        logger.error("%s is set, but the sentry extra is not installed", setting)
        return
    sentry_sdk.init(  # the process's, as logging is
        dsn=dsn,
        environment=app.config["ENV"],
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "denylist", "terms": PERSONAL_HEADERS}},
            "http_bodies": [],
            "database_query_data": False,
            "queues": False,  # a task's arguments
            "stack_frame_variables": False,
        },
        integrations=[FlaskIntegration(), CeleryIntegration()],
        before_send=without_reset_tokens,
    )


def without_reset_tokens(event: "Event", _hint: dict[str, Any]) -> "Event":
    """An error on a reset link's page is reported with ``<token>`` in its address."""
    reported: dict[str, Any] = dict(event.get("request") or {})
    for part in ("url", "query_string"):
        if isinstance(value := reported.get(part), str):
            reported[part] = without_reset_token(value)
    if reported:
        event["request"] = reported
    return event
