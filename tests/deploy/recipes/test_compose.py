"""The recipe site's own part of the stack (compose/recipes.compose.yml and
its nginx server block), checked without a Docker engine: its photos live in
SeaweedFS, in a private bucket its own command creates before it starts, and
nginx's 413 names its photo limit. (tests/deploy/test_compose.py checks what
every app has; tests/docker/recipes/ runs SeaweedFS for real.)"""

from __future__ import annotations

from typing import Any

import pytest

from recipes import create_app
from shared.errors import megabytes
from tests.deploy.compose_files import nginx_template, resolved_config


@pytest.fixture
def resolved() -> dict[str, Any]:
    return resolved_config()


def test_the_app_waits_for_the_store_and_its_bucket(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    recipes = services["recipes"]["depends_on"]
    assert recipes["seaweedfs"]["condition"] == "service_healthy"
    assert recipes["create-bucket"]["condition"] == "service_completed_successfully"
    assert "healthcheck" in services["seaweedfs"]


def test_nginx_s_413_names_the_photo_limit_as_the_app_s_form_does() -> None:
    server = nginx_template("recipes").read_text()
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert f"photos can be up to {megabytes(app.config['MAX_PHOTO_BYTES'])}" in server


def test_presigned_image_urls_name_a_host_the_browser_reaches(resolved: dict[str, Any]) -> None:
    environment = resolved["services"]["recipes"]["environment"]
    assert environment["RECIPES_S3_ENDPOINT_URL"] == "http://seaweedfs:8333"
    assert environment["RECIPES_S3_PUBLIC_ENDPOINT_URL"] == "http://localhost:8333"
    published = {int(port["published"]) for port in resolved["services"]["seaweedfs"]["ports"]}
    assert published == {8333}


def test_the_bucket_is_made_by_the_apps_own_command_with_the_same_keys(
    resolved: dict[str, Any],
) -> None:
    services = resolved["services"]
    create_bucket, recipes, seaweedfs = (
        services["create-bucket"],
        services["recipes"],
        services["seaweedfs"],
    )
    assert create_bucket["command"] == ["flask", "--app", "recipes", "create-bucket"]
    assert create_bucket["restart"] == "no"
    for name in ("RECIPES_S3_ENDPOINT_URL", "RECIPES_S3_BUCKET", "RECIPES_S3_ACCESS_KEY_ID"):
        assert create_bucket["environment"][name] == recipes["environment"][name]
    # SeaweedFS's one identity is the app's: with it set, anonymous reads are refused.
    assert (
        seaweedfs["environment"]["AWS_ACCESS_KEY_ID"]
        == (recipes["environment"]["RECIPES_S3_ACCESS_KEY_ID"])
    )
    assert (
        seaweedfs["environment"]["AWS_SECRET_ACCESS_KEY"]
        == (recipes["environment"]["RECIPES_S3_SECRET_ACCESS_KEY"])
    )
