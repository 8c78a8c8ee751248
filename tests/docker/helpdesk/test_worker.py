"""The help desk's Celery worker and beat, run from the project's image as
compose/helpdesk.compose.yml runs them: a reply saved by the web app waits in
the outbox, and the worker sends it on beat's next tick, through Redis, to an
SMTP server. (tests/docker/test_image.py checks what every app's container
does; this is the help desk's own use of the image.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from helpdesk import create_app, services
from helpdesk.extensions import db
from helpdesk.models import User
from tests.app_fixtures import save_user
from tests.docker.image import (
    SECRET_KEY,
    app_environment,
    container,
    database_url,
    docker,
    run_once,
    wait_for,
)
from tests.servers import HAS_REDIS_SERVER, free_port, redis_server, smtp_server


@pytest.mark.skipif(not HAS_REDIS_SERVER, reason="needs redis-server on PATH")
def test_the_help_desks_worker_in_the_image_mails_a_staff_reply(
    image: str, fresh_database: str, tmp_path: Path
) -> None:
    env = app_environment("helpdesk", "HELPDESK", fresh_database, free_port(), s3=None)
    migrated = run_once(
        image,
        env,
        "flask",
        "--app",
        "helpdesk",
        "db",
        "upgrade",
    )
    assert migrated.returncode == 0, migrated.stderr
    with redis_server(tmp_path) as redis, smtp_server() as (smtp_port, received):
        mail_settings = {
            "HELPDESK_CELERY_BROKER_URL": redis.url,
            "HELPDESK_MAIL_SERVER": "127.0.0.1",
            "HELPDESK_MAIL_PORT": str(smtp_port),
        }
        # Beat's tick every second instead of five, so the test waits less.
        worker_env = {**env, **mail_settings, "HELPDESK_MAIL_SEND_EVERY_SECONDS": "1"}
        command = (
            "celery",
            "--app",
            "helpdesk.worker",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
        )
        # The schedule file in the container's /tmp, as compose has it.
        schedule = "/tmp/celerybeat-schedule"  # noqa: S108
        beat = ("celery", "--app", "helpdesk.worker", "beat", "--schedule", schedule)
        with (
            container(image, worker_env, *command) as name,
            container(image, worker_env, *beat),
        ):
            wait_for(
                lambda: "ready." in docker("logs", name).stderr + docker("logs", name).stdout,
                "the worker to start",
                name,
            )
            web = create_app(
                {
                    "SQLALCHEMY_DATABASE_URI": database_url(fresh_database),
                    "SECRET_KEY": SECRET_KEY,
                    "EXTERNAL_URL": "http://localhost",
                    **{
                        key.removeprefix("HELPDESK_"): value for key, value in mail_settings.items()
                    },
                }
            )
            owner = save_user(web, db, User, "ann@example.com")
            staff = save_user(web, db, User, "staff@example.com", is_staff=True)
            with web.test_request_context():
                ticket = services.open_ticket(
                    db.session.get(User, owner.id), title="Printer jams", description="Help."
                )
                services.add_reply(ticket, db.session.get(User, staff.id), body="Blue lever.")
                db.session.remove()
            web_engine_dispose(web)
            wait_for(lambda: bool(received), "the mail from the worker container", name, seconds=30)
    [mail] = received
    assert mail["To"] == "ann@example.com"
    assert mail["Subject"] == "New reply: Printer jams"
    assert "Blue lever." in mail.get_body(preferencelist=("plain",)).get_content()


def web_engine_dispose(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()
