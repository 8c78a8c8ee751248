"""``make screenshots``: PNGs of the key pages, from the seeded demo data,
into docs/screenshots/ (shown in the README)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.live_servers import all_apps  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DEMO_PASSWORD = "demo-password"  # noqa: S105 -- the seeded demo accounts' password


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#submit")


def shoot(page: Page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path))
    print(f"  {path.relative_to(ROOT)}")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as workdir,
        all_apps(Path(workdir), seed=True) as apps,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        viewport = {"width": 1280, "height": 800}

        customer = browser.new_context(viewport=viewport).new_page()
        log_in(customer, apps["helpdesk"].url, "ann@example.com")
        shoot(customer, "helpdesk-my-tickets")

        staff = browser.new_context(viewport=viewport).new_page()
        log_in(staff, apps["helpdesk"].url, "staff@example.com")
        staff.goto(f"{apps['helpdesk'].url}/staff/tickets/")
        shoot(staff, "helpdesk-staff-list")
        staff.click("text=Cannot log in to the VPN")
        shoot(staff, "helpdesk-staff-ticket")

        visitor = browser.new_context(viewport=viewport).new_page()
        visitor.goto(f"{apps['recipes'].url}/")
        shoot(visitor, "recipes-list")
        visitor.click("text=Tomato soup")
        shoot(visitor, "recipes-recipe")

        phone = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
        phone.goto(f"{apps['recipes'].url}/")
        shoot(phone, "recipes-list-phone")

        docs = browser.new_context(viewport=viewport).new_page()
        docs.goto(f"{apps['shop_api'].url}/api/docs")
        docs.wait_for_selector(".opblock")
        shoot(docs, "shop-api-docs")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
