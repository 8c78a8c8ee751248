"""The help desk: users file support tickets, staff work them.

``flask --app helpdesk run`` or ``gunicorn 'helpdesk:create_app()'``.
"""

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from helpdesk.commands import register_commands
from helpdesk.extensions import auth, cache, csrf, db, limiter, migrate, outbox
from helpdesk.models import Outbox, User
from helpdesk.views import register_blueprints
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
    "TICKETS_PER_PAGE": 20,
    "MAX_CONTENT_LENGTH": 1_000_000,
    "MAIL_DEFAULT_SENDER": "Help desk <helpdesk@example.com>",
}
# The pages' meta description, for search results and link previews.
DESCRIPTION = "The help desk: file a ticket and follow staff's answers until it is resolved."
MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.request_class = BoundedRequest
    configure(app, "HELPDESK", DEFAULTS, test_config)

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
    cache.init_app(app)
    outbox.init_app(app, db=db, model=Outbox)
    auth.init_app(app, db=db, user_model=User, limiter=limiter)
    celery_init_app(app)
    init_layout(app, site_name="Help desk", description=DESCRIPTION)
    init_security_headers(app)
    trust_proxy_headers(app)

    register_blueprints(app)
    register_health_checks(app, db=db)
    register_error_handlers(app, db=db)
    register_commands(app)
    return app
