"""When the rate limits' Redis goes down, logins keep working (counted in
memory meanwhile, and logged) and /readyz names Redis, still ready.

A real Redis server is started on a free port and stopped mid-test. It needs
`redis-server` on PATH (CI's machine has it; `apt-get install redis-server`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.auth_client import AuthActions
from tests.servers import HAS_REDIS_SERVER, RedisServer
from tests.servers import redis_server as start_redis
from tests.shared.factories import make_user

pytestmark = pytest.mark.skipif(not HAS_REDIS_SERVER, reason="needs redis-server on PATH")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with start_redis(tmp_path) as server:
        yield server


def test_logins_keep_working_and_readyz_names_redis_degraded_when_it_stops(
    app_factory: Any,
    redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # No cached readiness answer: the test asks before and after the stop.
    app = app_factory(RATELIMIT_STORAGE_URI=redis_server.url, READINESS_CACHE_SECONDS=0)
    make_user(app)
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"]["redis"] == "ok"

    redis_server.stop()

    auth = AuthActions(client)
    assert auth.login(password="wrong password").status_code == 422
    assert auth.login().status_code == 302
    assert client.get("/private").status_code == 200
    # Named, but ready: the process answers on, and a 503 would take every
    # process out of service at once.
    degraded = client.get("/readyz")
    assert degraded.status_code == 200
    assert degraded.get_json()["status"] == "degraded"
    assert degraded.get_json()["degraded"] == ["redis"]
    assert "in-memory" in caplog.text.lower()  # said loudly, in the log


def test_with_redis_down_the_limit_still_holds_in_memory(
    app_factory: Any, redis_server: RedisServer
) -> None:
    app = app_factory(RATELIMIT_STORAGE_URI=redis_server.url)
    make_user(app)
    redis_server.stop()
    auth = AuthActions(app.test_client())
    statuses = [auth.login(password="wrong password").status_code for _ in range(11)]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
