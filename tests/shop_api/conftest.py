"""The shop API's ``app``, on fresh tables for each test. ``client`` and
``runner`` come from tests/conftest.py; factories for users, tokens,
products and orders from factories.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from shop_api import create_app
from shop_api.extensions import db
from tests.app_fixtures import app_on_fresh_tables


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    with app_on_fresh_tables(create_app, db, database_url) as app:
        yield app
