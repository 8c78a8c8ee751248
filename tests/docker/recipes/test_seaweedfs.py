"""The S3 store compose runs for the recipe site's photos (SeaweedFS, the
release compose/s3.compose.yml pins) with the settings
compose/recipes.compose.yml gives it and the app: the app's own command
creates the bucket, photos go in, anonymous reads are refused (the bucket is
private), and a presigned URL for the public endpoint, a host name other than
the one the app uses, loads as a browser would load it."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from recipes import create_app
from recipes.extensions import image_store
from tests.docker.seaweedfs import S3Server, pinned_version, weed_version

ROOT = Path(__file__).resolve().parents[3]


def recipes_settings(s3: S3Server, tmp_path: Path) -> dict[str, str]:
    port = s3.url.rsplit(":", 1)[1]
    return {
        "RECIPES_DATABASE_URL": f"sqlite:///{tmp_path / 'recipes.sqlite3'}",
        "RECIPES_S3_BUCKET": "recipes",
        "RECIPES_S3_ENDPOINT_URL": s3.url,
        # As in compose: the app talks to one host name, browsers to another.
        "RECIPES_S3_PUBLIC_ENDPOINT_URL": f"http://localhost:{port}",
        "RECIPES_S3_ACCESS_KEY_ID": s3.access_key,
        "RECIPES_S3_SECRET_ACCESS_KEY": s3.secret_key,
    }


def test_the_server_is_the_release_compose_pins() -> None:
    assert weed_version() == pinned_version()


def test_the_bucket_is_created_private_and_presigned_links_load(
    s3: S3Server, tmp_path: Path
) -> None:
    settings = recipes_settings(s3, tmp_path)
    created = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "recipes", "create-bucket"],
        cwd=ROOT,
        env={**os.environ, **settings},
        capture_output=True,
        text=True,
        check=False,
    )
    assert created.returncode == 0, created.stdout + created.stderr
    assert "Bucket 'recipes' created." in created.stdout

    app = create_app({key.removeprefix("RECIPES_"): value for key, value in settings.items()})
    with app.test_request_context():
        image_store.check_bucket()  # what /readyz asks
        image_store.put("recipes/test.png", b"\x89PNG not really", "image/png")
        link = image_store.url_for("recipes/test.png")
    assert link.startswith(
        settings["RECIPES_S3_PUBLIC_ENDPOINT_URL"] + "/recipes/recipes/test.png?"
    )
    with urllib.request.urlopen(link, timeout=10) as response:  # noqa: S310 -- our own server
        assert response.read() == b"\x89PNG not really"
        assert response.headers["Content-Type"] == "image/png"
        # As long as the link lives, and for the browser only (docs/security.md).
        assert response.headers["Cache-Control"] == "private, max-age=3600"

    anonymous = link.split("?", 1)[0]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(anonymous, timeout=10)  # noqa: S310
    refused.value.close()
    assert refused.value.code == 403
    # A tampered signature is refused too: SeaweedFS checks what moto does not.
    with pytest.raises(urllib.error.HTTPError) as forged:
        urllib.request.urlopen(link[:-4] + "0000", timeout=10)  # noqa: S310
    forged.value.close()
    assert forged.value.code == 403


def test_create_bucket_is_idempotent(s3: S3Server, tmp_path: Path) -> None:
    settings = recipes_settings(s3, tmp_path)
    env = {**os.environ, **settings, "RECIPES_S3_BUCKET": "again"}
    command = [sys.executable, "-m", "flask", "--app", "recipes", "create-bucket"]
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert "created" in first.stdout
    assert "already exists" in second.stdout
    assert second.returncode == 0
