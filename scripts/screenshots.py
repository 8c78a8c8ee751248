"""``make screenshots``: PNGs of each app's key pages, from the seeded demo
data, into docs/screenshots/<slug>/ (shown in the README and the guides).
What to shoot is the app's own: ``take(camera)`` in its
scripts/<package>/screenshots.py, with the ``Camera`` below."""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

import apps as manifests  # scripts/apps.py, beside this file
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402
from tests.e2e.live_servers import all_apps  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DEMO_PASSWORD = "demo-password"  # noqa: S105 -- the seeded demo accounts' password
DESKTOP = {"width": 1280, "height": 800}


class Camera:
    """One app's server in a browser: ``page()`` opens a window (``PHONE``
    sized, or logged in as a demo account), ``shoot(page, name)`` saves what
    it shows as docs/screenshots/<slug>/<name>.png."""

    PHONE = PHONE

    def __init__(self, browser: Browser, base: str, folder: Path) -> None:
        self.browser = browser
        self.base = base
        self.folder = folder

    def page(self, viewport: dict[str, int] = DESKTOP, *, login: str | None = None) -> Page:
        page = self.browser.new_context(viewport=viewport).new_page()
        if login is not None:
            page.goto(f"{self.base}/auth/login")
            page.fill("#email", login)
            page.fill("#password", DEMO_PASSWORD)
            page.click("#submit")
        return page

    def shoot(self, page: Page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        path = self.folder / f"{name}.png"
        page.screenshot(path=str(path))
        print(f"  {path.relative_to(ROOT)}")


def shots(package: str) -> Path:
    return Path(__file__).resolve().parent / package / "screenshots.py"


def take(package: str, camera: Camera) -> None:
    """Run scripts/<package>/screenshots.py's ``take(camera)``. (Loaded from its
    file: the folder is named after the app's package, which is not this one.)"""
    spec = importlib.util.spec_from_file_location(f"screenshots_of_{package}", shots(package))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.take(camera)


def main() -> int:
    every_app = [app for app in manifests.apps(ROOT) if shots(app.package).is_file()]
    with (
        tempfile.TemporaryDirectory() as workdir,
        all_apps(Path(workdir), seed=True) as servers,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for app in every_app:
            folder = OUT / app.slug
            folder.mkdir(parents=True, exist_ok=True)
            take(app.package, Camera(browser, servers[app.package].url, folder))
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
