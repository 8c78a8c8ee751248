"""Fixtures for the shop API: ``app``, ``client``, ``runner``, and plain
factories for users, tokens, products and orders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from shop_api import create_app, services
from shop_api.extensions import db
from shop_api.models import Order, Product, User
from tests.auth_client import PASSWORD_HASH


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def make_user(app: Flask, email: str = "customer@example.com", **overrides: Any) -> User:
    with app.app_context():
        user = User(email=email, password_hash=PASSWORD_HASH, **overrides)
        user.rotate_session_token()
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
    return user


def make_token(app: Flask, user: User, lifetime: timedelta = timedelta(hours=1)) -> str:
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert saved is not None
        return services.issue_token(saved, lifetime).token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_customer(app: Flask, email: str = "customer@example.com") -> dict[str, str]:
    """A customer's ``Authorization`` header, ready to send."""
    return bearer(make_token(app, make_user(app, email)))


def make_staff(app: Flask, email: str = "staff@example.com") -> dict[str, str]:
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
