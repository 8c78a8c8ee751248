"""How much code a reader faces: the size goals of the teachable-core issue,
measured on the files as they are: ``python -m bench.size`` prints the tables,
``--update-docs`` also writes them into docs/benchmarks.md (as ``make bench``'s
does): the rows of ``shared/`` into the page itself, each app's into its part
of it (bench/page.py).

A line is any line of a ``.py`` file, docstrings, comments and blank lines
included, under ``shared/`` and every app, migrations left out (Alembic
writes those). A fork is one app plus the whole of ``shared/``, as ``make fork``
copies it.
"""

import sys
from pathlib import Path

from bench import page
from tests.scripts import script

ROOT = Path(__file__).resolve().parents[1]
# (what, at most): the teachable-core issue's size goals.
TOTAL_GOAL, SHARED_GOAL, MODULE_GOAL, FORK_GOAL = 5_500, 1_800, 350, 3_000
Row = tuple[str, int, int]  # what is counted, its lines, the goal


def lines_per_module(folder: Path) -> dict[Path, int]:
    """Each ``.py`` file under ``folder`` (migrations left out) and its line count."""
    return {
        path: len(path.read_text("utf-8").splitlines())
        for path in sorted(folder.rglob("*.py"))
        if "migrations" not in path.relative_to(folder).parts
    }


def tables(root: Path = ROOT) -> tuple[str, dict[str, str]]:
    """The table of ``shared/`` and of the whole, and each app's (by package):
    a fork of it, and its largest module."""
    apps = [app.package for app in script("apps").apps(root)]
    modules = {name: lines_per_module(root / name) for name in ("shared", *apps)}
    size = {name: sum(counts.values()) for name, counts in modules.items()}

    def largest(name: str) -> Row:
        path = max(modules[name], key=modules[name].__getitem__)
        what = f"the largest module of `{name}/` (`{path.relative_to(root)}`)"
        return what, modules[name][path], MODULE_GOAL

    shared = table(
        [
            (f"`shared/` + every app ({len(apps)})", sum(size.values()), TOTAL_GOAL),
            ("`shared/`", size["shared"], SHARED_GOAL),
            largest("shared"),
        ]
    )
    each_app = {
        app: table(
            [
                (f"a fork of `{app}/` (+ `shared/`)", size[app] + size["shared"], FORK_GOAL),
                largest(app),
            ]
        )
        for app in apps
    }
    return shared, each_app


def table(rows: list[Row]) -> str:
    lines = ["| code | lines | goal | |", "|---|--:|--:|---|"]
    for what, measured, goal in rows:
        verdict = "met" if measured <= goal else "**NOT met**"
        lines.append(f"| {what} | {measured:,} | ≤ {goal:,} | {verdict} |")
    return "\n".join(lines)


if __name__ == "__main__":
    shared, each_app = tables()
    print("\n\n".join([shared, *each_app.values()]))
    if "--update-docs" in sys.argv[1:]:
        page.write("size", shared, each_app)
