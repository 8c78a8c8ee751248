"""Celery, set up the way Flask's documentation does it ("Background Tasks
with Celery"): one Celery app per Flask app, made from its config, whose
tasks run inside that Flask app's application context (so they can use
``db.session`` and ``current_app`` like a view).

An app's ``worker.py`` exposes it for the command line::

    celery --app helpdesk.worker worker      # sends mail
    celery --app helpdesk.worker beat        # every minute: relay what is still unsent

The broker is ``<PREFIX>_CELERY_BROKER_URL`` (Redis in compose and CI).
Without it, kombu's filesystem transport in the instance folder (or in
``<PREFIX>_CELERY_BROKER_FOLDER``): web and worker processes on one machine
share it with no server to run (the demo).
"""

from __future__ import annotations

import os
from smtplib import SMTPException
from typing import Any

from celery import Celery, Task, shared_task
from flask import Flask, current_app

# The periodic relay: whatever mail its own task did not send (broker down
# when the request asked, worker restarted) goes out within this many seconds
# (<PREFIX>_CELERY_RELAY_EVERY_SECONDS).
RELAY_EVERY_SECONDS = 60.0


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
    eager = bool(app.config.get("CELERY_TASK_ALWAYS_EAGER", False))
    broker_url = app.config.get("CELERY_BROKER_URL") or ("memory://" if eager else "")
    settings: dict[str, Any] = {
        # The host name means nothing to the filesystem transport, but without
        # one kombu warns "No hostname was supplied" in every worker's log.
        "broker_url": broker_url or "filesystem://localhost/",
        # One queue per app: the three apps may share one Redis, and each
        # worker must take only its own app's mail.
        "task_default_queue": app.name,
        "task_ignore_result": True,
        # A request that cannot reach the broker gives up quickly (the mail
        # waits in the outbox); the worker keeps retrying its connection.
        "broker_connection_timeout": 1,
        "broker_connection_retry_on_startup": True,
        # A task is acknowledged after it ran: a worker killed mid-task
        # leaves it to another (sending twice is bounded by the outbox claim).
        "task_acks_late": True,
        "worker_prefetch_multiplier": 1,
        "beat_schedule": {
            "relay-pending-mail": {
                "task": "mail.relay_pending",
                "schedule": float(
                    app.config.get("CELERY_RELAY_EVERY_SECONDS", RELAY_EVERY_SECONDS)
                ),
            }
        },
        # Tests run tasks in the calling process, at once (CELERY_TASK_ALWAYS_EAGER).
        "task_always_eager": eager,
    }
    if not broker_url:
        folder = app.config.get("CELERY_BROKER_FOLDER") or os.path.join(
            app.instance_path, f"broker-{app.name}"
        )
        os.makedirs(folder, exist_ok=True)
        settings["broker_transport_options"] = {
            "data_folder_in": folder,
            "data_folder_out": folder,
            "control_folder": folder,  # otherwise ./control in whatever folder it runs
        }
    return settings


@shared_task(
    name="mail.send",
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,  # 1 s, 2 s, 4 s, ... with jitter
    retry_backoff_max=600,
    max_retries=8,  # after that, the periodic relay keeps trying
)
def send_mail(message_id: int) -> bool:
    """Send one queued mail (see shared/mail.py)."""
    return bool(current_app.extensions["outbox"].relay(message_id))


@shared_task(name="mail.relay_pending")
def relay_pending() -> int:
    """Send every mail still waiting; how many were sent."""
    outbox = current_app.extensions["outbox"]
    sent = 0
    for message_id in outbox.pending_ids():
        try:
            sent += bool(outbox.relay(message_id))
        except (SMTPException, OSError):
            break  # the server is unwell; the next round tries again
    return sent
