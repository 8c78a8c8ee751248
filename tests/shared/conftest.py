"""Fixtures for the shared package's tests: the tiny app, a client, a CLI
runner and an ``auth`` helper that logs in through the real form, CSRF
token included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.test import TestResponse

from shared.auth.passwords import hash_password
from tests.shared import tiny_app
from tests.shared.tiny_app import User, db

PASSWORD = "correct horse battery"
# Hashing with scrypt is slow on purpose; hash the test password once.
PASSWORD_HASH = hash_password(PASSWORD)
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def make_app(database_url: str, instance_path: Path, **overrides: Any) -> Flask:
    options = {k: overrides.pop(k) for k in ("problem_json", "extra_checks") if k in overrides}
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **overrides}
    return tiny_app.create_app(config, instance_path=str(instance_path), **options)


@pytest.fixture
def app_factory(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """Builds tiny apps with extra settings; drops their tables afterwards."""
    built: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        app = make_app(database_url, tmp_path / "instance", **overrides)
        with app.app_context():
            db.drop_all()
            db.create_all()
        built.append(app)
        return app

    yield build
    for app in built:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


@pytest.fixture
def app(app_factory: Any) -> Flask:
    return app_factory()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def make_user(app: Flask, **overrides: Any) -> User:
    """A saved user; ``email``, ``is_staff``, ``is_active`` can be overridden."""
    fields = {"email": "ann@example.com", "is_staff": False, "is_active": True, **overrides}
    with app.app_context():
        user = User(**fields, password_hash=PASSWORD_HASH)
        user.rotate_session_token()
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
    return user


def csrf_token_from(response: TestResponse) -> str:
    match = CSRF_INPUT.search(response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def csrf_token(self, page: str = "/auth/login") -> str:
        return csrf_token_from(self._client.get(page))

    def login(
        self,
        email: str = "ann@example.com",
        password: str = PASSWORD,
        *,
        remember: bool = False,
        next_url: str | None = None,
    ) -> TestResponse:
        data = {"email": email, "password": password, "csrf_token": self.csrf_token()}
        if remember:
            data["remember"] = "y"
        query = {"next": next_url} if next_url is not None else None
        return self._client.post("/auth/login", data=data, query_string=query)

    def logout(self) -> TestResponse:
        return self._client.post("/auth/logout", data={"csrf_token": self.csrf_token("/")})


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
