"""What every app's ``migrations/env.py`` runs (Alembic, through Flask-Migrate).

The database URL and the models' metadata come from the running app, so
migrations always target the database the app is configured for.
"""

from __future__ import annotations

import logging
from logging.config import fileConfig
from typing import Any

from alembic import context
from flask import current_app

logger = logging.getLogger("alembic.env")


def run_migrations() -> None:
    config = context.config
    if config.config_file_name is not None:
        # Keep loggers that exist already (the app's request log), which
        # fileConfig would otherwise disable when migrations run in-process.
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    migrate_extension = current_app.extensions["migrate"]
    db = migrate_extension.db
    if context.is_offline_mode():
        _run_offline(db)
    else:
        _run_online(db, dict(migrate_extension.configure_args))


def _run_offline(db: Any) -> None:
    """Write the SQL instead of running it (``flask db upgrade --sql``)."""
    context.configure(url=db.engine.url, target_metadata=db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_online(db: Any, options: dict[str, Any]) -> None:
    def skip_empty_autogenerate(_context: Any, _revision: Any, directives: list[Any]) -> None:
        # `flask db migrate` with no model changes writes no empty revision.
        cmd_opts = context.config.cmd_opts
        if getattr(cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    options.setdefault("compare_type", True)
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a column by copying the table (batch mode), which
            # drops the old one: with foreign keys enforced, that fails for a
            # table other rows point at (users). Alembic's documented way: off
            # during the migration, outside its transaction, and on again after.
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.commit()  # so the migrations run in a transaction of their own
        try:
            context.configure(connection=connection, target_metadata=db.metadata, **options)
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")
        if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
            raise RuntimeError("the migration left rows pointing at rows that do not exist")
