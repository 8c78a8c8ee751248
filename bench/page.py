"""Where ``--update-docs`` writes the numbers, so that a fork's page holds its
one app's rows: docs/benchmarks.md's own text gets what every app shares (the
run's date and machine, the bare route, the size of ``shared/``), between its
markers; each app's rows go to the app's part of the page,
``docs/<slug>/parts/benchmarks/<table>.md``, which scripts/docs_parts.py fills
in (``make fork`` fills a fork's page with its app's parts only)."""

from __future__ import annotations

from pathlib import Path

from tests.scripts import script

ROOT = Path(__file__).resolve().parents[1]
PAGE = Path("docs") / "benchmarks.md"


def write(table: str, shared: str, each_app: dict[str, str], root: Path = ROOT) -> None:
    """``shared`` between the page's ``<!-- <table>:start -->`` and ``<!--
    <table>:end -->``, each app's text (by package) into its part
    ``benchmarks/<table>``, then the page filled from the parts of the apps
    present."""
    docs_parts, every_app = script("docs_parts"), script("apps").apps(root)
    page = root / PAGE
    text = page.read_text("utf-8")
    start_marker, end_marker = f"<!-- {table}:start -->", f"<!-- {table}:end -->"
    start, end = text.index(start_marker) + len(start_marker), text.index(end_marker)
    text = text[:start] + "\n" + shared + "\n" + text[end:]
    for app in every_app:
        if app.package in each_app:
            part = docs_parts.part_file(root / "docs", app, f"benchmarks/{table}")
            part.parent.mkdir(parents=True, exist_ok=True)
            part.write_text(each_app[app.package] + "\n", "utf-8")
    filled = docs_parts.fill(docs_parts.without_parts(text), every_app, root / "docs")
    page.write_text(filled, "utf-8")
