"""Times are written in UTC by the server, which cannot know where its reader
is, and shown by the browser in the reader's own time zone with how long ago
it was (shared/layout.py's ``<time>`` element, shared/static/site.js)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.live_servers import LiveApp, register


@pytest.mark.parametrize(
    "zone",
    ["Asia/Kolkata", "America/Los_Angeles", "UTC"],  # a half-hour offset, one behind UTC, none
)
def test_a_ticket_shows_when_it_was_opened_in_the_readers_time_zone(
    servers: dict[str, LiveApp], new_context: Any, zone: str
) -> None:
    base = servers["helpdesk"].url
    page = new_context(timezone_id=zone, locale="en-GB").new_page()
    register(page, base, f"{zone.lower().replace('/', '.')}@example.com")
    page.click("nav >> text=New ticket")
    page.fill("#title", "What time is it?")
    page.fill("#description", "Opened to see the time it shows.")
    page.click("#submit")
    expect(page.locator("h1")).to_have_text("What time is it?")

    opened = page.locator("p >> time").first
    expect(opened).not_to_contain_text("UTC")  # site.js has run (deferred, after the HTML)
    utc = datetime.fromisoformat(opened.get_attribute("datetime") or "")
    assert utc.utcoffset() == timedelta(0)  # "…Z": the server writes UTC
    local = utc.astimezone(ZoneInfo(zone))
    shown = opened.inner_text()
    # The reader's date and clock time (en-GB: "6 Dec 2026, 11:05"), not the UTC text.
    assert f"{local.day} {local:%b} {local.year}" in shown
    assert f"{local:%H:%M}" in shown
    assert re.search(r"\((now|\d+ seconds? ago|1 minute ago)\)$", shown), shown
