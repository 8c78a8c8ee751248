"""What every suite shares: where the test database lives.

By default each test gets a fresh SQLite file. With ``TEST_DATABASE_URL``
set (``make test-postgres``), the suites run on that server instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"
