"""The shop API's CLI: ``create-user`` and ``seed-demo``."""

from __future__ import annotations

import click
from flask import Flask

from shared.auth import get_or_create_user
from shared.commands import create_user_command, seed_demo_command
from shop_api.extensions import db
from shop_api.models import CURRENCY, Product

DEMO_PASSWORD = "demo-password"  # noqa: S105 -- printed for the demo on purpose
DEMO_STAFF = "staff@example.com"
DEMO_CUSTOMER = "customer@example.com"

# name, price in cents, stock (0 = sold out): from pocket money to a big purchase.
DEMO_PRODUCTS = (
    ("Espresso beans 250 g", 899, 120),
    ("Filter coffee 1 kg", 2499, 40),
    ("Green tea, 20 bags", 449, 200),
    ("Ceramic mug", 1299, 35),
    ("Travel mug, insulated", 2499, 0),
    ("Hand grinder", 5999, 8),
    ("Pour-over dripper", 2299, 15),
    ("Paper filters, 100", 599, 300),
    ("Milk frother", 3999, 0),
    ("Kitchen scale", 2999, 12),
    ("Gooseneck kettle", 7999, 5),
    ("Espresso machine", 49900, 2),
    ("Cold brew bottle", 2799, 20),
    ("Dark chocolate bar", 349, 150),
    ("Almond biscuits", 499, 80),
    ("Oat milk 1 l", 229, 0),
    ("Honey jar 500 g", 899, 25),
    ("Tea infuser", 799, 60),
    ("Matcha whisk", 1899, 10),
    ("Matcha powder 30 g", 2199, 18),
    ("Barista apron", 3499, 7),
    ("Tamper", 2999, 9),
    ("Knock box", 2499, 0),
    ("Cleaning tablets", 1099, 45),
    ("Descaler", 999, 50),
    ("Glass carafe", 1999, 14),
    ("Coffee canister", 2199, 22),
    ("Gift card 25", 2500, 1000),
    ("Gift card 100", 10000, 1000),
    ("Latte art course", 14900, 3),
)


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
        Product(
            name=name,
            description=f"Demo product: {name.lower()}.",
            price_cents=price,
            currency=CURRENCY,
            stock=stock,
        )
        for name, price, stock in DEMO_PRODUCTS
        if name not in existing
    ]
    db.session.add_all(new)
    db.session.commit()
    click.echo(f"Demo products: {len(new)} added, {len(DEMO_PRODUCTS) - len(new)} already there.")
    click.echo(
        f"Accounts: staff {DEMO_STAFF}, customer {DEMO_CUSTOMER}; password {DEMO_PASSWORD!r}."
    )
    click.echo("Try it (with the API on port 5002):")
    click.echo(
        "  TOKEN=$(curl -s -X POST http://127.0.0.1:5002/api/auth/tokens "
        "-H 'Content-Type: application/json' "
        f"""-d '{{"email": "{DEMO_CUSTOMER}", "password": "{DEMO_PASSWORD}"}}' """
        "| python3 -c 'import json,sys; print(json.load(sys.stdin)[\"token\"])')"
    )
    click.echo(
        "  curl -s -X POST http://127.0.0.1:5002/api/orders/ "
        '-H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" '
        """-d '{"items": [{"product_id": 1, "quantity": 2}]}'"""
    )
