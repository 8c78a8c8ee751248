"""The shared page layout of the HTML apps: Bootstrap 5 served locally, the
base template, the auth and error templates, and the site name in the nav.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask
from flask_bootstrap import Bootstrap5
from flask_wtf import FlaskForm
from jinja2 import TemplateNotFound, pass_context
from jinja2.runtime import Context

from shared.errors import megabytes


def init_layout(app: Flask, *, site_name: str, description: str = "") -> None:
    """Make ``base.html``, ``auth/*`` and ``errors/*`` available to the app.

    An app's own ``templates/`` folder comes first in Jinja's search path, so
    an app can override any of them by writing a file of the same name.
    """
    # The CSP allows scripts and styles from our own origin only: no CDN.
    app.config["BOOTSTRAP_SERVE_LOCAL"] = True
    Bootstrap5(app)
    app.register_blueprint(
        Blueprint(
            "shared",
            __name__,
            template_folder="templates",
            static_folder="static",
            static_url_path="/shared/static",
        )
    )

    @app.context_processor
    def inject_site_name() -> dict[str, Any]:
        return {"site_name": site_name, "site_description": description or site_name}

    app.jinja_env.globals["has_form_errors"] = has_form_errors

    # The shared pages (log in, errors...) extend ``page_layout``: the app's
    # own ``layout.html`` when it has one, so they keep the app's navigation.
    app.jinja_env.globals["page_layout"] = _page_layout(app)

    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(megabytes, "megabytes")


def _page_layout(app: Flask) -> str:
    if app.jinja_loader is not None:
        try:
            app.jinja_loader.get_source(app.jinja_env, "layout.html")
        except TemplateNotFound:
            pass
        else:
            return "layout.html"
    return "base.html"


@pass_context
def has_form_errors(context: Context) -> bool:
    """Whether a form on this page failed: the page title then starts with "Error:"."""
    return any(
        isinstance(value, FlaskForm) and value.errors for value in context.get_all().values()
    )


def format_datetime(value: datetime | None) -> str:
    """``2026-11-22 14:05 UTC``. SQLite hands back naive datetimes; they are UTC."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
