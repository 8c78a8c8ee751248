"""Real servers for the tests that need one, and the one way to start them.

- ``free_port()``/``free_ports(n)``: loopback ports nothing listens on;
- ``serve(command, env, log=..., ready_url=...)``: a server process
  (gunicorn, moto, http.server, a Celery worker) started, waited for until
  ``ready_url`` answers, and stopped afterwards;
- ``log_shows(log, pattern)``: waits until a server's log has a line, since
  a server writes its line after it has answered;
- Redis (``redis-server`` from the machine, stopped and started again at
  will) and an SMTP server (aiosmtpd, in this process) that keeps what it
  receives.
"""

from __future__ import annotations

import random
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

HAS_REDIS_SERVER = shutil.which("redis-server") is not None
ROOT = Path(__file__).resolve().parents[1]


def free_ports(count: int) -> list[int]:
    """``count`` different loopback ports, free when this returns.

    Picked below the kernel's ephemeral range (32768 and up), where outgoing
    connections take their local ports: a server that binds its port only
    after seconds of setting up (the demo migrates and seeds first) could
    otherwise find it taken by one of them.
    """
    generator = random.SystemRandom()
    probes: list[socket.socket] = []
    try:
        while len(probes) < count:
            probe = socket.socket()
            try:
                probe.bind(("127.0.0.1", generator.randrange(10_000, 32_000)))
            except OSError:  # in use: try another
                probe.close()
                continue
            probes.append(probe)
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def free_port() -> int:
    return free_ports(1)[0]


def wait_until_up(
    url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 30
) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 -- our own server
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up:\n{log.read_text()}") from None
            time.sleep(0.2)


def log_shows(log: Path, pattern: str, seconds: float = 30) -> re.Match[str]:
    """Wait until ``log`` has a line matching ``pattern`` (multiline), and
    return the match. A server logs a request after it has sent the answer,
    so the line may come a moment after the client has its answer."""
    deadline = time.monotonic() + seconds
    while not (found := re.search(pattern, log.read_text(), re.M)):
        assert time.monotonic() < deadline, f"{pattern!r} not in the log:\n{log.read_text()}"
        time.sleep(0.2)
    return found


@contextmanager
def serve(
    command: list[str],
    env: Mapping[str, str],
    *,
    log: Path,
    ready_url: str | None = None,
    cwd: Path = ROOT,
    graceful: bool = True,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` with its output in ``log``; once ``ready_url`` (if
    any) answers, hand it over; stop it afterwards (SIGTERM, then SIGKILL;
    ``graceful=False``: SIGKILL at once, for a throw-away server)."""
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=cwd, env=dict(env), stdout=output, stderr=subprocess.STDOUT
        )
        try:
            if ready_url is not None:
                wait_until_up(ready_url, process, log)
            yield process
        finally:
            process.terminate() if graceful else process.kill()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def celery_worker(app_module: str, *, pool: str = "solo") -> list[str]:
    """The command of a real ``celery worker`` for ``app_module``, as the images
    run it but on one process (``--concurrency 1``) and without the chatter
    between workers; INFO, so a task's "succeeded" line can be waited for."""
    # Tests may run as root, as here; Celery warns about that before it sets up any logging.
    root = "ignore:You're running the worker with superuser privileges"
    command = [sys.executable, "-W", root, "-m", "celery", "--quiet", "--app", app_module]
    command += ["worker", "--pool", pool, "--concurrency", "1", "--loglevel", "INFO"]
    return [*command, "--without-gossip", "--without-mingle", "--without-heartbeat"]


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class RedisServer:
    """``redis-server`` on a free loopback port, keeping nothing on disk."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not listening(self.port):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@contextmanager
def redis_server(folder: Path) -> Iterator[RedisServer]:
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class _Inbox:
    """aiosmtpd's handler: every message it accepts, parsed. A recipient
    whose address starts with ``bounce`` is refused for good (550), as a
    real server refuses a mailbox that does not exist."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_RCPT(
        self, _server: Any, _session: Any, envelope: Any, address: str, _options: Any
    ) -> str:
        if address.startswith("bounce"):
            return "550 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[tuple[int, list[EmailMessage]]]:
    """An SMTP server on a free loopback port: ``(port, messages received)``."""
    inbox, port = _Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox.messages
    finally:
        controller.stop()


def wait_for(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.1)
