"""Hostile input that would reach a view as a 500, or cut short, becomes a
clear 4xx: a chunked body over ``MAX_CONTENT_LENGTH`` (413, not a body silently
cut at the limit), JSON nested too deeply (400),
a chunked body gunicorn cannot read (400) and, in the HTML apps, a NUL in the
query string (400) or a body that is not a form (415). NUL in form and JSON
fields is refused next to the field (shared/forms.py, the API's schemas)."""

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


class BoundedRequest(Request):
    """Every app's ``request_class``: a chunked body (no Content-Length) over the
    limit is a 413, where Werkzeug's stream would stop at the limit and hand on
    the cut body as if it were whole."""

    @cached_property
    def stream(self) -> IO[bytes]:
        if self.environ.get("capstones.body_too_large"):
            raise RequestEntityTooLarge()  # read once and refused: a second reader too
        limit = self.max_content_length
        chunked = self.content_length is None and "wsgi.input_terminated" in self.environ
        if limit is None or not chunked:
            return get_input_stream(self.environ, max_content_length=limit)
        raw: IO[bytes] = self.environ["wsgi.input"]
        body = b""
        try:  # one byte past the limit, to know whether there is more
            while len(body) <= limit and (chunk := raw.read(limit + 1 - len(body))):
                body += chunk
        except OSError:  # the client went away mid-body (gunicorn's NoMoreData)
            raise ClientDisconnected() from None
        if len(body) > limit:
            self.environ["capstones.body_too_large"] = True
            raise RequestEntityTooLarge()
        return io.BytesIO(body)


class GuardedJSONProvider(DefaultJSONProvider):
    """``json.loads`` raises RecursionError, not ValueError, for JSON nested a
    thousand levels deep; Flask turns only ValueError into a 400."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def init_request_guards(app: Flask, *, html_forms: bool) -> None:
    """Install the guards; ``html_forms`` for apps whose POSTs are HTML forms.
    Call it before ``csrf.init_app``: hooks run in the order they were added."""
    app.json = GuardedJSONProvider(app)
    app.register_error_handler(ParseException, malformed_body)
    if html_forms:
        app.before_request(reject_non_form_input)


def malformed_body(_error: ParseException) -> ResponseReturnValue:
    # gunicorn's error for a chunked body with broken framing (a bad chunk size...).
    return current_app.handle_http_exception(BadRequest("The request body is malformed."))


def reject_non_form_input() -> None:
    """PostgreSQL refuses NUL in text (SQLite would store it), and Flask-WTF
    would read a JSON body as form data."""
    if any("\x00" in name + value for name, value in request.args.items(multi=True)):
        abort(400, "The address contains a NUL character (%00), which nothing here accepts.")
    has_body = request.method not in ("GET", "HEAD", "OPTIONS")
    if has_body and request.mimetype and request.mimetype not in FORM_TYPES:
        abort(415, f"This page takes form data, as a browser sends it, not {request.mimetype}.")
