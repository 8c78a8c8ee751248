"""Factories for the shop API's tests: users with bearer tokens, products
and order bodies, and quick looks at stock and orders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask

from shop_api.extensions import db
from shop_api.models import Order, Product, User
from shop_api.services import tokens
from tests.app_fixtures import save_user


def make_user(app: Flask, email: str = "customer@example.com", **overrides: Any) -> User:
    return save_user(app, db, User, email, **overrides)


def make_token(app: Flask, user: User, lifetime: timedelta = timedelta(hours=1)) -> str:
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert saved is not None
        return tokens.issue_token(saved, lifetime).token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def customer_headers(app: Flask, email: str = "customer@example.com") -> dict[str, str]:
    """A new customer's ``Authorization`` header, ready to send."""
    return bearer(make_token(app, make_user(app, email)))


def staff_headers(app: Flask, email: str = "staff@example.com") -> dict[str, str]:
    """A new staff member's ``Authorization`` header."""
    return bearer(make_token(app, make_user(app, email, is_staff=True)))


def make_product(app: Flask, **overrides: Any) -> Product:
    fields = {
        "name": "Ceramic mug",
        "description": "Holds coffee.",
        "price_cents": 1299,
        "currency": "EUR",
        "stock": 10,
        **overrides,
    }
    with app.app_context():
        product = Product(**fields)
        db.session.add(product)
        db.session.commit()
        db.session.refresh(product)
        db.session.expunge(product)
    return product


def stock_of(app: Flask, product_id: int) -> int:
    with app.app_context():
        return int(db.session.scalar(db.select(Product.stock).where(Product.id == product_id)))


def order_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(db.select(db.func.count()).select_from(Order)))


def order_body(*lines: tuple[int, int]) -> dict[str, Any]:
    return {"items": [{"product_id": pid, "quantity": quantity} for pid, quantity in lines]}
