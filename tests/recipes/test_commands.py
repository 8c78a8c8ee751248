"""``create-user``, ``create-bucket`` and ``seed-demo``, on moto's S3."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner

from recipes.commands import DEMO_COOKS, DEMO_NAMES, DEMO_PASSWORD, DEMO_RECIPES, DEMO_STAFF
from recipes.extensions import db
from recipes.models import Recipe, Tag, User
from tests.recipes.factories import bucket_keys


def test_create_bucket_is_idempotent(app: Flask, runner: FlaskCliRunner, s3: Any) -> None:
    app.config["S3_BUCKET"] = "fresh-bucket"
    first = runner.invoke(args=["create-bucket"])
    second = runner.invoke(args=["create-bucket"])
    assert first.exit_code == second.exit_code == 0
    assert "'fresh-bucket' created" in first.output
    assert "'fresh-bucket' already exists" in second.output
    assert "fresh-bucket" in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_seed_demo_uploads_generated_photos_and_is_idempotent(
    app: Flask, runner: FlaskCliRunner, s3: Any
) -> None:
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert f"Demo recipes: {len(DEMO_RECIPES)} added" in result.output
    assert DEMO_STAFF in result.output
    assert DEMO_PASSWORD in result.output
    keys = bucket_keys(s3)
    assert len(keys) == 2 * len(DEMO_RECIPES)

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert f"0 added, {len(DEMO_RECIPES)} already there" in again.output
    assert bucket_keys(s3) == keys
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Recipe)) == len(
            DEMO_RECIPES
        )
        names = dict(db.session.execute(db.select(User.email, User.display_name)).all())
        vegetarian = db.session.scalars(
            db.select(Recipe.title).where(Recipe.tags.any(Tag.name == "vegetarian"))
        ).all()
    assert set(names) == {DEMO_STAFF, *DEMO_COOKS}
    assert names == DEMO_NAMES  # friendly names on the cards, not the addresses' local parts
    assert sorted(vegetarian) == sorted(
        demo["title"] for demo in DEMO_RECIPES if "vegetarian" in demo["tags"]
    )
    assert all(demo["tags"] for demo in DEMO_RECIPES)


def test_seed_demo_explains_a_missing_bucket(app: Flask, runner: FlaskCliRunner) -> None:
    app.config["S3_BUCKET"] = "missing-bucket"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "create-bucket" in result.output
