"""Real servers for browser tests, Lighthouse and screenshots: every app of
the repository (its manifest, ``<package>/app.toml``) under gunicorn on a free
port with its own SQLite file, prepared as ``make demo`` prepares it (the
manifest's ``[demo]`` table: its commands, its settings, its mail worker), and
moto's S3 server when an app uses one. What an app's browser tests need
besides, its tests/e2e/<package>/browser.py adds (``environment(workdir)``)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from tests.scripts import script
from tests.servers import free_port, serve

ROOT = Path(__file__).resolve().parents[2]
DEMO = script("demo")
STAFF_EMAIL = "staff@example.com"
PASSWORD = "e2e-password-1"  # a throw-away account in a throw-away database


@dataclass(frozen=True)
class LiveApp:
    name: str
    url: str
    env: dict[str, str]
    # Where the app's Celery worker prints the mail it "sends" (no MAIL_SERVER).
    mail_log: Path | None = None


def register(
    page: Any, base: str, email: str, password: str = PASSWORD, display_name: str = ""
) -> None:
    """A new account through the register form, which also logs it in."""
    page.goto(f"{base}/auth/register")
    page.fill("#email", email)
    if display_name:
        page.fill("#display_name", display_name)
    page.fill("#password", password)
    page.fill("#password_confirm", password)
    page.click("#submit")


def log_in(page: Any, base: str, email: str, password: str = PASSWORD) -> None:
    """Through the login form, as a person would (``page``: a Playwright page)."""
    page.goto(f"{base}/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#submit")


def flask(app: str, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", app, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask --app {app} {' '.join(args)}:\n{result.stdout}{result.stderr}")
    return result.stdout


def demo_app(package: str, s3_port: int = 0) -> Any:
    """``package`` as scripts/demo.py runs it (a DemoApp, from its manifest):
    its settings' prefix, the commands that prepare it, its demo settings
    (S3's on ``s3_port``), whether a mail worker runs beside it."""
    manifest = next(app for app in DEMO.manifests.apps(ROOT) if app.package == package)
    return DEMO.demo_app(manifest, s3_port)


@contextmanager
def s3_server(workdir: Path, port: int) -> Iterator[str]:
    url = f"http://127.0.0.1:{port}"
    log = workdir / "s3.log"
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with serve(command, os.environ, log=log, ready_url=f"{url}/moto-api/"):
        yield url


@contextmanager
def live_app(
    name: str,
    workdir: Path,
    *,
    seed: bool = False,
    extra_env: dict[str, str] | None = None,
    workers: int = 2,
    mail_worker: bool = False,
) -> Iterator[LiveApp]:
    """``name`` prepared as the demo prepares it (migrated, and seeded or given
    a staff account), under gunicorn; with ``mail_worker``, its Celery worker
    beside it, printing the mail."""
    app = demo_app(name)
    prefix = app.prefix
    port = free_port()
    env = {
        **os.environ,
        f"{prefix}_DATABASE_URL": f"sqlite:///{workdir / f'{name}.sqlite3'}",
        f"{prefix}_CELERY_BROKER_FOLDER": str(workdir / f"broker-{name}"),
        f"{prefix}_EXTERNAL_URL": f"http://127.0.0.1:{port}",
        # Mail goes out within a second of being queued.
        f"{prefix}_MAIL_SEND_EVERY_SECONDS": "1",
        # The journeys each register an account, all from 127.0.0.1 within a
        # minute or so: the production limit (5 a minute) would refuse the
        # sixth, depending on the suite's speed. That limit has its own test
        # (tests/shared/test_auth_pages.py::test_registration_is_rate_limited).
        f"{prefix}_AUTH_REGISTER_RATE_LIMIT": "100 per minute",
        **(extra_env or {}),
    }
    env.pop("TEST_DATABASE_URL", None)
    for command in app.prepare:
        if command == ("seed-demo",) and not seed:
            command = ("create-user", STAFF_EMAIL, "--staff", "--password", PASSWORD)
        flask(name, env, *command)
    log = workdir / f"{name}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        f"{name}:create_app()",
    ]
    with ExitStack() as stack:
        url = f"http://127.0.0.1:{port}"
        stack.enter_context(serve(command, env, log=log, ready_url=f"{url}/readyz"))
        mail_log = None
        if mail_worker:
            mail_log = workdir / f"{name}-mail.log"
            worker = [
                sys.executable,
                "-m",
                "celery",
                "--quiet",
                "--app",
                f"{name}.worker",
                "worker",
                "--beat",  # the tick that sends the mail that is due
                "--schedule",
                str(workdir / f"beat-{name}"),
                "--pool",
                "solo",
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ]
            stack.enter_context(serve(worker, env, log=mail_log))
        yield LiveApp(name, url, env, mail_log)


def own_module(package: str) -> ModuleType | None:
    """What the browser tests need to know about an app beyond its manifest,
    if anything: tests/e2e/<package>/browser.py (``environment``, ``UPSTREAM``)."""
    if not (ROOT / "tests" / "e2e" / package / "browser.py").is_file():
        return None
    return importlib.import_module(f"tests.e2e.{package}.browser")


def own_environment(package: str, workdir: Path) -> AbstractContextManager[dict[str, str]]:
    """What runs beside the app for its browser tests, and the settings that
    point it there: its browser.py's ``environment(workdir)``."""
    module = own_module(package)
    if module is None or not hasattr(module, "environment"):
        return nullcontext({})
    environment: AbstractContextManager[dict[str, str]] = module.environment(workdir)
    return environment


@contextmanager
def all_apps(workdir: Path, *, seed: bool = False) -> Iterator[dict[str, LiveApp]]:
    """Every app, by its package: ``servers["<package>"].url``."""
    s3_port = free_port()
    apps = [demo_app(app.package, s3_port) for app in DEMO.manifests.apps(ROOT)]
    with ExitStack() as stack:
        if any(app.uses_s3 for app in apps):
            stack.enter_context(s3_server(workdir, s3_port))
        servers = {}
        for app in apps:
            env = {**app.env, **stack.enter_context(own_environment(app.package, workdir))}
            live = live_app(app.package, workdir, seed=seed, extra_env=env, mail_worker=app.worker)
            servers[app.package] = stack.enter_context(live)
        yield servers
