"""nginx in front of gunicorn, as compose runs it, for every app present:
slow clients no longer freeze an app, bodies over the app's limit are refused
by nginx (chunked ones too), and the request id is nginx's, not the client's.
(What an app's own server block adds, its 413 text or what it compresses, is
tested in tests/docker/<package>/.)

Each app runs under gunicorn with two sync workers, exactly the setup in
which four slow clients used to hold every worker."""

from __future__ import annotations

import http.client
import importlib
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.docker.nginx import APPS, behind_nginx, check_config, compose_values
from tests.docker.seaweedfs import keeps_files_in_s3, s3_settings
from tests.e2e.live_servers import LiveApp

# Seconds within which an answer counts as prompt, even on a busy machine; a
# slow client below takes a minute to send its request.
PROMPTLY = 3.0


class Stack:
    """One app behind nginx: nginx's URL for it, the app, and its body limit."""

    def __init__(self, url: str, app: LiveApp, max_content_length: int) -> None:
        self.url, self.app, self.max_content_length = url, app, max_content_length


@pytest.fixture(scope="module", params=APPS, ids=[app.package for app in APPS])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    app: Any = request.param
    workdir = tmp_path_factory.mktemp(app.package)
    extra_env = {}
    if keeps_files_in_s3(app.package):
        bucket = f"nginx-{uuid.uuid4().hex[:8]}"
        extra_env = s3_settings(app.prefix, request.getfixturevalue("s3"), bucket)
    limit = (
        importlib.import_module(app.package)
        .create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
        .config["MAX_CONTENT_LENGTH"]
    )
    with behind_nginx(app.package, app.prefix, workdir, extra_env=extra_env) as (url, live):
        yield Stack(url, live, limit)


def test_nginx_accepts_the_config_compose_renders(tmp_path: Path) -> None:
    result = check_config(tmp_path, compose_values())
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def open_slow_clients(url: str, count: int, stop: threading.Event) -> list[threading.Thread]:
    """Clients that send a request's headers one byte at a time, for as long as
    the test runs: each holds whatever reads its request. Returns once every
    one of them is connected and has sent its first byte."""
    host, port = url.removeprefix("http://").split(":")
    request = b"GET / HTTP/1.1\r\nHost: example.test\r\nX-Padding: " + b"x" * 200
    sending = threading.Semaphore(0)

    def trickle() -> None:
        with socket.create_connection((host, int(port)), timeout=5) as connection:
            for index, byte in enumerate(request):
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return
                if index == 0:
                    sending.release()
                if stop.wait(0.25):
                    return

    threads = [threading.Thread(target=trickle, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    for _ in threads:
        assert sending.acquire(timeout=10), "a slow client could not connect"
    return threads


def get_healthz(url: str, timeout: float) -> float:
    host, port = url.removeprefix("http://").split(":")
    started = time.monotonic()
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request("GET", "/healthz")
        assert connection.getresponse().status == 200
    finally:
        connection.close()
    return time.monotonic() - started


def test_four_slow_clients_do_not_freeze_the_app_behind_nginx(stack: Stack) -> None:
    stop = threading.Event()
    threads = open_slow_clients(stack.url, 4, stop)
    direct: list[threading.Thread] = []
    try:
        # nginx reads the slow requests itself: the app answers promptly.
        assert get_healthz(stack.url, timeout=5) < PROMPTLY
        # Straight at gunicorn, the same four clients hold both sync workers:
        # this is what nginx is there for.
        direct = open_slow_clients(stack.app.url, 4, stop)
        with pytest.raises(TimeoutError):
            get_healthz(stack.app.url, timeout=PROMPTLY)
    finally:
        stop.set()
        for thread in threads + direct:
            thread.join(timeout=5)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_bodies_over_the_apps_limit_are_refused_by_nginx(stack: Stack, chunked: bool) -> None:
    body = b"x" * (stack.max_content_length + 1)  # the app's MAX_CONTENT_LENGTH, plus one
    host, port = stack.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if chunked:
        half = len(body) // 2
        connection.request(
            "POST", "/", body=iter([body[:half], body[half:]]), headers=headers, encode_chunked=True
        )
    else:
        connection.request("POST", "/", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 413
    # nginx's own answer: the app would have sent its request id along.
    assert response.headers["X-Request-ID"] is None


def test_the_request_id_is_nginx_s_not_the_client_s(stack: Stack) -> None:
    host, port = stack.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/healthz", headers={"X-Request-ID": "chosen-by-the-client"})
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.headers["X-Request-ID"] != "chosen-by-the-client"
    assert len(response.headers["X-Request-ID"]) == 32  # nginx's $request_id
