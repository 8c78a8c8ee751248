"""The recipe site's metrics on ``/metrics`` (``UPLOADS_REFUSED`` in recipes/metrics.py): photo
uploads refused, by reason, counted where the rules refuse them (the image
checks, the form's size limit) on real form posts."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from recipes.models import User
from tests.auth_client import AuthActions
from tests.recipes.factories import gif_bytes, image_bytes, make_user, post_recipe, recipe_count
from tests.scrape import value

APP = {"app": "recipes"}


@pytest.fixture
def cook(app: Flask) -> User:
    return make_user(app, "cook@example.com")


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (image_bytes(), "soup.gif", "wrong_type"),
        (gif_bytes(), "soup.png", "not_an_image"),
        (b"", "soup.jpg", "empty"),
        (image_bytes()[:200], "soup.jpg", "damaged"),
    ],
)
def test_a_refused_upload_is_counted_by_reason(
    app: Flask,
    client: FlaskClient,
    s3: Any,
    cook: User,
    auth: AuthActions,
    data: bytes,
    filename: str,
    reason: str,
) -> None:
    auth.login("cook@example.com")
    before = value(client, "uploads_refused_total", reason=reason, **APP)
    assert post_recipe(client, data=data, filename=filename).status_code == 422
    assert value(client, "uploads_refused_total", reason=reason, **APP) == before + 1
    assert recipe_count(app) == 0


def test_a_photo_over_the_limit_is_counted_as_too_big(
    app: Flask, client: FlaskClient, s3: Any, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    app.config.update(MAX_PHOTO_BYTES=100 * 1024)
    before = value(client, "uploads_refused_total", reason="too_big", **APP)
    assert post_recipe(client, data=b"\xff\xd8" + b"0" * 150 * 1024).status_code == 413
    assert value(client, "uploads_refused_total", reason="too_big", **APP) == before + 1


def test_a_photo_that_is_kept_is_not_counted(
    app: Flask, client: FlaskClient, s3: Any, cook: User, auth: AuthActions
) -> None:
    auth.login("cook@example.com")
    reasons = ("wrong_type", "not_an_image", "empty", "damaged", "too_many_pixels", "too_big")

    def refused() -> list[float]:
        return [value(client, "uploads_refused_total", reason=r, **APP) for r in reasons]

    before = refused()
    assert post_recipe(client, data=image_bytes()).status_code == 302
    assert refused() == before
    duration = "flask_http_request_duration_seconds_count"
    assert value(client, duration, endpoint="recipes.new_recipe", status="302", **APP) == 1
