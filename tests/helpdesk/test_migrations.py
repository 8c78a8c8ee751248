"""What only the help desk's migrations do: the counts per status moved
from triggers to a GROUP BY, and the migration that removes the triggers
leaves a database whose tickets change freely. (Every app's migrations are
checked alike in tests/deploy/test_every_app.py.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from helpdesk import create_app
from helpdesk.extensions import db
from tests import migration_checks

BEFORE_GROUP_BY = "b7e3c1d9a402"


@pytest.fixture
def empty_app(database_url: str) -> Iterator[Flask]:
    with migration_checks.app_without_tables(create_app, db, database_url) as app:
        yield app


def add_tickets(*statuses: str) -> None:
    """Rows for the schema at ``BEFORE_GROUP_BY``, not today's: a column added
    since stays out of these INSERTs."""
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (email, display_name, display_name_key, password_hash, "
                "is_staff, is_active, session_token, created_at) "
                "VALUES ('a@example.com', 'a', 'a', 'x', false, true, 't', CURRENT_TIMESTAMP)"
            )
        )
        for status in statuses:
            connection.execute(
                text(
                    "INSERT INTO tickets (title, description, status, created_by_id, created_at, "
                    "updated_at) SELECT 't', 'd', :status, id, CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP FROM users"
                ),
                {"status": status},
            )


def test_the_counts_table_and_its_triggers_go_and_come_back(empty_app: Flask) -> None:
    upgrade(revision=BEFORE_GROUP_BY)
    add_tickets("open", "open", "pending")
    upgrade()
    assert "ticket_status_counts" not in inspect(db.engine).get_table_names()
    with db.engine.begin() as connection:  # no trigger left to fire on a missing table
        connection.execute(text("UPDATE tickets SET status = 'resolved' WHERE status = 'pending'"))
    downgrade(revision=BEFORE_GROUP_BY)
    with db.engine.connect() as connection:
        counts = dict(
            connection.execute(text("SELECT status, tickets FROM ticket_status_counts")).all()
        )
    assert counts == {"open": 2, "pending": 0, "resolved": 1}
