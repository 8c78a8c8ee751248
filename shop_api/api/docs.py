"""Swagger UI for the OpenAPI document at ``/api/openapi.json``, served locally:
its files from the flask-swagger-ui package, loaded by our own page and start-up
script, because the Content Security Policy forbids the usual inline script (and
flask-smorest's own page loads Swagger UI from a CDN)."""

import os

import flask_swagger_ui
from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

SWAGGER_UI_DIST = os.path.join(os.path.dirname(flask_swagger_ui.__file__), "dist")

bp = Blueprint(
    "docs", __name__, static_folder=SWAGGER_UI_DIST, static_url_path="/static/swagger-ui"
)


@bp.get("/api/docs")
def interactive_docs() -> ResponseReturnValue:
    return render_template("docs.html")


@bp.get("/")
def index() -> ResponseReturnValue:
    """The API lives under /api: the server's bare address (the demo prints it)
    leads to the docs rather than to a JSON 404."""
    return redirect(url_for("docs.interactive_docs"))
