"""Forgot your password? In a real browser: ask for a link, take it from the
mail the help desk's worker printed (as in ``make demo``), set a new
password, log in with it; the old password no longer works."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.live_servers import PASSWORD, LiveApp, log_in, register

NEW_PASSWORD = "my new desk passphrase"


def printed_link(mail_log: Path, base: str) -> str:
    pattern = re.compile(rf"{re.escape(base)}/auth/password-reset/\S+")
    deadline = time.monotonic() + 30
    while not (found := pattern.search(mail_log.read_text())):
        assert time.monotonic() < deadline, (
            f"no link in the worker's output:\n{mail_log.read_text()}"
        )
        time.sleep(0.3)
    return found.group(0)


def test_forgot_password_from_the_mailed_link_to_logging_in(
    servers: dict[str, LiveApp], new_context: Any, watch: Any
) -> None:
    desk = servers["helpdesk"]
    assert desk.mail_log is not None
    page = new_context().new_page()
    register(page, desk.url, "dora@example.com")
    page.click("nav >> text=Log out")

    page.click("text=Forgot your password?")
    page.fill("#email", "dora@example.com")
    page.click("#submit")
    # No mail server here, as in make demo: the page says where the mail went.
    expect(page.locator(".alert")).to_contain_text("printed in the terminal that runs the app")

    page.goto(printed_link(desk.mail_log, desk.url))
    expect(page.locator("h1")).to_have_text("Set a new password")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#password_confirm", NEW_PASSWORD)
    page.click("#submit")
    expect(page.locator(".alert-success")).to_contain_text("Your password is changed")

    watch.expect_error_status(422)  # the old password: the form again, with its message
    log_in(page, desk.url, "dora@example.com", PASSWORD)
    expect(page.locator(".alert-danger, .invalid-feedback, [role=alert]").first).to_be_visible()
    log_in(page, desk.url, "dora@example.com", NEW_PASSWORD)
    expect(page.locator("[data-testid=current-user]")).to_contain_text("dora")
