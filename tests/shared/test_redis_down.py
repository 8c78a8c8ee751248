"""When the rate limits' Redis goes down, logins keep working (counted in
memory meanwhile, and logged) and /readyz names Redis.

A real Redis server is started on a free port and stopped mid-test. It needs
`redis-server` on PATH (CI's machine has it; `apt-get install redis-server`).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.live_servers import free_port
from tests.shared.conftest import AuthActions, make_user

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs redis-server on PATH"
)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while not listening(port):
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0", server
    finally:
        server.kill()
        server.wait()


def test_logins_keep_working_and_readyz_names_redis_when_it_stops(
    app_factory: Any,
    redis_server: tuple[str, subprocess.Popen[bytes]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, server = redis_server
    # No cached readiness answer: the test asks before and after the stop.
    app = app_factory(RATELIMIT_STORAGE_URI=url, READINESS_CACHE_SECONDS=0)
    make_user(app)
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"]["redis"] == "ok"

    server.terminate()
    server.wait()

    auth = AuthActions(client)
    assert auth.login(password="wrong password").status_code == 422
    assert auth.login().status_code == 302
    assert client.get("/private").status_code == 200
    unready = client.get("/readyz")
    assert unready.status_code == 503
    assert unready.get_json()["failing"] == ["redis"]
    assert "in-memory" in caplog.text.lower()  # said loudly, in the log


def test_with_redis_down_the_limit_still_holds_in_memory(
    app_factory: Any, redis_server: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, server = redis_server
    app = app_factory(RATELIMIT_STORAGE_URI=url)
    make_user(app)
    server.terminate()
    server.wait()
    auth = AuthActions(app.test_client())
    statuses = [auth.login(password="wrong password").status_code for _ in range(11)]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
