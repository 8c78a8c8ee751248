"""``make bench``: every hot path of the three apps, side by side with a bare
Flask route and a tutorial-style version of the same endpoints.

One run seeds SQLite files (bench/seed.py), starts every server under
gunicorn with the project's own gunicorn.conf.py and ``-w 2`` on a free
loopback port, then drives each case with ``wrk -t2 -c16`` in rounds (every
case in turn, five times by default) and prints one table. Ratios
to the bare route and to the tutorial version are what carry over from one
machine to another; raw requests per second do not.

    python -m bench.run                    # 10 s per case, about 3 minutes
    python -m bench.run --duration 1s      # CI: keeps the benchmark working (one round)
    python -m bench.run --update-docs      # also rewrites the table in docs/benchmarks.md

It never fails on speed. It fails (exit 1) when an endpoint does not answer
as it should, because a fast error page would make the numbers a lie.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from bench import seed
from bench.size import size_report
from bench.size import update_docs as update_size_docs
from tests.servers import free_port, redis_server

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
THREADS, CONNECTIONS, WORKERS = 2, 16, 2
PRODUCT_ID = 4242
PRODUCTS = 10_000
ORDER_SCRIPT = ROOT / "bench" / "order.lua"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
POSTGRES_ORDERS = "order POST (2 lines), PostgreSQL"
TABLE_START, TABLE_END = "<!-- bench:start -->", "<!-- bench:end -->"


@dataclass
class Result:
    case: str
    server: str
    requests_per_second: float
    median_ms: float
    bad_answers: int  # wrk's "Non-2xx or 3xx responses" plus socket errors
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


# --- the apps -----------------------------------------------------------------------


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


APPS = ("shop", "helpdesk", "recipes")


@dataclass
class Case:
    """One row of the table: what wrk drives, and what it measured in each round."""

    name: str
    server: Server
    path: str
    options: dict[str, Any] = field(default_factory=dict)
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
        )


class Bench:
    """One run: every server is started and checked first, then the cases
    are measured in rounds, each round driving every case in turn.

    Rounds, because this is a shared VM: its speed drifts by 10-30% over a
    few minutes. Measured one after the other, a case that happened to run in
    a slow minute looks slow beside a bare route measured in a fast one. In
    rounds, a slow minute slows every case alike and the ratios hold.
    """

    def __init__(self, duration: str, rounds: int, workdir: Path, servers: ExitStack) -> None:
        self.duration, self.rounds_asked, self.workdir = duration, rounds, workdir
        self.servers = servers  # stops every server when the run ends
        self.cases: list[Case] = []
        self.checks_after: list[Callable[[], None]] = []
        self.notes: list[str] = []
        self.rounds_run = 0
        self.redis_url: str | None = None

    def start(self, name: str, app: str, env: dict[str, str]) -> Server:
        return self.servers.enter_context(gunicorn(name, app, env, self.workdir))

    def case(self, name: str, server: Server, path: str, **options: Any) -> None:
        self.cases.append(Case(name, server, path, options))

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
        for check_after in self.checks_after:
            check_after()
        return [case.result() for case in self.cases]

    def bare(self) -> None:
        self.case("bare jsonify route", self.start("bare", "bench.bare:app", {}), "/")

    def shop(self) -> None:
        print("  (seeding 10,000 products)", flush=True)
        shop = seed.shop(self.workdir / "shop.sqlite3", products=PRODUCTS)
        tutorial_orders = _copy(shop.path, self.workdir / "shop-tutorial-orders.sqlite3")
        product_list, product_detail = "/api/products/?per_page=20", f"/api/products/{PRODUCT_ID}"
        tutorial = self.start("tutorial", "bench.tutorial:app", {"BENCH_DATABASE_URL": shop.url})
        check(requests.get(tutorial.url + product_list, timeout=10), 200, "tutorial list")
        cached = self.start(
            "shop_api", "shop_api:create_app()", app_env("SHOP_API", shop.url, **self.cache())
        )
        uncached = self.start(
            "NullCache",
            "shop_api:create_app()",
            app_env("SHOP_API", shop.url, CACHE_TYPE="NullCache"),
        )
        for api in (cached, uncached):
            page = check(requests.get(api.url + product_list, timeout=10), 200, "list").json()
            if len(page["items"]) != 20 or page["total"] != PRODUCTS:
                raise SystemExit(f"product list: {len(page['items'])} items of {page['total']}")
            check(requests.get(api.url + product_detail, timeout=10), 200, "product detail")
        credentials = {"email": seed.CUSTOMER_EMAIL, "password": seed.PASSWORD}
        answer = requests.post(cached.url + "/api/auth/tokens", json=credentials, timeout=10)
        token = check(answer, 201, "token").json()["token"]
        check(_one_order(cached, token), 201, "shop_api order")
        # The tutorial's orders go to a copy taken before any order: its lost
        # updates are counted and reported, not treated as a failed run.
        tutorial_orders_env = {"BENCH_DATABASE_URL": seed.sqlite_url(tutorial_orders)}
        tutorial_shop = self.start("tutorial", "bench.tutorial:app", tutorial_orders_env)
        check(_one_order(tutorial_shop, seed.CUSTOMER_TOKEN), 201, "tutorial order")

        for api in (tutorial, cached, uncached):
            self.case("product list", api, product_list)
            self.case("product detail", api, product_detail)
        for server, bearer in ((cached, token), (tutorial_shop, seed.CUSTOMER_TOKEN)):
            order_env = {"BENCH_TOKEN": bearer, "BENCH_PRODUCTS": str(PRODUCTS)}
            self.case(
                "order POST (2 lines)", server, "/api/orders/", script=ORDER_SCRIPT, env=order_env
            )
        self.checks_after.append(lambda: _check_stock(shop.url))
        self.checks_after.append(lambda: self._note_lost_updates(seed.sqlite_url(tutorial_orders)))
        self.orders_on_postgresql()

    def orders_on_postgresql(self) -> None:
        """The order POST again with both shops on PostgreSQL (each its own
        database on BENCH_POSTGRES_URL's server), where row locks, not a
        single write lock, decide who waits."""
        server_url = os.environ.get("BENCH_POSTGRES_URL", POSTGRES_SERVER)
        try:
            ours = seed.fresh_postgresql_database(server_url, "bench_shop")
            theirs = seed.fresh_postgresql_database(server_url, "bench_tutorial_shop")
        except OperationalError:
            self.notes.append(f"No PostgreSQL server at {server_url}: orders on SQLite only.")
            return
        print("  (seeding 10,000 products twice on PostgreSQL)", flush=True)
        shop = seed.shop(self.workdir / "unused", products=PRODUCTS, url=ours)
        seed.shop(self.workdir / "unused", products=PRODUCTS, url=theirs)
        api = self.start("shop_api", "shop_api:create_app()", app_env("SHOP_API", shop.url))
        credentials = {"email": seed.CUSTOMER_EMAIL, "password": seed.PASSWORD}
        answer = requests.post(api.url + "/api/auth/tokens", json=credentials, timeout=10)
        token = check(answer, 201, "token (PostgreSQL)").json()["token"]
        check(_one_order(api, token), 201, "shop_api order (PostgreSQL)")
        tutorial = self.start("tutorial", "bench.tutorial:app", {"BENCH_DATABASE_URL": theirs})
        check(_one_order(tutorial, seed.CUSTOMER_TOKEN), 201, "tutorial order (PostgreSQL)")
        for server, bearer in ((api, token), (tutorial, seed.CUSTOMER_TOKEN)):
            order_env = {"BENCH_TOKEN": bearer, "BENCH_PRODUCTS": str(PRODUCTS)}
            self.case(POSTGRES_ORDERS, server, "/api/orders/", script=ORDER_SCRIPT, env=order_env)
        self.checks_after.append(lambda: _check_stock(ours))
        self.checks_after.append(lambda: self._note_lost_updates(theirs, " on PostgreSQL"))

    def cache(self) -> dict[str, str]:
        """The cache as compose runs it: RedisCache, shared by both workers (so
        a change in one clears the other's entries too), on a redis-server of
        the run's own; SimpleCache, per worker, where there is none (noted)."""
        if shutil.which("redis-server") is None:
            self.notes.append("No redis-server here: the caches were SimpleCache, per worker.")
            return {"CACHE_TYPE": "SimpleCache"}
        if self.redis_url is None:
            self.redis_url = self.servers.enter_context(redis_server(self.workdir)).url
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": self.redis_url}

    def _note_lost_updates(self, tutorial_orders: str, where: str = "") -> None:
        sold, taken = _stock_sold_and_taken(tutorial_orders)
        note = f"The tutorial's orders{where} sold {sold:,} items and took {taken:,} from stock"
        if sold == taken:
            # Its race needs two requests for one product at the same moment:
            # with 10,000 products and 16 connections, a short run may see none.
            note += " (no lost update in this run: no two requests raced for one product)."
        else:
            note += (
                f": {sold - taken:,} lost, where two requests read the same stock "
                "at once and each wrote its own new value."
            )
        self.notes.append(note + " This project's orders took from stock exactly what they sold.")

    def helpdesk(self) -> None:
        for size in (1_000, 100_000):
            print(f"  (seeding {size:,} tickets)", flush=True)
            desk = seed.helpdesk(self.workdir / f"helpdesk-{size}.sqlite3", tickets=size)
            env = app_env("HELPDESK", desk.url, **self.cache())  # the status counts are cached
            app = self.start("helpdesk", "helpdesk:create_app()", env)
            for case, email, path in (
                (f"staff list, {size:,} tickets", seed.STAFF_EMAIL, "/staff/tickets/"),
                (f"own list, {size:,} tickets", seed.CUSTOMER_EMAIL, "/tickets/"),
            ):
                cookie = {"Cookie": html_login(app, email)}
                check(requests.get(app.url + path, headers=cookie, timeout=10), 200, case)
                self.case(case, app, path, headers=cookie)

    def recipes(self) -> None:
        # Presigned URLs are computed, not fetched: the endpoint is never contacted.
        s3 = {
            "S3_ENDPOINT_URL": "http://127.0.0.1:9",
            "S3_ACCESS_KEY_ID": "bench",
            "S3_SECRET_ACCESS_KEY": "bench-secret",
        }
        for size in (1_000, 10_000):
            print(f"  (seeding {size:,} recipes)", flush=True)
            cookbook = seed.recipes(self.workdir / f"recipes-{size}.sqlite3", count=size)
            app = self.start(
                "recipes", "recipes:create_app()", app_env("RECIPES", cookbook.url, **s3)
            )
            case = f"recipes home, {size:,} recipes"
            check(requests.get(app.url + "/", timeout=10), 200, case)
            self.case(case, app, "/")


def _seconds(duration: str) -> float:
    """wrk's duration ("10s", "2m", or plain seconds) in seconds."""
    match = re.fullmatch(r"([\d.]+)([smh]?)", duration)
    if match is None:
        raise SystemExit(f"--duration {duration!r}: give seconds, e.g. 10s or 2m")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def _one_order(server: Server, token: str) -> requests.Response:
    """One order as the wrk script sends them, before the timing starts."""
    return requests.post(
        server.url + "/api/orders/",
        json={"items": [{"product_id": 1, "quantity": 1}, {"product_id": 2, "quantity": 2}]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def _check_stock(url: str) -> None:
    """Every order the benchmark placed took its stock, no more, no less."""
    sold, taken = _stock_sold_and_taken(url)
    if sold != taken:
        raise SystemExit(f"orders sold {sold} items but stock went down by {taken}")


def _stock_sold_and_taken(url: str) -> tuple[int, int]:
    """Items in orders, and how far stock went down (from seed.STOCK each)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        sold = connection.exec_driver_sql(
            "SELECT coalesce(sum(quantity), 0) FROM order_lines JOIN orders ON orders.id = order_id"
        ).scalar_one()
        taken = connection.execute(
            text("SELECT :stock * count(*) - sum(stock) FROM products"), {"stock": seed.STOCK}
        ).scalar_one()
    engine.dispose()
    return int(sold), int(taken)


def _copy(source: Path, target: Path) -> Path:
    """A consistent copy of a SQLite file, its WAL included."""
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
        original.backup(copy)
    return target


def _derive(results: list[Result]) -> None:
    bare = next(r for r in results if r.server == "bare").requests_per_second
    tutorial = {r.case: r.requests_per_second for r in results if r.server == "tutorial"}
    by_case = {r.case: r for r in results}
    for result in results:
        result.percent_of_bare = 100 * result.requests_per_second / bare
        if result.server != "tutorial" and result.case in tutorial:
            result.times_tutorial = result.requests_per_second / tutorial[result.case]
        small = re.sub(r"100,000|10,000", lambda m: "1,000", result.case)
        if small != result.case and small in by_case:
            result.growth = result.median_ms / by_case[small].median_ms


# --- the report -------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    with suppress(OSError, StopIteration):  # no /proc on macOS
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    return (
        f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"gunicorn -w {WORKERS} (sync), wrk -t{THREADS} -c{CONNECTIONS}"
    )


def table(results: list[Result], duration: str, rounds: int) -> str:
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {duration} per case in {rounds} "
        f"round{'s' if rounds > 1 else ''}. {machine()}.",
        "",
        "| case | server | req/s | % of bare | × tutorial | p50 latency | growth | bad answers |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        times = f"{r.times_tutorial:.2f}×" if r.times_tutorial is not None else ""
        growth = f"{r.growth:.2f}×" if r.growth is not None else ""
        lines.append(
            f"| {r.case} | {r.server} | {r.requests_per_second:,.0f} | {r.percent_of_bare:.0f}% "
            f"| {times} | {r.median_ms:.1f} ms | {growth} | {r.bad_answers} |"
        )
    return "\n".join(lines)


# The goals (the teachable-core issue): (case, server, minimum times the
# tutorial, maximum growth from the small size to the large one).
GOALS: tuple[tuple[str, str, float, float], ...] = (
    ("product list", "shop_api", 2.0, 0),
    ("product detail", "shop_api", 1.2, 0),
    ("product list", "NullCache", 0.7, 0),
    ("product detail", "NullCache", 0.7, 0),
    ("order POST (2 lines)", "shop_api", 1.2, 0),
    (POSTGRES_ORDERS, "shop_api", 1.2, 0),
    ("staff list, 100,000 tickets", "helpdesk", 0, 1.5),
    ("own list, 100,000 tickets", "helpdesk", 0, 1.5),
    ("recipes home, 10,000 recipes", "recipes", 0, 1.5),
)


def goals(results: list[Result]) -> str:
    found = {(r.case, r.server): r for r in results}
    lines = []
    for case, server, times_tutorial, growth in GOALS:
        result = found.get((case, server))
        if result is None:
            continue
        if times_tutorial:
            wanted, measured = f"≥ {times_tutorial}× tutorial", result.times_tutorial or 0
            met = measured >= times_tutorial
        else:
            wanted, measured = f"p50 ≤ {growth}× the small size", result.growth or 0
            met = result.growth is not None and measured <= growth
        verdict = "met" if met else "NOT met"
        lines.append(f"- {case} ({server}): {wanted}: **{verdict}** ({measured:.2f}×)")
    return "\n".join(lines)


def update_docs(report: str) -> None:
    text = DOCS.read_text()
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    DOCS.write_text(text[:start] + "\n" + report + "\n" + text[end:])
    print(f"\nWrote the table into {DOCS.relative_to(ROOT)}.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration",
        default=os.environ.get("BENCH_DURATION", "10s"),
        help="how long wrk drives each case in all (default 10s)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=int(os.environ.get("BENCH_ROUNDS", "5")),
        help="split each case's time into this many rounds, every case in turn (default 5)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=APPS,
        default=list(APPS),
        help="bench these apps only (the bare route always runs)",
    )
    parser.add_argument(
        "--update-docs", action="store_true", help=f"rewrite the table in {DOCS.name}"
    )
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("make bench needs wrk: sudo apt-get install -y wrk (or brew install wrk)")

    with tempfile.TemporaryDirectory(prefix="bench-") as workdir, ExitStack() as servers:
        bench = Bench(options.duration, options.rounds, Path(workdir), servers)
        print("Starting and checking the servers", flush=True)
        bench.bare()
        for app in options.only:
            getattr(bench, app)()
        results = bench.measure()
    _derive(results)
    report = table(results, options.duration, bench.rounds_run)
    if bench.notes:
        report += "\n\n" + "\n".join(bench.notes)
    report += "\n\nGoals:\n\n" + goals(results)
    print("\n" + report)
    if options.update_docs and set(options.only) != set(APPS):
        raise SystemExit("--update-docs needs every app: leave out --only")
    if options.update_docs:
        update_docs(report)
        update_size_docs(size_report())
    bad = [r for r in results if r.bad_answers]
    if bad:
        print("\nSome requests failed: " + ", ".join(f"{r.case} ({r.server})" for r in bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
