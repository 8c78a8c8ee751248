"""What a newcomer meets first in the help desk: its lists read well on a
phone, a failed reply keeps the ticket's address, and an error page keeps the
app's navigation."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, PageWatch
from tests.e2e.live_servers import STAFF_EMAIL, LiveApp, log_in, register

LONG_TITLES = (
    "The shared printer on the third floor prints every page twice",
    "Cannot reach the VPN from the hotel network since this morning",
)


def assert_reads_on_a_phone(page: Page) -> None:
    """No sideways scrolling, inner or outer; every status badge whole on
    screen; titles of at most two lines; the last column still shown."""
    width = PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for box in page.locator(".table-responsive").all():
        assert box.evaluate("el => el.scrollWidth <= el.clientWidth")
    badges = page.locator("td [data-status]")
    assert badges.count() >= len(LONG_TITLES)
    for badge in badges.all():
        bounds = badge.bounding_box()
        assert bounds is not None
        assert bounds["x"] >= 0
        assert bounds["x"] + bounds["width"] <= width
        assert badge.evaluate("el => el.scrollWidth <= el.clientWidth")  # not clipped
    for title in page.locator("td.stack-title a").all():
        lines = title.evaluate(
            "el => Math.round(el.getBoundingClientRect().height"
            " / parseFloat(getComputedStyle(el).lineHeight))"
        )
        assert lines <= 2, title.inner_text()
    for cell in page.locator('td[data-label="Last activity"]').all():
        expect(cell).to_be_visible()
        bounds = cell.bounding_box()
        assert bounds is not None
        assert bounds["x"] + bounds["width"] <= width


def test_the_ticket_lists_read_well_on_a_phone(
    servers: dict[str, LiveApp], new_context: Any
) -> None:
    base = servers["helpdesk"].url
    customer = new_context(PHONE).new_page()
    register(customer, base, "phone-user@example.com")
    for title in LONG_TITLES:
        customer.goto(f"{base}/tickets/new")
        customer.fill("#title", title)
        customer.fill("#description", "Seen on a phone.")
        customer.click("#submit")
        expect(customer.locator("h1")).to_have_text(title)
    customer.goto(f"{base}/tickets/")
    assert_reads_on_a_phone(customer)

    staff = new_context(PHONE).new_page()
    log_in(staff, base, STAFF_EMAIL)
    staff.goto(f"{base}/staff/tickets/?q=Seen+on+a+phone")
    assert_reads_on_a_phone(staff)


def test_a_failed_reply_keeps_the_tickets_address(
    servers: dict[str, LiveApp], new_context: Any, watch: PageWatch
) -> None:
    base = servers["helpdesk"].url
    page = new_context().new_page()
    register(page, base, "empty-reply@example.com")
    page.goto(f"{base}/tickets/new")
    page.fill("#title", "Mouse double-clicks")
    page.fill("#description", "Every click counts twice.")
    page.click("#submit")
    ticket_url = page.url
    watch.expect_error_status(422)
    page.click("form[action$='/replies'] >> #submit")  # empty
    expect(page.locator("#body-error")).to_contain_text("Write something before sending.")
    expect(page).to_have_url(ticket_url)  # not …/replies


def test_an_error_page_keeps_the_navigation(
    servers: dict[str, LiveApp], new_context: Any, watch: PageWatch
) -> None:
    base = servers["helpdesk"].url
    page = new_context().new_page()
    register(page, base, "lost@example.com")
    watch.expect_error_status(404)
    page.goto(f"{base}/tickets/no-such-page")
    expect(page.locator("h1")).to_have_text("Not Found")
    page.click("nav >> text=My tickets")
    expect(page).to_have_url(f"{base}/tickets/")
