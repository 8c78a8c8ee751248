"""The recipe site's CLI: ``create-user``, ``create-bucket`` and ``seed-demo``."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import click
from flask import Flask
from flask.cli import with_appcontext
from PIL import Image, ImageColor, ImageDraw

from recipes import services
from recipes.extensions import db, image_store
from recipes.models import Recipe
from recipes.storage import StorageError
from shared.auth import get_or_create_user
from shared.commands import create_user_command, seed_demo_command

DEMO_PASSWORD = "demo-password"  # noqa: S105 -- printed for the demo on purpose
DEMO_STAFF = "staff@example.com"
DEMO_COOKS = ("cook@example.com", "baker@example.com")


@dataclass(frozen=True)
class DemoRecipe:
    author: int  # index into DEMO_COOKS
    title: str
    ingredients: tuple[str, ...]
    instructions: tuple[str, ...]
    plate: str  # colours of the drawn photo
    food: str


DEMO_RECIPES = (
    DemoRecipe(
        0,
        "Tomato soup",
        ("1 kg ripe tomatoes", "1 onion", "2 cloves garlic", "500 ml stock", "Olive oil", "Salt"),
        (
            "Soften the onion and garlic in oil.",
            "Add chopped tomatoes and stock; simmer 20 minutes.",
            "Blend, season and serve.",
        ),
        "#f4efe6",
        "#d1462f",
    ),
    DemoRecipe(
        0,
        "Pea and mint risotto",
        (
            "300 g risotto rice",
            "1 l hot stock",
            "200 g peas",
            "A handful of mint",
            "50 g parmesan",
            "Butter",
        ),
        (
            "Toast the rice in butter.",
            "Add stock a ladle at a time, stirring.",
            "Stir in peas, mint and parmesan at the end.",
        ),
        "#ffffff",
        "#8cbf4a",
    ),
    DemoRecipe(
        1,
        "Blueberry muffins",
        (
            "250 g flour",
            "100 g sugar",
            "2 tsp baking powder",
            "1 egg",
            "200 ml milk",
            "80 ml oil",
            "150 g blueberries",
        ),
        (
            "Mix the dry and the wet ingredients separately, then together, briefly.",
            "Fold in the berries.",
            "Bake 20 minutes at 200 °C.",
        ),
        "#e8e2d6",
        "#4b4f9e",
    ),
    DemoRecipe(
        1,
        "Sourdough loaf",
        ("500 g bread flour", "350 g water", "100 g active starter", "10 g salt"),
        (
            "Mix, rest an hour, add salt.",
            "Fold every 30 minutes for 2 hours.",
            "Shape, prove overnight in the fridge, bake at 240 °C.",
        ),
        "#f2ead8",
        "#b8834a",
    ),
    DemoRecipe(
        0,
        "Lemon pasta",
        ("400 g spaghetti", "2 lemons", "60 g butter", "60 g parmesan", "Black pepper"),
        (
            "Cook the pasta.",
            "Melt butter with lemon zest and juice.",
            "Toss with the pasta, parmesan and some pasta water.",
        ),
        "#ffffff",
        "#f1d35b",
    ),
    DemoRecipe(
        1,
        "Carrot cake",
        (
            "300 g grated carrot",
            "250 g flour",
            "200 g brown sugar",
            "3 eggs",
            "200 ml oil",
            "Cinnamon",
            "Walnuts",
        ),
        (
            "Whisk eggs, sugar and oil.",
            "Fold in flour, spice, carrot and nuts.",
            "Bake 45 minutes at 170 °C; ice when cool.",
        ),
        "#f7f1e8",
        "#d9822b",
    ),
    DemoRecipe(
        0,
        "Green curry",
        (
            "400 ml coconut milk",
            "3 tbsp green curry paste",
            "400 g chicken or tofu",
            "Green beans",
            "Thai basil",
            "Fish sauce",
        ),
        (
            "Fry the paste in a little coconut cream.",
            "Add the rest of the milk and the chicken; simmer 10 minutes.",
            "Add beans, season, finish with basil.",
        ),
        "#ffffff",
        "#6f9e3c",
    ),
    DemoRecipe(
        1,
        "Chocolate mousse",
        ("200 g dark chocolate", "4 eggs", "30 g sugar", "A pinch of salt"),
        (
            "Melt the chocolate.",
            "Whisk the whites with salt and sugar to soft peaks.",
            "Stir the yolks into the chocolate, fold in the whites, chill 4 hours.",
        ),
        "#f4efe6",
        "#5a3825",
    ),
)

# Tags to click through on the demo (GET /?tag=...); several recipes share each.
DEMO_TAGS = {
    "Tomato soup": ("soup", "vegetarian", "quick"),
    "Pea and mint risotto": ("vegetarian", "dinner"),
    "Blueberry muffins": ("baking", "sweet"),
    "Sourdough loaf": ("baking", "bread"),
    "Lemon pasta": ("vegetarian", "quick", "dinner"),
    "Carrot cake": ("baking", "sweet"),
    "Green curry": ("dinner", "spicy"),
    "Chocolate mousse": ("sweet",),
}


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
    get_or_create_user(email=DEMO_STAFF, password=DEMO_PASSWORD, is_staff=True)
    cooks = [get_or_create_user(email=email, password=DEMO_PASSWORD) for email in DEMO_COOKS]
    existing = set(db.session.scalars(db.select(Recipe.title)))
    added = 0
    with click.progressbar(DEMO_RECIPES, label="Demo recipes") as demo_recipes:
        for demo in demo_recipes:
            if demo.title in existing:
                continue
            photo = demo_photo(demo.plate, demo.food, seed=demo.title)
            try:
                services.publish_recipe(
                    cooks[demo.author],
                    title=demo.title,
                    ingredients="\n".join(demo.ingredients),
                    instructions="\n".join(demo.instructions),
                    upload=services.Upload(data=photo, filename="photo.jpg"),
                    tags=DEMO_TAGS.get(demo.title, ()),
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
