"""The whole way, with real parts: a staff reply in the web app, Redis as the
broker, a Celery worker in its own process (``celery --app helpdesk.worker
worker``, with its beat), and an SMTP server that receives the mail. Then the
broker goes down: the reply is saved, and its mail arrives once Redis is
back; a mail the server refuses for good does not hold up the others; and
the worker outlives a stray message on its queue and the broker's restart.

Needs ``redis-server`` on PATH (CI's machine has it; ``apt-get install
redis-server``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import Redis

from helpdesk import create_app
from helpdesk.extensions import db
from helpdesk.models import Outbox, User
from tests.app_fixtures import app_on_fresh_tables
from tests.auth_client import AuthActions
from tests.helpdesk.factories import make_ticket, make_user, post_form
from tests.servers import HAS_REDIS_SERVER, RedisServer, redis_server, smtp_server, wait_for

pytestmark = pytest.mark.skipif(not HAS_REDIS_SERVER, reason="needs redis-server on PATH")
ROOT = Path(__file__).resolve().parents[2]
EXTERNAL_URL = "http://desk.test"


@pytest.fixture
def stack(database_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Redis, an SMTP server, a worker process and the web app, all on one database."""
    with redis_server(tmp_path) as redis, smtp_server() as (smtp_port, received):
        settings: dict[str, Any] = {
            "CELERY_BROKER_URL": redis.url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_port,
            "EXTERNAL_URL": EXTERNAL_URL,
            # Fast enough for a test: the worker looks for mail every second.
            "MAIL_SEND_EVERY_SECONDS": 1,
        }
        with app_on_fresh_tables(create_app, db, database_url, **settings) as app:
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_")},
                "HELPDESK_DATABASE_URL": database_url,
                **{f"HELPDESK_{name}": str(value) for name, value in settings.items()},
            }
            log = (tmp_path / "worker.log").open("w+")
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "--app",
                    "helpdesk.worker",
                    "worker",
                    "--beat",
                    "--schedule",
                    str(tmp_path / "beat-schedule"),
                    "--pool",
                    "solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    "INFO",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_for(
                    lambda: "ready." in (tmp_path / "worker.log").read_text(), 30, "the worker"
                )
                yield {
                    "app": app,
                    "redis": redis,
                    "received": received,
                    "log": tmp_path / "worker.log",
                    "worker": worker,
                }
            finally:
                worker.terminate()
                worker.wait(timeout=20)
                log.close()


def reply_as_staff(app: Flask, body: str, owner_email: str = "ann@example.com") -> int:
    owner = make_user(app, owner_email)
    if not has_user(app, "staff@example.com"):
        make_user(app, "staff@example.com", is_staff=True)
    ticket = make_ticket(app, owner, title="Printer jams")
    client = app.test_client()
    AuthActions(client).login("staff@example.com")
    page = f"/staff/tickets/{ticket.id}"
    assert post_form(client, f"{page}/replies", {"body": body}, token_page=page).status_code == 302
    return ticket.id


def has_user(app: Flask, email: str) -> bool:
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.email == email)) is not None


def test_a_staff_reply_arrives_as_an_email_through_the_worker(stack: dict[str, Any]) -> None:
    """The reply's outbox row is sent by the Celery worker, through Redis as
    the broker, to the SMTP server, with both parts and the ticket's link."""
    ticket_id = reply_as_staff(stack["app"], "Try the blue lever.")
    received = stack["received"]
    wait_for(lambda: received, 20, f"the mail; worker log:\n{stack['log'].read_text()}")
    [mail] = received
    assert mail["To"] == "ann@example.com"
    assert mail["Subject"] == "New reply: Printer jams"
    assert mail["From"] == "Help desk <helpdesk@example.com>"
    plain = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "Try the blue lever." in plain
    assert f"{EXTERNAL_URL}/tickets/{ticket_id}" in plain
    assert f'href="{EXTERNAL_URL}/tickets/{ticket_id}"' in html


def test_a_reply_saved_while_the_broker_is_down_is_mailed_once_it_is_back(
    stack: dict[str, Any],
) -> None:
    """The request only writes the outbox row, so it succeeds with Redis down;
    the SMTP server gets the mail, once, when the worker can run again."""
    redis: RedisServer = stack["redis"]
    redis.stop()
    reply_as_staff(stack["app"], "Saved while Redis was down.")  # the request succeeds
    assert stack["received"] == []
    redis.start()  # same port: the worker reconnects, and its relay finds the mail
    received = stack["received"]
    wait_for(lambda: received, 40, f"the mail; worker log:\n{stack['log'].read_text()}")
    plain = received[0].get_body(preferencelist=("plain",)).get_content()
    assert "Saved while Redis was down." in plain
    # Once the row says sent, no round sends it again: any second copy would
    # have arrived before that.
    wait_for(lambda: outbox_unsent(stack["app"]) == 0, 20, "the outbox row marked sent")
    assert len(received) == 1


def test_the_worker_rides_out_a_stray_message_and_a_broker_outage(stack: dict[str, Any]) -> None:
    # A mail the SMTP server refuses for good (550), waiting for its retry...
    reply_as_staff(stack["app"], "Nobody reads this.", owner_email="bounce@example.com")
    wait_for(lambda: outbox_attempts(stack["app"]) >= 1, 20, "the first attempt")
    # ...a message on the queue that is not even JSON...
    client = Redis.from_url(stack["redis"].url)
    client.lpush("helpdesk", "not a celery message")
    client.close()
    # ...and the broker gone for a few seconds, then back on the same port.
    stack["redis"].stop()
    time.sleep(3)
    stack["redis"].start()

    reply_as_staff(stack["app"], "Still here.", owner_email="ben@example.com")
    received = stack["received"]
    wait_for(lambda: received, 40, f"the mail; worker log:\n{stack['log'].read_text()}")
    assert [mail["To"] for mail in received] == ["ben@example.com"]
    assert stack["worker"].poll() is None, stack["log"].read_text()[-3000:]


def outbox_attempts(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(db.select(db.func.max(Outbox.attempts))) or 0)


def outbox_unsent(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(db.select(db.func.count()).where(Outbox.sent_at.is_(None))))
