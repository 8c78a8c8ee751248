"""With the keyboard alone: file a ticket. The skip link is the first tab
stop; after an empty submit the focus is on the error summary, whose links
lead to the fields, and each field in error carries its message as its
accessible description (what a screen reader reads with it). The focus is a
solid ring that stands out from what is behind it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import PageWatch
from tests.e2e.keyboard import FOCUS_RING, contrast, focused, skip_to_main, tab_to
from tests.e2e.live_servers import LiveApp, register


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
