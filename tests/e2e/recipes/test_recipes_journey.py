"""Post a recipe with a real JPEG through the file input, see the photo load
on the detail and list pages, replace it, and delete the recipe; tag recipes
and follow a tag to the recipes that share it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Locator, Page, expect

from tests.e2e.live_servers import LiveApp, register


def photo(path: Path, colour: str, size: tuple[int, int]) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def natural_width(page: Page, image: Locator) -> int:
    """Once the browser has really loaded and decoded the picture."""
    expect(image).to_be_visible()
    page.wait_for_function("(el) => el.complete && el.naturalWidth > 0", arg=image.element_handle())
    return int(image.evaluate("el => el.naturalWidth"))


def test_recipe_with_a_photo_from_post_to_delete(
    servers: dict[str, LiveApp], new_context: Any, tmp_path: Path
) -> None:
    base = servers["recipes"].url
    page = new_context().new_page()
    register(page, base, "dana@example.com")

    page.click("nav >> text=Post a recipe")
    page.fill("#title", "Beetroot salad")
    page.fill("#ingredients", "3 beetroots\nGoat cheese\nWalnuts")
    page.fill("#instructions", "Roast the beetroots, slice, top with cheese and nuts.")
    page.set_input_files("#image", str(photo(tmp_path / "salad.jpg", "#8e1b4b", (1600, 1200))))
    page.click("#submit")
    expect(page.locator("h1")).to_have_text("Beetroot salad")
    assert natural_width(page, page.locator("img.recipe-photo")) == 1600
    recipe_url = page.url

    page.goto(f"{base}/")
    thumbnail = page.locator(".card", has_text="Beetroot salad").locator("img")
    assert natural_width(page, thumbnail) == 400

    page.goto(recipe_url)
    old_src = page.locator("img.recipe-photo").get_attribute("src")
    page.click("text=Edit")
    page.set_input_files("#image", str(photo(tmp_path / "new.jpg", "#1b8e4b", (800, 600))))
    page.click("#submit")
    expect(page.locator(".alert-success")).to_contain_text("Your changes are saved.")
    assert natural_width(page, page.locator("img.recipe-photo")) == 800
    assert page.locator("img.recipe-photo").get_attribute("src") != old_src

    page.click("text=Delete…")
    expect(page.locator("h1")).to_contain_text("Delete “Beetroot salad”?")
    page.click("text=Delete this recipe")
    expect(page.locator(".alert-success")).to_contain_text("is deleted")
    expect(page.get_by_text("Beetroot salad", exact=True)).to_have_count(0)


def test_tag_a_recipe_and_follow_the_tag_to_the_recipes_that_share_it(
    servers: dict[str, LiveApp], new_context: Any, tmp_path: Path
) -> None:
    base = servers["recipes"].url
    page = new_context().new_page()
    register(page, base, "eli@example.com")

    for title, tags in (("Fennel slaw", "Crunchy, salad"), ("Plum tart", "baking")):
        page.click("nav >> text=Post a recipe")
        page.fill("#title", title)
        page.fill("#ingredients", "1 of everything")
        page.fill("#instructions", "Put it together.")
        page.fill("#tags", tags)
        page.set_input_files("#image", str(photo(tmp_path / "dish.jpg", "#c0a030", (640, 480))))
        page.click("#submit")
        expect(page.locator("h1")).to_have_text(title)

    page.goto(f"{base}/")
    page.locator(".card", has_text="Fennel slaw").get_by_role("link", name="crunchy").click()
    expect(page).to_have_url(f"{base}/?tag=crunchy")
    expect(page.locator("h1")).to_have_text("Recipes tagged “crunchy”")
    expect(page.locator(".card-title")).to_have_text(["Fennel slaw"])

    page.click("text=Show recipes with any tag")
    expect(page.locator(".card-title", has_text="Plum tart")).to_have_count(1)

    page.click("text=Plum tart")
    page.click("text=Edit")
    expect(page.locator("#tags")).to_have_value("baking")
    page.fill("#tags", "baking, crunchy")
    page.click("#submit")
    page.get_by_role("link", name="crunchy").click()
    expect(page.locator(".card-title")).to_have_text(["Plum tart", "Fennel slaw"])
