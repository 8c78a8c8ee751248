"""gunicorn settings for every app: ``gunicorn -c gunicorn.conf.py '<package>:create_app()'``.

Everything comes from the environment so one image serves every app.
"""

import glob
import os
import tomllib
from pathlib import Path
from typing import Any

from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Processes; each is single-threaded (sync worker), so this is how many
# requests run at once. Rule of thumb: 2 x CPU cores + 1.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Restart a worker now and then, so a slow leak never takes a process down.
# Rarely: a restart costs the worker a second of importing the app, which at
# 2,000 requests cost a busy server a third of its throughput (make bench).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10

# One line per request, not two: the app writes it (method, path, status,
# duration, request id; shared/request_logging.py), so gunicorn's own access
# log is off unless GUNICORN_ACCESS_LOG names a file or "-" (stdout).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s request_id=%({x-request-id}o)s'
# Which proxies may set X-Forwarded-For / -Proto for gunicorn itself.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def app_logs_json() -> bool:
    """Whether the app writes JSON lines (shared/logs.py: <PREFIX>_LOG_FORMAT,
    else JSON in production). APP names the app; its app.toml, its prefix."""
    manifest = Path(os.environ.get("APP", "-"), "app.toml")
    if not manifest.is_file():
        return False
    prefix = tomllib.loads(manifest.read_text())["prefix"]
    chosen = os.environ.get(f"{prefix}_LOG_FORMAT", "").strip().lower()
    return chosen == "json" or (not chosen and os.environ.get(f"{prefix}_ENV") == "production")


# gunicorn's own lines (its start, a worker's boot, exit or timeout) in the
# app's format, so a log collector reads one JSON object per line: gunicorn's
# documented logconfig_dict with python-json-logger's formatter, as the app's.
if app_logs_json():
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "{levelname}{name}{message}",
                "style": "{",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": True,
            }
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "WARNING", "handlers": []},  # the app adds its own (shared/logs.py)
        # The access log only when GUNICORN_ACCESS_LOG asks for it (above): a
        # configured gunicorn.access logger would write it anyway.
        "loggers": {
            name: {"level": "INFO", "handlers": ["stderr"], "propagate": False}
            for name in ("gunicorn.error", *(["gunicorn.access"] if accesslog else []))
        },
    }

# Metrics (shared/metrics.py): with PROMETHEUS_MULTIPROC_DIR set (the image sets
# it), each worker writes its values to a file there and /metrics adds them up.
# The folder starts empty, so a restart does not count the last run again; a
# worker that exits keeps its counts in the sum, and its live gauges go.
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(server: object) -> None:
    if PROMETHEUS_MULTIPROC_DIR:
        os.makedirs(PROMETHEUS_MULTIPROC_DIR, exist_ok=True)
        for stale in glob.glob(os.path.join(PROMETHEUS_MULTIPROC_DIR, "*.db")):
            os.remove(stale)


def child_exit(server: object, worker: Any) -> None:
    if PROMETHEUS_MULTIPROC_DIR:
        GunicornInternalPrometheusMetrics.mark_process_dead_on_child_exit(worker.pid)
