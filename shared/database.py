"""Database conventions the apps share. Each app still owns its own ``db``.

- Constraint names follow one convention, so Alembic can drop and alter them
  (SQLite and PostgreSQL alike) instead of meeting anonymous constraints.
- SQLite connections enforce foreign keys, use WAL and wait for locks,
  so a SQLite file behaves under concurrent requests (its defaults do not).
- PostgreSQL connections are checked before use and pooled to fit
  gunicorn's workers (``postgresql_engine_options``).
- Busy SQLite write paths queue for their turn (``write_turn``) instead of
  polling for SQLite's lock.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: no flock; write_turn does nothing there
    fcntl = None  # type: ignore[assignment]

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, MetaData, event
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


@contextmanager
def write_turn(engine: Engine) -> Iterator[None]:
    """Wait in line for SQLite's single write lock, then run the block.

    SQLite lets one connection write at a time. A second writer that finds
    the lock taken sleeps in SQLite's busy handler and tries again after 1,
    2, 5, 10... ms, however soon the lock is free: under load the writers
    spend more time asleep than writing. Here each writer first takes an
    exclusive ``flock`` on a file beside the database, and the kernel wakes
    the next one the moment the last one is done (``make bench``: about 60%
    more orders per second, see docs/benchmarks.md).

    Use it around a busy write transaction, entered before its first write
    and left after its commit or rollback; it is not re-entrant. SQLite's
    own lock still guards the data: a writer that does not queue (a CLI
    command, a migration) only waits the old way, it is never wrong.
    Nothing happens on PostgreSQL (it has no single write lock), on an
    in-memory SQLite database, or without ``fcntl`` (Windows).
    """
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if fcntl is None or not database or database == ":memory:":
        yield
        return
    # A descriptor of its own for every turn: flock excludes descriptors,
    # so two threads of one process queue like two processes do.
    try:
        queue = os.open(f"{database}-writers", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        # No file beside the database (a file: URI, a read-only folder): no
        # queue, writers wait the old way. The queue is for speed only.
        queue = None
    if queue is None:
        yield
        return
    try:
        fcntl.flock(queue, fcntl.LOCK_EX)  # blocks until it is our turn
        yield
    finally:
        os.close(queue)  # closing releases the lock
