"""The shop API: the backend of a mobile shopping app. JSON only, bearer tokens.

``flask --app shop_api run`` or ``gunicorn 'shop_api:create_app()'``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask

from shared.auth.rate_limits import init_rate_limiter
from shared.config import configure
from shared.database import init_database
from shared.errors import register_error_handlers
from shared.health import register_health_checks
from shared.proxy import trust_proxy_headers
from shared.request_guards import init_request_guards
from shared.request_logging import init_request_logging
from shared.security import disable_cookies, init_security_headers
from shop_api.api import register_blueprints
from shop_api.commands import register_commands
from shop_api.cors import init_cors
from shop_api.extensions import auth, db, limiter, migrate
from shop_api.models import User
from shop_api.token_auth import init_token_auth

DEFAULTS = {
    # Seconds in the environment (SHOP_API_API_TOKEN_LIFETIME=3600) or a timedelta.
    "API_TOKEN_LIFETIME": timedelta(hours=24),
    "MAX_CONTENT_LENGTH": 100_000,
    # Web origins allowed to call the API from a browser (shop_api/cors.py);
    # empty: CORS off, which a native app does not need.
    "CORS_ORIGINS": [],
}
MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    configure(app, "SHOP_API", DEFAULTS, test_config)
    if isinstance(app.config["API_TOKEN_LIFETIME"], int):
        app.config["API_TOKEN_LIFETIME"] = timedelta(seconds=app.config["API_TOKEN_LIFETIME"])

    init_database(app, db)
    migrate.init_app(app, db, directory=MIGRATIONS)
    init_rate_limiter(app, limiter)
    auth.init_app(app, db=db, user_model=User, limiter=limiter, pages=False)
    init_token_auth(auth.login_manager)
    disable_cookies(app)
    init_security_headers(app)
    init_request_logging(app)
    init_request_guards(app, html_forms=False)
    trust_proxy_headers(app)
    init_cors(app)

    register_blueprints(app)
    register_health_checks(app, db=db)
    register_error_handlers(app, db=db, problem_json=True)
    register_commands(app)
    return app
