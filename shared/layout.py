"""The shared page layout of the HTML apps: Bootstrap 5 served locally, the
base, auth and error templates, and the filters and names they use."""

from datetime import datetime

from flask import Blueprint, Flask
from flask_bootstrap import Bootstrap5
from flask_wtf import FlaskForm
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from shared.clock import as_utc
from shared.errors import megabytes

layout_bp = Blueprint("shared", __name__, template_folder="templates", static_folder="static")


def init_layout(app: Flask, *, site_name: str, description: str = "") -> None:
    """Make ``base.html``, ``auth/*`` and ``errors/*`` available to the app. Its
    own ``templates/`` come first, so a file of the same name overrides one."""
    app.config["BOOTSTRAP_SERVE_LOCAL"] = True  # the CSP allows our own origin only
    Bootstrap5(app)
    app.register_blueprint(layout_bp, url_prefix="/shared")
    # The shared pages extend the app's own layout, with its navigation, if it has one.
    own_layout = "layout.html" in app.jinja_env.list_templates()
    app.jinja_env.globals.update(
        site_name=site_name,
        site_description=description or site_name,
        has_form_errors=has_form_errors,
        page_layout="layout.html" if own_layout else "base.html",
    )
    app.add_template_filter(time_element, "datetime")
    app.add_template_filter(megabytes, "megabytes")


@pass_context
def has_form_errors(context: Context) -> bool:
    """Whether a form on this page failed: the page title then starts with "Error:"."""
    return any(isinstance(v, FlaskForm) and v.errors for v in context.get_all().values())


def format_datetime(value: datetime | None) -> str:
    """``2026-11-22 14:05 UTC``."""
    return "" if value is None else as_utc(value).strftime("%Y-%m-%d %H:%M UTC")


def time_element(value: datetime | None) -> Markup:
    """``<time datetime="2026-11-22T14:05:00Z">2026-11-22 14:05 UTC</time>``: the
    server cannot know the reader's time zone, so it writes UTC, and site.js
    shows it in the browser's own zone with a relative form ("3 minutes ago")."""
    if value is None:
        return Markup("")
    utc = as_utc(value)
    return Markup('<time datetime="{}">{}</time>').format(
        utc.strftime("%Y-%m-%dT%H:%M:%SZ"), format_datetime(utc)
    )
