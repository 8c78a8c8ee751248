"""The project's image in a real Docker engine: each app migrates its
PostgreSQL database, serves under gunicorn as PID 1 and a non-root user,
turns healthy by the image's own HEALTHCHECK, logs one line per request and
stops at once; a stop during a migration ends it at once too; the help
desk's Celery worker, run from the same image, mails a staff reply.

``make test-docker`` prepares the engine and the base image first
(scripts/docker_engine.sh). Containers use the host's network, so they reach
this machine's PostgreSQL and the S3 server the test starts.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from helpdesk import create_app, services
from helpdesk.extensions import db
from helpdesk.models import User
from tests.app_fixtures import save_user
from tests.docker.seaweedfs import S3Server, seaweedfs
from tests.servers import HAS_REDIS_SERVER, free_port, redis_server, smtp_server

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "flask-capstones:test"
APPS = ("helpdesk", "shop_api", "recipes")
SERVER_URL = make_url(
    os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SECRET_KEY = "docker-smoke-test-key-" + "x" * 20
RUN_ID = uuid.uuid4().hex[:8]


def docker(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, check=False, timeout=timeout
    )


def database_url(name: str) -> str:
    return SERVER_URL.set(database=name).render_as_string(hide_password=False)


def admin_connection() -> psycopg.Connection:
    plain = SERVER_URL.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(plain, autocommit=True)


@pytest.fixture(scope="module")
def image() -> str:
    result = docker("build", "--network", "host", "--tag", IMAGE, str(ROOT), timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return IMAGE


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """A database of its own, dropped afterwards (one per app, as in compose)."""
    name = f"capstones_docker_{RUN_ID}_{uuid.uuid4().hex[:6]}"
    with admin_connection() as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin_connection() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with seaweedfs(tmp_path_factory.mktemp("s3")) as server:
        yield server


def app_environment(app: str, database: str, port: int, s3: S3Server | None) -> dict[str, str]:
    prefix = app.upper()
    env = {
        "APP": app,
        "PORT": str(port),
        f"{prefix}_ENV": "production",
        f"{prefix}_EXTERNAL_URL": "http://localhost",
        # 127.0.0.1 is where the test and the image's HEALTHCHECK knock.
        f"{prefix}_TRUSTED_HOSTS": '["127.0.0.1", "localhost"]',
        f"{prefix}_SECRET_KEY": SECRET_KEY,
        f"{prefix}_DATABASE_URL": database_url(database),
    }
    if app == "recipes":
        assert s3 is not None
        env |= {
            "RECIPES_S3_ENDPOINT_URL": s3.url,
            "RECIPES_S3_BUCKET": f"docker-{RUN_ID}",
            "RECIPES_S3_ACCESS_KEY_ID": s3.access_key,
            "RECIPES_S3_SECRET_ACCESS_KEY": s3.secret_key,
        }
    return env


def env_args(env: dict[str, str]) -> list[str]:
    return [arg for name, value in env.items() for arg in ("--env", f"{name}={value}")]


def run_once(image: str, env: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    """``command`` in a throw-away container of the image, with ``env`` (the
    entrypoint runs it instead of the server)."""
    return docker("run", "--rm", "--network", "host", *env_args(env), image, *command)


@contextmanager
def container(image: str, env: dict[str, str], *command: str) -> Iterator[str]:
    name = f"capstones-test-{env['APP']}-{uuid.uuid4().hex[:8]}"
    # The image's own HEALTHCHECK command, asked every 2 s instead of 15 s.
    started = docker(
        "run",
        "--detach",
        "--network",
        "host",
        "--name",
        name,
        "--health-interval",
        "2s",
        *env_args(env),
        image,
        *command,
    )
    assert started.returncode == 0, started.stderr
    try:
        yield name
    finally:
        docker("rm", "--force", name)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 -- our own server
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def wait_for(check, what: str, name: str, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check():
        state = docker("inspect", "--format", "{{.State.Status}}", name).stdout.strip()
        if state == "exited" or time.monotonic() > deadline:
            logs = docker("logs", name)
            pytest.fail(f"{what} (container {state}):\n{logs.stdout[-3000:]}{logs.stderr[-3000:]}")
        time.sleep(0.3)


def answers(url: str) -> bool:
    try:
        return fetch(url)[0] == 200
    except OSError:
        return False


def in_container(name: str, *command: str) -> str:
    result = docker("exec", name, *command)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("app", APPS)
def test_the_app_migrates_serves_as_pid_1_turns_healthy_and_stops_at_once(
    image: str, fresh_database: str, s3: S3Server, app: str
) -> None:
    port = free_port()
    env = app_environment(app, fresh_database, port, s3)
    if app == "recipes":
        # Arguments after the image run instead of the server, same environment.
        created = run_once(
            image,
            env,
            "flask",
            "--app",
            "recipes",
            "create-bucket",
        )
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
        if app == "recipes":
            assert checks["bucket"] == "ok"

        def healthy() -> bool:
            health = docker("inspect", "--format", "{{.State.Health.Status}}", name).stdout
            return health.strip() == "healthy"

        wait_for(healthy, "the HEALTHCHECK never turned healthy", name, seconds=45)

        pid_1 = in_container(name, "cat", "/proc/1/cmdline").replace("\0", " ")
        assert "gunicorn" in pid_1, pid_1
        uid = in_container(name, "awk", "/^Uid:/ {print $2}", "/proc/1/status").strip()
        assert uid == "10001"

        request_id = f"smoke-{uuid.uuid4().hex}"
        assert fetch(f"{base}/healthz", {"X-Request-ID": request_id})[0] == 200
        time.sleep(0.5)
        logs = docker("logs", name)
        lines = [line for line in (logs.stdout + logs.stderr).splitlines() if request_id in line]
        assert len(lines) == 1, lines

        started = time.monotonic()
        stopped = docker("stop", "--time", "10", name)
        assert stopped.returncode == 0
        assert time.monotonic() - started < 5
        exit_code = docker("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip()
        assert exit_code == "0"


def test_a_stop_during_the_migration_ends_it_at_once(
    image: str, fresh_database: str, s3: S3Server
) -> None:
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
        env = app_environment("helpdesk", fresh_database, free_port(), s3)
        with container(image, env) as name:

            def migrating() -> bool:
                return "Will assume transactional DDL" in docker("logs", name).stderr

            wait_for(migrating, "the migration never started", name, seconds=30)
            started = time.monotonic()
            assert docker("stop", "--time", "10", name).returncode == 0
            # Without the entrypoint's trap, PID 1 (a shell) ignores SIGTERM
            # and the engine kills it after the full 10 s.
            assert time.monotonic() - started < 5
            logs = docker("logs", name).stderr
            assert "db upgrade' failed" in logs
    finally:
        release.set()
        holder.join(timeout=10)


@pytest.mark.skipif(not HAS_REDIS_SERVER, reason="needs redis-server on PATH")
def test_the_help_desks_worker_in_the_image_mails_a_staff_reply(
    image: str, fresh_database: str, tmp_path: Path
) -> None:
    """``celery --app helpdesk.worker worker`` and ``beat`` in the image, as
    compose runs them: a reply saved by the web app waits in the outbox, and the
    worker sends it on beat's next tick, through Redis, to an SMTP server."""
    env = app_environment("helpdesk", fresh_database, free_port(), s3=None)
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


def web_engine_dispose(app: object) -> None:
    with app.app_context():  # type: ignore[attr-defined]
        db.engine.dispose()
