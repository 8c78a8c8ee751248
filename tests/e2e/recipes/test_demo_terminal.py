"""``make demo``'s terminal while a person opens the recipe site's home page,
and again: one line each, none for its photos, stylesheets and scripts, nor
for their 304s."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import PageWatch, RunningDemo


def test_the_demo_terminal_shows_the_recipe_list_and_not_its_files(
    demo: RunningDemo, new_context: Any, watch: PageWatch
) -> None:
    start = demo.shown()
    page = new_context().new_page()
    files: list[str] = []
    page.on("requestfinished", lambda request: files.append(request.url))
    page.goto(f"{demo.urls['recipes']}/")
    expect(page.locator("h1")).to_have_text("Recipes")
    with watch.audit_after(page):
        page.reload()  # the browser asks again for what it has: 304s
    assert any("/static/" in url for url in files)  # the page did load its files
    output = demo.shown_since(start, "recipes")
    assert re.search(r"^recipes +\| \d\d:\d\d:\d\d GET / 200 ", output, re.M), output
    assert "/static/" not in output
    assert " 304 " not in output
