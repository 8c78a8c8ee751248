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
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter

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
# Primary keys are INTEGER: 32 bits on PostgreSQL.
MAX_ID = 2**31 - 1


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


class IdConverter(BaseConverter):
    """``<id:ticket_id>``: a primary key in a URL, 1 up to what the column holds.

    A plain ``<int:...>`` lets ``/tickets/99999999999999999999`` through to
    the database, which then fails (SQLite and PostgreSQL alike) with a 500.
    Here ``0``, ``007`` and anything longer than ten digits do not match the
    rule at all, and a ten-digit number past the column's range is a 404.
    """

    regex = r"[1-9][0-9]{0,9}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            # Not ValidationError: with that, Werkzeug answers 405 instead of
            # 404 when another method's rule has the same path.
            raise NotFound()
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


def init_database(app: Flask, db: SQLAlchemy) -> None:
    """Bind ``db``, set up SQLite connections, and register the ``id`` URL converter."""
    db.init_app(app)
    app.url_map.converters["id"] = IdConverter
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
