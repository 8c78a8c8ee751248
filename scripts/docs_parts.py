"""The parts each app writes into a shared page of the documentation.

A shared page (``docs/*.md``) marks a place for them:

    <!-- each app: diagrams -->
    <!-- end each app -->

and this script fills it with ``docs/<slug>/parts/diagrams.md`` of every app
that has one, in the apps' order; ``make fork`` fills it again with its one
app's. As with the README's table of contents, the filled text is committed,
so a page reads whole on GitHub too; tests/deploy/test_docs_parts.py fails
when a page is not filled from its parts.

    python scripts/docs_parts.py    # fills every page again after a part changed

Standard library only: ``make fork`` runs before anything is installed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # scripts/apps.py

from apps import App, apps

ROOT = Path(__file__).resolve().parents[1]
PLACE = re.compile(
    r"(?P<start><!-- each app: (?P<part>[\w/-]+) -->[^\n]*\n)"
    r"(?P<filled>.*?)"
    r"(?P<end><!-- end each app -->)",
    re.S,
)


def part_file(docs: Path, app: App, part: str) -> Path:
    return docs / app.slug / "parts" / f"{part}.md"


def fill(text: str, every_app: list[App], docs: Path) -> str:
    """``text`` with each marked place holding its part of every app."""

    def filled(place: re.Match[str]) -> str:
        if place["part"] == "nav":  # mkdocs.yml: each app's guide, by its title
            indent = place["filled"].rsplit("\n", 1)[-1]  # the end marker's, a YAML comment
            lines = "".join(f"{indent[:-2]}- {app.title}: {app.slug}.md\n" for app in every_app)
            return f"{place['start']}{lines}{indent}{place['end']}"
        parts = [
            path.read_text().strip()
            for app in every_app
            if (path := part_file(docs, app, place["part"])).is_file()
        ]
        # Blank lines around the parts: the markers are HTML comments, and
        # Markdown ends an HTML block only at a blank line.
        body = "".join(f"\n{part}\n" for part in parts)
        return f"{place['start']}{body}\n{place['end']}" if parts else place[0]

    return PLACE.sub(filled, text)


def without_parts(text: str) -> str:
    """``text`` with its marked places emptied: what the shared page says itself."""

    def emptied(place: re.Match[str]) -> str:
        indent = place["filled"].rsplit("\n", 1)[-1] if place["part"] == "nav" else ""
        return place["start"] + indent + place["end"]

    return PLACE.sub(emptied, text)


def pages(root: Path) -> list[Path]:
    """The shared pages, and mkdocs.yml (its nav lists each app's guide)."""
    return [*sorted((root / "docs").glob("*.md")), root / "mkdocs.yml"]


def fill_pages(root: Path = ROOT) -> list[Path]:
    """Fill every shared page under ``root`` for the apps there; the pages changed."""
    every_app = apps(root)
    changed = []
    for page in pages(root):
        text = page.read_text()
        new = fill(without_parts(text), every_app, root / "docs")
        if new != text:
            page.write_text(new)
            changed.append(page)
    return changed


if __name__ == "__main__":
    for page in fill_pages():
        print(f"filled {page.relative_to(ROOT)}")
