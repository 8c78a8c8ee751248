"""What the shop API's browser tests add to tests/e2e/conftest.py: the front
end's origin (tests/e2e/shop_api/browser.py serves it)."""

from __future__ import annotations

import json

import pytest

from tests.e2e.live_servers import LiveApp


@pytest.fixture
def front_end(servers: dict[str, LiveApp]) -> str:
    """The static front end's address: the origin the API's CORS setting lists."""
    origins: list[str] = json.loads(servers["shop_api"].env["SHOP_API_CORS_ORIGINS"])
    return origins[0]
