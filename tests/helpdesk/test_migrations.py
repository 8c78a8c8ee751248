"""What only the help desk's migrations do: install the triggers that keep
the ticket counts per status. (Every app's migrations are checked alike in
tests/deploy/test_every_app.py.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from helpdesk import create_app
from helpdesk.extensions import db
from tests import migration_checks


@pytest.fixture
def empty_app(database_url: str) -> Iterator[Flask]:
    with migration_checks.app_without_tables(create_app, db, database_url) as app:
        yield app


def test_the_migrated_database_keeps_the_status_counts(empty_app: Flask) -> None:
    """The counts come from triggers the migration installs: what
    `flask db upgrade` builds counts like what the tests' create_all builds."""
    upgrade()
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (email, display_name, display_name_key, password_hash, is_staff, is_active, "
                "session_token, created_at) "
                "VALUES ('a@example.com', 'a', 'a', 'x', false, true, 't', CURRENT_TIMESTAMP)"
            )
        )
        for status in ("open", "open", "pending"):
            connection.execute(
                text(
                    "INSERT INTO tickets (title, description, status, created_by_id, created_at, "
                    "updated_at) SELECT 't', 'd', :status, id, CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP FROM users"
                ),
                {"status": status},
            )
        connection.execute(text("UPDATE tickets SET status = 'resolved' WHERE status = 'pending'"))
        counts = dict(
            connection.execute(text("SELECT status, tickets FROM ticket_status_counts")).all()
        )
    assert counts == {"open": 2, "pending": 0, "resolved": 1}
