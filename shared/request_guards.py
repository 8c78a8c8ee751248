"""What every request is checked for before a view sees it.

Each guard turns a kind of hostile input that used to reach the code as a
500 (or worse, as truncated data) into a clear 4xx:

- a chunked body over ``MAX_CONTENT_LENGTH`` is a 413, as the same body with
  a ``Content-Length`` is (Werkzeug used to cut it at the limit silently);
- JSON nested too deeply for Python's parser is a 400, not a RecursionError;
- in the HTML apps, a NUL character in the query string is a 400 (PostgreSQL
  refuses NUL in text, SQLite would store it); the API refuses it as a 422
  naming the parameter, where its query schema reads it;
- the HTML apps' forms take form bodies only: JSON or another type is a 415
  (Flask-WTF would otherwise read a JSON body as form data, numbers and
  lists included).

NUL characters in form fields and JSON fields are refused by the forms
(:class:`shared.forms.Form`) and the API's schemas, next to the field.
"""

from __future__ import annotations

import io
from typing import IO, Any

from flask import Flask, Request, abort, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import get_input_stream

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NUL = "\x00"


class BoundedRequest(Request):
    """A request whose body is never silently cut at ``MAX_CONTENT_LENGTH``."""

    @cached_property
    def stream(self) -> IO[bytes]:
        if self.environ.get("capstones.body_too_large"):
            # Read once and refused: a second reader must not get the rest.
            raise RequestEntityTooLarge()
        limit = self.max_content_length
        chunked = self.content_length is None and "wsgi.input_terminated" in self.environ
        if not (chunked and limit is not None):
            return get_input_stream(self.environ, max_content_length=limit)
        # No Content-Length to check up front: read one byte past the limit.
        # Werkzeug's own stream stops at the limit and reports nothing.
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
    thousand levels deep; Werkzeug turns only ValueError into a 400."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def init_request_guards(app: Flask, *, html_forms: bool) -> None:
    """Install the guards; ``html_forms`` for apps whose POSTs are HTML forms."""
    if not issubclass(app.request_class, BoundedRequest):
        app.request_class = type("BoundedRequest", (BoundedRequest, app.request_class), {})
    app.json = GuardedJSONProvider(app)
    guards = [refuse_nul_in_query_string, refuse_bodies_that_are_not_forms] if html_forms else []
    # First in line, before Flask-WTF's CSRF check reads the body.
    app.before_request_funcs.setdefault(None, [])[:0] = guards


def refuse_nul_in_query_string() -> None:
    for name, value in request.args.items(multi=True):
        if NUL in name or NUL in value:
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
