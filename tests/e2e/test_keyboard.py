"""With the keyboard alone: file a ticket and post a recipe. The skip link
is the first tab stop; after an empty submit the focus is on the error
summary, whose links lead to the fields, and each field in error carries its
message as its accessible description (what a screen reader reads with it)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PageWatch
from tests.e2e.live_servers import LiveApp, register


def focused(page: Page) -> Any:
    return page.locator("*:focus")


def tab_to(page: Page, selector: str, *, limit: int = 25) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"{selector} was not reached in {limit} presses of Tab")


def skip_to_main(page: Page) -> None:
    page.keyboard.press("Tab")
    expect(focused(page)).to_have_text("Skip to main content")
    expect(focused(page)).to_be_visible()  # shown when focused
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_file_a_ticket_with_the_keyboard_alone(
    servers: dict[str, LiveApp], new_context: Any, watch: PageWatch
) -> None:
    base = servers["helpdesk"].url
    page = new_context().new_page()
    register(page, base, "keys-only@example.com")  # the account, set up as in other tests
    page.goto(f"{base}/tickets/")

    skip_to_main(page)
    tab_to(page, "main a[href$='/tickets/new']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("New ticket")

    # An empty submit: the focus goes to the summary, which names both fields.
    watch.expect_error_status(422)
    tab_to(page, "#submit")
    page.keyboard.press("Enter")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Title: Give the ticket a title.")
    expect(page).to_have_title("Error: New ticket · Help desk")
    expect(page.locator("#title")).to_have_accessible_description("Give the ticket a title.")
    expect(page.locator("#description")).to_have_accessible_description("Describe the problem.")
    expect(page.locator("#title")).to_have_attribute("aria-invalid", "true")

    # The summary's first link leads to the field.
    page.keyboard.press("Tab")
    expect(focused(page)).to_have_text("Title: Give the ticket a title.")
    page.keyboard.press("Enter")
    expect(page.locator("#title")).to_be_focused()
    page.keyboard.type("Keyboard shortcuts stopped working")
    page.keyboard.press("Tab")
    expect(page.locator("#description")).to_be_focused()
    page.keyboard.type("Ctrl+C does nothing in any program.")
    tab_to(page, "#submit")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Keyboard shortcuts stopped working")


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


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``rgb(...)``/``rgba(...)`` colours."""

    def luminance(colour: str) -> float:
        channels = [float(part) / 255 for part in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


FOCUS_RING = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  let behind = element.parentElement;
  while (behind && getComputedStyle(behind).backgroundColor.endsWith(", 0)")) {
    behind = behind.parentElement;
  }
  return {
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    colour: style.outlineColor,
    background: behind ? getComputedStyle(behind).backgroundColor : "rgb(255, 255, 255)",
  };
}"""


def test_the_keyboard_focus_is_a_solid_ring_of_3_to_1_or_more(
    servers: dict[str, LiveApp], new_context: Any
) -> None:
    base = servers["helpdesk"].url
    page = new_context().new_page()
    page.goto(f"{base}/auth/login")
    # A link on the dark navbar, a field and a button on the white page.
    for target in ("nav a[href$='/auth/login']", "#email", "#submit"):
        tab_to(page, target)
        ring = page.evaluate(FOCUS_RING)
        assert ring["style"] == "solid", target
        assert ring["width"] >= 2, target
        assert contrast(ring["colour"], ring["background"]) >= 3, (target, ring)
