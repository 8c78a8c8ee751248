"""The help desk on ``/metrics``: its requests by endpoint and status with
``app="helpdesk"``, a refused login, and its mail outbox's depth."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.auth_client import AuthActions
from tests.helpdesk.factories import make_user
from tests.scrape import value

APP = {"app": "helpdesk"}


def test_requests_logins_refused_and_the_outbox_are_in_the_metrics(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app)
    refused = value(client, "auth_logins_refused_total", reason="wrong_password", **APP)
    assert auth.login(password="wrong password").status_code == 422
    assert value(client, "auth_logins_refused_total", reason="wrong_password", **APP) == refused + 1
    duration = "flask_http_request_duration_seconds_count"
    assert value(client, duration, endpoint="auth.login", status="422", **APP) == 1

    assert value(client, "mail_outbox_waiting", **APP) == 0
    token = AuthActions(client).csrf_token("/auth/password-reset")
    client.post("/auth/password-reset", data={"email": "ann@example.com", "csrf_token": token})
    assert value(client, "mail_outbox_waiting", **APP) == 1
