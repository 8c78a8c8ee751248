"""The recipe site's migrations build the schema its models describe, and go
back down. A model changed without a migration fails here, naming the change."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from recipes import create_app
from recipes.extensions import db
from tests import migration_checks
from tests.recipes.factories import S3_SETTINGS

TABLES = {"users", "recipes", "tags", "recipe_tags", "outbox"}


@pytest.fixture
def empty_app(database_url: str) -> Iterator[Flask]:
    with migration_checks.app_without_tables(create_app, db, database_url, **S3_SETTINGS) as app:
        yield app


def test_upgrade_builds_every_table(empty_app: Flask) -> None:
    migration_checks.assert_upgrade_builds(db, TABLES)


def test_models_and_migrations_agree(empty_app: Flask) -> None:
    migration_checks.assert_models_match_migrations(db)


def test_upgrade_downgrade_upgrade(empty_app: Flask) -> None:
    migration_checks.assert_round_trip(db, TABLES)
