"""An orchestrator restarts a process whose ``/healthz`` fails (it does not answer)
and sends no traffic to one whose ``/readyz`` fails (what it depends on does not);
``/readyz`` names the failing check, never a connection string or a traceback.
The rate limits' Redis is checked too, but a process answers on without it:
then ``/readyz`` is 200, ``degraded``, as a 503 would take every process out of
service at once for what is a shortcut."""

import time
from collections.abc import Callable, Mapping

from flask import Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from flask_sqlalchemy import SQLAlchemy
from limits.storage import storage_from_string
from sqlalchemy import text

Check = Callable[[], None]  # returns when all is well, raises when not


def register_health_checks(
    app: Flask, *, db: SQLAlchemy, checks: Mapping[str, Check] | None = None
) -> None:
    def database() -> None:
        db.session.execute(text("SELECT 1"))

    all_checks: dict[str, Check] = {"database": database, **(checks or {})}
    storage_uri = app.config["RATELIMIT_STORAGE_URI"]
    if not storage_uri.startswith("memory://"):
        # Logins still work while it is down (in-memory fallback), but the
        # limits then count per process: an operator must hear of it.
        storage = storage_from_string(
            storage_uri, **app.config.get("RATELIMIT_STORAGE_OPTIONS", {})
        )

        def rate_limit_storage() -> None:
            if not storage.check():
                raise ConnectionError("the rate-limit storage does not answer")

        name = "redis" if storage_uri.startswith("redis") else "rate_limit_storage"
        all_checks[name] = rate_limit_storage
        degrading = {name}
    else:
        degrading = set()

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return jsonify(status="ok")

    checked_at = float("-inf")
    results: dict[str, str] = {}

    @app.get("/readyz")
    def readyz() -> ResponseReturnValue:
        # Anyone may call it, and a stalled dependency makes it slow: one answer per
        # process serves all callers for a few seconds, so a flood cannot tie up the workers.
        nonlocal checked_at, results
        if time.monotonic() - checked_at >= current_app.config.get("READINESS_CACHE_SECONDS", 5):
            results = {}
            for name, check in all_checks.items():
                try:
                    check()
                    results[name] = "ok"
                except Exception as exc:
                    db.session.rollback()
                    current_app.logger.warning("readiness check %r failed: %r", name, exc)
                    results[name] = f"failed: {type(exc).__name__}"
            checked_at = time.monotonic()
        failing = sorted(name for name, result in results.items() if result != "ok")
        if down := [name for name in failing if name not in degrading]:
            return jsonify(status="unavailable", failing=down, checks=results), 503
        if failing:
            return jsonify(status="degraded", degraded=failing, checks=results)
        return jsonify(status="ok", checks=results)
