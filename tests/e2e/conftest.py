"""Browser tests: Playwright driving Debian's Chromium, headless, against
real servers. Every page a test visits is watched for console errors and
Content Security Policy violations, and audited by axe-core (WCAG 2.1 A and
AA) when it loads, as it is and at a phone's width, under the real CSP; a
test that expects an error status says so with ``watch.expect_error_status()``,
and one that changes a page after it loaded audits it again with
``watch.audit(page)``.

The tests of one app live in tests/e2e/<package>/ (what the browser tests
need to know about it beyond its manifest: its browser.py); the tests here
run over every app found."""

from __future__ import annotations

import re
import shutil
import signal
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.deploy.test_demo import APPS as DEMO_APPS
from tests.deploy.test_demo import base_url, free_demo_ports, start_demo
from tests.e2e.live_servers import LiveApp, all_apps, own_module
from tests.servers import log_shows

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}  # an iPhone's CSS width, the narrowest common phone
# Every page reports CSP violations into a list the test reads back.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LiveApp]]:
    with all_apps(tmp_path_factory.mktemp("e2e")) as apps:
        yield apps


@dataclass(frozen=True)
class RunningDemo:
    urls: dict[str, str]  # by package: http://127.0.0.1:<port>
    log: Path  # what its terminal shows

    def shown(self) -> int:
        """Where the terminal is now: give it to ``shown_since`` later."""
        return len(self.log.read_text())

    def shown_since(self, start: int, package: str) -> str:
        """What the terminal showed from ``start`` on, with every line of the
        requests ``package`` answered so far: a request of its own (a 404) is
        made and waited for, and each app's lines are relayed in order."""
        marker = f"/end-of-test-{uuid.uuid4().hex}"
        assert requests.get(self.urls[package] + marker, timeout=10).status_code == 404
        log_shows(self.log, re.escape(marker))
        return self.log.read_text()[start:]


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDemo]:
    """``make demo`` (scripts/demo.py), started once for the tests of its
    terminal; stopped with Ctrl-C at the end, which it must take cleanly."""
    folder = tmp_path_factory.mktemp("demo")
    ports = free_demo_ports()
    process = start_demo(ports, folder / "data", folder / "demo.log")
    try:
        urls = {app.package: base_url(app, ports) for app in DEMO_APPS}
        yield RunningDemo(urls, folder / "demo.log")
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make e2e`, which installs it (apt, as root).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# axe-core's rules for WCAG 2.0 and 2.1, levels A and AA.
AXE = Axe()
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]},
    "resultTypes": ["violations"],
}
# Third-party markup an app embeds: {its root element's selector: {axe-core
# rule: why it is excused there}}, from each app's browser.py (``UPSTREAM``);
# never our own templates.
UPSTREAM: dict[str, dict[str, str]] = {
    root: rules
    for app in DEMO_APPS
    for root, rules in getattr(own_module(app.package), "UPSTREAM", {}).items()
}


class PageWatch:
    """Collects console errors, CSP violations and axe-core's findings from the
    pages of a context."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.pages: list[Page] = []
        self.allowed_error_statuses: set[int] = set()
        self.accessibility: list[str] = []
        self.phone_csp_violations: list[str] = []
        self.audited = 0

    def attach(self, page: Page) -> None:
        self.pages.append(page)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"page error: {error}"))
        page.on("load", self.audit)

    def audit(self, page: Page) -> None:
        """axe-core on ``page`` as it is now; then, unless it is one already,
        on the same address in a phone-sized window.

        The phone-sized window is a separate context with the same cookies:
        resizing the test's own window would race with what the test does
        next (a key pressed while the navigation is collapsed, say)."""
        try:
            size = page.viewport_size
            self._check(page, AXE.run(page, options=AXE_OPTIONS).response, size)
            if size is None or size["width"] != PHONE["width"]:
                self._audit_at_phone_width(page)
        except PlaywrightError as error:
            # The test moved on while this page was audited: it was closed, or
            # navigated elsewhere (the next page is audited when it loads).
            if not page.is_closed() and "context was destroyed" not in str(error):
                raise

    def _audit_at_phone_width(self, page: Page) -> None:
        context = page.context
        assert context.browser is not None
        phone = context.browser.new_context(viewport=PHONE, storage_state=context.storage_state())
        try:
            phone.add_init_script(RECORD_CSP_VIOLATIONS)
            twin = phone.new_page()
            response = twin.goto(page.url)
            # A page a POST answered (a form shown again) has no GET of its
            # own: the window's own audit above covered it.
            if response is None or (
                response.status >= 400 and response.status not in self.allowed_error_statuses
            ):
                return
            self._check(twin, AXE.run(twin, options=AXE_OPTIONS).response, PHONE)
            self.phone_csp_violations += twin.evaluate("window.__cspViolations || []")
        finally:
            phone.close()

    def _check(self, page: Page, results: dict[str, Any], size: Any) -> None:
        self.audited += 1
        width = f"{size['width']}px" if size else "its own width"
        for violation in results["violations"]:
            for node in violation["nodes"]:
                if self._upstream(page, violation["id"], node["target"]):
                    continue
                self.accessibility.append(
                    f"{page.url} at {width}: {violation['id']} ({violation['help']}) "
                    f"in {node['target']}: {node.get('failureSummary', '')}"
                )

    @staticmethod
    def _upstream(page: Page, rule: str, target: list[Any]) -> bool:
        if not all(isinstance(part, str) for part in target):
            return False
        return any(
            rule in rules
            and page.evaluate(
                "([selector, root]) => Boolean(document.querySelector(selector)?.closest(root))",
                [" ".join(target), root],
            )
            for root, rules in UPSTREAM.items()
        )

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        text = message.text
        for status in self.allowed_error_statuses:
            if f"status of {status}" in text:
                return
        self.console_errors.append(text)

    @contextmanager
    def audit_after(self, page: Page) -> Iterator[None]:
        """After the block (a navigation, say), wait until axe-core has audited
        a page: Playwright runs the audit, a load handler, only while the test
        waits in one of its calls, and a test may end on the navigation."""
        audited = self.audited
        yield
        deadline = time.monotonic() + 30
        while self.audited == audited:
            assert time.monotonic() < deadline, f"axe-core did not audit {page.url}"
            page.wait_for_timeout(100)

    def expect_error_status(self, status: int) -> None:
        """The next pages may load with this status (Chromium logs it as an error)."""
        self.allowed_error_statuses.add(status)

    def csp_violations(self) -> list[str]:
        found: list[str] = list(self.phone_csp_violations)
        for page in self.pages:
            if not page.is_closed():
                found += page.evaluate("window.__cspViolations || []")
        return found


@pytest.fixture
def watch() -> PageWatch:
    return PageWatch()


@pytest.fixture
def new_context(browser: Browser, watch: PageWatch) -> Iterator[Any]:
    """``new_context()`` -> a fresh browser profile (cookies and all), watched;
    ``new_context(PHONE)`` is one at a phone's width; other keywords go to
    Playwright's ``new_context`` (``timezone_id="Asia/Kolkata"``...)."""
    contexts: list[BrowserContext] = []

    def make(viewport: dict[str, int] = DESKTOP, **options: Any) -> BrowserContext:
        context = browser.new_context(viewport=viewport, **options)
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        context.on("page", watch.attach)
        contexts.append(context)
        return context

    yield make
    violations = watch.csp_violations()
    for context in contexts:
        context.close()
    assert watch.console_errors == [], (
        "console errors on the visited pages (a page expected to answer an error"
        " status says so first: watch.expect_error_status(422))"
    )
    assert violations == [], "Content Security Policy violations"
    # A watch that audited nothing would pass everything: a page was opened,
    # so axe-core must have run.
    assert watch.audited > 0 or not watch.pages, "axe-core never ran on the visited pages"
    assert watch.accessibility == [], "axe-core found WCAG 2.1 AA violations:\n" + "\n".join(
        watch.accessibility
    )


@pytest.fixture
def page(new_context: Any) -> Page:
    page: Page = new_context().new_page()
    return page
