"""How the API reads requests (JSON bodies with Flask's ``request.get_json()``,
unknown query parameters refused) and the blueprint every API module uses."""

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, NoReturn

import flask_smorest
from flask import Request
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser, abort
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from shared.request_guards import BoundedRequest
from shop_api.problems import PROBLEM, ProblemSchema

# The security requirement of a view that needs a bearer token, for its docs.
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
NOT_JSON = "Send the body as JSON, with the header Content-Type: application/json."
MALFORMED_JSON = "The request body is not valid JSON."
INVALID = {"query": "The request query string is not valid.", "headers": "A header is not valid."}
# What a view reading a JSON body may answer: malformed JSON, too large, not JSON,
# invalid fields.
BODY_ERRORS = (400, 413, 415, 422)


class JsonRequest(BoundedRequest):
    """``get_json()`` refusing in the API's words (Flask's documented hook): 415 for
    another content type, 400 for malformed JSON (or JSON nested too deeply)."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:
            raise UnsupportedMediaType(NOT_JSON)
        raise BadRequest(MALFORMED_JSON)


class JsonBodyParser(FlaskParser):
    """webargs' parser, reading JSON with ``request.get_json()`` as any Flask view
    does, and refusing unknown query parameters as the schemas refuse fields."""

    DEFAULT_UNKNOWN_BY_LOCATION = {  # noqa: RUF012 -- webargs reads it from the class
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": RAISE,
    }

    def load_json(self, req: Request, schema: Any) -> Any:
        return req.get_json()

    def handle_error(self, error: Any, req: Request, schema: Any, **_kwargs: Any) -> NoReturn:
        """422, naming the part of the request at fault and each field in it."""
        part, messages = next(iter(error.messages.items()))
        abort(422, message=INVALID.get(part, "The request body is not valid."), errors=messages)


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's blueprint, with the parser above (its ``ARGUMENTS_PARSER`` hook)."""

    ARGUMENTS_PARSER = JsonBodyParser()

    def error_responses(
        self, *statuses: int, **examples: str | dict[str, Any]
    ) -> Callable[[Any], Any]:
        """Document the problem answers a view may give, each with an example that
        is a real answer (tests/shop_api/test_openapi_examples.py asks for each);
        ``_409="Not enough stock..."`` gives one its own ``detail``, a dict its own
        members (``_422=invalid("items", "...")``)."""

        def decorate(view: Any) -> Any:
            for status in sorted(statuses):  # in status order, however a view lists them
                example = {
                    "type": "about:blank",
                    "title": HTTPStatus(status).phrase,
                    "status": status,
                    "detail": ERROR_DETAILS[status],
                }
                own = examples.get(f"_{status}", {})
                example |= {"detail": own} if isinstance(own, str) else own
                view = self.alt_response(
                    status,
                    schema=ProblemSchema,
                    content_type=PROBLEM,
                    description=ERROR_DETAILS[status],
                    example=example,
                    headers=WWW_AUTHENTICATE if status == 401 else None,
                )(view)
            return view

        return decorate


def invalid(field: str, message: str, part: str = "body") -> dict[str, Any]:
    """A 422 example: ``message`` for ``field`` of the body (or of the ``query``)."""
    return {"detail": INVALID.get(part, ERROR_DETAILS[422]), "errors": {field: [message]}}


# What each error status means, shown in the docs and as its example's ``detail``.
ERROR_DETAILS = {
    400: MALFORMED_JSON,
    401: "Send a bearer token: Authorization: Bearer <token> (from /api/auth/tokens).",
    403: "Staff only.",
    404: "There is nothing here. The address may be mistyped, or the page was removed.",
    409: "This conflicts with the current state.",
    412: "The If-Match ETag is not the current one: GET it again.",
    413: "What you sent is too large. The limit is 0.1 MB.",  # MAX_CONTENT_LENGTH's default
    415: NOT_JSON,
    422: "The request body is not valid.",
    429: "Too many attempts (the limit is 10 per minute). Wait, then try again.",
}
WWW_AUTHENTICATE = {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}}
