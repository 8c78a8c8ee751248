"""Database connections are set up for a web app: SQLite with foreign keys,
WAL and lock waits; PostgreSQL pooled for gunicorn's workers and checked
before use; ids in URLs kept in the column's range."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.pool import QueuePool

from tests.conftest import TEST_DATABASE_URL
from tests.shared import tiny_app
from tests.shared.tiny_app import db

sqlite_only = pytest.mark.skipif(
    bool(TEST_DATABASE_URL), reason="SQLite pragmas; this run uses TEST_DATABASE_URL"
)


@sqlite_only
def test_sqlite_connections_enforce_foreign_keys_and_wait_for_locks(app: Flask) -> None:
    with app.app_context():
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    # What the pragma raises: Python's sqlite3 waits 5 s for a lock by default.
    with closing(sqlite3.connect(":memory:")) as plain:
        assert plain.execute("PRAGMA busy_timeout").fetchone() == (5000,)


def test_constraints_follow_the_naming_convention(app: Flask) -> None:
    names = {c.name for c in db.metadata.tables["users"].constraints}
    assert {"pk_users", "uq_users_email", "ck_users_email_lowercase"} <= names


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/things/1", 200),
        ("/things/2147483647", 200),
        ("/things/0", 404),
        ("/things/01", 404),
        ("/things/2147483648", 404),
        ("/things/99999999999999999999", 404),
        ("/things/x", 404),
    ],
)
def test_id_converter_keeps_ids_in_the_column_range(app: Flask, url: str, status: int) -> None:
    app.add_url_rule("/things/<id:thing_id>", "thing", lambda thing_id: str(thing_id))
    assert app.test_client().get(url).status_code == status


@pytest.mark.parametrize("thing_id", ["0", "007", "2147483648", "99999999999999999999"])
def test_an_out_of_range_id_is_404_for_every_method(app: Flask, thing_id: str) -> None:
    # Werkzeug answers 405 instead of 404 when a converter refuses a value
    # that another method's rule on the same path would take.
    app.add_url_rule("/things/<id:thing_id>", "read", lambda thing_id: "read")
    app.add_url_rule(
        "/things/<id:thing_id>", "change", lambda thing_id: "change", methods=["PATCH"]
    )
    client = app.test_client()
    assert client.get(f"/things/{thing_id}").status_code == 404
    assert client.patch(f"/things/{thing_id}").status_code == 404


# --- PostgreSQL's connection pool --------------------------------------------------

POSTGRESQL_URL = "postgresql+psycopg://user@127.0.0.1:1/never-connected"


def test_postgresql_connections_are_checked_and_pooled_for_gunicorn_workers(
    tmp_path: Path,
) -> None:
    app = tiny_app.create_app(
        {"SQLALCHEMY_DATABASE_URI": POSTGRESQL_URL}, instance_path=str(tmp_path)
    )
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_pre_ping"] is True
    with app.app_context():
        pool = db.engine.pool  # built without connecting
        assert isinstance(pool, QueuePool)
        assert pool.size() == 2
        assert pool._max_overflow == 3
        assert pool._pre_ping is True


def test_pool_settings_can_be_changed(tmp_path: Path) -> None:
    app = tiny_app.create_app(
        {
            "SQLALCHEMY_DATABASE_URI": POSTGRESQL_URL,
            "DATABASE_POOL_SIZE": 4,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_timeout": 5},
        },
        instance_path=str(tmp_path),
    )
    with app.app_context():
        assert db.engine.pool.size() == 4
        assert db.engine.pool._timeout == 5
        assert db.engine.pool._pre_ping is True


def test_sqlite_keeps_sqlalchemys_own_pool_settings(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    app = tiny_app.create_app({"SQLALCHEMY_DATABASE_URI": url}, instance_path=str(tmp_path))
    assert "pool_pre_ping" not in app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})


@pytest.mark.postgres
@pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"), reason="needs TEST_DATABASE_URL"
)
def test_a_connection_the_server_dropped_is_replaced_before_the_next_request(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/readyz").status_code == 200  # a pooled connection now exists
    with app.app_context():
        pooled_pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        db.session.remove()
    # The server ends it, as a restart or a dropped idle connection would.
    killer = create_engine(TEST_DATABASE_URL)
    with killer.begin() as connection:
        ended = connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pooled_pid})
        assert ended.scalar() is True
    killer.dispose()

    assert client.get("/readyz").status_code == 200  # pre-ping replaced it: no failed request
    with app.app_context():
        assert db.session.execute(text("SELECT pg_backend_pid()")).scalar() != pooled_pid
