"""X-Forwarded-* headers are believed only when PROXY_COUNT says a proxy sets them."""

from __future__ import annotations

from typing import Any

from flask import request

HEADERS = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


def where(app: Any) -> str:
    app.add_url_rule("/where", "where", lambda: f"{request.remote_addr} {request.scheme}")
    return app.test_client().get("/where", headers=HEADERS).get_data(as_text=True)


def test_forwarded_headers_are_ignored_by_default(app_factory: Any) -> None:
    assert where(app_factory()) == "127.0.0.1 http"


def test_forwarded_headers_are_used_behind_a_trusted_proxy(app_factory: Any) -> None:
    assert where(app_factory(PROXY_COUNT=1)) == "203.0.113.9 https"


def test_trusted_hosts_refuse_other_host_names(app_factory: Any) -> None:
    client = app_factory(TRUSTED_HOSTS=["desk.example.com"]).test_client()
    assert client.get("/healthz", headers={"Host": "desk.example.com"}).status_code == 200
    refused = client.get("/healthz", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert refused.mimetype == "text/plain"
    assert "is not trusted" in refused.get_data(as_text=True)
