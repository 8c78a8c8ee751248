"""The textbook CORS: Flask-CORS with per-resource options, as its documentation
writes it (``CORS(app, resources={r"/api/*": {"origins": ...}})``). The shop
API answers the same questions with a small ``after_request`` hook instead
(``shop_api/cors.py``), with the same origins, headers and max age as here;
docs/textbook-answers.md compares the two.

Run it: ``flask --app docs/examples/shop_api/cors_flask_cors.py run``. Proved by
``tests/shop_api/test_textbook_examples.py``.
"""

from flask import Flask, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_cors import CORS

# Named origins, never "*": scheme, host and port, as a browser sends Origin.
ALLOWED_ORIGINS = ["https://shop.example.com", "http://localhost:3000"]
# What a page's script may send besides the simple headers...
ALLOWED_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "If-None-Match"]
# ...and which response headers it may read besides the simple ones.
EXPOSED_HEADERS = ["ETag", "Idempotent-Replayed", "Link", "Location", "Retry-After", "X-Request-ID"]

cors = CORS()


def create_app() -> Flask:
    app = Flask(__name__)
    # The keys are regular expressions matched at the start of the path:
    # everything under /api/ gets these options, every other path none.
    cors.init_app(
        app,
        resources={
            r"/api/*": {
                "origins": ALLOWED_ORIGINS,
                "allow_headers": ALLOWED_HEADERS,
                "expose_headers": EXPOSED_HEADERS,
                "max_age": 600,  # seconds a browser may reuse a preflight's answer
                # No cookies cross origins: tokens travel in Authorization.
                "supports_credentials": False,
            }
        },
    )

    @app.get("/api/products/")
    def list_products() -> ResponseReturnValue:
        return jsonify(items=[{"id": 1, "name": "Teapot"}])

    @app.post("/api/orders/")
    def place_order() -> ResponseReturnValue:
        order = {"id": 7, "items": request.get_json()["items"]}
        return jsonify(order), 201, {"Location": url_for("show_order", order_id=order["id"])}

    @app.get("/api/orders/<int:order_id>")
    def show_order(order_id: int) -> ResponseReturnValue:
        return jsonify(id=order_id)

    @app.get("/healthz")  # outside /api/: no CORS headers, whatever the Origin
    def healthz() -> ResponseReturnValue:
        return jsonify(status="ok")

    return app
