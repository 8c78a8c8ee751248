"""``make bench``: every app's hot paths, side by side with a bare Flask route
and, where an app has one, a tutorial-style version of the same endpoints.

One run seeds SQLite files, starts every server under gunicorn with the
project's own gunicorn.conf.py and ``-w 2`` on a free loopback port, then
drives each case with ``wrk -t2 -c16`` in rounds (every case in turn, five
times by default) and prints the tables: the bare route's, then each app's.
Ratios to the bare route and to the tutorial version are what carry over
from one machine to another; raw requests per second do not. Each app's
cases, seeder and goals are in ``bench/<package>/`` (bench/harness.py has
what they share; bench/page.py writes the tables into the docs).

    python -m bench.run                    # 10 s per case, about 3 minutes
    python -m bench.run --duration 1s      # CI: keeps the benchmark working (one round)
    python -m bench.run --update-docs      # also rewrites the tables in docs/benchmarks.md

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
from collections.abc import Callable
from contextlib import ExitStack, suppress
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from bench import page, size
from bench.harness import CONNECTIONS, THREADS, WORKERS, Bench, Result
from tests.scripts import script

ROOT = Path(__file__).resolve().parents[1]
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


# Each column of a table of results: its heading, its alignment, its cell.
COLUMNS: tuple[tuple[str, str, Callable[[Result], str]], ...] = (
    ("case", "---", lambda r: r.case),
    ("server", "---", lambda r: r.server),
    ("req/s", "--:", lambda r: f"{r.requests_per_second:,.0f}"),
    ("% of bare", "--:", lambda r: f"{r.percent_of_bare:.0f}%"),
    ("× tutorial", "--:", lambda r: "" if r.times_tutorial is None else f"{r.times_tutorial:.2f}×"),
    ("p50 latency", "--:", lambda r: f"{r.median_ms:.1f} ms"),
    ("growth", "--:", lambda r: "" if r.growth is None else f"{r.growth:.2f}×"),
    ("bad answers", "--:", lambda r: str(r.bad_answers)),
)


def table(results: list[Result]) -> str:
    """``results`` as a Markdown table, without the columns none of them fills
    (an app with no tutorial version has no ratios to one)."""
    columns = [
        (heading, align, [cell(result) for result in results]) for heading, align, cell in COLUMNS
    ]
    shown = [(heading, align, cells) for heading, align, cells in columns if any(cells)]
    rows = [[heading for heading, _, _ in shown], [align for _, align, _ in shown]]
    rows += [[cells[row] for _, _, cells in shown] for row in range(len(results))]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def shared_report(results: list[Result], notes: list[str], duration: str, rounds: int) -> str:
    """When and where the run was, and the bare route, which every app's rows
    are compared with."""
    report = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {duration} per case in {rounds} "
        f"round{'s' if rounds > 1 else ''}. {machine()}.",
        table([result for result in results if not result.app]),
    ]
    if notes:
        report.append("\n".join(notes))
    return "\n\n".join(report)


def app_report(
    title: str, results: list[Result], notes: list[str], wanted: tuple[Goal, ...]
) -> str:
    """One app's rows, the notes its run wrote, and its goals."""
    report = [f"### {title}", table(results)]
    if notes:
        report.append("\n".join(notes))
    if verdicts := goals(results, wanted):
        report.append("Goals:\n\n" + verdicts)
    return "\n\n".join(report)


def reports(
    bench: Bench,
    results: list[Result],
    goals_by_app: dict[str, tuple[Goal, ...]],
    root: Path = ROOT,
) -> tuple[str, dict[str, str]]:
    """The run's report in pieces: what every app shares (the page's own
    text), and each app's, by package (its part of the page)."""
    shared = shared_report(results, bench.notes.get("", []), bench.duration, bench.rounds_run)
    titles = {app.package: app.title for app in script("apps").apps(root)}
    each_app = {
        name: app_report(
            titles[name],
            [result for result in results if result.app == name],
            bench.notes.get(name, []),
            wanted,
        )
        for name, wanted in goals_by_app.items()
    }
    return shared, each_app


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
        "--update-docs",
        action="store_true",
        help=f"rewrite the tables in {page.PAGE} and each app's part of it",
    )
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("make bench needs wrk: sudo apt-get install -y wrk (or brew install wrk)")

    with tempfile.TemporaryDirectory(prefix="bench-") as workdir, ExitStack() as servers:
        bench = Bench(options.duration, options.rounds, Path(workdir), servers)
        print("Starting and checking the servers", flush=True)
        bench.bare()
        for name in options.only:
            bench.app = name  # its cases, notes and checks are its own
            benches[name].cases(bench)
        results = bench.measure()
    _derive(results)
    shared, each_app = reports(bench, results, {name: benches[name].GOALS for name in options.only})
    print("\n" + "\n\n".join([shared, *each_app.values()]))
    if options.update_docs and set(options.only) != set(benches):
        raise SystemExit("--update-docs needs every app: leave out --only")
    if options.update_docs:
        page.write("results", shared, each_app)
        page.write("size", *size.tables())
        print(f"\nWrote the tables into {page.PAGE} and each app's part of it.")
    bad = [r for r in results if r.bad_answers]
    if bad:
        print("\nSome requests failed: " + ", ".join(f"{r.case} ({r.server})" for r in bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
