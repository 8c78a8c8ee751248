"""CORS in a real browser: a page from the listed front-end origin (a static
server on another port) logs in and reads orders from the shop API, each
non-simple request preflighted by Chromium itself; the same page from an
origin the API does not list is refused by the browser."""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from tests.e2e.live_servers import PASSWORD, STAFF_EMAIL, LiveApp

CALL_THE_API = """async ([api, email, password]) => {
  try {
    const login = await fetch(api + "/api/auth/tokens", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({email, password}),
    });
    const {token} = await login.json();
    const orders = await fetch(api + "/api/orders/", {headers: {Authorization: "Bearer " + token}});
    return {status: orders.status, items: (await orders.json()).items.length,
            requestId: orders.headers.get("X-Request-ID")};
  } catch (error) {
    return {refused: String(error)};
  }
}"""


def test_the_listed_front_end_can_call_the_api(
    servers: dict[str, LiveApp], front_end: str, page: Page
) -> None:
    page.goto(front_end + "/")
    answer = page.evaluate(CALL_THE_API, [servers["shop_api"].url, STAFF_EMAIL, PASSWORD])
    assert answer["status"] == 200
    assert answer["items"] == 0
    assert answer["requestId"]  # an exposed header the page may read


def test_another_origin_is_refused_by_the_browser(
    servers: dict[str, LiveApp], front_end: str, browser: Browser
) -> None:
    # Not the watched `page` fixture: the refusal is logged as a console error.
    context = browser.new_context()
    try:
        page = context.new_page()
        # The same server under another name: http://localhost:<port> is
        # another origin than http://127.0.0.1:<port>, and it is not listed.
        page.goto(front_end.replace("127.0.0.1", "localhost") + "/")
        answer = page.evaluate(CALL_THE_API, [servers["shop_api"].url, STAFF_EMAIL, PASSWORD])
        assert "Failed to fetch" in answer["refused"]
    finally:
        context.close()
