"""The shop API: the backend of a mobile shopping app. JSON only, bearer tokens.

``flask --app shop_api run`` or ``gunicorn 'shop_api:create_app()'``.
"""

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask

from shared.config import configure, seconds_setting
from shared.database import init_database
from shared.error_reports import init_error_reports
from shared.health import register_health_checks
from shared.metrics import init_metrics
from shared.proxy import trust_proxy_headers
from shared.request_guards import init_request_guards
from shared.request_logging import init_request_logging
from shared.security import init_security_headers
from shared.tracing import init_tracing
from shop_api.api import register_blueprints
from shop_api.api.blueprint import JsonRequest
from shop_api.commands import register_commands
from shop_api.cors import init_cors
from shop_api.extensions import api, auth, cache, db, limiter, migrate
from shop_api.models import User

DEFAULTS = {
    "API_TOKEN_LIFETIME": timedelta(hours=24),  # or seconds: SHOP_API_API_TOKEN_LIFETIME=3600
    "MAX_CONTENT_LENGTH": 100_000,
    "CORS_ORIGINS": [],  # web origins allowed to call from a browser (shop_api/cors.py)
    # flask-smorest's settings for the OpenAPI document.
    "API_TITLE": "Shop API",
    "API_VERSION": "1.0.0",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",  # and flask-smorest's default path: /api/openapi.json
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Products and stock-checked orders. Get a token with "
            "`POST /api/auth/tokens`, then send `Authorization: Bearer <token>`. "
            "Errors are `application/problem+json` (RFC 9457)."
        },
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    },
}
MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.request_class = JsonRequest
    configure(app, "SHOP_API", DEFAULTS, test_config)
    lifetime = seconds_setting(app, "SHOP_API", "API_TOKEN_LIFETIME", longest=timedelta(days=365))
    app.config["API_TOKEN_LIFETIME"] = timedelta(seconds=lifetime)

    init_database(app, db)
    # Before any hook that may refuse a request: before_request hooks run in the
    # order they were added, so a refused request is logged, counted and traced
    # too (after_request hooks run in reverse: these see the final answer).
    init_request_logging(app)
    init_metrics(app)
    init_tracing(app, db=db)
    init_error_reports(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    limiter.init_app(app)
    auth.init_app(app, db=db, user_model=User)
    cache.init_app(app)
    api.init_app(app)
    init_cors(app)
    init_security_headers(app)
    init_request_guards(app, html_forms=False)
    trust_proxy_headers(app)

    register_blueprints(app)
    register_health_checks(app, db=db)
    register_commands(app)
    return app
