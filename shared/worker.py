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
from functools import partial
from pathlib import Path
from typing import Any

from celery import Celery, Task, shared_task, signals
from celery.worker.consumer import Consumer
from flask import Flask
from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess, start_http_server

from shared.logs import current_request_id, format_like_the_app
from shared.mail import send_due


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
        # Celery's default is a process per CPU of the machine, not of the
        # container's share: 16 on a 16-core node, in a pod allowed half a CPU.
        "worker_concurrency": int(app.config["WORKER_CONCURRENCY"]),
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
    port = int(app.config["WORKER_METRICS_PORT"])
    if port and "PROMETHEUS_MULTIPROC_DIR" in os.environ:  # why both: the end of this file
        signals.worker_init.connect(partial(serve_worker_metrics, port), weak=False)
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


@signals.before_task_publish.connect
def carry_request_id(headers: dict[str, Any], **kwargs: Any) -> None:
    """Celery's documented hook for adding to a message's headers as it is sent."""
    if request_id := current_request_id():
        headers["request_id"] = request_id


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def log_like_the_app(logger: logging.Logger, **kwargs: Any) -> None:
    """Celery replaces the root logger's handlers with its own (the worker's
    stderr); in production they take the app's JSON format. In development
    Celery's own lines, which name the task, are the readable ones."""
    for handler in logger.handlers:
        format_like_the_app(handler)


@shared_task(name="mail.send_due")
def send_due_mail() -> int:
    return send_due()


# --- Celery's own metrics, served by the worker on WORKER_METRICS_PORT ---------
#
# With the prefork pool (Celery's default) a task runs in a child process, and a
# child's counters are its own: the main process, which serves /metrics, would
# see none of them. prometheus_client's multiprocess mode is the fix: every
# process writes its values into PROMETHEUS_MULTIPROC_DIR and the server adds
# them up. So the worker serves metrics only when that folder is set (the image
# sets it); without it (``make demo``'s worker) it serves none rather than wrong ones.

TASKS = Counter(
    "celery_tasks_total",
    "Tasks by name and what happened: received, succeeded, failed, retried",
    ["app", "task", "state"],
)
TASK_RUNTIME = Histogram(
    "celery_task_runtime_seconds", "How long the tasks that succeeded ran", ["app", "task"]
)


def serve_worker_metrics(port: int, sender: Any = None, **_kwargs: Any) -> None:
    """On ``worker_init``, in the main process before the pool starts: empty the
    folder (a restarted container keeps the last run's files) and serve it."""
    for stale in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
        stale.unlink()
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    start_http_server(port, registry=registry)


@signals.task_received.connect
def count_received(sender: Any = None, request: Any = None, **_kwargs: Any) -> None:
    TASKS.labels(app=sender.app.main, task=request.task_name, state="received").inc()


@signals.task_success.connect
def count_succeeded(sender: Any = None, runtime: float = 0.0, **_kwargs: Any) -> None:
    TASKS.labels(app=sender.app.main, task=sender.name, state="succeeded").inc()
    TASK_RUNTIME.labels(app=sender.app.main, task=sender.name).observe(runtime)


@signals.task_failure.connect
def count_failed(sender: Any = None, **_kwargs: Any) -> None:
    TASKS.labels(app=sender.app.main, task=sender.name, state="failed").inc()


@signals.task_retry.connect
def count_retried(sender: Any = None, **_kwargs: Any) -> None:
    TASKS.labels(app=sender.app.main, task=sender.name, state="retried").inc()
