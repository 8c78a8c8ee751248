"""``/healthz`` (the process answers) and ``/readyz`` (its dependencies answer).

A load balancer or compose restarts a process whose ``/healthz`` fails, and
stops sending traffic to one whose ``/readyz`` fails, so ``/readyz`` names
the check that failed, without leaking connection strings or tracebacks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from flask import Blueprint, Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from flask_sqlalchemy import SQLAlchemy
from limits.storage import storage_from_string
from sqlalchemy import text

# A check returns when all is well and raises when it is not.
Check = Callable[[], None]


def register_health_checks(
    app: Flask, *, db: SQLAlchemy, checks: Mapping[str, Check] | None = None
) -> None:
    def database() -> None:
        db.session.execute(text("SELECT 1"))

    all_checks: dict[str, Check] = {"database": database, **(checks or {})}
    storage_uri = str(app.config.get("RATELIMIT_STORAGE_URI", "memory://"))
    if not storage_uri.startswith("memory://"):
        # Logins still work when it is down (in-memory fallback), but the
        # limits then count per process: an operator must hear of it.
        name = "redis" if storage_uri.startswith(("redis", "rediss")) else "rate_limit_storage"
        all_checks[name] = _storage_check(storage_uri)
    bp = Blueprint("health", __name__)

    @bp.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return jsonify(status="ok")

    cache: dict[str, tuple[float, dict[str, str]]] = {}

    def run_checks() -> dict[str, str]:
        results: dict[str, str] = {}
        for name, check in all_checks.items():
            try:
                check()
            except Exception as exc:
                db.session.rollback()
                current_app.logger.warning("readiness check %r failed: %r", name, exc)
                results[name] = f"failed: {type(exc).__name__}"
            else:
                results[name] = "ok"
        return results

    @bp.get("/readyz")
    def readyz() -> ResponseReturnValue:
        # Anyone may call /readyz, and a stalled dependency makes a check
        # slow: one answer per process serves every caller for a few seconds,
        # so a flood of calls cannot tie up the workers.
        ttl = float(current_app.config.get("READINESS_CACHE_SECONDS", 5))
        now = time.monotonic()
        cached = cache.get("results")
        if cached is not None and now - cached[0] < ttl:
            results = cached[1]
        else:
            results = run_checks()
            cache["results"] = (time.monotonic(), results)
        failing = sorted(name for name, result in results.items() if result != "ok")
        if failing:
            return jsonify(status="unavailable", failing=failing, checks=results), 503
        return jsonify(status="ok", checks=results)

    app.register_blueprint(bp)


def _storage_check(uri: str) -> Check:
    storage = storage_from_string(uri)

    def check() -> None:
        if not storage.check():
            raise ConnectionError("the rate-limit storage does not answer")

    return check
