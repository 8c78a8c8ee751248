"""Database conventions the apps share. Each app still owns its own ``db``.

- Constraint names follow one convention, so Alembic can drop and alter them
  (SQLite and PostgreSQL alike) instead of meeting anonymous constraints.
- SQLite connections enforce foreign keys, use WAL and wait for locks,
  so a SQLite file behaves under concurrent requests (its defaults do not).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.orm import registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# Every ``Mapped[datetime]`` is timezone-aware: TIMESTAMPTZ on PostgreSQL. (SQLite
# keeps no zone and hands back naive UTC values; templates treat them as UTC.)
TYPE_ANNOTATION_MAP: dict[Any, Any] = {datetime: DateTime(timezone=True)}
SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_registry() -> registry:
    """A fresh registry for an app's declarative ``Base``::

        class Base(DeclarativeBase):
            registry = make_registry()

    Fresh per app, so each app has its own tables; one convention for all.
    """
    return registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map=TYPE_ANNOTATION_MAP,
    )


def init_database(app: Flask, db: SQLAlchemy) -> None:
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _configure_sqlite_connection)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    # WAL lets readers go on while one request writes; it has no effect on
    # in-memory databases, which do not support it.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()
