"""Reading requests: JSON bodies and query strings through marshmallow.

A body sent as another content type is 415 and malformed JSON 400, each in
our words (``request.get_json()`` would raise Werkzeug's); a body or query
that parses but breaks the schema is 422 with the messages per field.
"""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from shared.errors import Problem

MALFORMED_JSON = "The request body is not valid JSON."
NOT_JSON = "Send the body as JSON, with the header Content-Type: application/json."


def json_body(schema: Schema) -> dict[str, Any]:
    try:
        payload = request.get_json()
    except UnsupportedMediaType:
        raise Problem(415, NOT_JSON) from None
    except BadRequest:
        raise Problem(400, MALFORMED_JSON) from None
    return _load(schema, payload, "The request body is not valid.")


def query_args(schema: Schema) -> dict[str, Any]:
    arguments = request.args.to_dict()
    if any("\x00" in name for name in arguments):
        raise Problem(422, "The query string is not valid.", errors={"_schema": [NUL_MESSAGE]})
    return _load(schema, arguments, "The query string is not valid.")


def _load(schema: Schema, data: Any, detail: str) -> dict[str, Any]:
    nul_errors = _fields_with_nul(data)
    if nul_errors:
        # PostgreSQL cannot store NUL in text (a 500) and SQLite would store it raw.
        raise Problem(422, detail, errors=nul_errors)
    try:
        loaded: dict[str, Any] = schema.load(data)
    except ValidationError as error:
        messages = (
            error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        )
        raise Problem(422, detail, errors=messages) from None
    return loaded


NUL_MESSAGE = "Must not contain a NUL character."


def _fields_with_nul(data: Any) -> dict[str, Any]:
    """Messages shaped like marshmallow's, for every string holding a NUL."""
    if isinstance(data, dict):
        items: Any = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return {}
    errors: dict[str, Any] = {}
    for key, value in items:
        if isinstance(value, str) and "\x00" in value:
            errors[str(key)] = [NUL_MESSAGE]
        elif nested := _fields_with_nul(value):
            errors[str(key)] = nested
    return errors
