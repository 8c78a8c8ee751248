"""The migrations build the schema the models describe, and go back down.

If someone changes a model without writing a migration, the comparison
test fails and names the difference.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from helpdesk import create_app
from helpdesk.extensions import db

TABLES = {"users", "tickets", "replies", "status_changes", "alembic_version"}


@pytest.fixture
def empty_app(database_url: str) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        yield app
        db.session.remove()
        downgrade(revision="base")
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.engine.dispose()


def test_upgrade_builds_every_table(empty_app: Flask) -> None:
    upgrade()
    assert set(inspect(db.engine).get_table_names()) >= TABLES


def test_models_and_migrations_agree(empty_app: Flask) -> None:
    upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models differ from the migrations: {differences}"


def test_upgrade_downgrade_upgrade(empty_app: Flask) -> None:
    upgrade()
    downgrade(revision="base")
    assert not (TABLES - {"alembic_version"}) & set(inspect(db.engine).get_table_names())
    upgrade()
    assert set(inspect(db.engine).get_table_names()) >= TABLES
