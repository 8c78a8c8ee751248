"""Log lines (shared/logs.py): one JSON object per line in production, plain
text in development; the request's id on every line written during it, on
the worker's lines for the task it queued (shared/worker.py), and on the
worker's lines about a mail it queued in the outbox (shared/mail.py), proved
with a real ``celery worker`` process."""

from __future__ import annotations

import json
import logging
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from sqlalchemy import select, update

from shared.clock import utcnow
from shared.config import ConfigurationError
from shared.mail import queue_mail
from shared.worker import send_due_mail, worker_celery
from tests.auth_client import AuthActions, csrf_token_from
from tests.servers import celery_worker, serve, smtp_server, wait_for
from tests.shared.factories import make_user
from tests.shared.tiny_app import Note, Outbox, db

PRODUCTION = {
    "ENV": "production",
    "SECRET_KEY": "k" * 40,
    "TRUSTED_HOSTS": ["localhost"],
    "EXTERNAL_URL": "https://tiny.example.com",
}


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every line of ``text`` as JSON: fails on any line that is not an object."""
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert all(isinstance(line, dict) for line in lines)
    return lines


def request_line(lines: list[dict[str, Any]], path: str, method: str = "GET") -> dict[str, Any]:
    [line] = [
        x
        for x in lines
        if x["logger"] == "capstones.requests" and (x["path"], x["method"]) == (path, method)
    ]
    return line


def test_in_json_mode_the_request_line_has_the_requests_fields(
    app_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    app = app_factory(LOG_FORMAT="json")
    user = make_user(app)
    client = app.test_client()
    AuthActions(client).login()
    capsys.readouterr()
    response = client.get("/private", headers={"X-Request-ID": "support-ticket-42"})
    line = request_line(json_lines(capsys.readouterr().err), "/private")
    assert response.headers["X-Request-ID"] == "support-ticket-42"
    assert line["message"] == line["message"].strip()  # one line: the text line's words
    fields = ("level", "request_id", "user_id", "route", "method", "status")
    assert {name: line[name] for name in fields} == {
        "level": "INFO",
        "request_id": "support-ticket-42",
        "user_id": user.id,
        "route": "private",
        "method": "GET",
        "status": 200,
    }
    assert isinstance(line["duration_ms"], float)
    assert line["timestamp"].endswith("+00:00")  # ISO 8601, in UTC


def test_a_visitor_has_no_user_id_and_a_missing_route_is_null(
    app_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    app_factory(LOG_FORMAT="json").test_client().get("/nowhere")
    line = request_line(json_lines(capsys.readouterr().err), "/nowhere")
    assert (line["user_id"], line["route"], line["status"]) == (None, None, 404)


def test_app_log_lines_written_during_a_request_carry_its_id(
    app_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    app = app_factory(LOG_FORMAT="json")

    @app.get("/warns")
    def warns() -> str:
        current_app.logger.warning("something odd")
        return "done"

    response = app.test_client().get("/warns")
    lines = json_lines(capsys.readouterr().err)
    [warning] = [line for line in lines if line["message"] == "something odd"]
    assert warning["request_id"] == response.headers["X-Request-ID"]
    assert (warning["level"], warning["logger"]) == ("WARNING", "tests.shared.tiny_app")
    assert len(lines) == 2  # Flask's own handler adds no second, unformatted copy


def test_a_forged_line_break_in_the_path_stays_inside_one_json_line(
    app_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    client = app_factory(LOG_FORMAT="json").test_client()
    client.get("/nothing%0D%0A%7B%22level%22%3A%20%22forged%22%7D")
    [line] = json_lines(capsys.readouterr().err)
    assert line["path"] == '/nothing\\x0d\\x0a{"level": "forged"}'  # escaped as in text


def test_production_writes_json_and_development_text(
    app_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    app_factory(**PRODUCTION).test_client().get("/healthz")
    assert request_line(json_lines(capsys.readouterr().err), "/healthz")["status"] == 200
    app_factory().test_client().get("/healthz")
    assert " INFO GET /healthz 200 " in capsys.readouterr().err
    app_factory(**PRODUCTION, LOG_FORMAT="text").test_client().get("/healthz")
    assert " INFO GET /healthz 200 " in capsys.readouterr().err


def test_an_unknown_log_format_is_refused(app_factory: Any) -> None:
    with pytest.raises(ConfigurationError, match="TINY_LOG_FORMAT must be json or text"):
        app_factory(LOG_FORMAT="xml")


def test_the_task_a_request_queued_logs_json_with_the_requests_id_in_a_real_worker(
    app_factory: Any, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Also the outbox's part, end to end: each mail's line names the request
    that queued the mail, whichever task (here another request's) sent it."""
    broker = tmp_path / "broker"
    app = app_factory(LOG_FORMAT="json", CELERY_BROKER_FOLDER=str(broker))
    worker_celery(app)  # makes the broker's folder, as the worker would
    client = app.test_client()
    # A mail left to the outbox, as the apps leave theirs; then a request that queues the task.
    assert client.post("/notes/mailed", data={"text": "first"}).status_code == 201
    response = client.post("/notes/mailed-at-once", data={"text": "hello"})
    assert response.status_code == 201
    request_lines = json_lines(capsys.readouterr().err)
    request_id = request_line(request_lines, "/notes/mailed-at-once", "POST")["request_id"]
    assert request_id == response.headers["X-Request-ID"]
    outbox_only = request_line(request_lines, "/notes/mailed", "POST")["request_id"]

    env = {
        **os.environ,
        "TINY_DATABASE_URL": database_url,
        "TINY_CELERY_BROKER_FOLDER": str(broker),
        "TINY_LOG_FORMAT": "json",
    }
    log = tmp_path / "worker.log"
    with serve(celery_worker("tests.shared.tiny_worker"), env, log=log):
        wait_for(lambda: "succeeded" in log.read_text(), 30, "the worker to run the task")
        lines = json_lines(log.read_text())  # each line so far; stopping prints a plain one
    [received] = [line for line in lines if line["message"].endswith("received")]
    [done] = [line for line in lines if "succeeded" in line["message"]]
    assert received["request_id"] is None  # taken off the queue: no task running yet
    assert done["message"].startswith("Task mail.send_due[")
    assert done["request_id"] == request_id
    printed = [line for line in lines if "Subject: A note" in line["message"]]
    assert printed[0]["request_id"] == request_id  # what the task wrote, too
    sent_lines = {line["message"]: line["request_id"] for line in mail_lines(lines)}
    assert sent_lines == {
        f"mail {mail.id} sent request_id={mail.request_id}": mail.request_id
        for mail in outbox_rows(app)
    }
    assert set(sent_lines.values()) == {outbox_only, request_id}


# --- The worker's lines about a mail: the id of the request that queued it -----


def mail_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["logger"] == "capstones.mail"]


def outbox_rows(app: Flask) -> list[Outbox]:
    with app.app_context():
        rows = list(db.session.scalars(select(Outbox).order_by(Outbox.id)))
        db.session.expunge_all()
    return rows


def ask_for_a_reset_link(client: FlaskClient, email: str) -> str:
    """POST the password reset form, a request that queues a mail; its id."""
    token = csrf_token_from(client.get("/auth/password-reset"))
    response = client.post("/auth/password-reset", data={"email": email, "csrf_token": token})
    assert response.status_code == 302
    return response.headers["X-Request-ID"]


def worker_round(caplog: pytest.LogCaptureFixture) -> None:
    """The worker's task, run here as a worker runs it (in the app's context,
    shared/worker.py), and as if another request had queued it: the lines about
    a mail must name the mail's request, not the running task's. At INFO, the
    workers' --loglevel, which lets the line about a sent mail through."""
    with caplog.at_level(logging.INFO, logger="capstones.mail"):
        send_due_mail.apply(headers={"request_id": "another-request"})


def test_the_line_about_a_sent_mail_carries_the_id_of_the_request_that_queued_it(
    app_factory: Any, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    app = app_factory(LOG_FORMAT="json")
    make_user(app)
    request_id = ask_for_a_reset_link(app.test_client(), "ann@example.com")
    request_lines = json_lines(capsys.readouterr().err)
    assert request_line(request_lines, "/auth/password-reset", "POST")["request_id"] == request_id
    [mail] = outbox_rows(app)
    assert mail.request_id == request_id  # kept with the row

    with app.extensions["mail"].record_messages() as sent:
        worker_round(caplog)
    assert len(sent) == 1
    [line] = mail_lines(json_lines(capsys.readouterr().err))
    assert line["message"] == f"mail {mail.id} sent request_id={request_id}"
    assert (line["level"], line["request_id"]) == ("INFO", request_id)


def test_the_lines_about_a_mail_the_smtp_server_refuses_carry_the_requests_id(
    app_factory: Any, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with smtp_server() as (port, received):
        settings = {"MAIL_PORT": port, "MAIL_SUPPRESS_SEND": False, "MAIL_MAX_ATTEMPTS": 2}
        app = app_factory(LOG_FORMAT="json", MAIL_SERVER="127.0.0.1", **settings)
        make_user(app, email="bounce@example.com")  # the server refuses this mailbox: 550
        request_id = ask_for_a_reset_link(app.test_client(), "bounce@example.com")
        capsys.readouterr()
        worker_round(caplog)
        with app.app_context():  # as if the retry's time had come
            db.session.execute(
                update(Outbox).values(next_attempt_at=utcnow() - timedelta(seconds=1))
            )
            db.session.commit()
        worker_round(caplog)
    assert received == []
    retried, given_up = mail_lines(json_lines(capsys.readouterr().err))
    assert (retried["level"], retried["request_id"]) == ("WARNING", request_id)
    assert "No such mailbox here" in retried["message"]
    assert "tried again later" in retried["message"]
    assert (given_up["level"], given_up["request_id"]) == ("ERROR", request_id)
    assert "given up after 2 attempts" in given_up["message"]
    # ERROR lines become Sentry events: the refused address is in neither line.
    assert "bounce@example.com" not in json.dumps([retried, given_up])


def test_a_mail_queued_outside_any_request_has_no_request_id(
    app_factory: Any, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    app = app_factory(LOG_FORMAT="json")
    with app.app_context():  # as a command queues one
        queue_mail(to="ann@example.com", subject="Hi", template="note", note=Note(text="x"))
        db.session.commit()
    [mail] = outbox_rows(app)
    assert mail.request_id is None
    worker_round(caplog)
    [line] = mail_lines(json_lines(capsys.readouterr().err))
    assert line["message"] == f"mail {mail.id} sent request_id=None"
    assert line["request_id"] is None  # not the running task's request
