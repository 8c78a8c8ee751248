"""The help desk's part of a running ``make demo`` (tests/deploy/test_demo.py
calls it): a page's files and the 304s of files the browser has get no line,
and a forgotten password's link is printed by the help desk's worker, framed,
and opens the form to set a new password."""

from __future__ import annotations

import re
from pathlib import Path

import requests

from tests.servers import log_shows


def check_serving(base: str, log: Path) -> None:
    # A page's files, and a file the browser already has (304): no line.
    etag = requests.get(f"{base}/shared/static/site.css", timeout=10).headers["ETag"]
    cached = requests.get(
        f"{base}/shared/static/site.css", headers={"If-None-Match": etag}, timeout=10
    )
    assert cached.status_code == 304
    # A forgotten password: the reset link is printed here by the help
    # desk's worker, and it opens the form to set a new password.
    link = reset_link_printed_for(base, log)
    page = requests.get(link, timeout=10)
    assert page.status_code == 200
    assert "ann@example.com" in page.text
    # The mail in its frame, every line in the frame's margin.
    # (The frame's last line is waited for: the worker prints line by line.)
    log_shows(log, r"^helpdesk mail +\| \+={71}$")
    output = log.read_text()
    assert "/static/" not in output
    assert re.search(r"^helpdesk mail +\| \+== Mail, printed here, not sent", output, re.M)
    assert re.search(r"^helpdesk mail +\| \| Subject: Set a new password$", output, re.M)
    assert re.search(r"^helpdesk mail +\| \| .*password-reset/", output, re.M)


def reset_link_printed_for(base: str, log: Path) -> str:
    browser = requests.Session()
    form = browser.get(f"{base}/auth/password-reset", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    assert token, form
    answer = browser.post(
        f"{base}/auth/password-reset",
        data={"email": "ann@example.com", "csrf_token": token.group(1)},
        timeout=10,
    )
    assert answer.status_code == 200  # redirected to the login page
    # ...which says where the mail went: here, not to a mailbox.
    assert "printed in the terminal that runs the app" in answer.text
    assert "mailbox" not in answer.text
    return log_shows(log, rf"{re.escape(base)}/auth/password-reset/\S+", seconds=60).group(0)
