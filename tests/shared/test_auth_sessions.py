"""Sessions end when they should: logout and password changes invalidate
every cookie issued before, and login starts from an empty session."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from shared.config import ConfigurationError
from tests.auth_client import AuthActions
from tests.shared.factories import make_user
from tests.shared.tiny_app import User, db


def cookie(client: FlaskClient, name: str) -> str:
    found = client.get_cookie(name)
    assert found is not None, f"no {name} cookie"
    return found.value


def test_logout_ends_the_session(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    make_user(app)
    auth.login()
    response = auth.logout()
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/private").status_code == 302


def test_a_session_cookie_replayed_after_logout_is_rejected(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app)
    auth.login()
    stolen = cookie(client, "session")
    auth.logout()

    attacker = app.test_client()
    attacker.set_cookie("session", stolen)
    response = attacker.get("/private")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_a_remember_cookie_replayed_after_logout_is_rejected(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app)
    auth.login(remember=True)
    stolen = cookie(client, "remember_token")

    # The remember cookie alone logs a fresh browser in...
    before = app.test_client()
    before.set_cookie("remember_token", stolen)
    assert before.get("/private").status_code == 200

    auth.logout()
    # ...but no longer once the user has logged out anywhere.
    after = app.test_client()
    after.set_cookie("remember_token", stolen)
    assert after.get("/private").status_code == 302


def test_logout_deletes_the_remember_cookie(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app)
    auth.login(remember=True)
    assert client.get_cookie("remember_token") is not None
    auth.logout()
    assert client.get_cookie("remember_token") is None


def test_changing_the_password_ends_existing_sessions(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    user = make_user(app)
    auth.login()
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert saved is not None
        saved.set_password("a brand new password")
        db.session.commit()
    assert client.get("/private").status_code == 302


def test_login_starts_from_an_empty_session(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app)
    # Whatever was in the session before login (an attacker may have planted
    # it) does not survive into the logged-in session.
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    auth.login()
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


def test_the_session_stores_a_rotating_token_not_the_user_id(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    """Flask's session is a signed cookie the client keeps; Flask-Login's id in
    it is a session token that changes at every login, not the user's id."""
    user = make_user(app)
    auth.login()
    with client.session_transaction() as session:
        first = session["_user_id"]
    assert first != str(user.id)
    auth.logout()
    auth.login()
    with client.session_transaction() as session:
        assert session["_user_id"] != first


def test_logout_is_post_only(client: FlaskClient) -> None:
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_logout_without_csrf_token_is_400(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app)
    auth.login()
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/private").status_code == 200


def test_logout_when_not_logged_in_goes_to_login(client: FlaskClient, auth: AuthActions) -> None:
    response = client.post("/auth/logout", data={"csrf_token": auth.csrf_token()})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"


def test_remember_cookie_lasts_14_days(app: Flask) -> None:
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)


def test_a_remember_duration_from_the_environment_is_seconds(
    app_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TINY_REMEMBER_COOKIE_DURATION", "86400")
    assert app_factory().config["REMEMBER_COOKIE_DURATION"] == timedelta(days=1)
    monkeypatch.setenv("TINY_REMEMBER_COOKIE_DURATION", '"2 weeks"')  # every cookie a 500
    with pytest.raises(ConfigurationError, match="TINY_REMEMBER_COOKIE_DURATION must be seconds"):
        app_factory()


@contextmanager
def database_read_only(app: Flask) -> Iterator[None]:
    """The real database refuses every write, as a read-only replica or a
    failing disk would (SQLite: query_only; PostgreSQL: a read-only session)."""
    with app.app_context():
        engine = db.engine

    def refuse_writes(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            dbapi_connection.commit()  # a SET in a rolled-back transaction is undone
        cursor.close()

    event.listen(engine, "connect", refuse_writes)
    engine.dispose()  # pooled connections would still write
    try:
        yield
    finally:
        event.remove(engine, "connect", refuse_writes)
        engine.dispose()


def test_logout_ends_the_browser_session_even_when_the_database_refuses_writes(
    app: Flask, client: FlaskClient, auth: AuthActions, caplog: Any
) -> None:
    make_user(app)
    auth.login(remember=True)
    token = auth.csrf_token("/")
    with database_read_only(app):
        response = client.post("/auth/logout", data={"csrf_token": token})
        assert response.status_code == 302
        assert response.headers["Location"] == "/auth/login"
        assert client.get_cookie("remember_token") is None
        assert client.get("/private").status_code == 302
    assert "logout could not end the user's other sessions" in caplog.text


def test_each_login_gets_its_own_remember_cookie(app: Flask, client: FlaskClient) -> None:
    make_user(app)
    cookies = []
    for _ in range(2):
        browser = app.test_client()
        AuthActions(browser).login(remember=True)
        cookies.append(cookie(browser, "remember_token"))
    assert cookies[0] != cookies[1]


def test_a_remember_cookie_older_than_its_duration_is_refused_by_the_server(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The browser is told to drop the cookie after 14 days; a copy kept
    # elsewhere must not outlive that on the server either.
    make_user(app)
    duration = app.config["REMEMBER_COOKIE_DURATION"].total_seconds()
    old = app.test_client()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - duration - 60)
    AuthActions(old).login(remember=True)
    monkeypatch.setattr(time, "time", real_time)
    copied = app.test_client()
    copied.set_cookie("remember_token", cookie(old, "remember_token"))
    assert copied.get("/private").status_code == 302

    fresh = app.test_client()
    AuthActions(fresh).login(remember=True)
    replay = app.test_client()
    replay.set_cookie("remember_token", cookie(fresh, "remember_token"))
    assert replay.get("/private").status_code == 200
