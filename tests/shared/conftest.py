"""The shared package's ``app``: the tiny app (tests/shared/tiny_app.py),
and ``app_factory`` for one with other settings. ``client``, ``runner`` and
``auth`` come from tests/conftest.py; helpers from factories.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.shared.factories import make_app
from tests.shared.tiny_app import db


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
