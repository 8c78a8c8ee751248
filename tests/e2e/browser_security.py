"""Security as the browser sees it, for the apps with the shared auth pages
(shared/auth/views.py): cookie flags, and a tampered CSRF token. Each such
app's tests/e2e/<package>/test_browser_security.py runs these checks on its
own server."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import PageWatch
from tests.e2e.live_servers import PASSWORD, STAFF_EMAIL


def assert_login_cookies_are_httponly_and_lax(new_context: Any, base: str) -> None:
    """Logged in with "remember me": the session and remember cookies are
    HttpOnly, SameSite=Lax, and (plain http in development) not Secure."""
    context = new_context()
    page = context.new_page()
    page.goto(f"{base}/auth/login")
    page.fill("#email", STAFF_EMAIL)
    page.fill("#password", PASSWORD)
    page.check("#remember")
    page.click("#submit")
    expect(page.locator("[data-testid=current-user]")).to_contain_text(STAFF_EMAIL.split("@")[0])
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    for name in ("session", "remember_token"):
        assert cookies[name]["httpOnly"] is True, (base, name)
        assert cookies[name]["sameSite"] == "Lax", (base, name)
        # Plain http in development; ENV=production sets Secure (tests/shared).
        assert cookies[name]["secure"] is False, (base, name)
    assert page.evaluate("document.cookie") == ""  # invisible to scripts


def assert_a_tampered_csrf_token_gets_the_400_page(
    new_context: Any, watch: PageWatch, base: str
) -> None:
    """The login form sent with its CSRF token changed: the 400 page, which
    says why, and nobody logged in."""
    watch.expect_error_status(400)
    page = new_context().new_page()
    page.goto(f"{base}/auth/login")
    page.eval_on_selector("input[name=csrf_token]", "el => { el.value = el.value + 'x'; }")
    page.fill("#email", STAFF_EMAIL)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    expect(page.locator("h1")).to_have_text("Bad Request")
    expect(page.locator("main")).to_contain_text("did not come from this site")
    expect(page.locator("[data-testid=current-user]")).to_have_count(0)
