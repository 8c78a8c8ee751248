"""What a newcomer meets first: the help desk's lists read well on a phone,
an error page keeps the app's navigation, and an oversized photo never
throws away the recipe typed around it (refused in the browser before the
upload, and by the server with the form kept when the browser check is
bypassed)."""

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
