"""The recipe site's part of a running ``make demo`` (tests/deploy/test_demo.py
calls it): its login page names the demo accounts, each request is one line
named after the app (its seeding's progress bar is not), and the seeded
recipes with their photos are still there after a second demo was refused."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.servers import log_shows


def check_serving(base: str, log: Path) -> None:
    # The login page names the demo accounts.
    login = requests.get(f"{base}/auth/login", timeout=10).text
    assert "cook@example.com" in login
    log_shows(log, r"^recipes +\| \d\d:\d\d:\d\d GET /auth/login 200 ")
    assert "Demo recipes\n" not in log.read_text()


def seeded(base: str) -> int:
    """The recipe photos on the home page."""
    home = requests.get(f"{base}/", timeout=10)
    assert home.status_code == 200
    return home.text.count("recipe-thumbnail")
