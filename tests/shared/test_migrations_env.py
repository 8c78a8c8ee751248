"""The shared Alembic environment: a new app's migrations folder needs only
``run_migrations()`` in its env.py to autogenerate, upgrade and print SQL."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import Migrate, init, migrate, upgrade
from sqlalchemy import create_engine, inspect, text

from shared.migrations_env import UPGRADE_LOCK
from tests.conftest import TEST_DATABASE_URL
from tests.servers import wait_for
from tests.shared.tiny_app import db

ENV_PY = "from shared.migrations_env import run_migrations\n\nrun_migrations()\n"


def test_autogenerate_and_upgrade_through_the_shared_env(app: Flask, tmp_path: Path) -> None:
    directory = str(tmp_path / "migrations")
    Migrate(app, db, directory=directory, render_as_batch=True)
    with app.app_context():
        db.drop_all()
        init(directory)
        (tmp_path / "migrations" / "env.py").write_text(ENV_PY)
        migrate(directory, message="initial")
        (revision,) = (tmp_path / "migrations" / "versions").glob("*_initial.py")
        assert "op.create_table('users'" in revision.read_text()

        # Nothing changed since: no empty revision is written.
        upgrade(directory)
        migrate(directory, message="nothing")
        assert not list((tmp_path / "migrations" / "versions").glob("*_nothing.py"))
        assert {"users", "notes", "alembic_version"} <= set(inspect(db.engine).get_table_names())

        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE alembic_version")


def initial_migration(app: Flask, tmp_path: Path) -> str:
    """A migrations folder on the shared env, with the tiny app's first revision
    written from empty tables (and left empty). Returns the folder."""
    directory = str(tmp_path / "migrations")
    Migrate(app, db, directory=directory)
    with app.app_context():
        init(directory)
        (tmp_path / "migrations" / "env.py").write_text(ENV_PY)
        db.drop_all()
        migrate(directory, message="initial")
    return directory


def test_offline_mode_prints_the_sql(
    app: Flask, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = initial_migration(app, tmp_path)
    with app.app_context():
        db.create_all()
        capsys.readouterr()
        upgrade(directory, sql=True)
    assert "CREATE TABLE users" in capsys.readouterr().out


@pytest.mark.postgres
@pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"), reason="needs TEST_DATABASE_URL"
)
def test_an_upgrade_waits_for_the_one_running(app: Flask, tmp_path: Path) -> None:
    """Two containers that start at once must not both create the tables: the
    upgrade takes PostgreSQL's advisory lock, held here as another upgrade would."""
    directory = initial_migration(app, tmp_path)
    lock = {"lock": UPGRADE_LOCK}
    other = create_engine(TEST_DATABASE_URL)
    with other.connect() as running:
        running.execute(text("SELECT pg_advisory_lock(:lock)"), lock)

        def upgrade_in_the_app() -> None:
            with app.app_context():
                upgrade(directory)

        waiting = threading.Thread(target=upgrade_in_the_app)
        waiting.start()
        lock_wanted = text(
            "SELECT count(*) FROM pg_locks"
            " WHERE locktype = 'advisory' AND objid = :lock AND NOT granted"
        )
        wait_for(
            lambda: running.execute(lock_wanted, lock).scalar() == 1, 30, "the upgrade to wait"
        )
        assert "notes" not in inspect(other).get_table_names()
        running.execute(text("SELECT pg_advisory_unlock(:lock)"), lock)
        running.commit()
    waiting.join(60)
    assert {"users", "notes"} <= set(inspect(other).get_table_names())
    other.dispose()
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE alembic_version")
