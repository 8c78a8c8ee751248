"""The shared Alembic environment: a new app's migrations folder needs only
``run_migrations()`` in its env.py to autogenerate, upgrade and print SQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import Migrate, init, migrate, upgrade
from sqlalchemy import inspect

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


def test_offline_mode_prints_the_sql(
    app: Flask, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = str(tmp_path / "migrations")
    Migrate(app, db, directory=directory)
    with app.app_context():
        init(directory)
        (tmp_path / "migrations" / "env.py").write_text(ENV_PY)
        db.drop_all()
        migrate(directory, message="initial")
        db.create_all()
        capsys.readouterr()
        upgrade(directory, sql=True)
    assert "CREATE TABLE users" in capsys.readouterr().out
