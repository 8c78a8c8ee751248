"""Security as the browser sees it, in every app with HTML pages (the shared
auth pages, shared/auth/views.py): cookie flags, and a tampered CSRF token.
An app has HTML pages when its app.toml lists pages for make lighthouse."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PageWatch
from tests.e2e.live_servers import PASSWORD, STAFF_EMAIL, LiveApp
from tests.scripts import script

html_apps = pytest.mark.parametrize(
    "package", [app.package for app in script("apps").apps() if app.lighthouse]
)


@html_apps
def test_session_and_remember_cookies_are_httponly_and_lax(
    package: str, servers: dict[str, LiveApp], new_context: Any
) -> None:
    """Logged in with "remember me": the session and remember cookies are
    HttpOnly, SameSite=Lax, and (plain http in development) not Secure."""
    base = servers[package].url
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


@html_apps
def test_a_tampered_csrf_token_gets_the_400_page(
    package: str, servers: dict[str, LiveApp], new_context: Any, watch: PageWatch
) -> None:
    """The login form sent with its CSRF token changed: the 400 page, which
    says why, and nobody logged in."""
    base = servers[package].url
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
