"""``create-user`` and ``seed-demo``, through Flask's CLI runner."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner

from shop_api.commands import DEMO_CUSTOMER, DEMO_PASSWORD, DEMO_PRODUCTS, DEMO_STAFF
from shop_api.extensions import db
from shop_api.models import Product, User


def test_seed_demo_adds_accounts_and_about_thirty_products(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert f"Demo products: {len(DEMO_PRODUCTS)} added" in result.output
    assert "curl -s -X POST http://127.0.0.1:5002/api/auth/tokens" in result.output
    with app.app_context():
        products = list(db.session.scalars(db.select(Product)))
        assert len(products) == len(DEMO_PRODUCTS) >= 25
        assert any(p.stock == 0 for p in products)
        prices = [p.price_cents for p in products]
        assert min(prices) < 500 < 10_000 < max(prices)
        staff = db.session.scalar(db.select(User).where(User.email == DEMO_STAFF))
        customer = db.session.scalar(db.select(User).where(User.email == DEMO_CUSTOMER))
        assert staff is not None
        assert staff.is_staff
        assert customer is not None
        assert not customer.is_staff
        assert customer.check_password(DEMO_PASSWORD)


def test_seed_demo_is_idempotent(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert f"0 added, {len(DEMO_PRODUCTS)} already there" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Product)) == len(
            DEMO_PRODUCTS
        )
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 2
