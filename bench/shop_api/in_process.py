"""What the shop's product reads cost without a server: each request through
Flask's WSGI call in one process (no gunicorn, no ``wrk``, no sockets but
Redis's), so the cost of the code alone shows. The best of three rounds;
milliseconds per request. docs/benchmarks.md quotes its output.

    python -m bench.shop_api.in_process    # needs a Redis server for the RedisCache rows
    python -m bench.shop_api.in_process --no-redis

The tutorial's reads and a bare route are the yardsticks, as in ``make bench``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

from bench.harness import app_env
from bench.shop_api import PRODUCT_ID, seed_shop

LIST, DETAIL = "/api/products/?per_page=20", f"/api/products/{PRODUCT_ID}"
REDIS_URL = "redis://127.0.0.1:6379/15"
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def per_request(app: WsgiApp, path: str, requests: int) -> float:
    """Milliseconds per request: the best of three rounds of ``requests``."""
    environ = EnvironBuilder(path=path, base_url="http://127.0.0.1/").get_environ()
    statuses: list[str] = []

    def start_response(status: str, *_: Any) -> None:
        statuses.append(status)

    best = float("inf")
    for _round in range(3):
        started = time.perf_counter()
        for _ in range(requests):
            body = app(dict(environ), start_response)
            for _chunk in body:
                pass
            getattr(body, "close", lambda: None)()
        best = min(best, (time.perf_counter() - started) / requests * 1000)
    if not all(status.startswith("200") for status in statuses):
        raise SystemExit(f"{path}: not every answer was a 200 ({set(statuses)})")
    return best


def shop(database_url: str, **settings: str) -> WsgiApp:
    """The shop as make bench runs it (production settings), with ``settings``."""
    for name in [name for name in os.environ if name.startswith("SHOP_API_")]:
        del os.environ[name]
    os.environ.update(app_env("SHOP_API", database_url, **settings))
    import shop_api

    return shop_api.create_app()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-redis", action="store_true", help="leave out the RedisCache rows")
    parser.add_argument("--requests", type=int, default=2000, help="per round (default 2000)")
    options = parser.parse_args()
    n = options.requests
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "shop.sqlite3"
        print("(seeding 10,000 products)", file=sys.stderr, flush=True)
        seed_shop(database)
        url = f"sqlite:///{database}"
        os.environ["BENCH_DATABASE_URL"] = url
        bare = importlib.import_module("bench.bare").app
        tutorial = importlib.import_module("bench.shop_api.tutorial").app
        bare_route = per_request(bare, "/", n)
        rows = [("tutorial", per_request(tutorial, LIST, n // 4), per_request(tutorial, DETAIL, n))]
        servers = {
            "NullCache (cache off)": {"CACHE_TYPE": "NullCache"},
            "SimpleCache hit": {"CACHE_TYPE": "SimpleCache"},
            "SimpleCache hit, limiter off": {
                "CACHE_TYPE": "SimpleCache",
                "RATELIMIT_ENABLED": "false",
            },
        }
        if not options.no_redis:
            servers["RedisCache hit"] = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS_URL}
        for name, settings in servers.items():
            app = shop(url, **settings)
            uncached = settings["CACHE_TYPE"] == "NullCache"
            rows.append(
                (
                    name,
                    per_request(app, LIST, n // 4 if uncached else n),
                    per_request(app, DETAIL, n),
                )
            )
    print(f"The bare route: {bare_route:.2f} ms a request.\n")
    print("| server | product list (20 of 10,000) | product detail |\n|---|--:|--:|")
    for name, listed, detail in rows:
        print(f"| {name} | {listed:.2f} ms | {detail:.2f} ms |")


if __name__ == "__main__":
    main()
