"""The mail outbox and its worker (shared/mail.py, shared/worker.py), through
the tiny app: a mail is saved with the change it reports or not at all; the
request never talks to the broker; the worker's round sends each mail once,
prints it when no server is set, retries a failure later with backoff, gives
up after a number of attempts, and never lets one bad row stop the others."""

from __future__ import annotations

import logging
import socket
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shared.clock import utcnow
from shared.config import ConfigurationError
from shared.mail import (
    DEVELOPMENT_URL,
    MAX_ATTEMPTS,
    external_url,
    queue_mail,
    send_due,
    send_message,
)
from shared.worker import celery_settings, send_due_mail, worker_celery
from tests.app_fixtures import send_queued_mail
from tests.servers import free_port
from tests.shared import tiny_app
from tests.shared.tiny_app import Note, Outbox, db


def rows(app: Flask) -> list[Outbox]:
    with app.app_context():
        found = list(db.session.scalars(select(Outbox).order_by(Outbox.id)))
        db.session.expunge_all()
    return found


def queue_directly(app: Flask, **fields: Any) -> None:
    """A row as a request would leave it, with what a test needs changed."""
    with app.test_request_context():
        queue_mail(to="ann@example.com", subject="Hi", template="note", note=Note(text="x"))
        db.session.commit()
        if fields:
            row = db.session.scalars(select(Outbox).order_by(Outbox.id.desc())).first()
            for name, value in fields.items():
                setattr(row, name, value)
            db.session.commit()


def make_due(app: Flask) -> None:
    """As if the row's next attempt had come."""
    with app.app_context():
        for row in db.session.scalars(select(Outbox).where(Outbox.next_attempt_at.is_not(None))):
            row.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()


def test_a_mail_is_saved_with_its_change_and_sent_once_by_the_worker(
    app: Flask, client: FlaskClient
) -> None:
    assert client.post("/notes/mailed", data={"text": "<hi>"}).status_code == 201
    [waiting] = rows(app)
    assert waiting.sent_at is None  # the request only wrote the row
    [mail] = send_queued_mail(app)
    assert (mail.recipients, mail.subject) == (["ann@example.com"], "New note: <hi>")
    assert "<hi>" in mail.body
    assert "&lt;hi&gt;" in mail.html  # the HTML part is escaped like a page
    [row] = rows(app)
    assert row.sent_at is not None
    assert (row.attempts, row.last_error, row.next_attempt_at) == (1, "", None)
    assert send_queued_mail(app) == []  # the next round sends nothing


def test_a_change_rolled_back_takes_its_mail_with_it(app: Flask, client: FlaskClient) -> None:
    assert client.post("/notes/mailed", data={"text": "x", "fail": "1"}).status_code == 409
    assert rows(app) == []
    assert send_queued_mail(app) == []


def test_a_request_never_talks_to_the_broker(
    app_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    down = f"redis://127.0.0.1:{free_port()}/0"
    app = app_factory(CELERY_BROKER_URL=down)

    def broker_call(*args: Any, **kwargs: Any) -> None:
        pytest.fail("the request talked to the broker")

    monkeypatch.setattr(Celery, "send_task", broker_call)
    assert app.test_client().post("/notes/mailed", data={"text": "x"}).status_code == 201
    assert len(send_queued_mail(app)) == 1


def test_without_a_mail_server_the_mail_is_printed(
    app_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    app = app_factory(MAIL_SERVER="")
    app.test_client().post("/notes/mailed", data={"text": "printed please"})
    with app.app_context():
        assert send_due() == 1
    printed = capsys.readouterr().out
    assert "printed here, not sent (no MAIL_SERVER is set)" in printed
    assert "| To: ann@example.com\n" in printed
    assert "| Subject: New note: printed please\n" in printed
    assert rows(app)[0].sent_at is not None


def test_a_printed_mail_is_framed_so_that_it_stands_out_among_log_lines(
    app_factory: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    app = app_factory(MAIL_SERVER="")
    app.test_client().post("/notes/mailed", data={"text": "framed"})
    with app.app_context():
        send_due()
    top, *inside, bottom = capsys.readouterr().out.strip("\n").splitlines()
    assert top.startswith("+== Mail, printed here")
    assert top.endswith("=====")
    assert bottom == "+" + "=" * 71
    assert len(top) == len(bottom)
    # Every line of the mail, its body included, carries the frame's margin.
    assert inside[:3] == ["| To: ann@example.com", "| Subject: New note: framed", "|"]
    assert len(inside) > 3
    assert all(line == "|" or line.startswith("| ") for line in inside)


def test_an_smtp_failure_is_recorded_and_retried_later_with_backoff(app_factory: Any) -> None:
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_SUPPRESS_SEND=False)
    assert app.test_client().post("/notes/mailed", data={"text": "x"}).status_code == 201
    assert send_queued_mail(app) == []
    [row] = rows(app)
    assert (row.attempts, row.sent_at, row.failed_at) == (1, None, None)
    assert row.last_error.startswith("ConnectionRefusedError")
    assert row.next_attempt_at is not None
    assert row.next_attempt_at.replace(tzinfo=None) > utcnow().replace(tzinfo=None)
    assert send_queued_mail(app) == []  # not due yet: the round leaves it alone
    assert rows(app)[0].attempts == 1

    make_due(app)
    send_queued_mail(app)  # the server is still down: the second attempt fails too
    [row] = rows(app)
    assert row.attempts == 2
    assert row.next_attempt_at is not None

    app.extensions["mail"].suppress = True  # the server is back (recorded, not sent)
    make_due(app)
    assert len(send_queued_mail(app)) == 1
    [row] = rows(app)
    assert (row.attempts, row.last_error, row.next_attempt_at) == (3, "", None)


def test_a_stalled_smtp_server_holds_a_send_for_the_mail_timeout_only(app_factory: Any) -> None:
    """A server that accepts connections and never answers (a listening socket
    nobody accepts from: the kernel completes the handshake). Flask-Mail gives
    smtplib no timeout, so without MAIL_TIMEOUT the round would wait for ever."""
    with socket.create_server(("127.0.0.1", 0)) as stalled:
        port = stalled.getsockname()[1]
        settings = {"MAIL_PORT": port, "MAIL_SUPPRESS_SEND": False, "MAIL_TIMEOUT": 0.5}
        app = app_factory(MAIL_SERVER="127.0.0.1", **settings)
        app.test_client().post("/notes/mailed", data={"text": "x"})
        worker_round = threading.Thread(target=send_queued_mail, args=(app,))
        worker_round.start()
        worker_round.join(20)
        assert not worker_round.is_alive(), "the send waited on the stalled server"
    [row] = rows(app)
    assert (row.attempts, row.sent_at) == (1, None)  # a failure, tried again later
    assert row.last_error == "SMTPServerDisconnected: Connection unexpectedly closed: timed out"
    assert socket.getdefaulttimeout() is None  # as it was before the send


class SilentAtGoodbye:
    """An SMTP server that accepts one mail, then never answers QUIT."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self.done = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        connection, _ = self.listener.accept()
        with connection, connection.makefile("rb") as lines:
            connection.sendall(b"220 ready\r\n")
            for line in lines:
                command = line[:4].upper()
                if command == b"QUIT":
                    self.done.wait(20)  # silent: the client's timeout ends it
                    return
                if command == b"DATA":
                    connection.sendall(b"354 go on\r\n")
                    for body_line in lines:
                        if body_line == b".\r\n":
                            break
                    self.accepted += 1
                    connection.sendall(b"250 queued\r\n")
                else:  # EHLO, MAIL FROM, RCPT TO
                    connection.sendall(b"250 ok\r\n")


def test_a_mail_the_server_accepted_is_sent_even_if_its_goodbye_times_out(
    app_factory: Any,
) -> None:
    """Counted as a failure, it would be sent again 30 s later: a second copy."""
    server = SilentAtGoodbye()
    settings = {"MAIL_PORT": server.port, "MAIL_SUPPRESS_SEND": False, "MAIL_TIMEOUT": 0.5}
    app = app_factory(MAIL_SERVER="127.0.0.1", **settings)
    app.test_client().post("/notes/mailed", data={"text": "x"})
    try:
        assert len(send_queued_mail(app)) == 1
    finally:
        server.done.set()
        server.listener.close()
    assert server.accepted == 1
    [row] = rows(app)
    assert (row.attempts, row.last_error, row.next_attempt_at) == (1, "", None)
    assert row.sent_at is not None


def test_the_wait_doubles_after_each_failure_up_to_an_hour(app_factory: Any) -> None:
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_SUPPRESS_SEND=False)
    app.test_client().post("/notes/mailed", data={"text": "x"})
    for wait in [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]:
        make_due(app)
        before = utcnow().replace(tzinfo=None)
        send_queued_mail(app)
        after = utcnow().replace(tzinfo=None)
        [row] = rows(app)
        assert row.next_attempt_at is not None
        # The next attempt is ``wait`` seconds after the failure, which
        # happened between ``before`` and ``after``.
        retry_at = row.next_attempt_at.replace(tzinfo=None)
        assert before + timedelta(seconds=wait) <= retry_at <= after + timedelta(seconds=wait)


def test_a_mail_that_keeps_failing_is_given_up_and_logged(
    app_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_SUPPRESS_SEND=False)
    app.test_client().post("/notes/mailed", data={"text": "x"})
    with caplog.at_level(logging.WARNING, logger="capstones.mail"):
        for _ in range(MAX_ATTEMPTS + 2):
            make_due(app)
            send_queued_mail(app)
    [row] = rows(app)
    assert row.attempts == MAX_ATTEMPTS
    assert row.failed_at is not None
    assert row.next_attempt_at is None  # never picked again
    assert f"given up after {MAX_ATTEMPTS} attempts" in caplog.text


def test_one_mail_that_cannot_be_sent_does_not_hold_up_the_others(app: Flask) -> None:
    # A header Flask-Mail refuses (BadHeaderError), then a good mail.
    queue_directly(app, recipient="ann@example.com\nBcc: everyone@example.com")
    queue_directly(app)
    [mail] = send_queued_mail(app)
    assert mail.recipients == ["ann@example.com"]
    bad, good = rows(app)
    assert bad.sent_at is None
    assert bad.last_error.startswith("BadHeaderError")
    assert good.sent_at is not None


def test_a_row_another_worker_claimed_is_not_sent_twice(app: Flask) -> None:
    queue_directly(app)
    with app.app_context():
        [message_id] = db.session.scalars(select(Outbox.id)).all()
        # Both workers read the row as due for its first attempt; one claims it.
        assert send_message(message_id, attempt=1) is True
    with app.app_context(), app.extensions["mail"].record_messages() as sent:
        assert send_message(message_id, attempt=1) is False
    assert sent == []


def test_a_row_whose_sender_died_is_sent_on_the_next_attempt(app: Flask) -> None:
    queue_directly(app)
    with app.app_context():
        db.session.execute(  # claimed for attempt 1, then the worker was killed
            db.update(Outbox).values(attempts=1, next_attempt_at=utcnow() + timedelta(seconds=30))
        )
        db.session.commit()
    assert send_queued_mail(app) == []  # its claim still holds
    make_due(app)
    assert len(send_queued_mail(app)) == 1
    assert rows(app)[0].attempts == 2


@pytest.mark.parametrize(
    "subject",
    [
        "Printer\r\nBcc: everyone@example.com",
        "Printer\x0bReply-To: evil@example.com",
        "Printer\x0cX-Priority: 1",
        "Printer\x1c\x1d\x1eX-Mailer: forged",
        "Printer\u2028\u2029X-Forged: 1",
        "Printer\x85X-Forged: 1",
    ],
)
def test_a_subject_is_always_one_line(app: Flask, subject: str) -> None:
    with app.test_request_context():
        queue_mail(to="ann@example.com", subject=subject, template="note", note=Note(text="x"))
        db.session.commit()
    [mail] = send_queued_mail(app)
    assert mail.subject.startswith("Printer ")
    assert mail.subject.splitlines() == [mail.subject]  # Python's own idea of a line
    with app.app_context():
        headers = mail.as_bytes().split(b"\n\n", 1)[0].decode()
    assert "\nBcc:" not in headers
    assert "\nReply-To:" not in headers
    assert "\nX-" not in headers  # no forged X- headers either


def test_links_in_mail_use_the_external_url_never_the_host_header(app_factory: Any) -> None:
    app = app_factory(EXTERNAL_URL="https://tiny.example.com/")
    with app.app_context():
        assert external_url("private") == "https://tiny.example.com/private"
    plain = app_factory(EXTERNAL_URL="")
    with plain.test_request_context(base_url="http://evil.example.com"):
        assert external_url("private") == f"{DEVELOPMENT_URL}/private"


def test_mail_without_an_external_url_is_called_out_at_start_up(
    app_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        app_factory(MAIL_SERVER="smtp.example.com", EXTERNAL_URL="")
    assert "TINY_EXTERNAL_URL is not" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        app_factory(MAIL_SERVER="smtp.example.com", EXTERNAL_URL="https://tiny.example.com")
    assert "EXTERNAL_URL" not in caplog.text


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


def test_a_worker_runs_two_processes_whatever_the_machines_cpus(app_factory: Any) -> None:
    # Celery's default is os.cpu_count(): a 16-core node's, in a pod allowed half a CPU.
    assert app_factory().extensions["celery"].conf.worker_concurrency == 2
    assert app_factory(WORKER_CONCURRENCY=4).extensions["celery"].conf.worker_concurrency == 4


def test_each_app_has_its_own_queue_and_without_a_broker_a_folder(
    app_factory: Any, tmp_path: Path
) -> None:
    app = app_factory()
    settings = celery_settings(app)
    assert settings["task_default_queue"] == "tests.shared.tiny_app"
    assert settings["broker_url"] == "filesystem://localhost/"
    options = settings["broker_transport_options"]
    folder = Path(options["data_folder_in"])
    assert not folder.exists()  # the web app writes no file of the worker's...
    assert worker_celery(app) is app.extensions["celery"]
    assert folder.is_dir()  # ...the worker makes its folder
    assert options["data_folder_out"] == options["control_folder"] == str(folder)
    assert folder.is_relative_to(tmp_path)
    elsewhere = celery_settings(app_factory(CELERY_BROKER_FOLDER=str(tmp_path / "mine")))
    assert elsewhere["broker_transport_options"]["data_folder_in"] == str(tmp_path / "mine")
    with_redis = celery_settings(app_factory(CELERY_BROKER_URL="redis://redis:6379/0"))
    assert with_redis["broker_url"] == "redis://redis:6379/0"
    assert "broker_transport_options" not in with_redis
    tick = with_redis["beat_schedule"]["send-due-mail"]
    assert tick["task"] == "mail.send_due"
    assert tick["schedule"] == tick["options"]["expires"] == 5.0


def test_the_task_sends_the_due_mail_inside_the_flask_apps_context(
    app: Flask, client: FlaskClient
) -> None:
    """The Celery task made by ``celery_init_app`` runs inside
    ``app.app_context()``, so it reads the outbox with ``db.session`` and sends
    with Flask-Mail; run here in this process with ``apply()``."""
    client.post("/notes/mailed", data={"text": "x"})
    with app.extensions["mail"].record_messages() as sent:
        assert send_due_mail.apply().get() == 1
    assert len(sent) == 1
