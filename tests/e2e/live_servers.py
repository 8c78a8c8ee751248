"""Real servers for browser tests and screenshots: each app under gunicorn on
a free port with its own SQLite file, and moto's S3 server for recipes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.servers import free_port, serve

ROOT = Path(__file__).resolve().parents[2]
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


@contextmanager
def s3_server(workdir: Path) -> Iterator[str]:
    port = free_port()
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
    """``name`` migrated (and seeded), with a staff account, under gunicorn;
    with ``mail_worker``, its Celery worker beside it, printing the mail."""
    prefix = name.upper()
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
    if name == "recipes":
        flask(name, env, "create-bucket")
    flask(name, env, "db", "upgrade")
    if seed:
        flask(name, env, "seed-demo")
    else:
        flask(name, env, "create-user", STAFF_EMAIL, "--staff", "--password", PASSWORD)
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


@contextmanager
def front_end_server(workdir: Path) -> Iterator[str]:
    """A static web front end on its own origin (another port), the one the
    shop API's CORS setting lists; Python's http.server serves its page."""
    folder = workdir / "front-end"
    folder.mkdir()
    (folder / "index.html").write_text(
        '<!doctype html><html lang="en"><title>Shop front end</title>'
        '<link rel="icon" href="data:,">'
    )
    port = free_port()
    log = workdir / "front-end.log"
    command = [
        sys.executable,
        "-m",
        "http.server",
        str(port),
        "--bind",
        "127.0.0.1",
        "--directory",
        str(folder),
    ]
    url = f"http://127.0.0.1:{port}"
    with serve(command, os.environ, log=log, ready_url=f"{url}/"):
        yield url


@contextmanager
def all_apps(workdir: Path, *, seed: bool = False) -> Iterator[dict[str, LiveApp]]:
    with ExitStack() as stack:
        s3 = stack.enter_context(s3_server(workdir))
        front_end = stack.enter_context(front_end_server(workdir))
        recipes_env = {
            "RECIPES_S3_ENDPOINT_URL": s3,
            "RECIPES_S3_BUCKET": "e2e-recipes",
            "RECIPES_S3_ACCESS_KEY_ID": "e2e",
            "RECIPES_S3_SECRET_ACCESS_KEY": "e2e",
        }
        yield {
            "helpdesk": stack.enter_context(
                live_app("helpdesk", workdir, seed=seed, mail_worker=True)
            ),
            "shop_api": stack.enter_context(
                live_app(
                    "shop_api",
                    workdir,
                    seed=seed,
                    extra_env={"SHOP_API_CORS_ORIGINS": f'["{front_end}"]'},
                )
            ),
            "recipes": stack.enter_context(
                live_app("recipes", workdir, seed=seed, extra_env=recipes_env)
            ),
            "front_end": LiveApp("front_end", front_end, {}),
        }
