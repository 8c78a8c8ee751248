"""``make demo``'s terminal while a person asks the help desk for a password
reset in a browser: one line for the form they send, none for the page's
files; the page says the mail is printed in the terminal."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import RunningDemo


def test_the_demo_terminal_shows_a_password_reset_and_not_its_files(
    demo: RunningDemo, new_context: Any
) -> None:
    start = demo.shown()
    page = new_context().new_page()
    files: list[str] = []
    page.on("requestfinished", lambda request: files.append(request.url))
    page.goto(f"{demo.urls['helpdesk']}/auth/password-reset")
    page.fill("#email", "ann@example.com")
    page.click("#submit")
    expect(page.locator("[role=alert]")).to_contain_text("printed in the terminal")
    assert any("/static/" in url for url in files)  # the pages did load their files
    output = demo.shown_since(start, "helpdesk")
    line = r"^helpdesk +\| \d\d:\d\d:\d\d POST /auth/password-reset 302 "
    assert re.search(line, output, re.M), output
    assert "/static/" not in output
    assert " 304 " not in output
