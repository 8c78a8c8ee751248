"""Flask's application and request contexts, as this project relies on them.

- ``current_app`` and ``db.session`` need an application context: a request
  pushes one, so does the ``flask`` command (and ``@with_appcontext``
  where a test invokes a command itself); a script or a
  test pushes its own with ``app.app_context()``.
- ``request`` needs a request context; ``g`` lives exactly as long as the
  application context. A request pushes its own, so one request's ``g`` is
  gone by the next, unless an application context was pushed already (a test
  inside ``with app.app_context():``): then the requests reuse it, and its ``g``.
  ``shared/request_logging.py`` keeps each request's id and start time in
  ``g``; a token check can keep its outcome there too.
"""

from __future__ import annotations

import pytest
from flask import Flask, current_app, g, request
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select, text

from tests.shared.tiny_app import User, db


def test_a_database_call_outside_an_application_context_fails(app: Flask) -> None:
    with pytest.raises(RuntimeError, match="application context"):
        db.session.execute(text("SELECT 1"))
    with pytest.raises(RuntimeError, match="application context"):
        current_app.config["SECRET_KEY"]  # the lookup itself is the test


def test_inside_an_application_context_it_works(app: Flask) -> None:
    with app.app_context():
        assert db.session.execute(text("SELECT 1")).scalar() == 1
        assert current_app.name == app.name
        with pytest.raises(RuntimeError, match="request context"):
            request.path  # noqa: B018 -- an app context alone has no request


def test_g_lives_as_long_as_one_context(app: Flask) -> None:
    with app.test_request_context("/first"):
        g.user_note = "from the first request"
        assert request.path == "/first"
    with app.test_request_context("/second"):
        assert "user_note" not in g


def test_requests_share_g_only_inside_an_application_context_pushed_before_them(
    app: Flask,
) -> None:
    seen: list[str | None] = []

    @app.get("/g-note")
    def note_in_g() -> str:
        seen.append(g.get("note"))
        g.note = "left by an earlier request"
        return "noted"

    client = app.test_client()
    client.get("/g-note")
    client.get("/g-note")
    assert seen == [None, None]  # each request pushed its own application context
    with app.app_context():
        client.get("/g-note")
        client.get("/g-note")
    assert seen[2:] == [None, "left by an earlier request"]  # both reused the one pushed


def test_each_request_gets_its_own_g(app: Flask) -> None:
    client = app.test_client()
    first = client.get("/", headers={"X-Request-ID": "first-request-id"})
    second = client.get("/")
    assert first.headers["X-Request-ID"] == "first-request-id"  # kept in g for this request
    assert second.headers["X-Request-ID"] != "first-request-id"  # a fresh g, a fresh id


def test_a_cli_command_runs_inside_an_application_context(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["create-user", "cli@example.com", "--password", "long enough pw"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
