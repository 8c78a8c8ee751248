"""The help desk's part of tests/operations/test_prometheus.py: how to
prepare it, a refused login, and a password reset whose mail the worker sends,
with the queries that find them in Prometheus."""

from __future__ import annotations

import requests

PREPARE = [["db", "upgrade"], ["seed-demo"]]
# The form posts of a script, not a browser: no CSRF token to copy.
SETTINGS = {"WTF_CSRF_ENABLED": "false"}


def refuse_login(base: str) -> None:
    wrong = {"email": "ann@example.com", "password": "not the password"}
    assert requests.post(f"{base}/auth/login", data=wrong, timeout=10).status_code == 422


def make_events(base: str) -> list[str]:
    asked = requests.post(
        f"{base}/auth/password-reset", data={"email": "ann@example.com"}, timeout=10
    )
    assert asked.status_code == 200, asked.status_code  # after the redirect to the login page
    return [
        'mail_sent_total{app="helpdesk"}',  # from the worker, on its own port
        'celery_tasks_total{app="helpdesk", task="mail.send_due", state="succeeded"}',
    ]
