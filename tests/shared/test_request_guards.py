"""Hostile input is a clear 4xx, never a 500 and never truncated data:
chunked bodies over the limit, JSON nested too deeply, NUL characters,
non-form bodies on HTML forms, odd digits in ?page=, control characters in
the logged path."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from gunicorn.http.errors import ChunkMissingTerminator, InvalidChunkSize, NoMoreData

from tests.auth_client import PASSWORD, csrf_token_from
from tests.shared.factories import make_user
from tests.shared.tiny_app import csrf

DEEP_JSON = "[" * 5000 + "]" * 5000
# What gunicorn hands the app for a chunked body: no Content-Length, and a
# stream that ends where the body does.
CHUNKED = {"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"}


def chunked_post(client: FlaskClient, path: str, body: bytes) -> Any:
    """A body without Content-Length, as gunicorn hands a chunked one to the app."""
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        environ_overrides=CHUNKED,
    )


def test_a_chunked_body_over_the_limit_is_413_not_cut_short(client: FlaskClient) -> None:
    response = chunked_post(client, "/upload", b"x" * 1_000_001)
    assert response.status_code == 413
    assert "The limit is 1 MB." in response.get_data(as_text=True)


def test_a_chunked_body_up_to_the_limit_arrives_whole(client: FlaskClient) -> None:
    response = chunked_post(client, "/upload", b"x" * 1_000_000)
    assert response.get_data(as_text=True) == "1000000 bytes"


def test_a_chunked_form_over_the_limit_is_413_before_the_csrf_check(client: FlaskClient) -> None:
    body = b"email=a%40example.com&password=" + b"x" * 1_000_000
    response = client.post(
        "/auth/login",
        input_stream=io.BytesIO(body),
        content_type="application/x-www-form-urlencoded",
        environ_overrides=CHUNKED,
    )
    assert response.status_code == 413


def test_json_nested_too_deeply_is_400(app_factory: Any) -> None:
    app = app_factory(api=True)

    @app.post("/echo")
    @csrf.exempt
    def echo() -> Any:
        return {"type": type(request.get_json()).__name__}

    client = app.test_client()
    response = client.post("/echo", data=DEEP_JSON, content_type="application/json")
    assert response.status_code == 400
    assert "CSRF" not in response.get_data(as_text=True)
    assert client.post("/echo", json=[[1]]).get_json() == {"type": "list"}


@pytest.mark.parametrize("query", [{"q": "a\x00b"}, {"page": "1\x00"}, {"x\x00": "1"}])
def test_a_nul_in_the_query_string_is_400(client: FlaskClient, query: dict[str, str]) -> None:
    response = client.get("/notes/list", query_string=query)
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)


def test_a_nul_in_a_form_field_is_a_field_error(app: Flask, client: FlaskClient) -> None:
    token = csrf_token_from(client.get("/auth/register"))
    response = client.post(
        "/auth/register",
        data={
            "email": "new@example.com",
            "password": "long enough\x00pw",
            "password_confirm": "long enough\x00pw",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    assert "Remove the NUL character" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("page", "fields"),
    [
        ("/auth/login", {"password": PASSWORD}),
        ("/auth/register", {"password": "long enough pw", "password_confirm": "long enough pw"}),
        ("/auth/password-reset", {}),
    ],
)
def test_a_file_sent_as_a_text_field_is_a_field_error(
    client: FlaskClient, page: str, fields: dict[str, str]
) -> None:
    """A script may send the e-mail as a file part of a multipart form."""
    token = csrf_token_from(client.get(page))
    as_a_file = (io.BytesIO(b"ann@example.com"), "email.txt")
    response = client.post(page, data={"csrf_token": token, "email": as_a_file, **fields})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "a file cannot go here" in page
    assert "FileStorage" not in page  # not shown back as the field's text


@pytest.mark.parametrize(
    "body",
    [
        {"email": 1, "password": 2},
        {"email": True, "password": None},
        {"email": ["ann@example.com"], "password": {"x": 1}},
        {"email": "ann@example.com", "password": PASSWORD},
    ],
    ids=["numbers", "booleans", "list-and-object", "strings"],
)
@pytest.mark.parametrize("page", ["/auth/login", "/auth/register"])
def test_json_bodies_on_html_forms_are_415(
    app: Flask, client: FlaskClient, page: str, body: dict[str, Any]
) -> None:
    make_user(app)
    response = client.post(page, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 415
    assert "takes form data" in response.get_data(as_text=True)
    assert client.get("/private").status_code == 302  # nobody got logged in


@pytest.mark.parametrize("page", ["²", "①", "٣", "\uff11", "1²"])
def test_non_ascii_digits_in_page_are_400(client: FlaskClient, page: str) -> None:
    assert client.get("/notes/list", query_string={"page": page}).status_code == 400


def test_control_characters_in_the_path_cannot_forge_log_lines(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="capstones.requests"):
        client.get("/nothing%0D%0AGET%20/admin%20200%200.1ms%20request_id=forged")
    lines = [r.getMessage() for r in caplog.records if r.name == "capstones.requests"]
    assert len(lines) == 1
    assert "\n" not in lines[0]
    assert "\r" not in lines[0]
    assert lines[0].startswith("GET /nothing\\x0d\\x0aGET /admin")


class BrokenChunks(io.BytesIO):
    """A body as gunicorn hands over a chunked one whose framing is broken."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def read(self, *args: Any) -> bytes:
        raise self.error


@pytest.mark.parametrize(
    "error",
    [InvalidChunkSize(b"zz"), ChunkMissingTerminator(b"XX"), NoMoreData()],
    ids=["bad chunk size", "missing terminator", "body cut short"],
)
@pytest.mark.parametrize("api", [False, True], ids=["HTML form", "raw body"])
def test_a_malformed_chunked_body_is_400_not_500(
    app_factory: Any, error: Exception, api: bool
) -> None:
    app = app_factory(api=api)
    path = "/upload" if api else "/auth/login"
    response = app.test_client().post(
        path,
        input_stream=BrokenChunks(error),
        content_type="application/x-www-form-urlencoded",
        environ_overrides=CHUNKED,
    )
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
