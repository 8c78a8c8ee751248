"""The recipe site's CLI: ``create-user``, ``create-bucket`` and ``seed-demo``."""

import io
import json
import random
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import with_appcontext
from PIL import Image, ImageColor, ImageDraw

from recipes import services
from recipes.extensions import db, image_store
from recipes.models import Recipe
from recipes.storage import StorageError
from shared.auth import get_or_create_user
from shared.commands import DEMO_PASSWORD, DEMO_STAFF, create_user_command, seed_demo_command

DEMO_COOKS = ("cook@example.com", "baker@example.com")
# Address -> display name: what everyone but the owner (and staff) sees.
DEMO_NAMES = {
    DEMO_STAFF: "Mia Chen",
    "cook@example.com": "Carla Romano",
    "baker@example.com": "Bo Lindqvist",
}
# Each with its author (one of DEMO_COOKS), tags and the colours of its drawn photo.
DEMO_RECIPES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "demo_recipes.json").read_text(encoding="utf-8")
)


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(create_bucket)
    app.cli.add_command(seed_demo)


@click.command("create-bucket")
@with_appcontext
def create_bucket() -> None:
    """Create the S3 bucket if it does not exist (demo and local S3-compatible stores)."""
    try:
        created = image_store.create_bucket()
    except StorageError as error:
        raise click.ClickException(f"could not create the bucket: {error}") from None
    click.echo(f"Bucket {image_store.bucket!r} {'created' if created else 'already exists'}.")


@seed_demo_command
def seed_demo() -> None:
    """Add demo users and recipes with generated photos. Safe to run again."""
    get_or_create_user(
        email=DEMO_STAFF, password=DEMO_PASSWORD, display_name=DEMO_NAMES[DEMO_STAFF], is_staff=True
    )
    cooks = {
        email: get_or_create_user(
            email=email, password=DEMO_PASSWORD, display_name=DEMO_NAMES[email]
        )
        for email in DEMO_COOKS
    }
    existing = set(db.session.scalars(db.select(Recipe.title)))
    added = 0
    with click.progressbar(DEMO_RECIPES, label="Demo recipes") as demo_recipes:
        for demo in demo_recipes:
            if demo["title"] in existing:
                continue
            photo = demo_photo(demo["plate_colour"], demo["food_colour"], seed=demo["title"])
            try:
                services.publish_recipe(
                    cooks[demo["author"]],
                    title=demo["title"],
                    ingredients="\n".join(demo["ingredients"]),
                    instructions="\n".join(demo["instructions"]),
                    upload=services.Upload(data=photo, filename="photo.jpg"),
                    tags=demo["tags"],
                )
            except StorageError as error:
                raise click.ClickException(
                    f"could not upload demo photos ({error}). Is the S3 endpoint running "
                    "and the bucket created (flask --app recipes create-bucket)?"
                ) from None
            added += 1
    click.echo(f"Demo recipes: {added} added, {len(DEMO_RECIPES) - added} already there.")
    click.echo(
        f"Log in as {DEMO_COOKS[0]} or {DEMO_COOKS[1]} (cooks) or {DEMO_STAFF} (staff, "
        f"can delete any recipe), all with the password {DEMO_PASSWORD!r}."
    )


def demo_photo(plate: str, food: str, *, seed: str) -> bytes:
    """A plate of food, drawn: the demo ships no binary files."""
    rng = random.Random(seed)  # noqa: S311 -- decoration, not security
    image = Image.new("RGB", (1200, 900), "#3b2f2a")
    draw = ImageDraw.Draw(image)
    draw.ellipse((200, 100, 1000, 850), fill="#2a211d")
    draw.ellipse((180, 70, 980, 820), fill=plate, outline="#d8d2c8", width=6)
    draw.ellipse((300, 190, 860, 700), fill=food)
    red, green, blue = ImageColor.getrgb(food)[:3]
    for _ in range(40):
        x, y, r = rng.randint(340, 800), rng.randint(230, 640), rng.randint(8, 30)
        shift = rng.randint(-40, 40)
        shade = tuple(min(255, max(0, channel + shift)) for channel in (red, green, blue))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=shade)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()
