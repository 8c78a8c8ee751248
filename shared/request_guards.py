"""What every request is checked for before a view sees it: hostile input
that would otherwise reach the code as a 500 becomes a clear 4xx.

- a chunked body (no Content-Length) over ``MAX_CONTENT_LENGTH`` is a 413,
  as the same body with a Content-Length is: every app's ``request_class``
  is ``BoundedRequest`` (Werkzeug's own stream would stop at the limit and
  hand on the cut body as if it were whole);
- JSON nested too deeply for Python's parser is a 400, not a RecursionError
  (Flask's JSON provider, swapped for one that says so);
- a chunked body whose framing gunicorn cannot read is a 400;
- in the HTML apps, a NUL character in the query string is a 400
  (PostgreSQL refuses NUL in text, SQLite would store it), and a body that
  is not a form is a 415 (Flask-WTF would read a JSON body as form data).
  Call ``init_request_guards`` before ``csrf.init_app``: hooks run in the
  order they were registered, and these must come before the CSRF check.

NUL in form and JSON fields is refused next to the field, by the forms
(shared/forms.py) and the API's schemas.
"""

from __future__ import annotations

import io
from typing import IO, Any

from flask import Flask, Request, abort, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask.typing import ResponseReturnValue
from gunicorn.http.errors import ParseException
from werkzeug.exceptions import BadRequest, ClientDisconnected, RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import get_input_stream

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BoundedRequest(Request):
    """Flask's request, whose body is never silently cut at ``MAX_CONTENT_LENGTH``."""

    @cached_property
    def stream(self) -> IO[bytes]:
        if self.environ.get("capstones.body_too_large"):
            raise RequestEntityTooLarge()  # read once and refused: a second reader too
        limit = self.max_content_length
        chunked = self.content_length is None and "wsgi.input_terminated" in self.environ
        if not (chunked and limit is not None):
            return get_input_stream(self.environ, max_content_length=limit)
        # No Content-Length to check up front: read one byte past the limit.
        raw: IO[bytes] = self.environ["wsgi.input"]
        body = bytearray()
        while len(body) <= limit:
            try:
                chunk = raw.read(min(64 * 1024, limit + 1 - len(body)))
            except OSError:  # the client went away mid-body (gunicorn's NoMoreData)
                raise ClientDisconnected() from None
            if not chunk:
                break
            body.extend(chunk)
        if len(body) > limit:
            self.environ["capstones.body_too_large"] = True
            raise RequestEntityTooLarge()
        return io.BytesIO(bytes(body))


class GuardedJSONProvider(DefaultJSONProvider):
    """``json.loads`` raises RecursionError, not ValueError, for JSON nested a
    thousand levels deep; Flask turns only ValueError into a 400."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def init_request_guards(app: Flask, *, html_forms: bool) -> None:
    """Install the guards; ``html_forms`` for apps whose POSTs are HTML forms."""
    app.json = GuardedJSONProvider(app)
    app.register_error_handler(ParseException, malformed_body)
    if html_forms:
        app.before_request(refuse_nul_in_query_string)
        app.before_request(refuse_bodies_that_are_not_forms)


def malformed_body(_error: ParseException) -> ResponseReturnValue:
    # gunicorn raises these from the first read of a chunked body whose
    # framing is broken (a bad chunk size, a missing terminator).
    return current_app.handle_http_exception(BadRequest("The request body is malformed."))


def refuse_nul_in_query_string() -> None:
    for name, value in request.args.items(multi=True):
        if "\x00" in name or "\x00" in value:
            abort(400, "The address contains a NUL character (%00), which nothing here accepts.")


def refuse_bodies_that_are_not_forms() -> None:
    if request.method in BODILESS_METHODS:
        return
    if request.mimetype and request.mimetype not in FORM_TYPES:
        abort(
            415,
            f"This page takes form data, not {request.mimetype}: send "
            "application/x-www-form-urlencoded or multipart/form-data, as a browser does.",
        )
