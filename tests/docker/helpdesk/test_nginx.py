"""The help desk's own server block in nginx (docker/nginx/helpdesk.conf.template):
its 413 says the limit in words, and static files are compressed while pages
are not. (tests/docker/test_nginx.py checks what every app's server does.)"""

from __future__ import annotations

import gzip
import http.client
from collections.abc import Iterator

import pytest

from tests.docker.nginx import behind_nginx


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """nginx's URL for the help desk."""
    with behind_nginx("helpdesk", "HELPDESK", tmp_path_factory.mktemp("helpdesk")) as (url, _):
        yield url


def test_a_chunked_body_over_the_limit_gets_the_limit_in_words(url: str) -> None:
    body = b"x" * 1_000_001  # the help desk's MAX_CONTENT_LENGTH is 1,000,000 bytes
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request(
        "POST",
        "/tickets/new",
        body=iter([body[:500_000], body[500_000:]]),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        encode_chunked=True,
    )
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    assert response.status == 413
    assert "The limit is 1 MB" in text


def fetch_compressed(url: str, path: str) -> tuple[http.client.HTTPResponse, bytes]:
    """GET ``path`` as a browser asks: gzip welcome."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_static_files_are_compressed_pages_are_not(url: str) -> None:
    css, body = fetch_compressed(url, "/bootstrap/static/css/bootstrap.min.css")
    assert css.status == 200
    assert css.headers["Content-Encoding"] == "gzip"
    assert len(gzip.decompress(body)) > 200_000 > 5 * len(body)
    assert fetch_compressed(url, "/shared/static/site.css")[0].headers["Content-Encoding"] == "gzip"
    # A page carries a CSRF token and echoes searches: never compressed (BREACH).
    page, _ = fetch_compressed(url, "/auth/login")
    assert page.status == 200
    assert page.headers["Content-Encoding"] is None
