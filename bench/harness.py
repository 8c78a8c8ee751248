"""What ``make bench`` measures with: gunicorn servers on free loopback ports,
``wrk`` driving each case, and the ``Bench`` that runs every case in rounds.
Each app's cases are in ``bench/<package>/`` (bench/run.py finds them)."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bench import seed
from tests.servers import free_port, redis_server

ROOT = Path(__file__).resolve().parents[1]
THREADS, CONNECTIONS, WORKERS = 2, 16, 2


@dataclass
class Result:
    case: str
    server: str
    requests_per_second: float
    median_ms: float
    bad_answers: int  # wrk's "Non-2xx or 3xx responses" plus socket errors
    app: str = ""  # the package of the app whose case it is; "" for the bare route
    percent_of_bare: float = 0.0
    times_tutorial: float | None = None
    growth: float | None = None


@dataclass
class Server:
    name: str
    url: str
    env: dict[str, str] = field(default_factory=dict)


# --- running things -------------------------------------------------------------


@contextmanager
def gunicorn(name: str, app: str, env: dict[str, str], workdir: Path) -> Iterator[Server]:
    """``app`` under gunicorn -w 2 with the project's config, on a free port."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = workdir / f"{name}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        app,
    ]
    with log.open("w") as output:
        server = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            _wait_for(url, server, log)
            yield Server(name, url, env)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_for(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(url + "/", timeout=10)
            return
        except requests.RequestException:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{url} did not start:\n{log.read_text()}") from None
            time.sleep(0.2)


def wrk(
    url: str,
    duration: str,
    *,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
    env: dict[str, str] | None = None,
) -> tuple[float, float, int]:
    """Requests per second, median latency in ms, and the bad answers."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, url],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    ).stdout
    rps = float(_find(r"Requests/sec:\s+([\d.]+)", output))
    median = _milliseconds(_find(r"50%\s+([\d.]+\w+)", output))
    bad = int(_find(r"Non-2xx or 3xx responses: (\d+)", output, "0"))
    socket_errors = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        bad += sum(int(number) for number in socket_errors.groups())
    return rps, median, bad


def _find(pattern: str, text: str, default: str | None = None) -> str:
    match = re.search(pattern, text)
    if match:
        return match.group(1)
    if default is not None:
        return default
    raise SystemExit(f"wrk's output has no {pattern!r}:\n{text}")


def _milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def check(response: requests.Response, status: int, what: str) -> requests.Response:
    """The endpoint must answer for real before it is timed."""
    if response.status_code != status:
        raise SystemExit(
            f"{what}: expected {status}, got {response.status_code}:\n{response.text[:500]}"
        )
    return response


def app_env(prefix: str, database_url: str, **extra: str) -> dict[str, str]:
    """Production settings, as compose runs them, minus what needs another
    server: rate-limit counters in memory, plain HTTP on loopback, and the
    per-request log line off (it would measure the terminal)."""
    return {
        f"{prefix}_ENV": "production",
        f"{prefix}_EXTERNAL_URL": "http://127.0.0.1",
        f"{prefix}_SECRET_KEY": secrets.token_urlsafe(48),
        f"{prefix}_DATABASE_URL": database_url,
        f"{prefix}_TRUSTED_HOSTS": '["127.0.0.1"]',
        f"{prefix}_ALLOW_PLAIN_HTTP": "true",
        f"{prefix}_REQUEST_LOG_ENABLED": "false",
        **{f"{prefix}_{name}": value for name, value in extra.items()},
    }


def html_login(server: Server, email: str) -> str:
    """Log in through the real form (CSRF token and all); the session cookie."""
    browser = requests.Session()
    page = check(browser.get(server.url + "/auth/login", timeout=10), 200, "login page").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    if token is None:
        raise SystemExit(f"{server.name}: no CSRF token on the login page")
    answer = browser.post(
        server.url + "/auth/login",
        data={"csrf_token": token.group(1), "email": email, "password": seed.PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    check(answer, 302, f"{server.name}: log in as {email}")
    return f"session={browser.cookies['session']}"


@dataclass
class Case:
    """One row of the table: what wrk drives, and what it measured in each round."""

    name: str
    server: Server
    path: str
    options: dict[str, Any] = field(default_factory=dict)
    app: str = ""  # the package of the app whose case it is; "" for the bare route
    # Each round's requests/s, median latency (ms) and bad answers.
    measured: list[tuple[float, float, int]] = field(default_factory=list)

    def result(self) -> Result:
        """Requests/s averaged over the rounds (they last equally long), the
        median of the rounds' median latencies, every bad answer."""
        rps = sum(r[0] for r in self.measured) / len(self.measured)
        medians = sorted(r[1] for r in self.measured)
        return Result(
            self.name,
            self.server.name,
            rps,
            medians[len(medians) // 2],
            sum(r[2] for r in self.measured),
            self.app,
        )


class Bench:
    """One run: every server is started and checked first, then the cases
    are measured in rounds, each round driving every case in turn.

    Rounds, because this is a shared VM: its speed drifts by 10-30% over a
    few minutes. Measured one after the other, a case that happened to run in
    a slow minute looks slow beside a bare route measured in a fast one. In
    rounds, a slow minute slows every case alike and the ratios hold.

    Cases, notes and checks are each app's: the one whose cases are being
    added (``app``), so that each app's rows and notes go to its own part of
    docs/benchmarks.md.
    """

    def __init__(self, duration: str, rounds: int, workdir: Path, servers: ExitStack) -> None:
        self.duration, self.rounds_asked, self.workdir = duration, rounds, workdir
        self.servers = servers  # stops every server when the run ends
        self.app = ""  # whose cases are being added: an app's package, "" for the bare route
        self.cases: list[Case] = []
        self.checks_after: list[tuple[str, Callable[[], None]]] = []
        self.notes: dict[str, list[str]] = {}
        self.rounds_run = 0
        self.redis_url: str | None = None

    def start(self, name: str, app: str, env: dict[str, str]) -> Server:
        return self.servers.enter_context(gunicorn(name, app, env, self.workdir))

    def case(self, name: str, server: Server, path: str, **options: Any) -> None:
        self.cases.append(Case(name, server, path, options, self.app))

    def note(self, text: str) -> None:
        """A line under the app's table (once, however often it is said)."""
        notes = self.notes.setdefault(self.app, [])
        if text not in notes:
            notes.append(text)

    def check_after(self, check: Callable[[], None]) -> None:
        """Run ``check`` once every case is measured, as the app's."""
        self.checks_after.append((self.app, check))

    def measure(self) -> list[Result]:
        seconds = _seconds(self.duration)
        rounds = self.rounds_run = max(1, min(self.rounds_asked, int(seconds)))
        per_round = f"{seconds / rounds:g}s"
        # A fresh worker's first requests are slow (lazy imports, empty
        # caches, a new connection pool): one second of each case first, not counted.
        print("Warming up every case for 1s (not counted)", flush=True)
        for case in self.cases:
            wrk(case.server.url + case.path, "1s", **case.options)
        for number in range(1, rounds + 1):
            print(f"Round {number} of {rounds} ({per_round} per case)", flush=True)
            for case in self.cases:
                print(f"  {case.name:<30} {case.server.name:<9}", end="", flush=True)
                rps, median, bad = wrk(case.server.url + case.path, per_round, **case.options)
                print(f"{rps:>8.0f} req/s   p50 {median:7.1f} ms   bad answers {bad}", flush=True)
                case.measured.append((rps, median, bad))
        for app, check in self.checks_after:
            self.app = app  # the notes it writes are its app's
            check()
        return [case.result() for case in self.cases]

    def bare(self) -> None:
        self.case("bare jsonify route", self.start("bare", "bench.bare:app", {}), "/")

    def cache(self) -> dict[str, str]:
        """The cache as compose runs it: RedisCache, shared by both workers (so
        a change in one clears the other's entries too), on a redis-server of
        the run's own; SimpleCache, per worker, where there is none (noted)."""
        if shutil.which("redis-server") is None:
            self.note("No redis-server here: the caches were SimpleCache, per worker.")
            return {"CACHE_TYPE": "SimpleCache"}
        if self.redis_url is None:
            self.redis_url = self.servers.enter_context(redis_server(self.workdir)).url
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": self.redis_url}


def _seconds(duration: str) -> float:
    """wrk's duration ("10s", "2m", or plain seconds) in seconds."""
    match = re.fullmatch(r"([\d.]+)([smh]?)", duration)
    if match is None:
        raise SystemExit(f"--duration {duration!r}: give seconds, e.g. 10s or 2m")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]
