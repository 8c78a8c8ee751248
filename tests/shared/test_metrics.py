"""The metrics (shared/metrics.py) through the tiny app: ``/metrics`` in
Prometheus's text format, for direct requests only; requests counted by
endpoint and status with the app's label; the shared business numbers (logins
refused, 429s, the mail outbox) moving on the real request paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import REGISTRY
from sqlalchemy import event, text, update

from shared.worker import send_due_mail
from tests.auth_client import AuthActions
from tests.scrape import total, value
from tests.shared.factories import make_app, make_user
from tests.shared.tiny_app import Outbox, db

APP = "tests.shared.tiny_app"  # the tiny app's name: Flask(__name__)


def test_metrics_answers_a_direct_request_in_prometheus_text_format(client: FlaskClient) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert "version=0.0.4" in response.content_type
    assert "# TYPE flask_http_request_duration_seconds histogram" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/metrics", "/metrics/"])
def test_metrics_is_not_found_through_a_proxy(app_factory: Any, path: str) -> None:
    # nginx and a Kubernetes Ingress add X-Forwarded-For; Prometheus does not.
    client = app_factory(PROXY_COUNT=1).test_client()
    response = client.get(path, headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 404
    assert "flask_http" not in response.get_data(as_text=True)


def test_a_scrape_by_address_passes_the_trusted_hosts_check(app_factory: Any) -> None:
    # Prometheus sends the container's or pod's address as Host, which no
    # TRUSTED_HOSTS lists; pages still refuse it.
    client = app_factory(TRUSTED_HOSTS=["desk.example.com"]).test_client()
    assert client.get("/metrics", headers={"Host": "10.0.3.7:8000"}).status_code == 200
    assert client.get("/", headers={"Host": "10.0.3.7:8000"}).status_code == 400


def test_requests_are_counted_by_endpoint_and_status_with_the_app_label(
    client: FlaskClient,
) -> None:
    client.get("/private")  # a redirect to the login page
    client.get("/auth/login")
    labels = {"app": APP, "method": "GET"}
    name = "flask_http_request_duration_seconds_count"
    assert value(client, name, endpoint="private", status="302", **labels) == 1
    assert value(client, name, endpoint="auth.login", status="200", **labels) == 1
    # By the route's endpoint, not its path: ids in URLs make no new series.
    assert value(client, "flask_http_request_total", status="302", **labels) == 1
    # A scrape is neither: counting it would move the numbers at every look.
    before = total(client, name, app=APP)
    assert total(client, name, app=APP) == before


def test_a_made_up_method_is_refused_before_it_can_make_a_series(client: FlaskClient) -> None:
    for number in range(3):
        response = client.open("/auth/login", method=f"MADEUP{number}")
        assert response.status_code == 405  # as Flask answers HTTP's own (DELETE, say)
        assert set(response.allow) == set(client.open("/auth/login", method="DELETE").allow)
    assert client.open("/no/such/page", method="MADEUP").status_code == 404
    assert "MADEUP" not in client.get("/metrics").get_data(as_text=True)


def test_a_made_up_method_gets_the_apps_own_error_page(client: FlaskClient) -> None:
    made_up, known = (client.open("/auth/login", method=method) for method in ("MADEUP", "DELETE"))
    assert made_up.status_code == known.status_code == 405
    assert made_up.get_data() == known.get_data()  # the app's page, not Werkzeug's
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"):
        assert made_up.headers[name] == known.headers[name]


def test_a_made_up_method_from_an_untrusted_host_is_refused_like_any_other(
    app_factory: Any,
) -> None:
    client = app_factory(TRUSTED_HOSTS=["desk.example.com"]).test_client()
    made_up, known = (
        client.open("/auth/login", method=method, headers={"Host": "evil.example"})
        for method in ("MADEUP", "GET")
    )
    assert made_up.status_code == known.status_code == 400
    assert made_up.get_data() == known.get_data()


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS", "TRACE"])
def test_metrics_answers_get_and_head_only(client: FlaskClient, method: str) -> None:
    response = client.open("/metrics", method=method)
    assert response.status_code == 405
    assert set(response.allow) == {"GET", "HEAD"}
    assert "flask_http" not in response.get_data(as_text=True)
    assert client.head("/metrics").status_code == 200


@pytest.mark.parametrize("path", ["/metrics/", "/metrics/anything", "/metrics/../metrics"])
def test_only_the_exact_path_is_the_metrics(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "flask_http" not in response.get_data(as_text=True)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_metrics_answers_carry_the_security_headers(client: FlaskClient, method: str) -> None:
    response = client.open("/metrics", method=method)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("email", "password", "reason"),
    [
        ("ann@example.com", "wrong password", "wrong_password"),
        ("nobody@example.com", "whatever it is", "unknown_email"),
        ("off@example.com", "correct horse battery", "inactive"),
    ],
)
def test_a_refused_login_is_counted_by_reason(
    app: Flask, client: FlaskClient, auth: AuthActions, email: str, password: str, reason: str
) -> None:
    make_user(app)
    make_user(app, email="off@example.com", is_active=False)
    before = value(client, "auth_logins_refused_total", app=APP, reason=reason)
    assert auth.login(email, password).status_code == 422
    assert value(client, "auth_logins_refused_total", app=APP, reason=reason) == before + 1
    assert auth.login().status_code == 302  # a login that works counts nowhere
    assert value(client, "auth_logins_refused_total", app=APP, reason=reason) == before + 1


def test_a_rate_limited_login_is_counted_by_endpoint(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    app.config["AUTH_LOGIN_RATE_LIMIT"] = "1 per minute"
    labels = {"app": APP, "endpoint": "auth.login"}
    before = value(client, "rate_limited_requests_total", **labels)
    assert auth.login(password="wrong password").status_code == 422
    assert auth.login(password="wrong password").status_code == 429
    assert value(client, "rate_limited_requests_total", **labels) == before + 1


def test_the_outbox_depth_and_dead_mails_are_read_at_each_scrape(
    app: Flask, client: FlaskClient
) -> None:
    for note in ("one", "two", "three"):
        assert client.post("/notes/mailed", data={"text": note}).status_code == 201
    assert value(client, "mail_outbox_waiting", app=APP) == 3
    assert value(client, "mail_outbox_dead", app=APP) == 0
    with app.app_context():  # one given up, one sent: as the worker leaves them
        db.session.execute(update(Outbox).where(Outbox.id == 1).values(next_attempt_at=None))
        db.session.execute(update(Outbox).where(Outbox.id == 2).values(failed_at=db.func.now()))
        db.session.execute(update(Outbox).where(Outbox.id == 2).values(next_attempt_at=None))
        db.session.commit()
    assert value(client, "mail_outbox_waiting", app=APP) == 1
    assert value(client, "mail_outbox_dead", app=APP) == 1


def test_the_outbox_gauges_count_from_indexes_not_every_mail_ever_sent(
    app: Flask, client: FlaskClient
) -> None:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get("/metrics").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        [sql] = [statement for statement in statements if "outbox" in statement]
        if db.engine.dialect.name == "sqlite":
            plan = " ".join(row[3] for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
        else:  # an empty table is cheapest to scan: ask what it would do at scale
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(row[0] for row in db.session.execute(text("EXPLAIN " + sql)))
        db.session.rollback()
    assert "ix_outbox_next_attempt_at" in plan
    assert "ix_outbox_failed_at" in plan


def test_a_scrape_with_the_database_down_still_answers(tmp_path: Path) -> None:
    # The request metrics matter most then; only the outbox gauges wait.
    app = make_app("sqlite:////nonexistent/folder/db", tmp_path / "instance")
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    assert "flask_http_request_duration_seconds" in response.get_data(as_text=True)


def test_the_worker_counts_mails_sent_and_tasks_by_name_and_outcome(
    app: Flask, client: FlaskClient
) -> None:
    assert client.post("/notes/mailed", data={"text": "x"}).status_code == 201
    sent = value(client, "mail_sent_total", app=APP)
    succeeded = {"app": APP, "task": "mail.send_due", "state": "succeeded"}
    runtime = {"app": APP, "task": "mail.send_due"}
    tasks = REGISTRY.get_sample_value("celery_tasks_total", succeeded) or 0
    runs = REGISTRY.get_sample_value("celery_task_runtime_seconds_count", runtime) or 0
    with app.app_context():
        assert send_due_mail.apply().get() == 1
    assert value(client, "mail_sent_total", app=APP) == sent + 1
    assert REGISTRY.get_sample_value("celery_tasks_total", succeeded) == tasks + 1
    assert REGISTRY.get_sample_value("celery_task_runtime_seconds_count", runtime) == runs + 1
