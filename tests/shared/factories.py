"""Helpers for the shared package's tests: the tiny app built with extra
settings, and users saved straight into its database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from tests.app_fixtures import TEST_SETTINGS
from tests.auth_client import PASSWORD_HASH
from tests.shared import tiny_app
from tests.shared.tiny_app import User, db


def make_app(database_url: str, instance_path: Path, **overrides: Any) -> Flask:
    options = {k: overrides.pop(k) for k in ("problem_json", "extra_checks") if k in overrides}
    config = {**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url, **overrides}
    return tiny_app.create_app(config, instance_path=str(instance_path), **options)


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
