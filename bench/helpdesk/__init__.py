"""The help desk's benchmark cases: the staff list and a customer's own list
at two sizes, to show that a page costs the same with 100 times the tickets."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import insert

from bench import seed
from bench.harness import Bench, app_env, check, html_login

OWNERS = 100  # customers; the benchmark logs in as the first one
# (case, server, minimum times the tutorial, maximum growth from the small
# size to the large one): the teachable-core issue's goals for the help desk.
GOALS: tuple[tuple[str, str, float, float], ...] = (
    ("staff list, 100,000 tickets", "helpdesk", 0, 1.5),
    ("own list, 100,000 tickets", "helpdesk", 0, 1.5),
)


def cases(bench: Bench) -> None:
    """The staff list and a customer's own list, at 1,000 and 100,000 tickets."""
    for size in (1_000, 100_000):
        print(f"  (seeding {size:,} tickets)", flush=True)
        desk = seed_helpdesk(bench.workdir / f"helpdesk-{size}.sqlite3", tickets=size)
        env = app_env("HELPDESK", desk.url, **bench.cache())  # the status counts are cached
        app = bench.start("helpdesk", "helpdesk:create_app()", env)
        for case, email, path in (
            (f"staff list, {size:,} tickets", seed.STAFF_EMAIL, "/staff/tickets/"),
            (f"own list, {size:,} tickets", seed.CUSTOMER_EMAIL, "/tickets/"),
        ):
            cookie = {"Cookie": html_login(app, email)}
            check(requests.get(app.url + path, headers=cookie, timeout=10), 200, case)
            bench.case(case, app, path, headers=cookie)


def seed_helpdesk(path: Path, *, tickets: int) -> seed.Seeded:
    import helpdesk as app_package
    from helpdesk import models
    from helpdesk.extensions import db

    def fill(db: SQLAlchemy, models: Any) -> None:
        customers = [seed.CUSTOMER_EMAIL] + [f"customer{n}@bench.example" for n in range(1, OWNERS)]
        owner_ids = seed.users(db, models.User, [seed.STAFF_EMAIL, *customers], {seed.STAFF_EMAIL})[
            1:
        ]
        rng = random.Random(7)
        statuses = list(models.TicketStatus)
        batch: list[dict[str, Any]] = []
        for number in range(tickets):
            opened = seed.EPOCH + timedelta(minutes=number)
            batch.append(
                {
                    "title": f"{seed.name(rng)} is broken ({number})",
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

    return seed.build(path, app_package.create_app, db, fill, models)
