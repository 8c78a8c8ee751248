"""The recipe site's benchmark cases: the home page at two sizes (its photos'
links are presigned, computed without contacting S3)."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import insert

from bench import seed
from bench.harness import Bench, app_env, check

# (case, server, minimum times the tutorial, maximum growth from the small
# size to the large one): the teachable-core issue's goal for the recipe site.
GOALS: tuple[tuple[str, str, float, float], ...] = (
    ("recipes home, 10,000 recipes", "recipes", 0, 1.5),
)


def cases(bench: Bench) -> None:
    """The home page at 1,000 and 10,000 recipes."""
    # Presigned URLs are computed, not fetched: the endpoint is never contacted.
    s3 = {
        "S3_ENDPOINT_URL": "http://127.0.0.1:9",
        "S3_ACCESS_KEY_ID": "bench",
        "S3_SECRET_ACCESS_KEY": "bench-secret",
    }
    for size in (1_000, 10_000):
        print(f"  (seeding {size:,} recipes)", flush=True)
        cookbook = seed_recipes(bench.workdir / f"recipes-{size}.sqlite3", count=size)
        app = bench.start("recipes", "recipes:create_app()", app_env("RECIPES", cookbook.url, **s3))
        case = f"recipes home, {size:,} recipes"
        check(requests.get(app.url + "/", timeout=10), 200, case)
        bench.case(case, app, "/")


def seed_recipes(path: Path, *, count: int) -> seed.Seeded:
    import recipes as app_package
    from recipes import models
    from recipes.extensions import db

    def fill(db: SQLAlchemy, models: Any) -> None:
        authors = seed.users(db, models.User, [f"cook{n}@bench.example" for n in range(20)], set())
        rng = random.Random(5)
        rows = [
            {
                "title": f"{seed.name(rng)} soup ({number})",
                "ingredients": "Water\nSalt\nStock",
                "instructions": "Simmer for an hour.",
                "author_id": authors[number % len(authors)],
                "image_key": f"recipes/bench-{number}.jpg",
                "thumbnail_key": f"recipes/thumbnails/bench-{number}.jpg",
                "image_content_type": "image/jpeg",
                "original_filename": "soup.jpg",
                "created_at": seed.EPOCH + timedelta(minutes=number),
                "updated_at": seed.EPOCH + timedelta(minutes=number),
            }
            for number in range(count)
        ]
        db.session.execute(insert(models.Recipe), rows)

    return seed.build(path, app_package.create_app, db, fill, models)
