"""Database conventions the apps share. Each app still owns its own ``db``.

- Constraint names follow one convention, so Alembic can drop and alter them
  (SQLite and PostgreSQL alike) instead of meeting anonymous constraints.
- SQLite connections enforce foreign keys, use WAL and wait for locks,
  so a SQLite file behaves under concurrent requests (its defaults do not).
- PostgreSQL connections are checked before use and pooled to fit
  gunicorn's workers (``postgresql_engine_options``).
"""

from __future__ import annotations

from collections.abc import Mapping
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


def postgresql_engine_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """The connection pool for one process, sized for gunicorn's sync workers.

    Each gunicorn worker is a process with its own pool, and a sync worker
    serves one request at a time, so it needs one connection; a few more
    cover a CLI command or threads in a test. The database sees at most
    ``workers x (pool_size + max_overflow)`` connections per app (2 x 5 = 10
    with the defaults; PostgreSQL allows 100 unless told otherwise).

    ``pool_pre_ping``: a pooled connection can die while it waits (the
    server restarted, a firewall dropped an idle connection). Checking it
    with a tiny round trip before each use replaces it quietly, instead of
    failing the next request with a 500.
    """
    return {
        "pool_pre_ping": True,
        "pool_size": int(config.get("DATABASE_POOL_SIZE", 2)),
        "max_overflow": int(config.get("DATABASE_MAX_OVERFLOW", 3)),
        # Wait at most this long for a free connection, well inside
        # gunicorn's 30 s worker timeout.
        "pool_timeout": 10,
    }


def init_database(app: Flask, db: SQLAlchemy) -> None:
    """Bind ``db``, set up SQLite and PostgreSQL connections, and register the
    ``id`` URL converter."""
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        # Settings given explicitly (SQLALCHEMY_ENGINE_OPTIONS) win, key by key.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **postgresql_engine_options(app.config),
            **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        }
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
