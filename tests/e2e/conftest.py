"""Browser tests: Playwright driving Debian's Chromium, headless, against
real servers. Every page a test visits is watched for console errors and
Content Security Policy violations; a test that expects an error status
says so with ``watch.expect_error_status()``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from tests.e2e.live_servers import LiveApp, all_apps

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


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make e2e`, which installs it (apt, as root).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageWatch:
    """Collects console errors and CSP violations from the pages of a context."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.pages: list[Page] = []
        self.allowed_error_statuses: set[int] = set()

    def attach(self, page: Page) -> None:
        self.pages.append(page)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"page error: {error}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        text = message.text
        for status in self.allowed_error_statuses:
            if f"status of {status}" in text:
                return
        self.console_errors.append(text)

    def expect_error_status(self, status: int) -> None:
        """The next pages may load with this status (Chromium logs it as an error)."""
        self.allowed_error_statuses.add(status)

    def csp_violations(self) -> list[str]:
        found: list[str] = []
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
    ``new_context(PHONE)`` is one at a phone's width."""
    contexts: list[BrowserContext] = []

    def make(viewport: dict[str, int] = DESKTOP) -> BrowserContext:
        context = browser.new_context(viewport=viewport)
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        context.on("page", watch.attach)
        contexts.append(context)
        return context

    yield make
    violations = watch.csp_violations()
    for context in contexts:
        context.close()
    assert watch.console_errors == [], "console errors on the visited pages"
    assert violations == [], "Content Security Policy violations"


@pytest.fixture
def page(new_context: Any) -> Page:
    page: Page = new_context().new_page()
    return page
