"""Seeded SQLite files for the benchmark, built through each app's own
migrations (so the indexes are the real ones) and filled with bulk INSERTs.

Row counts are the issue's sizes: 10,000 products; 1,000 and 100,000
tickets; 1,000 and 10,000 recipes.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
OWNERS = 100  # help desk customers; the benchmark logs in as the first one
STOCK = 1_000_000  # the order benchmark never runs out
# The customer's API token, for the tutorial's order endpoint (the real API
# is asked for one through POST /api/auth/tokens).
CUSTOMER_TOKEN = "bench-customer-token"
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


def _build(
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


def _users(db: SQLAlchemy, user_model: Any, emails: list[str], staff: set[str]) -> list[int]:
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


def _name(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS).capitalize() for _ in range(3))


# --- the shop --------------------------------------------------------------------


def shop(path: Path, *, products: int = 10_000, url: str | None = None) -> Seeded:
    import shop_api
    from shop_api import models
    from shop_api.extensions import db

    def fill(db: SQLAlchemy, models: Any) -> None:
        emails = [CUSTOMER_EMAIL, STAFF_EMAIL]
        customer_id, _staff_id = _users(db, models.User, emails, {STAFF_EMAIL})
        db.session.add(
            models.ApiToken(
                user_id=customer_id,
                token_hash=hashlib.sha256(CUSTOMER_TOKEN.encode()).hexdigest(),
                created_at=EPOCH,
                expires_at=EPOCH.replace(year=2100),
            )
        )
        rng = random.Random(11)
        rows = [
            {
                "name": f"{_name(rng)} {number}",
                "description": "A product for the benchmark.",
                "price_cents": rng.randrange(100, 100_000),
                "currency": models.CURRENCY,
                "stock": STOCK,
                "created_at": EPOCH + timedelta(minutes=number),
                "updated_at": EPOCH + timedelta(minutes=number),
            }
            for number in range(1, products + 1)
        ]
        db.session.execute(insert(models.Product), rows)

    return _build(path, shop_api.create_app, db, fill, models, url)


# --- the help desk ---------------------------------------------------------------


def helpdesk(path: Path, *, tickets: int) -> Seeded:
    import helpdesk as app_package
    from helpdesk import models
    from helpdesk.extensions import db

    def fill(db: SQLAlchemy, models: Any) -> None:
        customers = [CUSTOMER_EMAIL] + [f"customer{n}@bench.example" for n in range(1, OWNERS)]
        owner_ids = _users(db, models.User, [STAFF_EMAIL, *customers], {STAFF_EMAIL})[1:]
        rng = random.Random(7)
        statuses = list(models.TicketStatus)
        batch: list[dict[str, Any]] = []
        for number in range(tickets):
            opened = EPOCH + timedelta(minutes=number)
            batch.append(
                {
                    "title": f"{_name(rng)} is broken ({number})",
                    "description": "It stopped working this morning. " * 3,
                    "status": rng.choice(statuses),
                    "created_by_id": owner_ids[number % OWNERS],
                    "created_at": opened,
                    "updated_at": opened,
                }
            )
            if len(batch) == 10_000:
                db.session.execute(insert(models.Ticket), batch)
                batch.clear()
        if batch:
            db.session.execute(insert(models.Ticket), batch)

    return _build(path, app_package.create_app, db, fill, models)


# --- the recipe site -------------------------------------------------------------


def recipes(path: Path, *, count: int) -> Seeded:
    import recipes as app_package
    from recipes import models
    from recipes.extensions import db

    def fill(db: SQLAlchemy, models: Any) -> None:
        authors = _users(db, models.User, [f"cook{n}@bench.example" for n in range(20)], set())
        rng = random.Random(5)
        rows = [
            {
                "title": f"{_name(rng)} soup ({number})",
                "ingredients": "Water\nSalt\nStock",
                "instructions": "Simmer for an hour.",
                "author_id": authors[number % len(authors)],
                "image_key": f"recipes/bench-{number}.jpg",
                "thumbnail_key": f"recipes/thumbnails/bench-{number}.jpg",
                "image_content_type": "image/jpeg",
                "original_filename": "soup.jpg",
                "created_at": EPOCH + timedelta(minutes=number),
                "updated_at": EPOCH + timedelta(minutes=number),
            }
            for number in range(count)
        ]
        db.session.execute(insert(models.Recipe), rows)

    return _build(path, app_package.create_app, db, fill, models)
