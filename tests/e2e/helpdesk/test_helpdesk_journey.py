"""A customer files a ticket; staff, in another browser, replies, adds an
internal note and resolves it; the customer sees the reply and the Resolved
badge, and never the note."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.live_servers import PASSWORD, STAFF_EMAIL, LiveApp, log_in


def test_ticket_from_filing_to_resolved(servers: dict[str, LiveApp], new_context: Any) -> None:
    base = servers["helpdesk"].url
    customer = new_context().new_page()

    customer.goto(f"{base}/")
    expect(customer).to_have_url(f"{base}/auth/login?next=%2Ftickets%2F")
    customer.click("text=Register")
    customer.fill("#email", "carla@example.com")
    customer.fill("#password", PASSWORD)
    customer.fill("#password_confirm", PASSWORD)
    customer.click("#submit")
    expect(customer.locator("[data-testid=current-user]")).to_contain_text("carla")

    customer.click("nav >> text=New ticket")
    customer.fill("#title", "Laptop will not start")
    customer.fill("#description", "The power light blinks three times.")
    customer.click("#submit")
    expect(customer.locator("h1")).to_have_text("Laptop will not start")
    expect(customer.locator("[data-status=open]")).to_be_visible()
    ticket_url = customer.url

    staff = new_context().new_page()
    log_in(staff, base, STAFF_EMAIL)
    staff.click("nav >> text=All tickets (staff)")
    staff.click("text=Laptop will not start")
    staff.fill("#body", "Hold the power button for 30 seconds, then try again.")
    staff.click("form[action$='/replies'] >> #submit")
    expect(staff.locator(".alert-success")).to_contain_text("Reply sent")
    staff.fill("#body", "Battery recall list: check serial number.")
    staff.check("#internal")
    staff.click("form[action$='/replies'] >> #submit")
    expect(staff.locator("[data-internal=true]")).to_contain_text("Battery recall list")
    staff.select_option("#status", "resolved")
    staff.click("form[action$='/status'] >> #submit")
    expect(staff.locator("[data-testid=history]")).to_contain_text("Resolved by staff")

    customer.goto(ticket_url)
    expect(customer.locator("h1 + [data-status=resolved]")).to_have_text("Resolved")
    expect(customer.get_by_text("Hold the power button for 30 seconds")).to_be_visible()
    expect(customer.get_by_text("Battery recall list")).to_have_count(0)
    assert "Battery recall" not in customer.content()

    # The customer cannot reach the staff area.
    customer.on("console", lambda _: None)
    response = customer.request.get(f"{base}/staff/tickets/")
    assert response.status == 403
