"""Display names in a browser: chosen at sign-up, shown to others on the
recipe card and page instead of the address, changed on the account page, and
a name that could mislead refused with a message at the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import PageWatch
from tests.e2e.live_servers import LiveApp, register
from tests.e2e.recipes.test_recipes_journey import photo


def test_a_cook_is_known_by_their_display_name_and_can_change_it(
    servers: dict[str, LiveApp], new_context: Any, watch: PageWatch, tmp_path: Path
) -> None:
    base = servers["recipes"].url
    cook = new_context().new_page()
    register(cook, base, "hidden.address@example.com", display_name="Chef Ana")
    expect(cook.locator("[data-testid=current-user]")).to_have_text("Chef Ana")
    cook.click("nav >> text=Post a recipe")
    cook.fill("#title", "Lentil soup")
    cook.fill("#ingredients", "Red lentils\nCarrot")
    cook.fill("#instructions", "Simmer for 20 minutes.")
    cook.set_input_files("#image", str(photo(tmp_path / "soup.jpg", "#c1440e", (800, 600))))
    cook.click("#submit")
    expect(cook.locator("h1")).to_have_text("Lentil soup")
    recipe_url = cook.url

    visitor = new_context().new_page()
    visitor.goto(f"{base}/")
    card = visitor.locator(".card", has_text="Lentil soup")
    expect(card).to_contain_text("by Chef Ana")
    visitor.goto(recipe_url)
    expect(visitor.locator("main")).to_contain_text("by Chef Ana")
    assert "hidden.address" not in visitor.content()

    cook.click("[data-testid=current-user]")
    expect(cook.locator("main")).to_contain_text("hidden.address@example.com")  # to its owner only
    watch.expect_error_status(422)
    cook.fill("#display_name", "ana@example.com")  # an address is not a name
    cook.click("#submit")
    expect(cook.locator("#display_name")).to_have_attribute("aria-invalid", "true")
    expect(cook.locator("main")).to_contain_text("Use letters, digits, spaces")
    cook.fill("#display_name", "Ana the Cook")
    cook.click("#submit")
    expect(cook.locator(".alert-success")).to_contain_text("Your display name is saved.")

    visitor.goto(recipe_url)
    expect(visitor.locator("main")).to_contain_text("by Ana the Cook")
