"""The project's image in a real Docker engine: build it, run an app from it
with the settings compose would give (host networking, this machine's
PostgreSQL), and look inside the container."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.docker.seaweedfs import S3Server, keeps_files_in_s3, s3_settings

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "flask-capstones:test"
SERVER_URL = make_url(
    os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SECRET_KEY = "docker-smoke-test-key-" + "x" * 20
RUN_ID = uuid.uuid4().hex[:8]


def docker(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, check=False, timeout=timeout
    )


def build_image() -> str:
    result = docker("build", "--network", "host", "--tag", IMAGE, str(ROOT), timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return IMAGE


def database_url(name: str) -> str:
    return SERVER_URL.set(database=name).render_as_string(hide_password=False)


def admin_connection() -> psycopg.Connection:
    plain = SERVER_URL.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(plain, autocommit=True)


def app_environment(
    package: str, prefix: str, database: str, port: int, s3: S3Server | None
) -> dict[str, str]:
    """What the container of one app is told; an app that keeps files in S3
    also gets ``s3`` and a bucket of its own."""
    env = {
        "APP": package,
        "PORT": str(port),
        f"{prefix}_ENV": "production",
        f"{prefix}_EXTERNAL_URL": "http://localhost",
        # 127.0.0.1 is where the test and the image's HEALTHCHECK knock.
        f"{prefix}_TRUSTED_HOSTS": '["127.0.0.1", "localhost"]',
        f"{prefix}_SECRET_KEY": SECRET_KEY,
        f"{prefix}_DATABASE_URL": database_url(database),
    }
    if keeps_files_in_s3(package):
        assert s3 is not None, f"{package} keeps files in S3: give it a server"
        env |= s3_settings(prefix, s3, bucket=f"docker-{RUN_ID}")
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


def wait_for(check: Callable[[], bool], what: str, name: str, seconds: float = 60) -> None:
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
