"""A store that accepts connections and never answers (a hung S3 endpoint):
every call to it gives up after its timeouts (short here), the designed
answers come, and /readyz does not let callers pile up on it."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from flask import Flask

from recipes import DEFAULTS, create_app
from recipes.extensions import db
from recipes.storage import S3_ATTEMPTS
from tests.app_fixtures import app_on_fresh_tables
from tests.auth_client import AuthActions
from tests.recipes.factories import S3_SETTINGS, image_bytes, make_user, post_recipe, recipe_count

GUNICORN_WORKER_TIMEOUT = 30


def test_the_default_timeouts_give_up_well_inside_gunicorns_worker_timeout() -> None:
    # A failed upload ends at its first failed call (recipes/services.py).
    longest_call = S3_ATTEMPTS * (DEFAULTS["S3_CONNECT_TIMEOUT"] + DEFAULTS["S3_READ_TIMEOUT"])
    assert longest_call <= GUNICORN_WORKER_TIMEOUT / 3


@pytest.fixture
def stalled_endpoint() -> Iterator[str]:
    """A listening socket nobody reads from: connections open, no answer ever."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


@pytest.fixture
def stalled_s3_app(database_url: str, stalled_endpoint: str) -> Iterator[Flask]:
    settings = {
        **S3_SETTINGS,
        "S3_ENDPOINT_URL": stalled_endpoint,
        "S3_CONNECT_TIMEOUT": 0.2,
        "S3_READ_TIMEOUT": 0.3,
    }
    with app_on_fresh_tables(create_app, db, database_url, **settings) as app:
        yield app


def test_readyz_names_the_bucket_when_the_store_hangs(stalled_s3_app: Flask) -> None:
    response = stalled_s3_app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["bucket"]


def test_an_upload_to_a_hung_store_gets_the_designed_503_page_in_seconds(
    stalled_s3_app: Flask,
) -> None:
    make_user(stalled_s3_app, "cook@example.com")
    client = stalled_s3_app.test_client()
    AuthActions(client).login("cook@example.com")
    response = post_recipe(client, data=image_bytes())
    assert response.status_code == 503
    assert "could not be stored right now" in response.get_data(as_text=True)
    assert recipe_count(stalled_s3_app) == 0
