"""The project's image in a real Docker engine: each app present migrates its
PostgreSQL database, serves under gunicorn as PID 1 and a non-root user,
turns healthy by the image's own HEALTHCHECK, logs one line per request and
stops at once; a stop during a migration ends it at once too. (An app's own
uses of the image, such as its Celery worker, are tested in
tests/docker/<package>/.)

``make test-docker`` prepares the engine and the base image first
(scripts/docker_engine.sh). Containers use the host's network, so they reach
this machine's PostgreSQL and the S3 server the test starts for an app that
keeps files in S3.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import psycopg
import pytest

from tests.docker.image import (
    ROOT,
    answers,
    app_environment,
    container,
    database_url,
    docker,
    fetch,
    in_container,
    run_once,
    wait_for,
)
from tests.docker.seaweedfs import keeps_files_in_s3
from tests.scripts import script
from tests.servers import free_port

APPS = script("apps").apps(ROOT)
# `docker stop --time 10` kills what is still running after 10 s: a container
# that stopped on SIGTERM is done well before (the engine's round trips and a
# busy machine take the rest).
STOPPED_BEFORE_THE_KILL = 8.0


def s3_if_needed(request: pytest.FixtureRequest, package: str) -> Any:
    """The SeaweedFS server, started only for an app that keeps files in S3."""
    return request.getfixturevalue("s3") if keeps_files_in_s3(package) else None


@pytest.mark.parametrize("app", APPS, ids=[app.package for app in APPS])
def test_the_app_migrates_serves_as_pid_1_turns_healthy_and_stops_at_once(
    image: str, fresh_database: str, request: pytest.FixtureRequest, app: Any
) -> None:
    port = free_port()
    stores_files = keeps_files_in_s3(app.package)
    env = app_environment(
        app.package, app.prefix, fresh_database, port, s3_if_needed(request, app.package)
    )
    if stores_files:
        # Arguments after the image run instead of the server, same environment:
        # the app's own command creates its bucket, as compose's one-shot job does.
        created = run_once(image, env, "flask", "--app", app.package, "create-bucket")
        assert created.returncode == 0, created.stdout + created.stderr
        assert "created" in created.stdout

    with container(image, env) as name:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(f"{base}/healthz"), "/healthz never answered", name)

        with psycopg.connect(database_url(fresh_database).replace("+psycopg", "")) as db:
            version = db.execute("SELECT version_num FROM alembic_version").fetchone()
        assert version is not None, "no migration ran"

        status, _, body = fetch(f"{base}/readyz")
        assert status == 200, body
        checks = json.loads(body)["checks"]
        assert checks["database"] == "ok"
        if stores_files:
            assert checks["bucket"] == "ok"

        def healthy() -> bool:
            health = docker("inspect", "--format", "{{.State.Health.Status}}", name).stdout
            return health.strip() == "healthy"

        wait_for(healthy, "the HEALTHCHECK never turned healthy", name, seconds=45)

        pid_1 = in_container(name, "cat", "/proc/1/cmdline").replace("\0", " ")
        assert "gunicorn" in pid_1, pid_1
        uid = in_container(name, "awk", "/^Uid:/ {print $2}", "/proc/1/status").strip()
        assert uid == "10001"
        # `COPY . .` brought the code; .dockerignore kept out what does not run.
        listing = set(in_container(name, "ls", "-A", "/app").split())
        assert {"shared", app.package, "gunicorn.conf.py"} <= listing, listing
        assert not {"tests", "docs", "bench", "compose", ".git", ".venv"} & listing, listing

        request_id = f"smoke-{uuid.uuid4().hex}"
        assert fetch(f"{base}/healthz", {"X-Request-ID": request_id})[0] == 200

        def logged() -> bool:
            logs = docker("logs", name)
            return request_id in logs.stdout + logs.stderr

        # The line travels through the engine's log driver after the answer.
        wait_for(logged, "the request's log line never came", name, seconds=30)
        logs = docker("logs", name)
        lines = [line for line in (logs.stdout + logs.stderr).splitlines() if request_id in line]
        assert len(lines) == 1, lines

        started = time.monotonic()
        stopped = docker("stop", "--time", "10", name)
        assert stopped.returncode == 0
        assert time.monotonic() - started < STOPPED_BEFORE_THE_KILL
        exit_code = docker("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip()
        assert exit_code == "0"
        # In production every line the container wrote, from the migration's
        # to gunicorn's "Shutting down", is one JSON object (docs/operations.md).
        logs = docker("logs", name)
        written = (logs.stdout + logs.stderr).splitlines()
        assert [json.loads(line)["message"] for line in written if "Shutting down" in line]
        assert [line for line in written if not is_json_object(line)] == []


def test_a_stop_during_the_migration_ends_it_at_once(
    image: str, fresh_database: str, request: pytest.FixtureRequest
) -> None:
    # Any app will do: the entrypoint is the same for each.
    app = APPS[0]
    # Hold a lock the migration needs, so it waits as a long migration would.
    plain_url = database_url(fresh_database).replace("+psycopg", "")
    release = threading.Event()
    locked = threading.Event()

    def hold_the_lock() -> None:
        with psycopg.connect(plain_url) as connection:
            connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
            connection.commit()
            connection.execute("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(60)

    holder = threading.Thread(target=hold_the_lock, daemon=True)
    holder.start()
    try:
        assert locked.wait(10)
        s3 = s3_if_needed(request, app.package)
        env = app_environment(app.package, app.prefix, fresh_database, free_port(), s3)
        with container(image, env) as name:

            def migrating() -> bool:
                return "Will assume transactional DDL" in docker("logs", name).stderr

            wait_for(migrating, "the migration never started", name, seconds=30)
            started = time.monotonic()
            assert docker("stop", "--time", "10", name).returncode == 0
            # Without the entrypoint's trap, PID 1 (a shell) ignores SIGTERM
            # and the engine kills it after the full 10 s.
            assert time.monotonic() - started < STOPPED_BEFORE_THE_KILL
            logs = docker("logs", name).stderr
            assert "db upgrade' failed" in logs
    finally:
        release.set()
        holder.join(timeout=10)


def is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
