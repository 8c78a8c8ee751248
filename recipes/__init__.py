"""The recipe site: community recipes, each with a photo stored in S3.

``flask --app recipes run`` or ``gunicorn 'recipes:create_app()'``.
"""

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from recipes.commands import register_commands
from recipes.extensions import auth, csrf, db, image_store, limiter, migrate, outbox
from recipes.models import Outbox, User
from recipes.storage import image_origins
from recipes.views import register_blueprints
from shared.config import configure
from shared.database import init_database
from shared.error_reports import init_error_reports
from shared.errors import register_error_handlers
from shared.health import register_health_checks
from shared.layout import init_layout
from shared.metrics import init_metrics
from shared.proxy import trust_proxy_headers
from shared.request_guards import BoundedRequest, init_request_guards
from shared.request_logging import init_request_logging
from shared.security import init_security_headers
from shared.tracing import init_tracing
from shared.worker import celery_init_app

DEFAULTS = {
    "RECIPES_PER_PAGE": 12,
    "POSTING_RATE_LIMIT": "30 per hour",  # new and edited recipes per account, together
    # A phone photo is 3 to 8 MB; how the two limits answer: recipes/forms.py.
    "MAX_PHOTO_BYTES": 10 * 1024 * 1024,
    "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
    "S3_BUCKET": "recipes",
    "S3_ENDPOINT_URL": "",  # empty: AWS
    "S3_PUBLIC_ENDPOINT_URL": "",  # empty: the same as S3_ENDPOINT_URL
    "S3_REGION": "us-east-1",
    "S3_ACCESS_KEY_ID": "",  # empty: boto3's usual chain (environment, profile, role)
    "S3_SECRET_ACCESS_KEY": "",
    "S3_PRESIGNED_EXPIRY": 3600,
    "S3_CONNECT_TIMEOUT": 2,  # seconds (recipes/storage.py)
    "S3_READ_TIMEOUT": 3,
    "MAIL_DEFAULT_SENDER": "Recipes <recipes@example.com>",
}
# The pages' meta description, for search results and link previews.
DESCRIPTION = (
    "Recipes from home cooks, each with a photo of the dish: search, browse by tag, post your own."
)
MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.request_class = BoundedRequest
    configure(app, "RECIPES", DEFAULTS, test_config)
    # Images come from the bucket's host: the CSP allows it and no other.
    app.config["CSP_IMG_SRC"] = [*app.config["CSP_IMG_SRC"], *image_origins(app.config)]

    init_database(app, db)
    # Before any hook that may refuse a request: before_request hooks run in the
    # order they were added, so a refused request is logged, counted and traced
    # too (after_request hooks run in reverse: these see the final answer).
    init_request_logging(app)
    init_metrics(app)
    init_tracing(app, db=db)
    init_error_reports(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    init_request_guards(app, html_forms=True)
    csrf.init_app(app)
    limiter.init_app(app)
    outbox.init_app(app, db=db, model=Outbox)
    auth.init_app(app, db=db, user_model=User, limiter=limiter)
    celery_init_app(app)
    image_store.init_app(app)
    init_layout(app, site_name="Recipes", description=DESCRIPTION)
    init_security_headers(app)
    trust_proxy_headers(app)

    register_blueprints(app)
    register_health_checks(app, db=db, checks={"bucket": image_store.check_bucket})
    register_error_handlers(app, db=db)
    register_commands(app)
    return app
