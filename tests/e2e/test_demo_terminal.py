"""``make demo``'s terminal while a person clicks through in a browser: one
line per page they open, none for the stylesheets, scripts, logos and fonts
each page loads, nor for the 304s of a page opened again. Each app's home
page here; what a person does in one app, in its tests/e2e/<package>/
test_demo_terminal.py. (tests/deploy/test_demo.py covers the demo without a
browser.)"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Response

from tests.deploy.test_demo import APPS
from tests.e2e.conftest import PageWatch, RunningDemo


@pytest.mark.parametrize("app", APPS, ids=[app.package for app in APPS])
def test_the_demo_terminal_shows_the_pages_a_person_opens_and_not_their_files(
    demo: RunningDemo, new_context: Any, watch: PageWatch, app: Any
) -> None:
    url = demo.urls[app.package] + app.path
    start = demo.shown()
    page = new_context().new_page()
    files: list[str] = []
    page.on("requestfinished", lambda request: files.append(request.url))
    answers: list[Response] = []
    page.on("response", lambda response: answers.append(response))
    page.goto(url)
    with watch.audit_after(page):
        page.reload()  # the browser asks again for what it has: 304s
    assert any("/static/" in file for file in files)  # the page did load its files
    status = next(answer.status for answer in answers if answer.url == url)
    output = demo.shown_since(start, app.package)
    line = rf"^{app.package} +\| \d\d:\d\d:\d\d GET {re.escape(app.path)} {status} "
    assert re.search(line, output, re.M), output
    assert "/static/" not in output
    assert " 304 " not in output
