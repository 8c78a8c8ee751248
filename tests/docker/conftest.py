"""What the tests of the real stack share: the image (built once per run), a
PostgreSQL database of their own per test, and one SeaweedFS server (started
only if an app that keeps files in S3 asks for it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.docker.image import RUN_ID, admin_connection, build_image
from tests.docker.seaweedfs import S3Server, seaweedfs


@pytest.fixture(scope="session")
def image() -> str:
    return build_image()


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """A database of its own, dropped afterwards (one per app, as in compose)."""
    name = f"capstones_docker_{RUN_ID}_{uuid.uuid4().hex[:6]}"
    with admin_connection() as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin_connection() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with seaweedfs(tmp_path_factory.mktemp("s3")) as server:
        yield server
