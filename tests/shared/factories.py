"""Helpers for the shared package's tests: the tiny app built with extra
settings, and users saved straight into its database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from tests.app_fixtures import TEST_SETTINGS, save_user
from tests.shared import tiny_app
from tests.shared.tiny_app import User, db


def make_app(database_url: str, instance_path: Path, **overrides: Any) -> Flask:
    options = {k: overrides.pop(k) for k in ("api", "extra_checks") if k in overrides}
    config = {**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url, **overrides}
    return tiny_app.create_app(config, instance_path=str(instance_path), **options)


def make_user(app: Flask, **overrides: Any) -> User:
    """A saved user; ``email``, ``is_staff``, ``is_active`` can be overridden."""
    email = overrides.pop("email", "ann@example.com")
    return save_user(app, db, User, email, **overrides)
