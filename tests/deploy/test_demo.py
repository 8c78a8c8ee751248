"""``make demo`` (scripts/demo.py): every endpoint comes up healthy and
seeded, with one line per request named after its app (static files and 304s
left out unless DEMO_LOG_STATIC=true) and printed mail framed; Ctrl-C and a
closed terminal leave nothing behind; a second demo on the same data refuses
and leaves the first intact; a busy port is reported with the process holding
it; an app that cannot be prepared says why. The development server it runs
serves a thread per request; its debugger and reloader need ``--debug``.

The apps are the ones the demo finds (their manifests); what only one app's
demo shows is checked by tests/deploy/<package>/demo.py, which these tests
call with the running demo."""

from __future__ import annotations

import importlib
import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, suppress
from pathlib import Path
from types import ModuleType
from typing import Any

import flask.cli
import pytest
import requests
import werkzeug.serving
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo, run_command

from tests.scripts import script
from tests.servers import free_port, free_ports, serve, wait_for

ROOT = Path(__file__).resolve().parents[2]
DEMO = script("demo")
APPS = DEMO.demo_apps()


def free_demo_ports() -> dict[str, int]:
    """A free port for each of the demo's port variables (<PREFIX>_PORT, DEMO_S3_PORT)."""
    names = list(DEMO.port_variables(APPS))
    return dict(zip(names, free_ports(len(names)), strict=True))


def base_url(app: Any, ports: dict[str, int]) -> str:
    """Where the demo serves ``app`` (a DemoApp) on ``ports``."""
    return f"http://127.0.0.1:{ports[app.port_variable]}"


def own_checks(package: str) -> ModuleType | None:
    """What only this app's demo shows: tests/deploy/<package>/demo.py."""
    if not (ROOT / "tests" / "deploy" / package / "demo.py").is_file():
        return None
    return importlib.import_module(f"tests.deploy.{package}.demo")


def demo_env(ports: dict[str, int], data: Path) -> dict[str, str]:
    return {**os.environ, "DEMO_DATA": str(data), **{k: str(v) for k, v in ports.items()}}


def start_demo(ports: dict[str, int], data: Path, log: Path) -> subprocess.Popen[bytes]:
    """The demo as a terminal runs it: its own process group, which a closed
    terminal sends SIGHUP. Returns once the address table is printed."""
    with log.open("w") as output:
        demo = subprocess.Popen(
            [sys.executable, "scripts/demo.py"],
            cwd=ROOT,
            env=demo_env(ports, data),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 120
    while "Press Ctrl-C" not in log.read_text():
        assert demo.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the demo did not come up in time"
        time.sleep(0.5)
    return demo


def children_of(pid: int) -> set[int]:
    children = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (command) state ppid ...: the command may hold spaces.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.add(int(entry.name))
    return children


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def answers(url: str) -> int:
    # A first /readyz may build a client and ask the embedded S3: time enough
    # on a busy machine.
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
        return int(response.status)


def test_demo_serves_everything_and_stops_cleanly(tmp_path: Path) -> None:
    ports = free_demo_ports()
    log = tmp_path / "demo.log"
    demo = start_demo(ports, tmp_path / "data", log)
    try:
        output = log.read_text()
        for app in APPS:
            assert answers(f"{base_url(app, ports)}/readyz") == 200
            assert f"{base_url(app, ports)}/" in output
            assert app.logins in output  # "staff@example.com (staff), ..."
        assert "demo-password" in output
        # What it keeps between runs: not an app's whose files are in moto's memory
        # (what that line says: test_the_data_line_says_what_a_run_keeps).
        assert f"Data: {tmp_path / 'data'} ({DEMO.kept(DEMO.demo_apps())})." in output
        # Everything the demo writes is in its data folder.
        assert {f"{app.package}.sqlite3" for app in APPS} <= {
            path.name for path in (tmp_path / "data").iterdir()
        }
        # What each app's demo shows of its own (its login page, its mail...).
        for app in APPS:
            if checks := own_checks(app.package):
                checks.check_serving(base_url(app, ports), log)
        # Requests at once still give whole lines (Werkzeug's own line, which
        # it writes in pieces, once let the app's lines split it).
        missing = [f"{base_url(app, ports)}/no-such-page" for app in APPS] * 30
        with ThreadPoolExecutor(8) as pool:
            assert {answer.status_code for answer in pool.map(requests.get, missing)} == {404}
        # One line per request, named after its app (waited for: they are
        # relayed after the answers); none of the development server's own
        # lines, warnings or banners.
        burst = r"^(\w+) +\| \d\d:\d\d:\d\d GET /no-such-page 404 "
        wait_for(lambda: len(re.findall(burst, log.read_text(), re.M)) == len(missing), 30, burst)
        output = log.read_text()
        assert Counter(re.findall(burst, output, re.M)) == {app.package: 30 for app in APPS}
        assert "/static/" not in output
        for noise in ("HTTP/1.1", "development server", "CTRL+C", "No hostname"):
            assert noise not in output
    finally:
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=30) == 0
    for port in ports.values():
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))  # nothing is left listening


def run_demo(ports: dict[str, int], data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "scripts/demo.py", *args],
        cwd=ROOT,
        env=demo_env(ports, data),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_second_demo_refuses_and_a_closed_terminal_stops_everything(tmp_path: Path) -> None:
    ports, data = free_demo_ports(), tmp_path / "data"
    demo = start_demo(ports, data, tmp_path / "demo.log")
    children = children_of(demo.pid)
    databases = {app.package: (data / f"{app.package}.sqlite3").stat() for app in APPS}
    # What the seeding shows, for the apps that say how to count it.
    counts = {
        app.package: (checks.seeded, checks.seeded(base_url(app, ports)))
        for app in APPS
        if (checks := own_checks(app.package)) and hasattr(checks, "seeded")
    }
    try:
        # S3 (when an app uses it), an app each, and a mail worker each that has one.
        uses_s3 = any(app.uses_s3 for app in APPS)
        assert len(children) == uses_s3 + len(APPS) + sum(app.worker for app in APPS)
        # Another demo on other ports but the same data: refused, untouched.
        second = run_demo(free_demo_ports(), data)
        assert second.returncode == 1
        assert f"Another demo is running on the data in {data} (process {demo.pid}" in second.stdout
        assert "DEMO_DATA=" in second.stdout
        # Nor can the data be reset from under it.
        assert run_demo(ports, data, "--reset").returncode == 1
        for app in APPS:
            database = (data / f"{app.package}.sqlite3").stat()
            assert database.st_ino == databases[app.package].st_ino, app.package
            assert database.st_mtime == databases[app.package].st_mtime, app.package
            home = requests.get(f"{base_url(app, ports)}{app.path}", timeout=10)
            assert home.status_code == 200, app.package
        for app in APPS:
            if app.package in counts:
                seeded, before = counts[app.package]
                assert seeded(base_url(app, ports)) == before > 0, app.package
    finally:
        # What a terminal does when it is closed: SIGHUP to its process group.
        os.killpg(demo.pid, signal.SIGHUP)
        demo.wait(timeout=30)
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    left_running = [pid for pid in children if alive(pid)]
    for pid in left_running:  # not to leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert left_running == []
    # Stopped, the data can be reset: the next demo seeds it anew.
    reset = run_demo(ports, data, "--reset")
    assert reset.returncode == 0, reset.stdout
    assert not data.exists()


def test_a_busy_port_is_reported_with_the_process_holding_it(tmp_path: Path) -> None:
    ports, first = free_demo_ports(), APPS[0]
    port = ports[first.port_variable]
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        result = run_demo(ports, tmp_path / "data")
    assert result.returncode == 1
    assert (
        f"Port {port} ({first.title}) is in use by process {os.getpid()}: {sys.executable}"
        in result.stdout
    )
    assert result.stdout.count("is in use") == 1  # the free ports are not listed
    assert first.port_variable in result.stdout


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        (
            "2026-11-30 01:02:18,659 INFO GET /tickets/ 200 4.1ms request_id=4a28d4",
            "01:02:18 GET /tickets/ 200 4.1ms",
        ),
        ('127.0.0.1 - - [30/Nov/2026 01:02:18] "\x1b[32mGET / HTTP/1.1\x1b[0m" 302 -', None),
        ("\x1b[31m\x1b[1mWARNING: This is a development server. Do not use it\x1b[0m", None),
        (" * Running on http://127.0.0.1:5001", None),
        ("\x1b[33mPress CTRL+C to quit\x1b[0m", None),
        ("2026-11-30 01:01:55,779 INFO GET /healthz 200 0.1ms request_id=0289e2", None),
        ("[2026-11-30 01:16:38,916: WARNING/MainProcess] ", None),
        (
            "[2026-11-30 01:16:38,916: WARNING/MainProcess] To: cook@example.com",
            "To: cook@example.com",
        ),
        ("Traceback (most recent call last):", "Traceback (most recent call last):"),
    ],
)
def test_the_terminal_shows_one_short_line_per_request(line: str, shown: str | None) -> None:
    assert script("demo").tidy(line + "\n") == shown


@pytest.mark.parametrize(("setting", "logged"), [(None, "false"), ("true", "true"), ("0", "false")])
def test_demo_log_static_is_the_one_setting_that_shows_static_files_and_304s(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, setting: str | None, logged: str
) -> None:
    demo = script("demo")
    if setting is None:
        monkeypatch.delenv("DEMO_LOG_STATIC", raising=False)
    else:
        monkeypatch.setenv("DEMO_LOG_STATIC", setting)
    for app in demo.demo_apps():
        assert demo.app_env(app, tmp_path, "key")[f"{app.prefix}_REQUEST_LOG_STATIC"] == logged


def test_stopping_the_demo_stops_what_its_children_started() -> None:
    # A child that starts a process of its own, as a Celery worker starts its
    # beat; the grandchild would keep the child's output open after it ended.
    starts_another = "import os, time\nos.fork()\ntime.sleep(60)"
    child = script("demo").spawn([sys.executable, "-c", starts_another], label=None)
    deadline = time.monotonic() + 10
    while not (grandchildren := children_of(child.pid)):
        assert time.monotonic() < deadline, "the child never started its own process"
        time.sleep(0.05)
    script("demo").stop([child], seconds=5)
    assert child.returncode is not None
    assert not [pid for pid in grandchildren if alive(pid)]


def catches(pid: int, number: int) -> bool:
    """Whether process ``pid`` has a handler of its own for signal ``number``."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (number - 1) & 1)
    return False


def test_a_second_signal_does_not_cut_the_stopping_short() -> None:
    """A second Ctrl-C or kill while the demo stops its servers (which may
    take seconds) once left them running, with nobody to stop them."""
    demo = script("demo")
    # A server slow to stop, that sends the demo its second signal meanwhile.
    slow_to_stop = (
        "import os, signal, time\n"
        "signal.signal(signal.SIGTERM, lambda *_: os.kill(os.getppid(), signal.SIGHUP))\n"
        "time.sleep(60)"
    )
    child = demo.spawn([sys.executable, "-c", slow_to_stop], label=None)
    wait_for(lambda: catches(child.pid, signal.SIGTERM), 10, "the child's SIGTERM handler")
    handlers = {number: signal.getsignal(number) for number in demo.STOPPING}
    try:
        for number in demo.STOPPING:
            signal.signal(number, demo.stop_once)
        with pytest.raises(SystemExit):  # the first signal: the demo starts stopping
            demo.stop_once(signal.SIGHUP, None)
        demo.stop([child], seconds=2)  # the second comes while it waits
        assert child.returncode == -signal.SIGKILL  # it waited, then killed
    finally:
        for number, handler in handlers.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        with suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()


def test_lines_printed_at_once_by_several_apps_stay_whole(
    capfd: pytest.CaptureFixture[str],
) -> None:
    # capfd: the lines go to a real file, as the demo's go to a terminal, so
    # each flush is a system call that lets another thread run.
    # Each app's output is relayed by a thread of its own (relay()).
    labels = ("app-one", "app-two", "app-three")
    lines = {label: [f"{label:<13} | GET /page/{n} 200" for n in range(3000)] for label in labels}

    def relay_all(label: str) -> None:
        for line in lines[label]:
            script("demo").say(line)

    threads = [threading.Thread(target=relay_all, args=(label,)) for label in lines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    shown = capfd.readouterr().out.splitlines()
    assert sorted(shown) == sorted(line for each in lines.values() for line in each)


@pytest.mark.parametrize(
    ("label", "terminal", "no_color", "bold"),
    [
        ("an-app mail", True, None, True),
        ("an-app mail", False, None, False),  # a pipe or a file: no escape codes
        ("an-app mail", True, "1", False),
        ("an-app", True, None, False),  # request lines stay plain
    ],
)
def test_printed_mail_is_bold_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    label: str,
    terminal: bool,
    no_color: str | None,
    bold: bool,
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: terminal)
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    script("demo").relay(label, io.BytesIO(b"| Subject: Set a new password\n"))
    shown = f"{label:<13} | | Subject: Set a new password"
    assert capsys.readouterr().out == (f"\x1b[1m{shown}\x1b[0m\n" if bold else f"{shown}\n")


@pytest.mark.parametrize("package", [app.package for app in APPS])
def test_an_app_that_cannot_be_prepared_says_which_command_failed_and_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, package: str
) -> None:
    s3 = free_port()
    monkeypatch.setenv("DEMO_S3_PORT", str(s3))
    app = next(app for app in DEMO.demo_apps() if app.package == package)
    env = {
        **os.environ,
        **app.env,
        f"{app.prefix}_DATABASE_URL": f"sqlite:///{tmp_path}/no-such-folder/{package}.sqlite3",
    }
    with ExitStack() as stack:
        if app.uses_s3:  # its other commands (create-bucket) need the S3 the demo would start
            moto = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3)]
            url = f"http://127.0.0.1:{s3}/moto-api/"
            stack.enter_context(serve(moto, os.environ, log=tmp_path / "s3.log", ready_url=url))
        result = subprocess.run(
            [sys.executable, "scripts/demo.py", "--app", package],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 1
    assert f"`flask --app {package} db upgrade` failed." in result.stdout
    assert "unable to open database file" in result.stdout  # the reason, held back till now


@pytest.mark.parametrize(
    ("origin", "link"),
    [
        ("git@github.com:me/my-app.git", "https://github.com/me/my-app"),
        ("https://github.com/me/my-app.git", "https://github.com/me/my-app"),
        ("https://gitlab.example.com/team/desk", "https://gitlab.example.com/team/desk"),
        ("/home/me/capstones", ""),  # a local clone has no web page to link
        (None, ""),
    ],
)
def test_the_footer_links_the_repository_this_clone_came_from(
    tmp_path: Path, origin: str | None, link: str
) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    if origin is not None:
        subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", origin], check=True)
    assert script("demo").source_url(tmp_path) == link


@pytest.mark.parametrize(("flask_debug", "debugging"), [("", False), ("1", True)])
def test_the_development_server_is_threaded_and_debugs_only_with_debug(
    monkeypatch: pytest.MonkeyPatch, flask_debug: str, debugging: bool
) -> None:
    started: list[dict[str, object]] = []

    def run_simple(*_args: object, **options: object) -> None:
        started.append(options)

    monkeypatch.setattr(flask.cli, "run_simple", run_simple)  # `flask run`
    monkeypatch.setattr(werkzeug.serving, "run_simple", run_simple)  # `app.run()`
    monkeypatch.setenv("FLASK_DEBUG", flask_debug)  # what `flask --debug` sets
    app = Flask(__name__)
    # `flask --app APP run`, as the demo starts each app, and `app.run()`.
    result = CliRunner().invoke(run_command, [], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    app.run(debug=debugging)
    for options in started:
        assert options["threaded"] is True
        assert options["use_debugger"] is debugging
        assert options["use_reloader"] is debugging
    assert len(started) == 2


def test_the_data_line_says_what_a_run_keeps() -> None:
    """A fork of an app whose files are in the embedded S3 keeps nothing, and
    its banner says so; with the other apps the data stays until demo-reset."""
    apps = DEMO.demo_apps()
    in_memory = [app for app in apps if app.uses_s3]
    on_disk = [app for app in apps if not app.uses_s3]
    assert in_memory or on_disk
    if on_disk:
        assert DEMO.kept(on_disk) == "kept between runs; `make demo-reset` starts afresh"
    if in_memory:
        assert DEMO.kept(in_memory).startswith("started afresh on every run")
    if in_memory and on_disk:
        assert DEMO.kept(apps).startswith("kept between runs, except ")


def test_the_readme_says_how_to_move_every_port() -> None:
    """A port already taken is the commonest first-run failure: the README
    (a fork's too) names the variable of each port the demo opens."""
    readme = (ROOT / "README.md").read_text()
    for variable in DEMO.port_variables(DEMO.demo_apps()):
        assert f"{variable}=" in readme, variable
