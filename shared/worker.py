"""Celery as Flask's documentation sets it up ("Background Tasks with Celery"):
one Celery app per Flask app, whose tasks run in its app context. The broker is
``<PREFIX>_CELERY_BROKER_URL`` (Redis in compose), else kombu's filesystem
transport, which needs no server (the demo), in ``<PREFIX>_CELERY_BROKER_FOLDER``.

A task queued during a request carries the request's id in its message's
headers, and the worker's log lines carry it too (JSON in production, as the
web app's: shared/logs.py)."""

import json
import logging
import os
from typing import Any

from celery import Celery, Task, shared_task
from celery.signals import after_setup_logger, after_setup_task_logger, before_task_publish
from celery.worker.consumer import Consumer
from flask import Flask, current_app

from shared.logs import current_request_id, format_like_the_app


def celery_init_app(app: Flask) -> Celery:
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
    broker_url = app.config.get("CELERY_BROKER_URL")
    every = float(app.config.get("MAIL_SEND_EVERY_SECONDS", 5))
    # A tick no worker took in time expires: the next one does the same work.
    tick = {"task": "mail.send_due", "schedule": every, "options": {"expires": every}}
    settings: dict[str, Any] = {
        # A host name, meaningless to the filesystem transport, stops kombu's warning.
        "broker_url": broker_url or "filesystem://localhost/",
        # One queue per app: the apps may share a Redis, and a worker takes only its own.
        "task_default_queue": app.name,
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
        # Acknowledged after it ran: a task whose worker was killed goes to another.
        "task_acks_late": True,
        "worker_prefetch_multiplier": 1,
        "worker_consumer": f"{__name__}:ResilientConsumer",
        "beat_schedule": {"send-due-mail": tick},
    }
    if not broker_url:
        default_folder = os.path.join(app.instance_path, f"broker-{app.name}")
        folder = app.config.get("CELERY_BROKER_FOLDER") or default_folder
        # control_folder too, or kombu writes ./control wherever the worker runs.
        settings["broker_transport_options"] = dict.fromkeys(
            ("data_folder_in", "data_folder_out", "control_folder"), folder
        )
    return settings


def worker_celery(app: Flask) -> Celery:
    """The Celery app a worker or beat process runs (``APP/worker.py``), with the
    filesystem transport's folder made, if that is the broker."""
    celery: Celery = app.extensions["celery"]
    if folder := celery.conf.broker_transport_options.get("control_folder"):
        os.makedirs(folder, exist_ok=True)
    return celery


class ResilientConsumer(Consumer):
    """Celery's consumer, riding out a message the transport cannot decode: kombu
    parses each envelope outside any task, and Celery stops the whole worker on
    what fails there, so one stray string on the queue would stop all mail. It is
    handled like a lost connection instead: logged, reconnected, carried on."""

    connection_errors: tuple[type[Exception], ...]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connection_errors = (*self.connection_errors, json.JSONDecodeError, UnicodeDecodeError)


@before_task_publish.connect
def carry_request_id(headers: dict[str, Any], **kwargs: Any) -> None:
    """Celery's documented hook for adding to a message's headers as it is sent."""
    if request_id := current_request_id():
        headers["request_id"] = request_id


@after_setup_logger.connect
@after_setup_task_logger.connect
def log_like_the_app(logger: logging.Logger, **kwargs: Any) -> None:
    """Celery replaces the root logger's handlers with its own (the worker's
    stderr); in production they take the app's JSON format. In development
    Celery's own lines, which name the task, are the readable ones."""
    for handler in logger.handlers:
        format_like_the_app(handler)


@shared_task(name="mail.send_due")
def send_due_mail() -> int:
    return int(current_app.extensions["outbox"].send_due())
