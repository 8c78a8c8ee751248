"""``make demo``: all three apps and an embedded S3 endpoint, migrated,
seeded and served, with one table of addresses and logins. Ctrl-C stops
everything.

Ports (override with the variables): help desk 5001 (HELPDESK_PORT), shop
API 5002 (SHOP_API_PORT), recipes 5003 (RECIPES_PORT), S3 5004 (DEMO_S3_PORT).

The embedded S3 (moto's server) keeps objects in memory only, so the demo's
recipe database starts fresh each run as well: photos and rows stay in step.
The help desk and the shop keep their demo data between runs (seeding is
idempotent).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"
PASSWORD = "demo-password"  # noqa: S105 -- the demo accounts' password, printed on purpose


@dataclass
class DemoApp:
    package: str
    title: str
    default_port: int
    path: str
    logins: str
    env: dict[str, str] = field(default_factory=dict)
    prepare: tuple[tuple[str, ...], ...] = (("db", "upgrade"), ("seed-demo",))
    # A Celery worker beside the app sends its mail: with no MAIL_SERVER set,
    # it prints each mail in this terminal (reset links, help desk replies).
    worker: bool = False

    @property
    def port(self) -> int:
        return int(os.environ.get(f"{self.package.upper()}_PORT", self.default_port))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"


def main() -> int:
    s3_port = int(os.environ.get("DEMO_S3_PORT", 5004))
    apps = [
        DemoApp(
            "helpdesk",
            "Help desk",
            5001,
            "/",
            "staff@example.com (staff), ann@example.com, ben@example.com",
            worker=True,
        ),
        DemoApp(
            "shop_api",
            "Shop API",
            5002,
            "/api/docs",
            "staff@example.com (staff), customer@example.com",
        ),
        DemoApp(
            "recipes",
            "Recipes",
            5003,
            "/",
            "staff@example.com (staff), cook@example.com, baker@example.com",
            env=recipes_env(s3_port),
            prepare=(("create-bucket",), ("db", "upgrade"), ("seed-demo",)),
            worker=True,
        ),
    ]
    busy = [
        (name, port)
        for name, port in [("S3", s3_port)] + [(a.title, a.port) for a in apps]
        if not port_is_free(port)
    ]
    for name, port in busy:
        print(
            f"Port {port} ({name}) is in use. Stop what uses it, or choose another port: "
            "HELPDESK_PORT, SHOP_API_PORT, RECIPES_PORT, DEMO_S3_PORT."
        )
    if busy:
        return 1

    processes: list[subprocess.Popen[bytes]] = []
    # Ctrl-C and a plain kill both end in the clean-up below. (SIGINT is set
    # explicitly: a shell starting us in the background would have it ignored.)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        step(f"Embedded S3 (moto) on port {s3_port}")
        processes.append(
            spawn(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)],
                quiet=True,
            )
        )
        wait_until_up(f"http://127.0.0.1:{s3_port}/moto-api/", processes[-1])
        (INSTANCE / "recipes-demo.sqlite3").unlink(missing_ok=True)

        for app in apps:
            step(f"{app.title}: migrate and seed")
            for args in app.prepare:
                run_flask(app, *args)

        for app in apps:
            command = [
                sys.executable,
                "-m",
                "flask",
                "--app",
                app.package,
                "run",
                "--port",
                str(app.port),
                "--no-reload",
            ]
            processes.append(spawn(command, env=app.env))
        for app in apps:
            wait_until_up(f"http://127.0.0.1:{app.port}/healthz", processes[-1])
        for app in apps:
            if app.worker:
                processes.append(spawn(worker_command(app), env=app.env))

        print_table(apps)
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        print("A demo process stopped; stopping the others.")
        return 1
    except KeyboardInterrupt:
        print("\nStopping…")
        return 0
    finally:
        stop(processes)


def worker_command(app: DemoApp) -> list[str]:
    """The app's Celery worker with its periodic relay built in (--beat); the
    broker is a folder in instance/ (no server), one process (--pool solo)."""
    return [
        sys.executable,
        "-m",
        "celery",
        "--quiet",
        "--app",
        f"{app.package}.worker",
        "worker",
        "--beat",
        "--schedule",
        str(INSTANCE / f"celerybeat-{app.package}"),
        "--pool",
        "solo",
        "--loglevel",
        "WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]


def recipes_env(s3_port: int) -> dict[str, str]:
    INSTANCE.mkdir(exist_ok=True)
    return {
        "RECIPES_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
        "RECIPES_S3_BUCKET": "recipes-demo",
        "RECIPES_S3_ACCESS_KEY_ID": "demo",
        "RECIPES_S3_SECRET_ACCESS_KEY": "demo",
        "RECIPES_DATABASE_URL": f"sqlite:///{INSTANCE / 'recipes-demo.sqlite3'}",
    }


def run_flask(app: DemoApp, *args: str) -> None:
    command = [sys.executable, "-m", "flask", "--app", app.package, *args]
    result = subprocess.run(
        command,
        env={**os.environ, **app.env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if result.returncode != 0:
        print(result.stdout + result.stderr)
        raise SystemExit(f"`flask --app {app.package} {' '.join(args)}` failed.")
    for line in result.stdout.splitlines():
        if line.startswith(("Demo", "Bucket")):
            print(f"    {line}")


def spawn(
    command: list[str], *, env: dict[str, str] | None = None, quiet: bool = False
) -> subprocess.Popen[bytes]:
    output = subprocess.DEVNULL if quiet else None
    # A session of its own: Ctrl-C reaches this script only, which then stops
    # every child in order, instead of each child dying on its own.
    return subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        stdout=output,
        stderr=output,
        start_new_session=True,
    )


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url}: the process exited early.")
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 -- our own localhost URL
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s.")


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the servers do: a port in TIME_WAIT from a previous run is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def step(text: str) -> None:
    print(f"==> {text}", flush=True)


def print_table(apps: list[DemoApp]) -> None:
    width = max(len(app.url) for app in apps)
    print(f"\n  {'app':<10}  {'open':<{width}}  logins (password {PASSWORD!r})")
    for app in apps:
        print(f"  {app.title:<10}  {app.url:<{width}}  {app.logins}")
    print("\n  Shop API walk-through with curl: README.md, 'A walk through with curl'.")
    print("  Mail (password reset links, help desk replies) is printed here, not sent.")
    print("  Press Ctrl-C to stop everything.\n", flush=True)


if __name__ == "__main__":
    sys.exit(main())
