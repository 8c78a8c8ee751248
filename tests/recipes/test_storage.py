"""The bucket: presigned URLs, the CSP, readiness, and an unreachable S3."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.stub import Stubber
from flask import Flask
from flask.testing import FlaskClient

from recipes import create_app
from recipes.extensions import db, image_store
from recipes.storage import StorageError, image_origins
from tests.app_fixtures import app_on_fresh_tables
from tests.auth_client import AuthActions
from tests.recipes.factories import (
    BUCKET,
    S3_SETTINGS,
    bucket_keys,
    image_bytes,
    make_user,
    post_recipe,
    recipe_count,
)


def test_presigned_urls_expire_after_the_configured_time(app: Flask) -> None:
    app.config["S3_PRESIGNED_EXPIRY"] = 600
    with app.app_context():
        url = image_store.url_for("recipes/abc.jpg")
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["600"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    # A browser keeps the photo no longer than the link works; no shared cache keeps it.
    assert query["response-cache-control"] == ["private, max-age=600"]
    assert "recipes/abc.jpg" in url


def test_presigned_urls_use_the_public_endpoint(s3: Any, database_url: str) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            **S3_SETTINGS,
            "S3_ENDPOINT_URL": "http://seaweedfs:8333",
            "S3_PUBLIC_ENDPOINT_URL": "http://localhost:8333",
        }
    )
    with app.app_context():
        url = image_store.url_for("recipes/abc.jpg")
    assert url.startswith("http://localhost:8333/test-recipes/recipes/abc.jpg?")


@pytest.mark.parametrize(
    ("settings", "origins"),
    [
        ({"S3_ENDPOINT_URL": "http://127.0.0.1:5004"}, ["http://127.0.0.1:5004"]),
        (
            {
                "S3_ENDPOINT_URL": "http://seaweedfs:8333",
                "S3_PUBLIC_ENDPOINT_URL": "http://localhost:8333/",
            },
            ["http://localhost:8333"],
        ),
        (
            {},
            [
                "https://test-recipes.s3.amazonaws.com",
                "https://test-recipes.s3.us-east-1.amazonaws.com",
            ],
        ),
    ],
)
def test_the_csp_allows_images_from_the_bucket_and_nowhere_else(
    s3: Any, database_url: str, settings: dict[str, str], origins: list[str]
) -> None:
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **S3_SETTINGS, **settings}
    app = create_app(config)
    assert image_origins(app.config) == origins
    csp = app.test_client().get("/healthz").headers["Content-Security-Policy"]
    assert f"img-src 'self' data: {' '.join(origins)};" in csp


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
@pytest.mark.parametrize("bucket", ["test-recipes", "recipes.example.com"])
def test_presigned_urls_on_aws_are_inside_the_csp(
    s3: Any, database_url: str, bucket: str, region: str
) -> None:
    # botocore addresses a bucket whose name has dots by path, not by host name.
    settings = {**S3_SETTINGS, "S3_BUCKET": bucket, "S3_REGION": region}
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **settings})
    with app.app_context():
        url = image_store.url_for("recipes/abc.jpg")
    sources = image_origins(app.config)
    assert any(url.startswith(f"{source.removesuffix('/')}/") for source in sources), sources


def test_readyz_checks_the_bucket(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "bucket": "ok"}


def test_readyz_names_a_missing_bucket(s3: Any, app: Flask) -> None:
    app.config["S3_BUCKET"] = "no-such-bucket"
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["bucket"]


@pytest.fixture
def unreachable_s3_app(database_url: str) -> Iterator[Flask]:
    """No moto here: a real client pointed at a port where nothing listens."""
    settings = {**S3_SETTINGS, "S3_ENDPOINT_URL": "http://127.0.0.1:9"}
    with app_on_fresh_tables(create_app, db, database_url, **settings) as app:
        yield app


def test_an_unreachable_bucket_is_a_clear_error_and_no_row(unreachable_s3_app: Flask) -> None:
    app = unreachable_s3_app
    make_user(app, "cook@example.com")
    client = app.test_client()
    AuthActions(client).login("cook@example.com")
    response = post_recipe(client, data=image_bytes())
    assert response.status_code == 503
    assert "The photo could not be stored right now. Nothing was saved" in response.get_data(
        as_text=True
    )
    assert recipe_count(app) == 0
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["failing"] == ["bucket"]


def test_storage_refuses_content_types_off_the_allow_list(app: Flask) -> None:
    with app.app_context(), pytest.raises(ValueError, match="refusing"):
        image_store.put("recipes/x.svg", b"<svg/>", "image/svg+xml")


def test_delete_of_nothing_is_a_no_op(app: Flask, s3: Any) -> None:
    with app.app_context():
        image_store.delete([None, ""])
    assert bucket_keys(s3) == []


def delete_answered_with(app: Flask, code: str) -> StorageError | None:
    """What ``image_store.delete`` of one key raises when S3 answers 200 with
    ``code`` for it, or None."""
    with app.app_context(), Stubber(image_store._client()) as stub:
        stub.add_response(
            "delete_objects",
            {"Errors": [{"Key": "recipes/a.jpg", "Code": code, "Message": code}]},
            {"Bucket": BUCKET, "Delete": {"Objects": [{"Key": "recipes/a.jpg"}]}},
        )
        try:
            image_store.delete(["recipes/a.jpg"])
        except StorageError as error:
            return error
        stub.assert_no_pending_responses()  # S3 was asked
    return None


def test_keys_s3_lists_as_not_deleted_are_a_storage_error(app: Flask) -> None:
    # DeleteObjects answers 200 even then; the keys it kept are listed under Errors.
    error = delete_answered_with(app, "AccessDenied")
    assert str(error) == "could not delete recipes/a.jpg (AccessDenied)"


def test_a_key_s3_lists_as_missing_is_not_an_error(app: Flask) -> None:
    assert delete_answered_with(app, "NoSuchKey") is None  # gone, as asked


def test_storage_errors_are_wrapped(unreachable_s3_app: Flask) -> None:
    with unreachable_s3_app.app_context():
        with pytest.raises(StorageError):
            image_store.delete(["recipes/x.jpg"])
        with pytest.raises(StorageError):
            image_store.create_bucket()
