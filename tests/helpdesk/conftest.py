"""The help desk's ``app``, on fresh tables for each test. ``client``,
``runner`` and ``auth`` come from tests/conftest.py; factories for users
and tickets from factories.py.

CSRF protection stays on, as in production: the ``auth`` helper and
``post_form`` send the token a browser would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from helpdesk import create_app
from helpdesk.extensions import db
from helpdesk.models import User
from tests.app_fixtures import app_on_fresh_tables
from tests.helpdesk.factories import make_user


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    with app_on_fresh_tables(create_app, db, database_url) as app:
        yield app


@pytest.fixture
def staff(app: Flask) -> User:
    """A staff member (staff@example.com); tests log in as them themselves."""
    return make_user(app, "staff@example.com", is_staff=True)
