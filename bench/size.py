"""How much code a reader faces: the size goals of the teachable-core issue,
measured on the files as they are: ``python -m bench.size`` prints the table,
``--update-docs`` also writes it into docs/benchmarks.md (as ``make bench``'s does).

A line is any line of a ``.py`` file, docstrings, comments and blank lines
included, under ``shared/`` and every app, migrations left out (Alembic
writes those). A fork is one app plus the whole of ``shared/``, as ``make fork``
copies it.
"""

import sys
from pathlib import Path

from tests.scripts import script

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- size:start -->", "<!-- size:end -->"
# (what, at most): the teachable-core issue's size goals.
TOTAL_GOAL, SHARED_GOAL, MODULE_GOAL, FORK_GOAL = 5_500, 1_800, 350, 3_000


def lines_per_module(folder: Path) -> dict[Path, int]:
    """Each ``.py`` file under ``folder`` (migrations left out) and its line count."""
    return {
        path: len(path.read_text("utf-8").splitlines())
        for path in sorted(folder.rglob("*.py"))
        if "migrations" not in path.relative_to(folder).parts
    }


def size_report(root: Path = ROOT) -> str:
    apps = [app.package for app in script("apps").apps(root)]
    modules = {name: lines_per_module(root / name) for name in ("shared", *apps)}
    size = {name: sum(counts.values()) for name, counts in modules.items()}
    every_module = {path: n for counts in modules.values() for path, n in counts.items()}
    largest = max(every_module, key=every_module.__getitem__)
    total = sum(size.values())
    rows = [
        ("`shared/` + every app", total, TOTAL_GOAL),
        ("`shared/`", size["shared"], SHARED_GOAL),
        *(
            (f"a fork of `{app}/` (+ `shared/`)", size[app] + size["shared"], FORK_GOAL)
            for app in apps
        ),
        (f"the largest module (`{largest.relative_to(root)}`)", every_module[largest], MODULE_GOAL),
    ]
    lines = ["| code | lines | goal | |", "|---|--:|--:|---|"]
    for what, measured, goal in rows:
        verdict = "met" if measured <= goal else "**NOT met**"
        lines.append(f"| {what} | {measured:,} | ≤ {goal:,} | {verdict} |")
    return "\n".join(lines)


def update_docs(report: str) -> None:
    text = DOCS.read_text("utf-8")
    start, end = text.index(START) + len(START), text.index(END)
    DOCS.write_text(text[:start] + "\n" + report + "\n" + text[end:], "utf-8")


if __name__ == "__main__":
    print(size_report())
    if "--update-docs" in sys.argv[1:]:
        update_docs(size_report())
