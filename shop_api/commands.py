"""The shop API's CLI: ``create-user`` and ``seed-demo``."""

import json
from pathlib import Path

import click
from flask import Flask

from shared.auth import get_or_create_user
from shared.commands import DEMO_PASSWORD, DEMO_STAFF, create_user_command, seed_demo_command
from shop_api.extensions import db
from shop_api.models import CURRENCY, Product
from shop_api.services.products import invalidate_product_cache

DEMO_CUSTOMER = "customer@example.com"
# Name, price and stock (0 = sold out): from pocket money to a big purchase.
DEMO_PRODUCTS = json.loads((Path(__file__).parent / "demo_products.json").read_text("utf-8"))


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo)


@seed_demo_command
def seed_demo() -> None:
    """Add demo accounts and products. Safe to run again: existing ones are kept."""
    for email, is_staff in ((DEMO_STAFF, True), (DEMO_CUSTOMER, False)):
        get_or_create_user(email=email, password=DEMO_PASSWORD, is_staff=is_staff)
    existing = set(db.session.scalars(db.select(Product.name)))
    new = [
        Product(**demo, description=f"Demo product: {demo['name'].lower()}.", currency=CURRENCY)
        for demo in DEMO_PRODUCTS
        if demo["name"] not in existing
    ]
    db.session.add_all(new)
    db.session.commit()
    # A running API sharing the cache (RedisCache, as in compose) may have kept
    # an empty list or a 404: seeding is a write like any other.
    invalidate_product_cache()
    click.echo(
        f"Demo products: {len(new)} added, {len(DEMO_PRODUCTS) - len(new)} already there.\n"
        f"Accounts: staff {DEMO_STAFF}, customer {DEMO_CUSTOMER}; password {DEMO_PASSWORD!r}.\n"
        "Try it (with the API on port 5002):\n"
        "  TOKEN=$(curl -s -X POST http://127.0.0.1:5002/api/auth/tokens "
        "-H 'Content-Type: application/json' "
        f"""-d '{{"email": "{DEMO_CUSTOMER}", "password": "{DEMO_PASSWORD}"}}' """
        "| python3 -c 'import json,sys; print(json.load(sys.stdin)[\"token\"])')\n"
        "  curl -s -X POST http://127.0.0.1:5002/api/orders/ "
        '-H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" '
        """-d '{"items": [{"product_id": 1, "quantity": 2}]}'"""
    )
