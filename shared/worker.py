"""Celery, set up the way Flask's documentation does it ("Background Tasks
with Celery"): one Celery app per Flask app, made from its config, whose
tasks run inside that Flask app's application context (so they can use
``db.session`` and ``current_app`` like a view).

An app's ``worker.py`` exposes it for the command line::

    celery --app helpdesk.worker worker      # runs the tasks
    celery --app helpdesk.worker beat        # every few seconds: "send the mail that is due"

The one task is ``send_due_mail`` (shared/mail.py): requests never queue a
task themselves, so they never wait for the broker. The broker is
``<PREFIX>_CELERY_BROKER_URL`` (Redis in compose and CI). Without it,
kombu's filesystem transport in the instance folder (or in
``<PREFIX>_CELERY_BROKER_FOLDER``): web and worker processes on one machine
share it with no server to run (the demo).
"""

from __future__ import annotations

import json
import os
from typing import Any

from celery import Celery, Task, shared_task
from celery.worker.consumer import Consumer
from flask import Flask, current_app

# How often the worker looks for mail to send (<PREFIX>_MAIL_SEND_EVERY_SECONDS).
SEND_EVERY_SECONDS = 5.0


def celery_init_app(app: Flask) -> Celery:
    """The app's Celery app, in ``app.extensions["celery"]``; every task runs
    inside ``app.app_context()``, as a view would."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_settings(app))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def celery_settings(app: Flask) -> dict[str, Any]:
    broker_url = app.config.get("CELERY_BROKER_URL") or ""
    every = float(app.config.get("MAIL_SEND_EVERY_SECONDS", SEND_EVERY_SECONDS))
    settings: dict[str, Any] = {
        # The host name means nothing to the filesystem transport, but without
        # one kombu warns "No hostname was supplied" in every worker's log.
        "broker_url": broker_url or "filesystem://localhost/",
        # One queue per app: the three apps may share one Redis, and each
        # worker must take only its own app's tasks.
        "task_default_queue": app.name,
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
        # A task is acknowledged after it ran: a worker killed mid-task
        # leaves it to another.
        "task_acks_late": True,
        "worker_prefetch_multiplier": 1,
        "worker_consumer": f"{__name__}:ResilientConsumer",
        "beat_schedule": {
            "send-due-mail": {
                "task": "mail.send_due",
                "schedule": every,
                # A tick the worker could not take in time (it was down) is
                # dropped, not piled up: the next one does the same work.
                "options": {"expires": every},
            }
        },
    }
    if not broker_url:
        folder = broker_folder(app)
        settings["broker_transport_options"] = {
            "data_folder_in": folder,
            "data_folder_out": folder,
            "control_folder": folder,  # otherwise ./control in whatever folder it runs
        }
    return settings


def broker_folder(app: Flask) -> str:
    """Where the filesystem transport keeps messages (no broker URL set)."""
    return str(
        app.config.get("CELERY_BROKER_FOLDER")
        or os.path.join(app.instance_path, f"broker-{app.name}")
    )


def worker_celery(app: Flask) -> Celery:
    """The Celery app a worker or beat process runs (``APP/worker.py``),
    with the filesystem transport's folder made, if that is the broker."""
    if not app.config.get("CELERY_BROKER_URL"):
        os.makedirs(broker_folder(app), exist_ok=True)
    celery: Celery = app.extensions["celery"]
    return celery


class ResilientConsumer(Consumer):
    """Celery's consumer (``worker_consumer``), which also rides out a message
    the broker's transport cannot even decode.

    kombu's Redis transport parses each message's envelope as JSON outside
    any task, and Celery counts what fails there as an "Unrecoverable error"
    that stops the whole worker: one stray string pushed on the queue would
    stop all mail. Here such an error is handled like a lost connection,
    which Celery already knows how to do: log it, reconnect, carry on. The
    stray message is gone by then (taken off the queue as it was read).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        transport_errors: tuple[type[Exception], ...] = getattr(self, "connection_errors")  # noqa: B009 -- untyped in Celery
        self.connection_errors = (*transport_errors, json.JSONDecodeError, UnicodeDecodeError)


@shared_task(name="mail.send_due")
def send_due_mail() -> int:
    """Send the mail that is due (shared/mail.py); how many were sent."""
    return int(current_app.extensions["outbox"].send_due())
