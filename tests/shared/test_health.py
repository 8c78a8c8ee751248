"""/healthz says the process answers; /readyz checks what it depends on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from tests.shared.factories import make_app


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_checks_the_database(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok"}}


def test_readyz_is_503_naming_the_failing_check(app_factory: Any) -> None:
    def bucket() -> None:
        raise ConnectionError("bucket unreachable at 10.0.0.1 with key ...")

    client = app_factory(extra_checks={"bucket": bucket}).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["bucket"]
    assert body["checks"] == {"database": "ok", "bucket": "failed: ConnectionError"}
    assert "10.0.0.1" not in response.get_data(as_text=True)


def test_readyz_serves_callers_from_its_cache_for_a_few_seconds(app_factory: Any) -> None:
    calls: list[int] = []

    def slow_store() -> None:
        calls.append(1)
        raise TimeoutError("the store does not answer")

    client = app_factory(extra_checks={"bucket": slow_store}).test_client()
    statuses = [client.get("/readyz").status_code for _ in range(5)]
    assert statuses == [503] * 5
    assert calls == [1]  # one caller waited on the store; the others got its answer


def test_readyz_reports_an_unreachable_database(tmp_path: Path) -> None:
    unreachable = f"sqlite:///{tmp_path}/no/such/folder/db.sqlite3"
    app = make_app(unreachable, tmp_path / "instance")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["database"]
    assert "no/such/folder" not in response.get_data(as_text=True)
