"""Security as the browser sees it: cookie flags, and a tampered CSRF token."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import PageWatch
from tests.e2e.live_servers import PASSWORD, STAFF_EMAIL, LiveApp


def test_session_and_remember_cookies_are_httponly_and_lax(
    servers: dict[str, LiveApp], new_context: Any
) -> None:
    for app in ("helpdesk", "recipes"):
        context = new_context()
        page = context.new_page()
        page.goto(f"{servers[app].url}/auth/login")
        page.fill("#email", STAFF_EMAIL)
        page.fill("#password", PASSWORD)
        page.check("#remember")
        page.click("#submit")
        expect(page.locator("[data-testid=current-user]")).to_contain_text(
            STAFF_EMAIL.split("@")[0]
        )
        cookies = {cookie["name"]: cookie for cookie in context.cookies()}
        for name in ("session", "remember_token"):
            assert cookies[name]["httpOnly"] is True, (app, name)
            assert cookies[name]["sameSite"] == "Lax", (app, name)
            # Plain http in development; ENV=production sets Secure (tests/shared).
            assert cookies[name]["secure"] is False, (app, name)
        assert page.evaluate("document.cookie") == ""  # invisible to scripts


def test_a_tampered_csrf_token_gets_the_400_page(
    servers: dict[str, LiveApp], new_context: Any, watch: PageWatch
) -> None:
    watch.expect_error_status(400)
    page = new_context().new_page()
    page.goto(f"{servers['helpdesk'].url}/auth/login")
    page.eval_on_selector("input[name=csrf_token]", "el => { el.value = el.value + 'x'; }")
    page.fill("#email", STAFF_EMAIL)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    expect(page.locator("h1")).to_have_text("Bad Request")
    expect(page.locator("main")).to_contain_text("did not come from this site")
    expect(page.locator("[data-testid=current-user]")).to_have_count(0)
