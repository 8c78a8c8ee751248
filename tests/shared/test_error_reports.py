"""Error reports (shared/error_reports.py): with ``<PREFIX>_SENTRY_DSN`` an
unhandled error in a view reaches Sentry's ingest (a real HTTP server standing
in for it here) as an envelope, with no password, cookie or e-mail address in
it; without the DSN nothing is sent."""

from __future__ import annotations

import gzip
import json
import logging
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sentry_sdk
from flask import Flask, request

from tests.auth_client import PASSWORD, AuthActions
from tests.servers import wait_for
from tests.shared.factories import make_user
from tests.shared.tiny_app import csrf

SECRET_PASSWORD = "tr0ub4dor&3-never-in-a-report"


class Ingest(ThreadingHTTPServer):
    """What Sentry's SDK posts: envelopes, one JSON item a line."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), IngestHandler)
        self.envelopes: list[bytes] = []

    @property
    def dsn(self) -> str:
        return f"http://public@127.0.0.1:{self.server_address[1]}/1"


class IngestHandler(BaseHTTPRequestHandler):
    server: Ingest

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.server.envelopes.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        """Quiet: the test reads the envelopes."""


@pytest.fixture
def ingest() -> Iterator[Ingest]:
    server = Ingest()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    sentry_sdk.get_client().close()  # the SDK is the process's: off for the next tests
    sentry_sdk.get_global_scope().set_client(None)
    server.shutdown()
    server.server_close()


def events(ingest: Ingest) -> list[dict[str, Any]]:
    """The error events among the items of every envelope received."""
    items = [json.loads(line) for e in ingest.envelopes for line in e.splitlines() if line]
    return [item for item in items if "exception" in item]


def failing_view(app: Flask) -> None:
    @app.post("/fails")
    @csrf.exempt
    def fails() -> str:
        # As a JSON API's view holds a body: under a name no denylist knows.
        account = request.form.to_dict()
        characters = len(account["email"] + account["password"])
        raise RuntimeError(f"the view failed ({characters} characters)")


def test_an_unhandled_error_reaches_sentry_without_passwords_cookies_or_addresses(
    app_factory: Any, ingest: Ingest
) -> None:
    app = app_factory(SENTRY_DSN=ingest.dsn, PROPAGATE_EXCEPTIONS=False)
    failing_view(app)
    make_user(app, email="ann@example.com")
    client = app.test_client()
    AuthActions(client).login()
    session = client.get_cookie("session")
    assert session is not None
    form = {"email": "ann@example.com", "password": SECRET_PASSWORD}
    assert client.post("/fails", data=form).status_code == 500
    sentry_sdk.flush()

    wait_for(lambda: events(ingest), 10, "the error report")  # besides session counts
    [event] = events(ingest)
    [error] = event["exception"]["values"]
    assert (error["type"], error["value"]) == ("RuntimeError", "the view failed (44 characters)")
    assert event["environment"] == "development"
    assert event["request"]["url"].endswith("/fails")
    for secret in (SECRET_PASSWORD, PASSWORD, "ann@example.com", session.value):
        assert not [envelope for envelope in ingest.envelopes if secret.encode() in envelope]


def test_an_error_on_a_reset_links_page_is_reported_without_its_token(
    app_factory: Any, ingest: Ingest
) -> None:
    app = app_factory(SENTRY_DSN=ingest.dsn, PROPAGATE_EXCEPTIONS=False)

    @app.get("/fails/<token>")
    def fails_with_a_token(token: str) -> str:
        raise RuntimeError("the page failed")

    # Not a literal: the report's stack frames quote this file's lines.
    token = "-".join(["a", "reset", "token", "0123456789"])
    assert app.test_client().get(f"/fails/{token}?again={token}").status_code == 500
    sentry_sdk.flush()
    wait_for(lambda: events(ingest), 10, "the error report")
    [event] = events(ingest)
    assert event["request"]["url"].endswith("/fails/<token>")
    assert not [envelope for envelope in ingest.envelopes if token.encode() in envelope]


def test_without_a_dsn_nothing_is_reported(app_factory: Any, ingest: Ingest) -> None:
    app = app_factory(PROPAGATE_EXCEPTIONS=False)
    failing_view(app)
    form = {"email": "ann@example.com", "password": SECRET_PASSWORD}
    assert app.test_client().post("/fails", data=form).status_code == 500
    sentry_sdk.flush()
    assert not sentry_sdk.get_client().is_active()
    assert ingest.envelopes == []


def test_without_the_sentry_extra_a_dsn_is_logged_and_the_app_runs(
    app_factory: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "sentry_sdk.integrations.flask", None)  # not installed
    with caplog.at_level(logging.ERROR, logger="capstones.error_reports"):
        app = app_factory(SENTRY_DSN="http://public@127.0.0.1:9/1")
    assert "TINY_SENTRY_DSN is set, but the sentry extra is not installed" in caplog.text
    assert app.test_client().get("/healthz").status_code == 200
