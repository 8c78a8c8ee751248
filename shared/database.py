"""Database conventions the apps share, each app still owning its ``db``:
named constraints, SQLite set up for concurrent requests, PostgreSQL pooled
for gunicorn, and ids in URLs kept within the column's range."""

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.orm import registry
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter

# Alembic can alter or drop only a constraint it can name, on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
MAX_ID = 2**31 - 1  # primary keys are INTEGER: 32 bits on PostgreSQL


def make_registry() -> registry:
    """A fresh registry for an app's ``Base`` (``registry = make_registry()``), so
    each app has its own tables. Every ``Mapped[datetime]`` is timezone-aware
    (TIMESTAMPTZ on PostgreSQL; SQLite hands back naive UTC values)."""
    return registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: DateTime(timezone=True)},
    )


def string_enum(values: type[enum.StrEnum], name: str) -> Enum:
    """A column of ``values``' values (``"open"``, not ``"OPEN"``), stored as
    VARCHAR plus a CHECK constraint named ``name`` rather than a native enum
    type: the same schema on SQLite and PostgreSQL, and adding a value later is
    an ordinary migration."""
    return Enum(
        values,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


class IdConverter(BaseConverter):
    """``<id:item_id>``: a primary key from 1 up to what the column holds.
    ``<int:...>`` would let ``/items/99999999999999999999`` reach the
    database, which fails with a 500; here it is a 404."""

    regex = r"[1-9][0-9]{0,9}"

    def to_python(self, value: str) -> int:
        if int(value) > MAX_ID:
            # Not ValidationError: Werkzeug would then answer 405 when another
            # method's rule has the same path.
            raise NotFound()
        return int(value)


def postgresql_engine_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """A small pool, as a gunicorn sync worker serves one request at a time; the
    pre-ping replaces a connection that died while pooled instead of failing a request."""
    return {
        "pool_pre_ping": True,
        "pool_size": int(config.get("DATABASE_POOL_SIZE", 2)),
        "max_overflow": int(config.get("DATABASE_MAX_OVERFLOW", 3)),
        "pool_timeout": 10,  # well inside gunicorn's 30 s worker timeout
    }


def init_database(app: Flask, db: SQLAlchemy) -> None:
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        given = app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})  # these win, key by key
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = postgresql_engine_options(app.config) | given
    db.init_app(app)
    app.url_map.converters["id"] = IdConverter
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", configure_sqlite_connection)


def configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    """SQLite ignores foreign keys unless asked, and a second writer waits for the
    lock only as long as the busy timeout (Python's ``sqlite3`` sets 5 s) before
    failing with "database is locked"."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA journal_mode = WAL")  # readers go on while one request writes
    cursor.close()
