"""Fixtures for the recipe site: the app on moto's in-process S3, a client,
a CLI runner, ``auth``, and factories for users, images and recipes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from moto import mock_aws
from PIL import Image
from werkzeug.test import TestResponse

from recipes import create_app, services
from recipes.extensions import db
from recipes.models import Recipe, User
from tests.app_fixtures import app_on_fresh_tables, save_user
from tests.auth_client import AuthActions

BUCKET = "test-recipes"
S3_SETTINGS = {
    "S3_BUCKET": BUCKET,
    "S3_REGION": "us-east-1",
    "S3_ACCESS_KEY_ID": "testing",
    "S3_SECRET_ACCESS_KEY": "testing",
}


@pytest.fixture(scope="session")
def aws() -> Iterator[Any]:
    """moto's in-process AWS, started once: starting it costs more than most
    tests. Yields a client for the tests' own look into the bucket."""
    with mock_aws():
        yield boto3.client(
            "s3",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


@pytest.fixture
def s3(aws: Any) -> Iterator[Any]:
    """moto's S3 with the test bucket, empty; nothing in it outlives the test."""
    aws.create_bucket(Bucket=BUCKET)
    yield aws
    for bucket in aws.list_buckets()["Buckets"]:
        for listing in aws.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
            for item in listing.get("Contents", []):
                aws.delete_object(Bucket=bucket["Name"], Key=item["Key"])
        aws.delete_bucket(Bucket=bucket["Name"])


@pytest.fixture
def app(s3: Any, database_url: str) -> Iterator[Flask]:
    with app_on_fresh_tables(create_app, db, database_url, **S3_SETTINGS) as app:
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


def bucket_keys(s3: Any) -> list[str]:
    listing = s3.list_objects_v2(Bucket=BUCKET)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def make_user(app: Flask, email: str = "cook@example.com", **overrides: Any) -> User:
    return save_user(app, db, User, email, **overrides)


def image_bytes(
    image_format: str = "JPEG",
    size: tuple[int, int] = (640, 480),
    colour: str = "#c0392b",
    **save: Any,
) -> bytes:
    buffer = io.BytesIO()
    mode = "RGB" if image_format == "JPEG" else "RGBA"
    Image.new(mode, size, colour).save(buffer, image_format, **save)
    return buffer.getvalue()


def make_recipe(app: Flask, author: User, title: str = "Tomato soup", **overrides: Any) -> Recipe:
    """A recipe published through the service, so its photo is really in the bucket."""
    with app.test_request_context():
        saved_author = db.session.get(User, author.id)
        assert saved_author is not None
        recipe = services.publish_recipe(
            saved_author,
            title=title,
            ingredients=overrides.pop("ingredients", "4 tomatoes\n1 onion"),
            instructions=overrides.pop("instructions", "Simmer, blend, serve."),
            upload=services.Upload(data=overrides.pop("data", image_bytes()), filename="soup.jpg"),
            tags=overrides.pop("tags", ()),
        )
        db.session.refresh(recipe)
        db.session.expunge(recipe)
    return recipe


def load_recipe(app: Flask, recipe_id: int) -> Recipe | None:
    with app.app_context():
        recipe = db.session.get(Recipe, recipe_id)
        if recipe is not None:
            db.session.expunge(recipe)
        return recipe


def recipe_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(db.select(db.func.count()).select_from(Recipe)))


def post_recipe(
    client: FlaskClient,
    url: str = "/recipes/new",
    *,
    data: bytes | None = None,
    filename: str = "soup.jpg",
    token_page: str | None = None,
    **fields: str,
) -> TestResponse:
    """Submit the recipe form as a browser does: multipart, with the CSRF token."""
    form: dict[str, Any] = {
        "title": "Tomato soup",
        "ingredients": "4 tomatoes\n1 onion",
        "instructions": "Simmer, blend, serve.",
        "csrf_token": AuthActions(client).csrf_token(token_page or url),
        **fields,
    }
    if data is not None:
        form["image"] = (io.BytesIO(data), filename)
    return client.post(url, data=form, content_type="multipart/form-data")
