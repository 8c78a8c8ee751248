"""A tiny app built from the shared package, the way the three real apps are.

It has just enough routes to exercise every shared rule: a public page, a
login-only page, a staff page, a page that fails after writing, one whose
write can fail at its flush, an upload, one that queues a Celery task.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, render_template_string, request
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.auth import Auth, UserAccountMixin, staff_required
from shared.commands import create_user_command
from shared.config import configure
from shared.database import init_database, make_registry
from shared.error_reports import init_error_reports
from shared.errors import register_error_handlers
from shared.health import Check, register_health_checks
from shared.layout import init_layout
from shared.mail import MailOutbox, OutboxMixin, queue_mail
from shared.metrics import count_rate_limited, init_metrics
from shared.pagination import paginate
from shared.proxy import trust_proxy_headers
from shared.request_guards import BoundedRequest, init_request_guards
from shared.request_logging import init_request_logging
from shared.security import init_security_headers
from shared.tracing import init_tracing
from shared.worker import celery_init_app, send_due_mail


class Base(DeclarativeBase):
    registry = make_registry()


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
# Each 429 is counted by endpoint (/metrics: rate_limited_requests_total).
limiter = Limiter(key_func=get_remote_address, on_breach=count_rate_limited)
auth = Auth()
outbox = MailOutbox()


class User(UserAccountMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"


class Outbox(OutboxMixin, db.Model):  # type: ignore[name-defined,misc]
    pass


class Note(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(100))


def create_app(
    test_config: Mapping[str, Any] | None = None,
    *,
    instance_path: str | None = None,
    api: bool = False,
    extra_checks: Mapping[str, Check] | None = None,
) -> Flask:
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.request_class = BoundedRequest
    configure(app, "TINY", {"MAX_CONTENT_LENGTH": 1_000_000}, test_config)
    init_database(app, db)
    # First, as in the apps: a request a later hook refuses is logged, counted, traced.
    init_request_logging(app)
    init_metrics(app)
    init_tracing(app, db=db)
    init_error_reports(app)
    init_request_guards(app, html_forms=not api)  # api: no HTML forms, like a JSON API
    csrf.init_app(app)
    limiter.init_app(app)
    outbox.init_app(app, db=db, model=Outbox)
    auth.init_app(app, db=db, user_model=User, limiter=limiter)
    celery_init_app(app)
    init_layout(app, site_name="Tiny")
    init_security_headers(app)
    trust_proxy_headers(app)
    register_health_checks(app, db=db, checks=extra_checks)
    register_error_handlers(app, db=db)
    app.cli.add_command(create_user_command)
    register_routes(app)
    return app


PAGE = '{% extends "base.html" %}{% block content %}<p>{{ text }}</p>{% endblock %}'


def register_routes(app: Flask) -> None:
    @app.get("/")
    def index() -> ResponseReturnValue:
        return render_template_string(PAGE, text="home page")

    @app.get("/private")
    @login_required
    def private() -> ResponseReturnValue:
        return render_template_string(PAGE, text=f"private page of {current_user.email}")

    @app.post("/private/notes")
    @csrf.exempt
    @login_required
    def add_private_note() -> ResponseReturnValue:
        return "saved", 201

    @app.get("/staff")
    @staff_required
    def staff_only() -> ResponseReturnValue:
        return "staff page"

    @app.get("/boom")
    def boom() -> ResponseReturnValue:
        db.session.add(Note(text="half-written"))
        db.session.flush()
        raise RuntimeError("secret internal detail")

    @app.post("/notes/<int:note_id>")
    @csrf.exempt
    def add_note_with_id(note_id: int) -> ResponseReturnValue:
        """Fails at its flush (IntegrityError) when ``note_id`` is taken, before
        anything in the request has loaded the logged-in user."""
        db.session.add(Note(id=note_id, text="numbered"))
        db.session.commit()
        return "saved", 201

    @app.get("/notes")
    def notes() -> ResponseReturnValue:
        return str(db.session.scalar(db.select(db.func.count(Note.id))))

    @app.get("/notes/list")
    def list_notes() -> ResponseReturnValue:
        page = paginate(db, db.select(Note).order_by(Note.id), per_page=2)
        return {"texts": [note.text for note in page.items], "pages": page.pages}

    @app.post("/upload")
    @csrf.exempt
    def upload() -> ResponseReturnValue:
        return f"{len(request.get_data())} bytes"

    @app.post("/notes/mailed")
    @csrf.exempt
    def add_note_and_mail() -> ResponseReturnValue:
        """A change and the mail that reports it, in one transaction."""
        note = Note(text=request.form["text"])
        db.session.add(note)
        queue_mail(
            to="ann@example.com", subject=f"New note: {note.text}", template="note", note=note
        )
        if request.form.get("fail"):
            db.session.rollback()  # the change fails: its mail goes with it
            return "rolled back", 409
        db.session.commit()
        return "saved", 201

    @app.post("/notes/mailed-at-once")
    @csrf.exempt
    def add_note_and_send_mail_now() -> ResponseReturnValue:
        """The textbook way the apps do not take (they leave mail to beat's
        tick): a task queued after the commit. What the task inherits from
        the request that queued it is tested here: its request id, its trace."""
        note = Note(text=request.form["text"])
        db.session.add(note)
        queue_mail(to="ann@example.com", subject="A note", template="note", note=note)
        db.session.commit()
        send_due_mail.delay()
        return "saved", 201
