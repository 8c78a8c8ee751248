"""Errors as problem details (RFC 9457): every error the API answers is
``application/problem+json`` with ``type``, ``title``, ``status`` and
``detail``, plus ``errors`` naming the fields at fault and what a client
needs to react (``shortages`` on a 409 for stock)."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify
from flask.typing import ResponseReturnValue
from flask_smorest import Api
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException, default_exceptions

from shared.errors import describe

PROBLEM = "application/problem+json"
# Werkzeug's own headers for an error page, which a JSON body replaces.
_BODY_HEADERS = {"content-type", "content-length"}


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
    """flask-smorest's ``Api``, answering every HTTP error as problem JSON.
    Overriding ``handle_http_exception`` is its documented way to change the
    error payload; ``abort(status, message=..., errors=...)`` (flask-smorest's)
    fills it in."""

    ERROR_SCHEMA = ProblemSchema
    # No catch-all "default" response: each operation lists its own errors.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def handle_http_exception(self, error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        if code >= 500:
            # A failed flush leaves the session unusable until rolled back.
            current_app.extensions["sqlalchemy"].session.rollback()
        data: dict[str, Any] = getattr(error, "data", None) or {}
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": error.name,
            "status": code,
            "detail": data.get("message")
            if code < 500 and data.get("message")
            else describe(error),
        }
        errors = data.get("errors")
        if errors:
            body["errors"] = errors
        body.update(data.get("extra") or {})
        response = jsonify(body)
        response.status_code = code
        response.content_type = PROBLEM
        for name, value in error.get_headers():
            if name.lower() not in _BODY_HEADERS:
                response.headers[name] = value
        response.headers.update(data.get("headers") or {})
        return response


def problem(status: int, message: str, **data: Any) -> HTTPException:
    """The HTTP error for ``status``, with what the problem JSON shows."""
    error = default_exceptions[status]()
    error.data = {"message": message, **data}  # type: ignore[attr-defined]
    return error
