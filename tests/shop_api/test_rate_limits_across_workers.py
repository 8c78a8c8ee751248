"""A rate limit holds across processes when its counters live in Redis.

gunicorn serves the shop API with two workers; failed token requests are
spread over both, and the 11th is refused whichever worker gets it. With the
default in-memory storage each worker would count on its own. Runs when
TEST_REDIS_URL points at a Redis server (.ci/run sets it).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from shop_api import create_app
from shop_api.extensions import db
from tests.servers import free_port, serve, wait_for
from tests.shop_api.factories import make_user

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
pytestmark = pytest.mark.skipif(
    not TEST_REDIS_URL, reason="needs a Redis server: set TEST_REDIS_URL (CI does)"
)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    database = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        db.create_all()
    make_user(app, "customer@example.com")
    port = free_port()
    access_log = tmp_path / "access.log"
    env = {
        **os.environ,
        "SHOP_API_DATABASE_URL": database,
        "SHOP_API_RATELIMIT_STORAGE_URI": TEST_REDIS_URL,
        # A fresh key space, so other runs' counters do not interfere.
        "SHOP_API_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "SHOP_API_REQUEST_LOG_ENABLED": "false",
        "PORT": str(port),
        "GUNICORN_WORKERS": "2",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "gunicorn.conf.py",
        "--access-logfile",
        str(access_log),
        "--bind",
        f"127.0.0.1:{port}",
        "shop_api:create_app()",
    ]
    base = f"http://127.0.0.1:{port}"
    with serve(command, env, log=tmp_path / "gunicorn.log", ready_url=f"{base}/healthz"):
        yield base, access_log


def failed_token_request(base: str) -> int:
    request = urllib.request.Request(  # noqa: S310
        f"{base}/api/auth/tokens",
        data=json.dumps({"email": "customer@example.com", "password": "wrong password"}).encode(),
        headers={"Content-Type": "application/json", "Connection": "close"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_the_limit_holds_across_two_workers(server: tuple[str, Path]) -> None:
    base, access_log = server
    statuses = [failed_token_request(base) for _ in range(10)]
    assert statuses == [401] * 10
    # Keep trying until both workers have answered at least once after the
    # limit was reached: each of them must refuse.
    refused = r'"POST /api/auth/tokens[^"]*" 429 .* pid=<(\d+)>'
    refusals: list[int] = []
    for _ in range(40):
        refusals.append(failed_token_request(base))
        time.sleep(0.05)
        if len(set(re.findall(refused, access_log.read_text()))) >= 2 and len(refusals) >= 5:
            break
    assert set(refusals) == {429}
    # A worker writes its access line after the answer: wait for every one.
    wait_for(
        lambda: len(re.findall(refused, access_log.read_text())) == len(refusals),
        10,
        "an access line for every 429",
    )
    pids = set(re.findall(refused, access_log.read_text()))
    assert len(pids) >= 2, "only one worker answered after the limit; the test proved nothing"
