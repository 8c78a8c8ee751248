"""What every app's benchmark seeder uses (bench/<package>/): a SQLite file
or PostgreSQL database built through the app's own migrations (so the indexes
are the real ones) and filled with bulk INSERTs, and the accounts to log in as.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import create_engine, insert

from shared.auth.passwords import hash_password

PASSWORD = "bench-password-1"  # a throw-away account in a throw-away file
STAFF_EMAIL = "staff@bench.example"
CUSTOMER_EMAIL = "customer@bench.example"
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_WORDS = [
    *("red", "blue", "green", "quick", "quiet", "small", "large", "steel", "wooden", "cotton"),
    *("lamp", "chair", "mug", "kettle", "desk", "cable", "charger", "backpack", "bottle", "pen"),
]


@dataclass(frozen=True)
class Seeded:
    path: Path
    url: str


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def fresh_postgresql_database(server_url: str, name: str) -> str:
    """``name`` dropped and created anew on the server at ``server_url``
    (``postgresql+psycopg://user@host:port``); its URL."""
    engine = create_engine(f"{server_url}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return f"{server_url}/{name}"


def build(
    path: Path,
    create_app: Callable[[dict[str, Any]], Flask],
    db: SQLAlchemy,
    fill: Callable[[SQLAlchemy, Any], None],
    models: Any,
    url: str | None = None,
) -> Seeded:
    """The app's schema and rows in the SQLite file at ``path``, or in the
    (empty) database at ``url``."""
    if url is None and path.exists():
        path.unlink()
    url = url or sqlite_url(path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REQUEST_LOG_ENABLED": False})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        fill(db, models)
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))  # the planner's statistics, as after real use
        db.session.commit()
        db.engine.dispose()
    return Seeded(path, url)


def users(db: SQLAlchemy, user_model: Any, emails: list[str], staff: set[str]) -> list[int]:
    password_hash = hash_password(PASSWORD)  # scrypt once; every account shares it
    rows = [
        {
            "email": email,
            "display_name": f"bench {number}",
            "display_name_key": f"bench {number}",
            "password_hash": password_hash,
            "is_staff": email in staff,
            "session_token": f"bench-session-{number}",
            "created_at": EPOCH,
        }
        for number, email in enumerate(emails)
    ]
    db.session.execute(insert(user_model), rows)
    return [db.session.scalar(db.select(user_model.id).filter_by(email=e)) for e in emails]


def name(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS).capitalize() for _ in range(3))
