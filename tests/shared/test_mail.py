"""The mail outbox and its Celery worker (shared/mail.py, shared/worker.py),
through the tiny app: a mail is saved with the change it reports or not at
all, sent by the worker (run eagerly here) once, printed when no server is
set, and retried after an SMTP failure."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shared.clock import utcnow
from shared.config import ConfigurationError
from shared.mail import external_url
from shared.worker import celery_settings, relay_pending, send_mail
from tests.servers import free_port
from tests.shared import tiny_app
from tests.shared.tiny_app import Note, Outbox, db


def rows(app: Flask) -> list[Outbox]:
    with app.app_context():
        found = list(db.session.scalars(select(Outbox).order_by(Outbox.id)))
        db.session.expunge_all()
    return found


def test_a_mail_is_saved_with_its_change_and_sent_once(
    app: Flask, client: FlaskClient, sent: list[Any]
) -> None:
    assert client.post("/notes/mailed", data={"text": "<hi>"}).status_code == 201
    [mail] = sent
    assert (mail.recipients, mail.subject) == (["ann@example.com"], "New note: <hi>")
    assert "<hi>" in mail.body
    assert "&lt;hi&gt;" in mail.html  # the HTML part is escaped like a page
    [row] = rows(app)
    assert row.sent_at is not None
    assert (row.attempts, row.last_error, row.claimed_until) == (1, "", None)
    with app.app_context():
        assert send_mail.run(row.id) is False  # a second task for it sends nothing
    assert len(sent) == 1


def test_a_change_rolled_back_takes_its_mail_with_it(
    app: Flask, client: FlaskClient, sent: list[Any]
) -> None:
    assert client.post("/notes/mailed", data={"text": "x", "fail": "1"}).status_code == 409
    assert rows(app) == []
    assert sent == []


def test_without_a_mail_server_the_mail_is_printed(
    app_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    app = app_factory(MAIL_SERVER="")
    app.test_client().post("/notes/mailed", data={"text": "printed please"})
    printed = capsys.readouterr().out
    assert "printed, not sent" in printed
    assert "To: ann@example.com" in printed
    assert "Subject: New note: printed please" in printed
    assert rows(app)[0].sent_at is not None


def test_a_broker_that_is_down_fails_nothing_and_the_relay_sends_later(
    app_factory: Any,
) -> None:
    down = f"redis://127.0.0.1:{free_port()}/0"
    app = app_factory(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=down)
    assert app.test_client().post("/notes/mailed", data={"text": "x"}).status_code == 201
    [row] = rows(app)
    assert row.sent_at is None
    with app.extensions["mail"].record_messages() as sent, app.app_context():
        assert relay_pending.run() == 0  # too fresh: its own task may still come
        waiting = db.session.get(Outbox, row.id)
        assert waiting is not None
        waiting.created_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        assert relay_pending.run() == 1
        assert relay_pending.run() == 0
    assert len(sent) == 1
    with app.app_context():
        assert db.session.scalar(select(Note.text)) == "x"


def test_an_smtp_failure_is_recorded_released_and_retried(app_factory: Any) -> None:
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_SUPPRESS_SEND=False)
    assert app.test_client().post("/notes/mailed", data={"text": "x"}).status_code == 201
    [row] = rows(app)
    assert row.sent_at is None
    assert row.claimed_until is None
    assert row.attempts == 9  # the first try and 8 retries with backoff
    assert row.last_error.startswith("ConnectionRefusedError")
    with app.app_context():
        waiting = db.session.get(Outbox, row.id)
        assert waiting is not None
        waiting.created_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        assert relay_pending.run() == 0  # the server is still down: stop for this round
    app.extensions["mail"].suppress = True  # the server is back (recorded, not sent)
    with app.extensions["mail"].record_messages() as sent, app.app_context():
        assert relay_pending.run() == 1
    assert len(sent) == 1


def test_a_claimed_mail_waits_for_its_claim_to_expire(app_factory: Any) -> None:
    # An in-process broker nobody reads: the mail waits in the outbox.
    app = app_factory(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="memory://")
    app.test_client().post("/notes/mailed", data={"text": "x"})
    [row] = rows(app)
    outbox = app.extensions["outbox"]
    with app.extensions["mail"].record_messages() as sent, app.app_context():
        held = db.session.get(Outbox, row.id)
        assert held is not None
        held.claimed_until = utcnow() + timedelta(seconds=30)  # another worker is sending it
        db.session.commit()
        assert outbox.relay(row.id) is False
        held = db.session.get(Outbox, row.id)
        assert held is not None
        held.claimed_until = utcnow() - timedelta(seconds=1)  # ...and died
        db.session.commit()
        assert outbox.relay(row.id) is True
    assert len(sent) == 1


def test_links_in_mail_use_the_external_url(app_factory: Any) -> None:
    app = app_factory(EXTERNAL_URL="https://tiny.example.com/")
    with app.app_context():
        assert external_url("private") == "https://tiny.example.com/private"
    plain = app_factory()
    with plain.test_request_context(base_url="http://127.0.0.1:5001"):
        assert external_url("private") == "http://127.0.0.1:5001/private"
    with plain.app_context():
        assert external_url("private") == "http://localhost/private"


def test_production_refuses_to_start_without_the_external_url(
    database_url: str, tmp_path: Path
) -> None:
    settings = {
        "ENV": "production",
        "SECRET_KEY": "x" * 40,
        "TRUSTED_HOSTS": ["tiny.example.com"],
        "SQLALCHEMY_DATABASE_URI": database_url,
    }
    with pytest.raises(ConfigurationError, match="TINY_EXTERNAL_URL"):
        tiny_app.create_app(settings, instance_path=str(tmp_path))


def test_each_app_has_its_own_queue_and_without_a_broker_a_folder(
    app_factory: Any, tmp_path: Path
) -> None:
    app = app_factory(CELERY_TASK_ALWAYS_EAGER=False)
    settings = celery_settings(app)
    assert settings["task_default_queue"] == "tests.shared.tiny_app"
    assert settings["broker_url"] == "filesystem://localhost/"
    options = settings["broker_transport_options"]
    folder = Path(options["data_folder_in"])
    assert folder.is_dir()
    assert options["data_folder_out"] == options["control_folder"] == str(folder)
    assert folder.is_relative_to(tmp_path)
    elsewhere = celery_settings(
        app_factory(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_FOLDER=str(tmp_path / "mine"))
    )
    assert elsewhere["broker_transport_options"]["data_folder_in"] == str(tmp_path / "mine")
    with_redis = celery_settings(app_factory(CELERY_BROKER_URL="redis://redis:6379/0"))
    assert with_redis["broker_url"] == "redis://redis:6379/0"
    assert "broker_transport_options" not in with_redis
    assert with_redis["beat_schedule"]["relay-pending-mail"]["task"] == "mail.relay_pending"


def test_tasks_run_inside_the_flask_apps_context(app: Flask) -> None:
    celery = app.extensions["celery"]

    @celery.task(name="tests.which_app")
    def which_app() -> str:
        from flask import current_app

        return str(current_app.name)

    assert which_app.delay().get() == app.name
