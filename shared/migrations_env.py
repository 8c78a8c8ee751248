"""What every app's ``migrations/env.py`` runs (Alembic, through Flask-Migrate):
the database and the models' metadata come from the running app."""

import logging
from typing import Any

from alembic import context
from flask import current_app
from sqlalchemy import text

logger = logging.getLogger("alembic.env")
# PostgreSQL's advisory lock that one upgrade at a time holds: any number, the
# same in every process that migrates this database.
UPGRADE_LOCK = 20_260_512


def run_migrations() -> None:
    config = context.config
    # The app set up logging when Flask-Migrate made it (shared/logs.py: JSON
    # lines in production): Alembic's progress lines go the same way.
    for name in ("alembic", "flask_migrate"):
        logging.getLogger(name).setLevel(logging.INFO)
    migrate = current_app.extensions["migrate"]
    db = migrate.db
    if context.is_offline_mode():  # `flask db upgrade --sql` writes the SQL instead
        context.configure(url=db.engine.url, target_metadata=db.metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    def skip_empty_autogenerate(_context: Any, _revision: Any, directives: list[Any]) -> None:
        # `flask db migrate` with no model changes writes no empty revision.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    options = {"process_revision_directives": skip_empty_autogenerate, **migrate.configure_args}
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a column by copying the table, which fails for a table
            # other rows point at (users) while foreign keys are enforced. Alembic's
            # documented way: off during the migration, outside its transaction.
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.commit()
        try:
            context.configure(connection=connection, target_metadata=db.metadata, **options)
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    # Containers that start at once (compose --scale) upgrade in
                    # turn: the next one finds the schema at head, with nothing to
                    # do, instead of failing on a table the first just made. The
                    # lock ends with the transaction.
                    lock = text("SELECT pg_advisory_xact_lock(:lock)")
                    connection.execute(lock, {"lock": UPGRADE_LOCK})
                context.run_migrations()
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")
        if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
            raise RuntimeError("the migration left rows pointing at rows that do not exist")
