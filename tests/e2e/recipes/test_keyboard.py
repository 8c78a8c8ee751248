"""With the keyboard alone: post a recipe, its photo chosen through the file
dialog. After an empty submit the focus is on the error summary, and each
field in error carries its message as its accessible description (what a
screen reader reads with it)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import PageWatch
from tests.e2e.keyboard import skip_to_main, tab_to
from tests.e2e.live_servers import LiveApp, register


def test_post_a_recipe_with_the_keyboard_alone(
    servers: dict[str, LiveApp], new_context: Any, watch: PageWatch, tmp_path: Path
) -> None:
    base = servers["recipes"].url
    page = new_context().new_page()
    # Playwright turns on its file-chooser interception when a listener is
    # first added, without waiting: added only at the keypress, the dialog can
    # open (invisibly, headless) before it is on.
    page.on("filechooser", lambda _chooser: None)
    register(page, base, "keys-cook@example.com")
    page.goto(f"{base}/")

    skip_to_main(page)
    page.keyboard.press("Shift+Tab")  # back into the navigation, to its "Post a recipe"
    tab_to(page, "nav a[href$='/recipes/new']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Post a recipe")

    watch.expect_error_status(422)
    tab_to(page, "#submit")
    page.keyboard.press("Enter")
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.locator("#image")).to_have_accessible_description("Add a photo of the dish.")
    expect(page.locator("#title")).to_have_accessible_description("Give the recipe a title.")

    tab_to(page, "#title")
    page.keyboard.type("Keyboard pancakes")
    page.keyboard.press("Tab")
    page.keyboard.type("2 eggs")
    page.keyboard.press("Enter")
    page.keyboard.type("250 ml milk")
    page.keyboard.press("Tab")
    page.keyboard.type("Whisk, rest, fry.")
    tab_to(page, "#image")
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "#e0a040").save(buffer, "JPEG")
    photo = tmp_path / "pancakes.jpg"
    photo.write_bytes(buffer.getvalue())
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")  # opens the file dialog
    chooser.value.set_files(str(photo))
    tab_to(page, "#submit")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Keyboard pancakes")
