"""The OpenAPI 3 document, generated from the routes and the marshmallow schemas.

Each API view declares what it takes and returns with :func:`operation`;
:func:`build_openapi` walks the app's URL map, so a route without a
declaration is an error, not a silent gap in the documentation. The schemas
are the same classes that validate requests and serialise responses.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from apispec import APISpec, BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema
from werkzeug.http import HTTP_STATUS_CODES

from shared.database import MAX_ID
from shop_api.api.parsing import MALFORMED_JSON, NOT_JSON, json_body, query_args
from shop_api.schemas import ProblemSchema

F = TypeVar("F", bound=Callable[..., Any])

PROBLEM_DESCRIPTIONS = {
    400: "Malformed JSON.",
    401: "Missing, invalid, expired or revoked bearer token.",
    403: "Staff only.",
    404: "No such resource, or it belongs to someone else.",
    409: "Conflicts with the current state.",
    415: "The body must be `application/json`.",
    422: "Invalid fields; `errors` says which.",
    429: "Too many attempts; retry later.",
}
# What each refusal looks like, shown by the docs beside its status (one
# shared example would show a 422 under every status).
PROBLEM_EXAMPLES: dict[int, dict[str, Any]] = {
    400: {"detail": MALFORMED_JSON},
    401: {"detail": "Send a bearer token: Authorization: Bearer <token> (from /api/auth/tokens)."},
    403: {"detail": "You do not have permission to do that."},
    404: {"detail": "There is nothing here. The address may be mistyped, or the page was removed."},
    409: {"detail": "This conflicts with the current state."},
    415: {"detail": NOT_JSON},
    422: {"detail": "The request body is not valid.", "errors": {"quantity": ["Must be >= 1."]}},
    429: {
        "detail": "Too many attempts (the limit is 10 per 1 minute). Wait a little, then try again."
    },
}
RULE_ARGUMENT = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    description: str = ""
    auth: bool = False
    staff: bool = False
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    # status -> (description, body): a Schema class, a raw JSON schema dict, or None
    # for no body; the body is JSON unless content_type says otherwise.
    responses: dict[int, tuple[str, type[Schema] | dict[str, Any] | None]] = field(
        default_factory=dict
    )
    errors: tuple[int, ...] = ()
    # status -> the ``detail`` this operation's example shows, where the
    # status-wide one in PROBLEM_EXAMPLES would mislead (409 means many things).
    error_details: dict[int, str] = field(default_factory=dict)
    content_type: str = "application/json"
    headers: dict[str, dict[str, Any]] = field(default_factory=dict)
    response_headers: dict[int, dict[str, str]] = field(default_factory=dict)


def operation(**kwargs: Any) -> Callable[[F], F]:
    """Declare a view's API contract, once: for the OpenAPI document, and for
    the request itself. A declared ``body`` is read as JSON and validated
    with that schema and handed to the view as ``body=``; a declared
    ``query``, as ``query=`` (as APIFairy's ``@body`` and ``@arguments`` do).
    So a view cannot validate against another schema than the one it
    documents. Bad input never reaches the view: 400 for malformed JSON, 422
    naming each field (shop_api/api/parsing.py)."""
    declared = Operation(**kwargs)
    # Built once: a schema holds no per-request state.
    body_schema = declared.body() if declared.body is not None else None
    query_schema = declared.query() if declared.query is not None else None

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def parse_then_call(*args: Any, **view_args: Any) -> Any:
            if query_schema is not None:
                view_args["query"] = query_args(query_schema)
            if body_schema is not None:
                view_args["body"] = json_body(body_schema)
            return view(*args, **view_args)

        parse_then_call.__openapi__ = declared  # type: ignore[attr-defined]
        return parse_then_call  # type: ignore[return-value]

    return decorate


class SchemaExtrasPlugin(BasePlugin):
    """Adds a schema class's ``OPENAPI_EXTRA`` (rules marshmallow cannot state
    as field properties, such as ``minProperties``) to its component."""

    def schema_helper(
        self, name: str, definition: dict[str, Any], **kwargs: Any
    ) -> dict[str, Any] | None:
        schema = kwargs.get("schema")
        extra = getattr(schema, "OPENAPI_EXTRA", None)
        return dict(extra) if extra else None


def build_openapi(app: Flask) -> dict[str, Any]:
    spec = APISpec(
        title="Shop API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin(), SchemaExtrasPlugin()],
        info={
            "description": (
                "Products and stock-checked orders. Get a token with "
                "`POST /api/auth/tokens`, then send `Authorization: Bearer <token>`. "
                "Errors are `application/problem+json` (RFC 9457)."
            )
        },
    )
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", schema=ProblemSchema)

    paths: dict[str, dict[str, Any]] = {}
    parameters: dict[str, list[dict[str, Any]]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api"):
            continue
        view = app.view_functions[rule.endpoint]
        declared: Operation | None = getattr(view, "__openapi__", None)
        if declared is None:
            raise LookupError(f"{rule.rule} ({rule.endpoint}) has no @operation declaration")
        path, path_parameters = _openapi_path(rule.rule)
        parameters[path] = path_parameters
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation_object(declared)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations, parameters=parameters[path])
    return spec.to_dict()


def _openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    parameters = []
    for match in RULE_ARGUMENT.finditer(rule):
        converter = match.group("converter") or "string"
        schema: dict[str, Any] = {"type": "string"}
        if converter in {"id", "int"}:
            schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        parameters.append(
            {"name": match.group("name"), "in": "path", "required": True, "schema": schema}
        )
    return RULE_ARGUMENT.sub(lambda m: "{" + m.group("name") + "}", rule), parameters


def _operation_object(declared: Operation) -> dict[str, Any]:
    result: dict[str, Any] = {"summary": declared.summary, "tags": [declared.tag]}
    if declared.description:
        result["description"] = declared.description
    parameters: list[dict[str, Any]] = []
    if declared.query is not None:
        parameters.append({"in": "query", "schema": declared.query})
    for name, header in declared.headers.items():
        parameters.append({"in": "header", "name": name, **header})
    if parameters:
        result["parameters"] = parameters
    if declared.body is not None:
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": declared.body}},
        }

    responses: dict[str, Any] = {}
    for status, (description, schema) in declared.responses.items():
        response: dict[str, Any] = {"description": description}
        if schema is not None:
            response["content"] = {declared.content_type: {"schema": schema}}
        if status in declared.response_headers:
            response["headers"] = {
                name: {"description": text, "schema": {"type": "string"}}
                for name, text in declared.response_headers[status].items()
            }
        responses[str(status)] = response
    error_statuses = set(declared.errors)
    if declared.auth:
        error_statuses.add(401)
        result["security"] = [{"bearerAuth": []}]
    if declared.staff:
        error_statuses.add(403)
    if declared.body is not None:
        error_statuses |= {400, 415, 422}
    if declared.query is not None:
        error_statuses.add(422)
    for status in sorted(error_statuses):
        example = {"type": "about:blank", "title": HTTP_STATUS_CODES[status], "status": status}
        response = {
            "description": PROBLEM_DESCRIPTIONS[status],
            "content": {
                "application/problem+json": {
                    "schema": "Problem",
                    "example": example
                    | PROBLEM_EXAMPLES[status]
                    | (
                        {"detail": declared.error_details[status]}
                        if status in declared.error_details
                        else {}
                    ),
                }
            },
        }
        if status == 401:
            response["headers"] = {
                "WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}
            }
        responses[str(status)] = response
    result["responses"] = responses
    return result
