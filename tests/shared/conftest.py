"""Fixtures for the shared package's tests: the tiny app, a client, a CLI
runner and an ``auth`` helper that logs in through the real form, CSRF
token included.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.app_fixtures import TEST_SETTINGS
from tests.auth_client import PASSWORD, PASSWORD_HASH, AuthActions
from tests.shared import tiny_app
from tests.shared.tiny_app import User, db

__all__ = ["PASSWORD", "AuthActions", "make_user"]


def make_app(database_url: str, instance_path: Path, **overrides: Any) -> Flask:
    options = {k: overrides.pop(k) for k in ("problem_json", "extra_checks") if k in overrides}
    config = {**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url, **overrides}
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


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
