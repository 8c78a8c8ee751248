"""The shop API's own server block in nginx (docker/nginx/shop_api.conf.template):
its 413 is problem+json, a body under the limit reaches the app, a forged
X-Forwarded-For does not dodge the login limit, the API is compressed, and a
compressed answer's ETag, made weak by nginx, still serves a staff If-Match.
(tests/docker/test_nginx.py checks what every app's server does.)"""

from __future__ import annotations

import gzip
import http.client
import json
from collections.abc import Iterator

import pytest
import requests

from tests.docker.nginx import behind_nginx
from tests.e2e.live_servers import PASSWORD, STAFF_EMAIL, LiveApp


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, LiveApp]]:
    """nginx's URL for the shop API, and the app behind it."""
    workdir = tmp_path_factory.mktemp("shop_api")
    # One worker: the login limit's in-memory counter is then the only one.
    with behind_nginx("shop_api", "SHOP_API", workdir, workers=1) as (url, app):
        yield url, app


@pytest.fixture(scope="module")
def url(shop: tuple[str, LiveApp]) -> str:
    return shop[0]


def post(url: str, path: str, body: bytes, headers: dict[str, str]) -> http.client.HTTPResponse:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_the_api_gets_its_413_as_problem_json(url: str) -> None:
    host, port = url.removeprefix("http://").split(":")
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


def test_a_body_under_the_limit_reaches_the_app(url: str) -> None:
    response = post(url, "/api/auth/tokens", b"{}", {"Content-Type": "application/json"})
    assert response.status == 422  # the app's own answer: email and password are required


def test_a_forged_x_forwarded_for_does_not_dodge_the_login_limit(url: str) -> None:
    # The app trusts one proxy: it reads the address nginx appended, never the
    # client's own X-Forwarded-For, so each forged address counts as the same client.
    body = json.dumps({"email": "nobody@example.com", "password": "wrong password"}).encode()
    statuses = [
        post(
            url,
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


def test_the_api_is_compressed(url: str) -> None:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/api/openapi.json", headers={"Accept-Encoding": "gzip"})
    api = connection.getresponse()
    body = api.read()
    connection.close()
    assert api.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(body))["openapi"].startswith("3.")


def test_the_etag_nginx_makes_weak_when_it_compresses_still_serves_if_match(
    shop: tuple[str, LiveApp],
) -> None:
    url, app = shop
    # The token is asked for straight from gunicorn, as nginx would forward
    # another client's request: the login-limit test above may have used up
    # this address's attempts.
    token = requests.post(
        f"{app.url}/api/auth/tokens",
        json={"email": STAFF_EMAIL, "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.7"},
        timeout=10,
    )
    assert token.status_code == 201, token.text
    staff = {"Authorization": f"Bearer {token.json()['token']}"}
    # Over gzip_min_length (1 KB), so nginx compresses the answer.
    product = {
        "name": "Teapot",
        "description": "Cast iron. " * 150,
        "price_cents": 4500,
        "stock": 3,
    }
    created = requests.post(f"{url}/api/products/", json=product, headers=staff, timeout=10)
    assert created.status_code == 201, created.text
    product_url = url + created.headers["Location"]
    read = requests.get(product_url, headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert read.headers["Content-Encoding"] == "gzip"
    assert read.headers["ETag"].startswith('W/"')  # nginx's mark: the bytes are not ours
    changed = requests.patch(
        product_url,
        json={"stock": 13},
        headers={**staff, "If-Match": read.headers["ETag"]},
        timeout=10,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["stock"] == 13
