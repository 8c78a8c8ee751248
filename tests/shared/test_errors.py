"""Error pages on the shared layout (an API answers problem JSON instead, in its own suite)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from limits import parse

from shared.errors import as_people_say_it
from tests.auth_client import AuthActions
from tests.shared.factories import make_user


@pytest.fixture
def failing_app(app_factory: Any) -> Flask:
    # TESTING propagates exceptions to the test; a real server does not.
    return app_factory(PROPAGATE_EXCEPTIONS=False)


def test_404_is_a_page_on_the_shared_layout(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Not Found" in html
    assert "There is nothing here" in html
    assert 'class="navbar' in html


def test_405_keeps_the_allow_header(client: FlaskClient) -> None:
    response = client.delete("/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "That action is not allowed here." in response.get_data(as_text=True)


def test_413_names_the_limit(client: FlaskClient) -> None:
    response = client.post("/upload", data=b"x" * 1_000_001)
    assert response.status_code == 413
    assert "The limit is 1 MB." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("limit", "shown"), [(10 * 1024 * 1024, "10 MB"), (2_000_000, "2 MB"), (1_500_000, "1.5 MB")]
)
def test_the_413_limit_is_shown_as_people_say_it(app: Flask, limit: int, shown: str) -> None:
    app.config["MAX_CONTENT_LENGTH"] = limit
    response = app.test_client().post("/upload", data=b"x" * (limit + 1))
    assert f"The limit is {shown}." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("5 per minute", "5 per minute"),
        ("10/hour", "10 per hour"),
        ("2 per 10 minutes", "2 per 10 minutes"),
        ("1 per 30 seconds", "1 per 30 seconds"),
    ],
)
def test_a_rate_limit_is_said_as_people_say_it(setting: str, said: str) -> None:
    # The 429's sentence: "Too many attempts (the limit is 5 per minute)..."
    assert as_people_say_it(parse(setting)) == said


def test_a_body_under_the_limit_is_accepted(client: FlaskClient) -> None:
    assert client.post("/upload", data=b"x" * 1000).get_data(as_text=True) == "1000 bytes"


def test_500_shows_no_traceback_and_commits_nothing(failing_app: Flask) -> None:
    client = failing_app.test_client()
    response = client.get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html
    assert "secret internal detail" not in html
    assert "Traceback" not in html
    # The row flushed before the crash was never committed: Flask-SQLAlchemy
    # removes the session when the request's application context ends.
    assert client.get("/notes").get_data(as_text=True) == "0"


def test_500_rolls_back_a_failed_flush_so_the_page_can_load_the_logged_in_user(
    failing_app: Flask,
) -> None:
    make_user(failing_app, display_name="Ann Lee")
    client = failing_app.test_client()
    AuthActions(client).login()
    assert client.post("/notes/1").status_code == 201
    response = client.post("/notes/1")  # the id is taken: the flush fails
    assert response.status_code == 500
    # Flask-Login loads the user only when the layout asks for it, after the
    # failure; without the rollback that query raises PendingRollbackError and
    # the handler falls back to plain text.
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html
    assert "Ann Lee" in html
