"""``make demo``'s terminal while a person clicks through in a browser: one
line per page they open, none for the stylesheets, scripts, logos and fonts
each page loads, nor for the 304s of a page opened again; a printed mail
stands out. (tests/deploy/test_demo.py covers the demo without a browser.)"""

from __future__ import annotations

import re
import signal
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.deploy.test_demo import start_demo
from tests.servers import free_ports


def test_the_demo_terminal_shows_the_pages_a_person_opens_and_not_their_files(
    new_context: Any, tmp_path: Path
) -> None:
    ports = free_ports(4)
    log = tmp_path / "demo.log"
    demo = start_demo(ports, tmp_path / "data", log)
    try:
        desk, recipes = (f"http://127.0.0.1:{port}" for port in ports[:3:2])
        page = new_context().new_page()
        files: list[str] = []
        page.on("requestfinished", lambda request: files.append(request.url))
        page.goto(f"{recipes}/")
        expect(page.locator("h1")).to_have_text("Recipes")
        page.reload()  # the browser asks again for what it has: 304s
        page.goto(f"{desk}/auth/password-reset")
        page.fill("#email", "ann@example.com")
        page.click("#submit")
        expect(page.locator("[role=alert]")).to_contain_text("printed in the terminal")
        assert any("/static/" in url for url in files)  # the pages did load their files
        output = log.read_text()
        assert re.search(r"^recipes +\| \d\d:\d\d:\d\d GET / 200 ", output, re.M)
        assert re.search(
            r"^helpdesk +\| \d\d:\d\d:\d\d POST /auth/password-reset 302 ", output, re.M
        )
        assert "/static/" not in output
        assert " 304 " not in output
    finally:
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=30) == 0
