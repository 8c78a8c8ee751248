"""Unhandled errors reported to Sentry (or a service that speaks its protocol,
such as GlitchTip) when ``<PREFIX>_SENTRY_DSN`` is set: the web app's through
Sentry's Flask integration, the worker's through its Celery one (the worker
builds the app, so this runs there too). Off by default; needs the ``sentry``
extra, and without it a DSN is logged as an error.

No personal data leaves: ``send_default_pii=False`` keeps cookies, the
Authorization header, the user and the client's address out, and Sentry's
scrubber blanks passwords, tokens, secrets and, added here, e-mail addresses
in form fields and local variables of the failing code."""

import logging

from flask import Flask

logger = logging.getLogger("capstones.error_reports")


def init_error_reports(app: Flask) -> None:
    if not (dsn := app.config["SENTRY_DSN"]):
        return
    try:  # the optional `sentry` extra
        import sentry_sdk
        from sentry_sdk.integrations.celery import CeleryIntegration
        from sentry_sdk.integrations.flask import FlaskIntegration
        from sentry_sdk.scrubber import DEFAULT_PII_DENYLIST, EventScrubber
    except ImportError:
        setting = f"{app.extensions['settings_prefix']}_SENTRY_DSN"
        logger.error("%s is set, but the sentry extra is not installed", setting)
        return
    sentry_sdk.init(  # the process's, as logging is
        dsn=dsn,
        environment=app.config["ENV"],
        send_default_pii=False,
        event_scrubber=EventScrubber(pii_denylist=[*DEFAULT_PII_DENYLIST, "email"]),
        integrations=[FlaskIntegration(), CeleryIntegration()],
    )
