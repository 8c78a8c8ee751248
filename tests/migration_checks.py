"""Checks every app's migrations must pass, on SQLite and PostgreSQL:
they build the schema the models describe, and go down and up again."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, inspect

from tests.app_fixtures import TEST_SETTINGS


def reset_database(db: SQLAlchemy) -> None:
    """Drop every table in the database, whatever state a test left: the
    app's, Alembic's bookkeeping, and those of an older revision."""
    tables = MetaData()
    tables.reflect(db.engine)
    tables.drop_all(db.engine)


@contextmanager
def app_without_tables(
    create_app: Callable[[Mapping[str, Any]], Flask],
    db: SQLAlchemy,
    database_url: str,
    **config: Any,
) -> Iterator[Flask]:
    """An app (its context pushed) on an empty database, emptied again after."""
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url, **config})
    with app.app_context():
        reset_database(db)
        try:
            yield app
        finally:
            db.session.remove()
            reset_database(db)
            db.engine.dispose()


def table_names(db: SQLAlchemy) -> set[str]:
    return set(inspect(db.engine).get_table_names())


def assert_upgrade_builds(db: SQLAlchemy, tables: set[str]) -> None:
    upgrade()
    assert tables | {"alembic_version"} <= table_names(db)


def assert_models_match_migrations(db: SQLAlchemy) -> None:
    upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models differ from the migrations: {differences}"


def assert_round_trip(db: SQLAlchemy, tables: set[str]) -> None:
    upgrade()
    downgrade(revision="base")
    assert not tables & table_names(db)
    upgrade()
    assert tables <= table_names(db)
