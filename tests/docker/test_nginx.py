"""nginx in front of gunicorn, as compose runs it: slow clients no longer
freeze an app, bodies are capped at the app's limit (chunked ones too), and
the headers the app trusts from its one proxy cannot be forged by a client.

Each app runs under gunicorn with two sync workers, exactly the setup in
which four slow clients used to hold every worker."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docker.nginx import check_config, nginx_in_front
from tests.e2e.live_servers import LiveApp, live_app

# nginx's URL per app, and the apps themselves (for going around nginx).
Stack = tuple[dict[str, str], dict[str, LiveApp]]
COMPOSE_VALUES = {
    "NGINX_RESOLVER": "127.0.0.11",
    "HELPDESK_LISTEN": "5001",
    "HELPDESK_UPSTREAM": "helpdesk:8000",
    "SHOP_API_LISTEN": "5002",
    "SHOP_API_UPSTREAM": "shop_api:8000",
    "RECIPES_LISTEN": "5003",
    "RECIPES_UPSTREAM": "recipes:8000",
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("stack")
    behind_proxy = {"HELPDESK_PROXY_COUNT": "1", "SHOP_API_PROXY_COUNT": "1"}
    with (
        live_app("helpdesk", workdir, extra_env=behind_proxy) as helpdesk,
        # One worker: the login limit's in-memory counter is then the only one.
        live_app("shop_api", workdir, extra_env=behind_proxy, workers=1) as shop_api,
    ):
        upstreams = {app.name: app.url.removeprefix("http://") for app in (helpdesk, shop_api)}
        with nginx_in_front(workdir, upstreams) as urls:
            yield urls, {"helpdesk": helpdesk, "shop_api": shop_api}


def test_nginx_accepts_the_config_compose_renders(tmp_path: Path) -> None:
    result = check_config(tmp_path, COMPOSE_VALUES)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def open_slow_clients(url: str, count: int, stop: threading.Event) -> list[threading.Thread]:
    """Clients that send a request's headers one byte at a time, for as long as
    the test runs: each holds whatever reads its request."""
    host, port = url.removeprefix("http://").split(":")
    request = b"GET /tickets/ HTTP/1.1\r\nHost: example.test\r\nX-Padding: " + b"x" * 200

    def trickle() -> None:
        with socket.create_connection((host, int(port)), timeout=5) as connection:
            for byte in request:
                if stop.wait(0.25):
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return

    threads = [threading.Thread(target=trickle, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
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
    urls, apps = stack
    stop = threading.Event()
    threads = open_slow_clients(urls["helpdesk"], 4, stop)
    direct: list[threading.Thread] = []
    try:
        time.sleep(1)  # every slow client is connected and sending
        assert get_healthz(urls["helpdesk"], timeout=5) < 1.0
        # Straight at gunicorn, the same four clients hold both sync workers:
        # this is what nginx is there for.
        direct = open_slow_clients(apps["helpdesk"].url, 4, stop)
        time.sleep(1)
        with pytest.raises(TimeoutError):
            get_healthz(apps["helpdesk"].url, timeout=2)
    finally:
        stop.set()
        for thread in threads + direct:
            thread.join(timeout=5)


def post(url: str, path: str, body: bytes, headers: dict[str, str]) -> http.client.HTTPResponse:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_bodies_over_the_apps_limit_are_refused_by_nginx(stack: Stack, chunked: bool) -> None:
    urls, _ = stack
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    body = b"x" * 1_000_001  # the help desk's MAX_CONTENT_LENGTH is 1,000,000 bytes
    if chunked:
        host, port = urls["helpdesk"].removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request(
            "POST",
            "/tickets/new",
            body=iter([body[:500_000], body[500_000:]]),
            headers=headers,
            encode_chunked=True,
        )
        response = connection.getresponse()
        text = response.read().decode()
        connection.close()
    else:
        response = post(urls["helpdesk"], "/tickets/new", body, headers)
        text = ""
    assert response.status == 413
    if chunked:
        assert "The limit is 1 MB" in text


def test_the_api_gets_its_413_as_problem_json(stack: Stack) -> None:
    urls, _ = stack
    host, port = urls["shop_api"].removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request(
        "POST",
        "/api/orders/",
        body=b"{" + b" " * 100_001 + b"}",
        headers={"Content-Type": "application/json"},
    )
    response = connection.getresponse()
    problem = json.loads(response.read())
    connection.close()
    assert response.status == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    assert problem["status"] == 413


def test_a_body_under_the_limit_reaches_the_app(stack: Stack) -> None:
    urls, _ = stack
    response = post(
        urls["shop_api"], "/api/auth/tokens", b"{}", {"Content-Type": "application/json"}
    )
    assert response.status == 422  # the app's own answer: email and password are required


def test_the_request_id_is_nginx_s_not_the_client_s(stack: Stack) -> None:
    urls, _ = stack
    host, port = urls["helpdesk"].removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/healthz", headers={"X-Request-ID": "chosen-by-the-client"})
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.headers["X-Request-ID"] != "chosen-by-the-client"
    assert len(response.headers["X-Request-ID"]) == 32  # nginx's $request_id


def test_a_forged_x_forwarded_for_does_not_dodge_the_login_limit(stack: Stack) -> None:
    # The app trusts one proxy: it reads the address nginx appended, never the
    # client's own X-Forwarded-For, so each forged address counts as the same client.
    urls, _ = stack
    body = json.dumps({"email": "nobody@example.com", "password": "wrong password"}).encode()
    statuses = [
        post(
            urls["shop_api"],
            "/api/auth/tokens",
            body,
            {
                "Content-Type": "application/json",
                "X-Forwarded-For": f"203.0.113.{attempt}",
            },
        ).status
        for attempt in range(11)
    ]
    # Were the forged header believed, each attempt would be a new client and
    # none would be refused. (Earlier tests in this module count too, so the
    # refusal may come a little before the 11th.)
    assert 429 in statuses
    first_refusal = statuses.index(429)
    assert set(statuses[:first_refusal]) == {401}
    assert set(statuses[first_refusal:]) == {429}


def fetch_compressed(url: str, path: str) -> tuple[http.client.HTTPResponse, bytes]:
    """GET ``path`` as a browser asks: gzip welcome."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_static_files_and_the_api_are_compressed_pages_are_not(stack: Stack) -> None:
    urls, _ = stack
    css, body = fetch_compressed(urls["helpdesk"], "/bootstrap/static/css/bootstrap.min.css")
    assert css.status == 200
    assert css.headers["Content-Encoding"] == "gzip"
    assert len(gzip.decompress(body)) > 200_000 > 5 * len(body)
    assert (
        fetch_compressed(urls["helpdesk"], "/shared/static/site.css")[0].headers["Content-Encoding"]
        == "gzip"
    )
    # A page carries a CSRF token and echoes searches: never compressed (BREACH).
    page, _ = fetch_compressed(urls["helpdesk"], "/auth/login")
    assert page.status == 200
    assert page.headers["Content-Encoding"] is None
    api, body = fetch_compressed(urls["shop_api"], "/api/openapi.json")
    assert api.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(body))["openapi"].startswith("3.")
