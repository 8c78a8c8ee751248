"""What a newcomer meets first in the recipe site: an oversized photo never
throws away the recipe typed around it (refused in the browser before the
upload, and by the server with the form kept when the browser check is
bypassed), and choosing another photo clears what the server said of the last."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PageWatch
from tests.e2e.live_servers import LiveApp, register


def fill_recipe(page: Page) -> None:
    page.fill("#title", "Grandma's borscht")
    page.fill("#ingredients", "3 beetroots\n1 cabbage")
    page.fill("#instructions", "Simmer for an hour.")


def a_photo_of(megabytes: float) -> dict[str, Any]:
    """A "photo" of ``megabytes`` million bytes (JPEG's first two, then filler)."""
    size = int(megabytes * 1_000_000)
    return {"name": "huge.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8" + b"0" * (size - 2)}


def test_an_oversized_photo_keeps_the_typed_recipe(
    servers: dict[str, LiveApp], new_context: Any, watch: PageWatch
) -> None:
    base = servers["recipes"].url
    page = new_context().new_page()
    register(page, base, "big-photos@example.com")
    page.goto(f"{base}/recipes/new")
    fill_recipe(page)

    # In the browser: refused before anything is sent.
    uploads: list[str] = []
    page.on(
        "request", lambda request: uploads.append(request.url) if request.method == "POST" else None
    )
    page.set_input_files("#image", a_photo_of(12))
    page.click("#submit")
    expect(page.locator("#image-size-error")).to_contain_text(
        "This photo is 12 MB; photos can be up to 10 MB."
    )
    expect(page.locator("#image")).to_have_attribute("aria-describedby", "image-size-error")
    assert uploads == []
    expect(page.locator("#title")).to_have_value("Grandma's borscht")

    # Without the browser's check (an old browser, say): the server refuses,
    # and the form comes back with everything typed and the reason beside the photo.
    page.route(
        "**/photo-size.js",
        lambda route: route.fulfill(body="", content_type="text/javascript"),
    )
    page.goto(f"{base}/recipes/new")
    fill_recipe(page)
    page.set_input_files("#image", a_photo_of(11.2))
    watch.expect_error_status(413)
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.click("#submit")
    assert answer.value.status == 413
    expect(page.locator("#image-error")).to_contain_text(
        "This photo is 11.2 MB; photos can be up to 10 MB."
    )
    expect(page.locator("#title")).to_have_value("Grandma's borscht")
    expect(page.locator("#ingredients")).to_have_value("3 beetroots\n1 cabbage")
    expect(page.locator("nav >> text=All recipes")).to_be_visible()


def test_a_new_photo_replaces_what_the_server_said_of_the_last_one(
    servers: dict[str, LiveApp], new_context: Any, watch: PageWatch
) -> None:
    base = servers["recipes"].url
    page = new_context().new_page()
    register(page, base, "second-photo@example.com")
    page.goto(f"{base}/recipes/new")
    fill_recipe(page)
    gif = {"name": "dance.gif", "mimeType": "image/gif", "buffer": b"GIF89a" + b"0" * 100}
    page.set_input_files("#image", gif)
    watch.expect_error_status(422)
    page.click("#submit")
    expect(page.locator("#image-error")).to_contain_text("Upload a .jpg, .jpeg or .png file.")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Upload a .jpg, .jpeg or .png file.")

    # Another file: the server's message was about the GIF, and goes.
    page.set_input_files("#image", a_photo_of(12))
    expect(page.locator("#image-size-error")).to_contain_text("This photo is 12 MB")
    expect(page.locator("#image-error")).to_have_count(0)
    expect(summary).to_have_count(0)  # it listed the photo's message only
    expect(page.locator("#image")).to_have_attribute("aria-describedby", "image-size-error")
    # And a photo that fits leaves no message, and nothing pointing at one.
    page.set_input_files("#image", a_photo_of(0.01))
    expect(page.locator("#image-size-error")).to_have_count(0)
    expect(page.locator("#image")).not_to_have_attribute("aria-describedby", re.compile(".*"))
    expect(page.locator("#image")).not_to_have_class(re.compile(r"\bis-invalid\b"))
