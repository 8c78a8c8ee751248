"""``make bench``: every app's hot paths, side by side with a bare Flask route
and, where an app has one, a tutorial-style version of the same endpoints.

One run seeds SQLite files, starts every server under gunicorn with the
project's own gunicorn.conf.py and ``-w 2`` on a free loopback port, then
drives each case with ``wrk -t2 -c16`` in rounds (every case in turn, five
times by default) and prints one table. Ratios to the bare route and to the
tutorial version are what carry over from one machine to another; raw
requests per second do not. Each app's cases, seeder and goals are in
``bench/<package>/`` (bench/harness.py has what they share).

    python -m bench.run                    # 10 s per case, about 3 minutes
    python -m bench.run --duration 1s      # CI: keeps the benchmark working (one round)
    python -m bench.run --update-docs      # also rewrites the table in docs/benchmarks.md

It never fails on speed. It fails (exit 1) when an endpoint does not answer
as it should, because a fast error page would make the numbers a lie.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import re
import shutil
import sqlite3
import sys
import tempfile
from contextlib import ExitStack, suppress
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from bench.harness import CONNECTIONS, THREADS, WORKERS, Bench, Result
from bench.size import size_report
from bench.size import update_docs as update_size_docs
from tests.scripts import script

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
TABLE_START, TABLE_END = "<!-- bench:start -->", "<!-- bench:end -->"
Goal = tuple[str, str, float, float]


def app_benches() -> dict[str, ModuleType]:
    """Each app that has cases (``bench/<package>/``), in the apps' order."""
    return {
        app.package: importlib.import_module(f"bench.{app.package}")
        for app in script("apps").apps(ROOT)
        if (ROOT / "bench" / app.package / "__init__.py").is_file()
    }


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


def goals(results: list[Result], wanted: tuple[Goal, ...]) -> str:
    """Each goal (case, server, minimum times the tutorial, maximum growth from
    the small size to the large one) and whether ``results`` met it."""
    found = {(r.case, r.server): r for r in results}
    lines = []
    for case, server, times_tutorial, growth in wanted:
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
    benches = app_benches()
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
        choices=list(benches),
        default=list(benches),
        help="bench these apps only (the bare route always runs)",
    )
    parser.add_argument(
        "--update-docs", action="store_true", help=f"rewrite the table in {DOCS.name}"
    )
    options = parser.parse_args()
    wanted = tuple(goal for name in options.only for goal in benches[name].GOALS)
    if shutil.which("wrk") is None:
        raise SystemExit("make bench needs wrk: sudo apt-get install -y wrk (or brew install wrk)")

    with tempfile.TemporaryDirectory(prefix="bench-") as workdir, ExitStack() as servers:
        bench = Bench(options.duration, options.rounds, Path(workdir), servers)
        print("Starting and checking the servers", flush=True)
        bench.bare()
        for name in options.only:
            benches[name].cases(bench)
        results = bench.measure()
    _derive(results)
    report = table(results, options.duration, bench.rounds_run)
    if bench.notes:
        report += "\n\n" + "\n".join(bench.notes)
    report += "\n\nGoals:\n\n" + goals(results, wanted)
    print("\n" + report)
    if options.update_docs and set(options.only) != set(benches):
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
