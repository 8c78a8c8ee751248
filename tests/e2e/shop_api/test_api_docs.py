"""The shop API's interactive docs render, from local assets, with every
product and order operation; an operation tried out from the page answers,
and the page, opened up, passes axe-core (but for Swagger UI's upstream
issues, listed in conftest.py)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PageWatch
from tests.e2e.live_servers import LiveApp


def test_api_docs_list_the_product_and_order_operations(
    servers: dict[str, LiveApp], page: Page, watch: PageWatch
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{servers['shop_api'].url}/api/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    for method, path in [
        ("GET", "/api/products/"),
        ("POST", "/api/products/"),
        ("GET", "/api/products/{product_id}"),
        ("PATCH", "/api/products/{product_id}"),
        ("POST", "/api/orders/"),
        ("GET", "/api/orders/"),
        ("GET", "/api/orders/{order_id}"),
        ("POST", "/api/orders/{order_id}/cancel"),
    ]:
        operation = page.locator(".opblock", has=page.locator(f"[data-path='{path}']"))
        expect(operation.locator(".opblock-summary-method", has_text=method)).to_have_count(1)
    outside = [url for url in requested if not url.startswith(servers["shop_api"].url)]
    assert outside == []

    # Open one operation up and try it: the parts of Swagger UI shown only
    # then (parameters, examples, a live answer) are audited too.
    products = page.locator("#operations-products-get_api_products_")
    products.locator(".opblock-summary-control").click()
    products.locator(".try-out__btn").click()
    products.locator(".execute").click()
    status = products.locator(".live-responses-table .response .response-col_status")
    expect(status).to_have_text("200")
    watch.audit(page)
