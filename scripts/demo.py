"""``make demo``: every app of the repository (each ``<package>/app.toml``,
read by scripts/apps.py) and, when an app needs one, an embedded S3 endpoint,
migrated, seeded and served, with one table of addresses and logins. Ctrl-C, a
plain ``kill`` or closing the terminal stops everything.

What the demo does for each app is in its manifest's ``[demo]`` table: the
page to open, the logins to show, the commands that prepare it, whether a mail
worker runs beside it, whether it needs the S3 endpoint, and its settings.

Ports (override with the variables): each app's manifest ``port``
(<PREFIX>_PORT, the prefix of its settings), S3 5004 (DEMO_S3_PORT).

The terminal: one line per page or API call; static files and 304s (a browser
checking what it has) are left out unless DEMO_LOG_STATIC=true; printed mail
is framed.

Each app runs in one process that migrates, seeds and then serves it (the
same ``flask`` commands as in docs/commands.md, called in that process), the apps
side by side: the apps' imports are paid once each, at the same time.

Data: everything a demo writes lives in one folder, ``instance/demo/``
(DEMO_DATA): an SQLite database per app, the mail queues and a secret key
made for this folder. The apps keep their data between runs (seeding is
idempotent), except an app that uses the embedded S3: moto's server keeps the
files in memory only, so that app's database starts fresh each run and files
and rows stay in step. ``make demo-reset`` (``--reset``) deletes the folder.

One demo per folder: a second ``make demo`` on the same folder refuses,
naming the one that runs, instead of reseeding its data from under it.
"""

from __future__ import annotations

import argparse
import fcntl
import io
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import apps as manifests  # scripts/apps.py, beside this file

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-password"  # noqa: S105 -- the demo accounts' password, printed on purpose
S3_PORT = 5004  # the embedded S3's, unless DEMO_S3_PORT says
# The commands that prepare an app whose manifest names none.
PREPARE = (("db", "upgrade"), ("seed-demo",))
# What the preparing commands print that the terminal shows (the rest only if one fails).
SUMMARY = re.compile(r"(Demo \w+: \d|Bucket )")


@dataclass
class DemoApp:
    package: str
    title: str
    prefix: str  # of its settings, and of its port's variable: <prefix>_PORT
    default_port: int
    path: str
    logins: str
    env: dict[str, str] = field(default_factory=dict)
    prepare: tuple[tuple[str, ...], ...] = PREPARE
    # A Celery worker beside the app sends its mail: with no MAIL_SERVER set,
    # it prints each mail in this terminal (reset links, and ``mail``).
    worker: bool = False
    mail: str = ""
    uses_s3: bool = False
    note: str = ""  # a line under the table

    @property
    def port_variable(self) -> str:
        return f"{self.prefix}_PORT"

    @property
    def port(self) -> int:
        return int(os.environ.get(self.port_variable, self.default_port))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"


def data_folder() -> Path:
    return Path(os.environ.get("DEMO_DATA") or ROOT / "instance" / "demo").resolve()


def s3_port() -> int:
    return int(os.environ.get("DEMO_S3_PORT", S3_PORT))


def demo_apps() -> list[DemoApp]:
    """Every app of the repository, as its manifest's ``[demo]`` table says."""
    return [demo_app(app, s3_port()) for app in manifests.apps(ROOT)]


def demo_app(app: manifests.App, s3_port: int) -> DemoApp:
    demo = app.demo
    return DemoApp(
        app.package,
        app.title,
        app.prefix,
        app.port,
        demo["home"],
        demo["logins"],
        # "{s3_port}" in a value is the embedded S3's port.
        env={name: value.format(s3_port=s3_port) for name, value in demo.get("env", {}).items()},
        prepare=tuple(tuple(command) for command in demo.get("prepare", PREPARE)),
        worker=demo.get("worker", False),
        mail=demo.get("mail", ""),
        uses_s3=demo.get("s3", False),
        note=demo.get("note", ""),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve every app with demo data.")
    parser.add_argument(
        "--reset", action="store_true", help="delete the demo's data (DEMO_DATA) and stop"
    )
    # How the demo starts each app's process (prepare_and_serve), not for people.
    parser.add_argument("--app", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.app:
        return prepare_and_serve(arguments.app)
    data = data_folder()
    data.mkdir(parents=True, exist_ok=True)
    with demo_lock(data) as running:
        if running is not None:
            print(already_running(data, running))
            return 1
        if arguments.reset:
            shutil.rmtree(data)
            print(f"Deleted the demo's data in {shown(data)}; the next `make demo` seeds it anew.")
            return 0
        return serve(data)


def serve(data: Path) -> int:
    secret_key = demo_secret_key(data)
    apps = demo_apps()
    for app in apps:
        app.env.update(app_env(app, data, secret_key))
    uses_s3 = any(app.uses_s3 for app in apps)
    busy = [
        (name, port)
        for name, port in [("S3", s3_port())] * uses_s3 + [(a.title, a.port) for a in apps]
        if not port_is_free(port)
    ]
    if busy:
        print(busy_ports_message(busy, apps))
        return 1

    (data / "demo.lock").write_text(f"{os.getpid()} {apps[0].url}\n")
    processes: list[subprocess.Popen[bytes]] = []
    # Ctrl-C, a plain kill and a closed terminal (SIGHUP) all end in the
    # clean-up below. The children run in sessions of their own, so a closed
    # terminal reaches only this script, which must stop them itself. (SIGINT
    # is set explicitly: a shell starting us in the background ignores it.)
    for number in STOPPING:
        signal.signal(number, stop_once)
    try:
        if uses_s3:
            step(f"Embedded S3 (moto) on port {s3_port()}")
            s3 = spawn(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port())],
                label=None,
            )
            processes.append(s3)
        step(f"{', '.join(app.title for app in apps)}: migrate, seed and serve")
        servers = []
        for app in apps:
            if app.uses_s3:
                # Its files went with the last S3 server: its rows go too.
                (data / f"{app.package}.sqlite3").unlink(missing_ok=True)
                wait_until_up(f"http://127.0.0.1:{s3_port()}/moto-api/", s3)
            command = [sys.executable, str(Path(__file__).resolve()), "--app", app.package]
            servers.append(spawn(command, env=app.env, label=app.package))
            processes.append(servers[-1])
        for app, server in zip(apps, servers, strict=True):
            # Seconds: a first run compiles every module it imports, on a busy machine.
            wait_until_up(f"http://127.0.0.1:{app.port}/healthz", server, seconds=120)
        for app in apps:
            if app.worker:
                processes.append(
                    spawn(worker_command(app, data), env=app.env, label=f"{app.package} mail")
                )

        print_table(apps, data)
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        say("A demo process stopped; stopping the others.")
        return 1
    except KeyboardInterrupt:
        say("\nStopping…")
        return 0
    finally:
        for number in STOPPING:  # however it ends, nothing cuts the clean-up short
            signal.signal(number, signal.SIG_IGN)
        stop(processes)


# What stops the demo: Ctrl-C, a kill, a closed terminal.
STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def stop_once(number: int, _frame: object) -> None:
    """Start the clean-up, once: a second signal while it runs would cut it
    short and leave servers running, with nobody to stop them."""
    for each in STOPPING:
        signal.signal(each, signal.SIG_IGN)
    if number == signal.SIGINT:
        raise KeyboardInterrupt
    sys.exit(0)


# --- one demo per data folder -------------------------------------------------


@contextmanager
def demo_lock(data: Path) -> Iterator[str | None]:
    """Hold the data folder's lock for as long as this demo runs.

    Yields None when the lock is ours, else what the running demo wrote in the
    lock file (its pid and address). The operating system drops the lock when
    the process ends, however it ends, so a crashed demo never blocks the next.
    """
    with (data / "demo.lock").open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            yield lock.read().strip() or "?"
            return
        yield None


def already_running(data: Path, running: str) -> str:
    pid, _, url = running.partition(" ")
    return (
        f"Another demo is running on the data in {shown(data)} (process {pid}"
        f"{', ' + url if url else ''}).\n"
        f"Stop it first (Ctrl-C in its terminal, or `kill {pid}`), or give this one "
        f"its own data and ports, e.g.\n  {other_ports_example(demo_apps())}"
    )


def port_variables(apps: list[DemoApp]) -> dict[str, int]:
    """The variables that choose the demo's ports, with their defaults (S3's
    when an app uses it)."""
    ports = {app.port_variable: app.default_port for app in apps}
    if any(app.uses_s3 for app in apps):
        ports["DEMO_S3_PORT"] = S3_PORT
    return ports


def other_ports_example(apps: list[DemoApp]) -> str:
    """A second demo beside the first: its own data, and each port 1000 up."""
    ports = [f"{name}={port + 1000}" for name, port in port_variables(apps).items()]
    return " ".join(["make demo DEMO_DATA=instance/demo2", *ports])


def demo_secret_key(data: Path) -> str:
    """A random key per data folder, kept there so logins survive a restart.
    Two demos side by side on 127.0.0.1 share cookies (cookies ignore ports):
    with one key, a session from one demo would be accepted by the other."""
    path = data / "secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def app_env(app: DemoApp, data: Path, secret_key: str) -> dict[str, str]:
    prefix = app.prefix
    source = source_url()
    return {
        f"{prefix}_DATABASE_URL": f"sqlite:///{data / f'{app.package}.sqlite3'}",
        f"{prefix}_CELERY_BROKER_FOLDER": str(data / f"broker-{app.package}"),
        # Links in mail lead to this demo's own address.
        f"{prefix}_EXTERNAL_URL": f"http://127.0.0.1:{app.port}",
        # The worker looks for mail to send every second: a reset link shows
        # up in this terminal as soon as it is asked for.
        f"{prefix}_MAIL_SEND_EVERY_SECONDS": "1",
        f"{prefix}_SECRET_KEY": secret_key,
        # One process per app: a cache in its memory sees every change.
        f"{prefix}_CACHE_TYPE": "SimpleCache",
        # Static files and 304s are most of the requests a page makes.
        f"{prefix}_REQUEST_LOG_STATIC": "true" if log_static() else "false",
        # The footer links the code and its README, where this clone came from.
        f"{prefix}_SOURCE_URL": source,
        f"{prefix}_DOCS_URL": f"{source}#readme" if source else "",
        # The login page lists the demo accounts (shared/auth/views.py).
        f"{prefix}_DEMO_LOGINS": app.logins,
        f"{prefix}_DEMO_PASSWORD": PASSWORD,
        # Children write through a pipe to this script: line by line, not in blocks.
        "PYTHONUNBUFFERED": "1",
    }


def source_url(clone: Path = ROOT) -> str:
    """The web address of the repository this clone came from (``origin``), or
    "" when there is none: ``git@github.com:me/fork.git`` and
    ``https://github.com/me/fork.git`` both give ``https://github.com/me/fork``."""
    git = shutil.which("git")
    if git is None:
        return ""
    remote = subprocess.run(
        [git, "config", "--get", "remote.origin.url"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    remote = re.sub(r"^git@([^:/]+):", r"https://\1/", remote).removesuffix(".git")
    return remote if re.fullmatch(r"https://[^\s@]+", remote) else ""


def log_static() -> bool:
    """DEMO_LOG_STATIC=true: the terminal shows static files and 304s too."""
    return os.environ.get("DEMO_LOG_STATIC", "").strip().lower() in {"1", "true", "yes", "on"}


def worker_command(app: DemoApp, data: Path) -> list[str]:
    """The app's Celery worker with its beat built in (sends due mail); the
    broker is a folder in the demo's data (no server), one process (--pool solo)."""
    return [
        sys.executable,
        # Celery warns at length when run as root (a container, CI); not news for a demo.
        "-W",
        "ignore:You're running the worker with superuser privileges",
        "-m",
        "celery",
        "--quiet",
        "--app",
        f"{app.package}.worker",
        "worker",
        "--beat",
        "--schedule",
        str(data / f"celerybeat-{app.package}"),
        "--pool",
        "solo",
        "--loglevel",
        "WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]


def prepare_and_serve(package: str) -> int:
    """One app's process: the commands its manifest's ``prepare`` names
    (``flask db upgrade`` and ``seed-demo`` unless it says otherwise), then
    ``flask run``, called here one after the other. The commands' chatter is
    held back: the terminal gets their summaries, or everything when one fails."""
    from flask.cli import cli  # only this process needs Flask; the demo's own runs without

    app = next(app for app in demo_apps() if app.package == package)
    output = io.StringIO()
    try:
        with redirect_stdout(output), redirect_stderr(output):
            for args in app.prepare:
                cli.main(["--app", package, *args], standalone_mode=False)
    except (Exception, SystemExit):
        say(output.getvalue() + traceback.format_exc())
        say(f"`flask --app {package} {' '.join(args)}` failed.")
        return 1
    for line in output.getvalue().splitlines():
        if SUMMARY.match(line):
            say(line)
    # The app logs each request itself; Werkzeug's own line for it would be
    # dropped here anyway, and is worse than noise: Werkzeug writes it in
    # pieces (colorama, when installed, writes the text between its colour
    # codes one by one), so under concurrent requests the app's lines land
    # inside it and split it. Werkzeug's warnings and errors still show.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    cli.main(["--app", package, "run", "--port", str(app.port), "--no-reload"])
    return 0


# --- the terminal: one line per request, each line named after its app --------

# What the development server and Celery print that the table already says,
# or that repeats the app's own request line.
_NOISE = re.compile(
    r" \* (Serving Flask app|Debug mode|Running on)"
    r"|WARNING: This is a development server"
    r"|Press CTRL\+C to quit"
    r'|\S+ - - \[[^]]+\] "'  # Werkzeug's request line; the app logs its own
    r"|.* INFO GET /healthz "  # this script's own health checks
)
_REQUEST_LINE = re.compile(
    r"\d{4}-\d\d-\d\d (?P<time>\d\d:\d\d:\d\d),\d+ INFO (?P<request>.*?)(?: request_id=\S+)?$"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_PRINTING = threading.Lock()  # see say()
# Celery puts what a task prints through its log: "[date: WARNING/MainProcess] text".
_CELERY_PRINT = re.compile(r"\[\d{4}-\d\d-\d\d [\d:,]+: WARNING/MainProcess\] ?")


def tidy(line: str) -> str | None:
    """``line`` as the demo shows it, or None to drop it."""
    line = _ANSI.sub("", line.rstrip("\n"))
    printed = _CELERY_PRINT.match(line)
    if printed:
        line = line[printed.end() :]
        if not line:
            return None
    if _NOISE.match(line):
        return None
    request = _REQUEST_LINE.match(line)
    if request:
        return f"{request['time']} {request['request']}"
    return line


def say(text: str) -> None:
    """print(), except that a closed terminal (SIGHUP) is not an error. One
    thread at a time: print() writes the text and its newline separately, so
    two apps' lines printed at once could be spliced into one."""
    with _PRINTING, suppress(OSError):
        print(text, flush=True)


def relay(label: str, stream: IO[bytes]) -> None:
    # A mail worker's lines are printed mail: bold on a terminal, to be found
    # among the request lines (not with NO_COLOR set, https://no-color.org).
    bold = label.endswith(" mail") and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    for raw in stream:
        line = tidy(raw.decode(errors="replace"))
        if line is not None:
            say(f"\x1b[1m{label:<13} | {line}\x1b[0m" if bold else f"{label:<13} | {line}")


def spawn(
    command: list[str], *, label: str | None, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start ``command``; its output is shown prefixed with ``label``, or
    dropped when ``label`` is None."""
    # A session of its own: Ctrl-C reaches this script only, which then stops
    # every child in order, instead of each child dying on its own.
    process = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        stdout=subprocess.PIPE if label else subprocess.DEVNULL,
        stderr=subprocess.STDOUT if label else subprocess.DEVNULL,
        start_new_session=True,
    )
    if label and process.stdout is not None:
        # Not a daemon: what a failing child printed last is shown before the demo ends.
        threading.Thread(target=relay, args=(label, process.stdout)).start()
    return process


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


def stop(processes: list[subprocess.Popen[bytes]], seconds: float = 10) -> None:
    """Stop each child and every process it started: a Celery worker's beat is
    a process of its own, and one left running would keep the worker's output
    open, so the demo would never end. Each child leads a process group of its
    own (spawn's new session), so the whole group gets SIGTERM, and SIGKILL
    whatever is left of it after ``seconds``."""
    for process in processes:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + seconds
    for process in processes:
        while _group_alive(process) and time.monotonic() < deadline:
            time.sleep(0.1)
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _group_alive(process: subprocess.Popen[bytes]) -> bool:
    process.poll()  # the child itself, once it has exited, is reaped here
    try:
        os.killpg(process.pid, 0)  # signal 0: is anyone left in the group?
    except ProcessLookupError:
        return False
    return True


# --- busy ports ---------------------------------------------------------------


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the servers do: a port in TIME_WAIT from a previous run is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def busy_ports_message(busy: list[tuple[str, int]], apps: list[DemoApp]) -> str:
    lines = []
    leftovers = False
    for name, port in busy:
        owner = port_owner(port)
        if owner is None:
            lines.append(f"Port {port} ({name}) is in use.")
            continue
        pid, command = owner
        lines.append(f"Port {port} ({name}) is in use by process {pid}: {command}")
        leftovers |= is_demo_process(command)
    if leftovers:
        lines.append(
            "These look like an earlier demo that is still running (a closed terminal "
            "used to leave its servers behind). Stop them with `kill <process>`."
        )
    lines.append(
        f"Or choose other ports with {', '.join(port_variables(apps))}, e.g.\n"
        f"  {other_ports_example(apps)}"
    )
    return "\n".join(lines)


def is_demo_process(command: str) -> bool:
    return any(
        sign in command
        for sign in ("scripts/demo.py", "moto.server", "flask --app", ".worker worker")
    )


def port_owner(port: int) -> tuple[int, str] | None:
    """The process listening on ``port`` and its command line, if this
    system says (Linux: /proc; elsewhere: lsof, when installed)."""
    inodes = _listening_socket_inodes(port)
    if inodes:
        for pid in (int(entry) for entry in os.listdir("/proc") if entry.isdigit()):
            try:
                descriptors = os.listdir(f"/proc/{pid}/fd")
                links = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in descriptors}
            except OSError:
                continue  # gone, or not ours to look at
            if links & {f"socket:[{inode}]" for inode in inodes}:
                return pid, _command_line(pid)
        return None
    lsof, ps = shutil.which("lsof"), shutil.which("ps")
    if lsof and ps:
        found = subprocess.run(
            [lsof, "-nP", f"-iTCP:{port}", "-sTCP:LISTEN", "-t"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        if found:
            pid = int(found[0])
            command = subprocess.run(
                [ps, "-o", "command=", "-p", str(pid)], capture_output=True, text=True, check=False
            ).stdout.strip()
            return pid, command
    return None


def _listening_socket_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(inode)
    return inodes


def _command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)


# --- what the user reads ------------------------------------------------------


def shown(path: Path) -> str:
    """``instance/demo`` for a folder in the repository, else the full path."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def step(text: str) -> None:
    say(f"==> {text}")


def kept(apps: list[DemoApp]) -> str:
    """What the demo keeps between runs: not the data of an app whose files
    are in the embedded S3, which keeps them in memory only."""
    fresh = [app.title for app in apps if app.uses_s3]
    if fresh and len(fresh) == len(apps):  # a fork of such an app
        return "started afresh on every run: the files are in the embedded S3's memory"
    reset = "`make demo-reset` starts afresh"
    if fresh:
        return (
            f"kept between runs, except {' and '.join(fresh)}'s, whose files are in memory; {reset}"
        )
    return f"kept between runs; {reset}"


def print_table(apps: list[DemoApp], data: Path) -> None:
    width = max(len(app.url) for app in apps)
    mail = ", ".join(["password reset links", *(app.mail for app in apps if app.mail)])
    lines = [
        f"\n  {'app':<10}  {'open':<{width}}  logins (password {PASSWORD!r})",
        *(f"  {app.title:<10}  {app.url:<{width}}  {app.logins}" for app in apps),
        "",
        *(f"  {app.note}" for app in apps if app.note),
        *([f"  Mail ({mail}) is printed here, not sent."] if any(a.worker for a in apps) else []),
        f"  Data: {shown(data)} ({kept(apps)}).",
        "  Press Ctrl-C to stop everything.\n",
    ]
    say("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
