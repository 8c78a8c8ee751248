"""Errors as problem details (RFC 9457): every error a view or Flask's routing
answers is ``application/problem+json`` with ``type``, ``title``, ``status`` and
``detail``, plus ``errors`` naming the fields at fault and what a client needs
to react (``shortages`` on a 409 for stock). Two answers come from elsewhere:
``/readyz``'s 503 (plain JSON, as in every app) and the refusal of a made-up
HTTP method, given before Flask (shared/metrics.py)."""

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from flask_smorest import Api
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from shared.errors import describe

PROBLEM = "application/problem+json"


class ProblemSchema(Schema):
    """An error, as RFC 9457 problem details."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(metadata={"description": "Messages per field, for invalid input."})
    shortages = fields.List(
        fields.Dict(), metadata={"description": "On 409 for stock: each product that fell short."}
    )


class ProblemApi(Api):
    """flask-smorest's ``Api``, answering every HTTP error as problem JSON (its
    documented way to change the error payload, which a view's ``abort(status,
    message=..., errors=..., headers=...)`` fills in)."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # no catch-all: each operation lists its own errors

    def handle_http_exception(self, error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        # No rollback on a 500, unlike the HTML pages (shared/errors.py): nothing in
        # this answer reads the database, and Flask-SQLAlchemy removes the session,
        # failed flush and all, when the application context ends.
        data: dict[str, Any] = getattr(error, "data", None) or {}
        body = {
            "type": "about:blank",
            "title": error.name,
            "status": code,
            "detail": data["message"] if code < 500 and data.get("message") else describe(error),
        }
        if data.get("errors"):
            body["errors"] = data["errors"]
        # Werkzeug's headers (Allow, WWW-Authenticate...), but this body's type.
        headers = dict(error.get_headers()) | {"Content-Type": PROBLEM} | data.get("headers", {})
        return jsonify(body | data.get("extra", {})), code, headers
