"""Log lines (shared/logs.py): one JSON object per line in production, plain
text in development; the request's id on every line written during it, and
on the worker's lines for the task it queued (shared/worker.py), proved with
a real ``celery worker`` process."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import current_app

from shared.config import ConfigurationError
from shared.worker import worker_celery
from tests.auth_client import AuthActions
from tests.servers import serve, wait_for
from tests.shared.factories import make_user

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


def request_line(lines: list[dict[str, Any]], path: str) -> dict[str, Any]:
    [line] = [x for x in lines if x["logger"] == "capstones.requests" and x["path"] == path]
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
    broker = tmp_path / "broker"
    app = app_factory(LOG_FORMAT="json", CELERY_BROKER_FOLDER=str(broker))
    worker_celery(app)  # makes the broker's folder, as the worker would
    response = app.test_client().post("/notes/mailed-at-once", data={"text": "hello"})
    assert response.status_code == 201
    request_id = request_line(json_lines(capsys.readouterr().err), "/notes/mailed-at-once")[
        "request_id"
    ]
    assert request_id == response.headers["X-Request-ID"]

    env = {
        **os.environ,
        "TINY_DATABASE_URL": database_url,
        "TINY_CELERY_BROKER_FOLDER": str(broker),
        "TINY_LOG_FORMAT": "json",
    }
    log = tmp_path / "worker.log"
    # Tests may run as root, as here; Celery warns about that before it sets up any logging.
    root = "ignore:You're running the worker with superuser privileges"
    worker = [sys.executable, "-W", root, "-m", "celery", "--quiet"]
    worker += ["--app", "tests.shared.tiny_worker"]
    worker += ["worker", "--pool", "solo", "--loglevel", "INFO", "--without-gossip"]
    worker += ["--without-mingle", "--without-heartbeat"]
    with serve(worker, env, log=log):
        wait_for(lambda: "succeeded" in log.read_text(), 30, "the worker to run the task")
        lines = json_lines(log.read_text())  # each line so far; stopping prints a plain one
    [received] = [line for line in lines if line["message"].endswith("received")]
    [done] = [line for line in lines if "succeeded" in line["message"]]
    assert received["request_id"] is None  # taken off the queue: no task running yet
    assert done["message"].startswith("Task mail.send_due[")
    assert done["request_id"] == request_id
    printed = [line for line in lines if "To: ann@example.com" in line["message"]]
    assert printed[0]["request_id"] == request_id  # what the task wrote, too
