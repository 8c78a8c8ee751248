"""A Redis that accepts connections but never answers (stalled, not down)
slows a request by ``<PREFIX>_REDIS_TIMEOUT`` and never holds it: the rate
limits count in memory and the cache is skipped, as when Redis is down
(tests/shared/test_redis_down.py). Without the timeouts shared/config.py
gives them, redis-py would wait for an answer for ever."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask_caching import Cache
from werkzeug.test import TestResponse

from shared.config import configure
from tests.auth_client import AuthActions
from tests.shared.factories import make_user


@contextmanager
def stalled_redis() -> Iterator[str]:
    """A port whose connections the kernel accepts and nothing ever answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    finally:
        listener.close()  # a request still waiting on it is reset


def answer(send: Callable[[], TestResponse]) -> TestResponse | None:
    """The answer, or None if there is none after 20 s (the request is stuck)."""
    answers: list[TestResponse] = []
    request = threading.Thread(target=lambda: answers.append(send()))
    request.start()
    request.join(20)
    return answers[0] if answers else None


def test_logins_and_readyz_answer_with_the_rate_limits_redis_stalled(app_factory: Any) -> None:
    with stalled_redis() as redis_url:
        app = app_factory(
            RATELIMIT_STORAGE_URI=redis_url, REDIS_TIMEOUT=0.5, READINESS_CACHE_SECONDS=0
        )
        make_user(app)
        client = app.test_client()
        logged_in = answer(lambda: AuthActions(client).login())
        ready = answer(lambda: client.get("/readyz"))
    assert logged_in is not None, "a rate-limited login waited on the stalled Redis"
    assert logged_in.status_code == 302
    assert ready is not None, "/readyz waited on the stalled Redis"
    assert ready.status_code == 503
    assert ready.get_json()["failing"] == ["redis"]


def test_a_cached_page_answers_with_the_caches_redis_stalled(tmp_path: Path) -> None:
    with stalled_redis() as redis_url:
        app = Flask("tiny", instance_path=str(tmp_path / "instance"))
        settings = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url, "REDIS_TIMEOUT": 0.5}
        configure(app, "TINY", test_config=settings)
        cache = Cache(app)

        @app.get("/")
        @cache.cached()
        def home() -> str:
            return "made afresh"

        shown = answer(lambda: app.test_client().get("/"))
    assert shown is not None, "a cached page waited on the stalled Redis"
    assert shown.get_data(as_text=True) == "made afresh"
