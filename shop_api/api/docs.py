"""The interactive docs (Swagger UI, served locally) for the OpenAPI
document flask-smorest makes at ``/api/openapi.json``.

Swagger UI's files come from the flask-swagger-ui package; our own page and
start-up script load them, because the Content Security Policy forbids the
inline script such pages usually carry (and flask-smorest's own page loads
Swagger UI from a CDN).
"""

from __future__ import annotations

import os

import flask_swagger_ui
from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

SWAGGER_UI_DIST = os.path.join(os.path.dirname(flask_swagger_ui.__file__), "dist")

bp = Blueprint("docs", __name__, url_prefix="/api")
# The API lives under /api; someone opening the server's bare address (the
# demo prints it) lands on the docs rather than on a JSON 404.
start_page = Blueprint("start", __name__)
swagger_ui_assets = Blueprint(
    "swagger_ui", __name__, static_folder=SWAGGER_UI_DIST, static_url_path="/static/swagger-ui"
)


@bp.get("/docs")
def interactive_docs() -> ResponseReturnValue:
    return render_template("docs.html")


@start_page.get("/")
def to_the_docs() -> ResponseReturnValue:
    return redirect(url_for("docs.interactive_docs"))
