"""A Redis that accepts connections but never answers (stalled, not down)
slows a request and never holds it: each call to it gives up after
``<PREFIX>_REDIS_TIMEOUT``, once, and the request goes on without it, as when
Redis is down (tests/shared/test_redis_down.py): the rate limits count in
memory and the cache is skipped. Without the options shared/config.py gives
redis-py, it would wait for an answer for ever."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_caching import Cache
from werkzeug.test import TestResponse

from shared.config import configure
from tests.auth_client import AuthActions
from tests.shared.factories import make_user


class StalledRedis:
    """A port that accepts every connection, counts it, and never answers."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.accepted.append(self.listener.accept()[0])
            except OSError:  # closed
                return

    def close(self) -> None:
        self.listener.close()
        for connection in self.accepted:  # a request still waiting is reset
            connection.close()


@contextmanager
def stalled_redis() -> Iterator[StalledRedis]:
    redis = StalledRedis()
    try:
        yield redis
    finally:
        redis.close()


def answer(send: Callable[[], TestResponse]) -> TestResponse:
    """The answer; a request still waiting after 20 s fails the test."""
    answers: list[TestResponse] = []
    request = threading.Thread(target=lambda: answers.append(send()))
    request.start()
    request.join(20)
    assert not request.is_alive(), "the request waited on the stalled Redis"
    assert answers, "the request raised an error (see the thread's traceback)"
    return answers[0]


def test_logins_and_readyz_answer_with_the_rate_limits_redis_stalled(app_factory: Any) -> None:
    with stalled_redis() as redis:
        app = app_factory(
            RATELIMIT_STORAGE_URI=redis.url, REDIS_TIMEOUT=0.5, READINESS_CACHE_SECONDS=0
        )
        make_user(app)
        client = app.test_client()
        logged_in = answer(lambda: AuthActions(client).login())
        ready = answer(lambda: client.get("/readyz"))
    assert logged_in.status_code == 302
    assert ready.status_code == 200
    assert ready.get_json()["degraded"] == ["redis"]


@pytest.mark.parametrize("address", ["CACHE_REDIS_URL", "CACHE_REDIS_HOST and _PORT"])
def test_a_cached_page_answers_after_one_attempt_with_the_caches_redis_stalled(
    tmp_path: Path, address: str
) -> None:
    with stalled_redis() as redis:
        app = Flask("tiny", instance_path=str(tmp_path / "instance"))
        settings: dict[str, Any] = {"CACHE_TYPE": "RedisCache", "REDIS_TIMEOUT": 0.5}
        if address == "CACHE_REDIS_URL":
            settings["CACHE_REDIS_URL"] = redis.url
        else:  # a client made from a host and port retries, unless told not to
            settings |= {"CACHE_REDIS_HOST": "127.0.0.1", "CACHE_REDIS_PORT": redis.port}
        configure(app, "TINY", test_config=settings)
        cache = Cache(app)

        @app.get("/")
        @cache.cached()
        def home() -> str:
            return "made afresh"

        shown = answer(lambda: app.test_client().get("/"))
        attempts = len(redis.accepted)
    assert shown.get_data(as_text=True) == "made afresh"
    assert attempts == 1  # one GET, given up once: no retries with back-off
