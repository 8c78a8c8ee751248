"""A store that accepts connections and never answers (a hung S3 endpoint):
the designed answers still come in seconds, well inside gunicorn's 30 s
worker timeout, and /readyz does not let callers pile up on it."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from flask import Flask

from recipes import create_app
from recipes.extensions import db
from tests.app_fixtures import app_on_fresh_tables
from tests.auth_client import AuthActions
from tests.recipes.factories import S3_SETTINGS, image_bytes, make_user, post_recipe, recipe_count

# gunicorn kills a worker after 30 s; the page must come well before that.
WELL_INSIDE_THE_WORKER_TIMEOUT = 15


@pytest.fixture
def stalled_endpoint() -> Iterator[str]:
    """A listening socket nobody reads from: connections open, no answer ever."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


@pytest.fixture
def stalled_s3_app(database_url: str, stalled_endpoint: str) -> Iterator[Flask]:
    settings = {**S3_SETTINGS, "S3_ENDPOINT_URL": stalled_endpoint}
    with app_on_fresh_tables(create_app, db, database_url, **settings) as app:
        yield app


def test_readyz_answers_503_quickly_and_serves_callers_from_its_cache(
    stalled_s3_app: Flask,
) -> None:
    client = stalled_s3_app.test_client()
    started = time.monotonic()
    response = client.get("/readyz")
    first_call = time.monotonic() - started
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["bucket"]
    assert first_call < WELL_INSIDE_THE_WORKER_TIMEOUT
    # The next callers get the same answer without waiting on the store again.
    started = time.monotonic()
    again = client.get("/readyz")
    assert again.status_code == 503
    assert time.monotonic() - started < 1


def test_an_upload_to_a_hung_store_gets_the_designed_503_page_in_seconds(
    stalled_s3_app: Flask,
) -> None:
    make_user(stalled_s3_app, "cook@example.com")
    client = stalled_s3_app.test_client()
    AuthActions(client).login("cook@example.com")
    started = time.monotonic()
    response = post_recipe(client, data=image_bytes())
    assert time.monotonic() - started < WELL_INSIDE_THE_WORKER_TIMEOUT
    assert response.status_code == 503
    assert "could not be stored right now" in response.get_data(as_text=True)
    assert recipe_count(stalled_s3_app) == 0
