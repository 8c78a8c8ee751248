"""A shared page of the documentation holds each app's part of it
(docs/<slug>/parts/), put in place by scripts/docs_parts.py: a fork's pages
hold its one app's, and this repository's cannot drift from the parts."""

from __future__ import annotations

from pathlib import Path

from tests.scripts import script

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def test_every_shared_page_holds_its_apps_parts() -> None:
    docs_parts = script("docs_parts")
    every_app = script("apps").apps(ROOT)
    stale = [
        page.name
        for page in docs_parts.pages(ROOT)
        if docs_parts.fill(docs_parts.without_parts(page.read_text()), every_app, DOCS)
        != page.read_text()
    ]
    assert stale == [], (
        "run python scripts/docs_parts.py (it rewrites each app's part of a shared page"
        " from docs/<slug>/parts/: edit the part, not the page)"
    )


def test_every_part_has_a_place_on_a_shared_page() -> None:
    """A part no page marks a place for would never be read."""
    places = {
        place["part"]
        for page in script("docs_parts").pages(ROOT)
        for place in script("docs_parts").PLACE.finditer(page.read_text())
    }
    parts = {
        path.relative_to(folder).with_suffix("").as_posix()
        for app in script("apps").apps(ROOT)
        if (folder := DOCS / app.slug / "parts").is_dir()
        for path in folder.rglob("*.md")
    }
    assert parts
    assert parts <= places


def test_a_place_holds_only_the_parts_of_the_apps_given() -> None:
    docs_parts = script("docs_parts")
    every_app = script("apps").apps(ROOT)
    page = "# Page\n\n<!-- each app: diagrams -->\n<!-- end each app -->\n"
    for app in every_app:
        filled = docs_parts.fill(page, [app], DOCS)
        others = [other for other in every_app if other is not app]
        assert [other.package for other in others if other.names.search(filled)] == []
        assert docs_parts.without_parts(filled) == page


def test_the_sites_nav_lists_the_guide_of_each_app_present() -> None:
    docs_parts = script("docs_parts")
    every_app = script("apps").apps(ROOT)
    mkdocs = (ROOT / "mkdocs.yml").read_text()
    for app in every_app:
        nav = docs_parts.fill(docs_parts.without_parts(mkdocs), [app], DOCS)
        assert f"      - {app.title}: {app.slug}.md\n" in nav
        assert [other.slug for other in every_app if f"{other.slug}.md" in nav] == [app.slug]
