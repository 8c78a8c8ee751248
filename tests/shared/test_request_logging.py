"""One log line per request, with a request id the response returns."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from flask import Response, make_response, request
from flask.testing import FlaskClient

LINE = re.compile(r"^GET /healthz 200 \d+\.\dms request_id=(\S+)$")


def request_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "capstones.requests"]


def test_one_line_per_request_with_method_path_status_duration_and_id(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="capstones.requests"):
        response = client.get("/healthz")
    (line,) = request_lines(caplog)
    match = LINE.match(line)
    assert match, line
    assert match.group(1) == response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", match.group(1))


def test_a_sane_incoming_request_id_is_kept(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="capstones.requests"):
        response = client.get("/healthz", headers={"X-Request-ID": "proxy-abc.123"})
    assert response.headers["X-Request-ID"] == "proxy-abc.123"
    assert request_lines(caplog)[0].endswith("request_id=proxy-abc.123")


def test_a_request_refused_before_its_view_keeps_its_id_and_its_time(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    # A form posted without its CSRF token: Flask-WTF's hook answers 400.
    with caplog.at_level(logging.INFO, logger="capstones.requests"):
        response = client.post("/auth/login", headers={"X-Request-ID": "proxy-abc.123"})
    assert response.status_code == 400
    assert response.headers["X-Request-ID"] == "proxy-abc.123"
    (line,) = request_lines(caplog)
    assert re.fullmatch(r"POST /auth/login 400 \d+\.\dms request_id=proxy-abc\.123", line), line


def test_flasks_own_error_line_on_a_reset_links_page_says_token(
    app_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    @app.get("/fails/<token>")
    def fails_with_a_token(token: str) -> str:
        raise RuntimeError("the page failed")

    with caplog.at_level(logging.ERROR):
        assert app.test_client().get("/fails/a-reset-token-0123").status_code == 500
    assert "Exception on /fails/<token> [GET]" in caplog.messages
    assert not [message for message in caplog.messages if "a-reset-token-0123" in message]


@pytest.mark.parametrize("bad", ["with\ttab", "x" * 129, "spaces are odd", "<script>", "a/b"])
def test_an_unsafe_incoming_request_id_is_replaced(client: FlaskClient, bad: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": bad})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_error_responses_are_logged_too(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="capstones.requests"):
        client.get("/missing")
    assert request_lines(caplog)[0].startswith("GET /missing 404 ")


def test_the_lines_reach_stderr(client: FlaskClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.get("/healthz")
    assert "GET /healthz 200" in capsys.readouterr().err


def test_the_app_line_can_be_left_to_the_server(
    app_factory: object, caplog: pytest.LogCaptureFixture
) -> None:
    app = app_factory(REQUEST_LOG_ENABLED=False)  # type: ignore[operator]
    with caplog.at_level(logging.INFO, logger="capstones.requests"):
        response = app.test_client().get("/healthz")
    assert request_lines(caplog) == []
    assert response.headers["X-Request-ID"]


def test_static_files_and_304s_are_logged_unless_turned_off(
    app_factory: object, caplog: pytest.LogCaptureFixture
) -> None:
    # The default: one line for every request, files and 304s included.
    everything = app_factory().test_client()  # type: ignore[operator]
    with caplog.at_level(logging.INFO, logger="capstones.requests"):
        with everything.get("/shared/static/site.css") as file:
            etag = file.headers["ETag"]
        everything.get("/shared/static/site.css", headers={"If-None-Match": etag}).close()
    assert [line.split()[1:3] for line in request_lines(caplog)] == [
        ["/shared/static/site.css", "200"],
        ["/shared/static/site.css", "304"],
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/shared/static/site.css",
        "/bootstrap/static/bootstrap5/css/bootstrap.min.css",  # a blueprint's static files
        "/static/x.css",
    ],
)
def test_with_request_log_static_off_static_files_leave_no_line(
    app_factory: object, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    client = app_factory(REQUEST_LOG_STATIC=False).test_client()  # type: ignore[operator]
    with caplog.at_level(logging.INFO, logger="capstones.requests"):
        with client.get(path) as response:
            assert response.status_code in {200, 404}  # a missing file is a static request too
        client.get("/healthz")
    assert response.headers["X-Request-ID"]  # the id is still there to quote
    assert [line.split()[1] for line in request_lines(caplog)] == ["/healthz"]


def test_with_request_log_static_off_any_304_leaves_no_line_and_the_200_before_it_does(
    app_factory: object, caplog: pytest.LogCaptureFixture
) -> None:
    app = app_factory(REQUEST_LOG_STATIC=False)  # type: ignore[operator]

    @app.get("/report")
    def report() -> Response:  # a page with an ETag, as an API's reads may have
        response = make_response("the same bytes every time")
        response.add_etag()
        return response.make_conditional(request)

    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="capstones.requests"):
        etag = client.get("/report").headers["ETag"]
        assert client.get("/report", headers={"If-None-Match": etag}).status_code == 304
    assert [line.split()[1:3] for line in request_lines(caplog)] == [["/report", "200"]]
