"""What every suite shares: where the test database lives, and the Flask
tutorial's fixtures built on each suite's own ``app``: ``client``, ``runner``
and ``auth`` (log in through the real form). A suite's conftest.py defines
``app`` (and whatever only that app needs); factories live in its
factories.py.

By default each test gets a fresh SQLite file. With ``TEST_DATABASE_URL``
set (``make test-postgres``), the suites run on that server instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine

from tests.auth_client import AuthActions

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ROOT = Path(__file__).resolve().parents[1]
# What a run may add to the checkout: Python's and the tools' caches, coverage's
# data, and what a `make demo` running in another terminal writes.
NOT_THE_TESTS = re.compile(
    r"(^|/)(__pycache__|\.pytest_cache|\.mypy_cache|\.ruff_cache|\.coverage[^/]*)(/|$)"
    r"|^instance/demo/"
)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture(autouse=True, scope="session")
def clean_test_database() -> None:
    """A PostgreSQL test database starts empty, whatever an interrupted run left.

    Everything in TEST_DATABASE_URL's public schema is dropped: point it at a
    database that exists for tests only.
    """
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()


def files_in_the_checkout() -> set[str]:
    found = set()
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in (".git", ".venv")]
        found.update(str(Path(folder, name).relative_to(ROOT)) for name in files)
    return {path for path in found if not NOT_THE_TESTS.search(path)}


@pytest.fixture(autouse=True, scope="session")
def no_test_writes_into_the_checkout() -> Iterator[None]:
    """A test writes in ``tmp_path``, never into the repository: a run adds no
    file to the checkout (checked by each xdist worker for its own tests)."""
    before = files_in_the_checkout()
    yield
    written = files_in_the_checkout() - before
    assert not written, (
        f"files appeared in the checkout while the tests ran (written by a test, or by "
        f"you meanwhile): {sorted(written)[:20]}"
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
