"""E-mail through an outbox: a request never talks to an SMTP server.

Why not send in the request? An SMTP server can be slow or down; the user
would wait for it, and a failure would fail the request after the reply was
already saved. Why not just hand the mail to Celery? If the broker is down
at that moment, the mail is lost although the reply was saved.

So a mail is a row (``OutboxMixin``), written in the same transaction as
the change it reports: both are saved or neither is. After the commit the
request asks the worker to send it (``MailOutbox.kick``, a best effort); the
worker's periodic ``relay_pending`` sends whatever is still unsent, so a
mail queued while the broker was down goes out once it is back.

At least once, duplicates bounded: a worker claims a row for
``CLAIM_SECONDS`` before sending (one conditional UPDATE), so two workers
never send it at once, and marks it sent right after the SMTP server
accepts it. Only a worker that dies between those two steps causes a second
copy, once the claim expires.

With no ``<PREFIX>_MAIL_SERVER`` (the demo), mail is printed to the
worker's terminal instead of sent ("console delivery").
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, has_request_context, render_template, request
from flask_mail import Mail, Message
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, Text, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from shared.clock import utcnow
from shared.config import ConfigurationError, is_production
from shared.worker import send_mail

logger = logging.getLogger("capstones.mail")
# How long a worker may take to send one mail before another may try.
CLAIM_SECONDS = 60
# A mail younger than this is left to the task its request started
# (<PREFIX>_MAIL_RELAY_AFTER_SECONDS).
RELAY_AFTER_SECONDS = 30
RELAY_BATCH = 100


class OutboxMixin:
    """A mail waiting to be sent: ``class Outbox(OutboxMixin, db.Model)``."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # NULL until the SMTP server accepted it: the relay's "still to send".
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")


class MailOutbox:
    """Created unbound in ``extensions.py``, bound in the factory with
    ``outbox.init_app(app, db=db, model=Outbox)``; then ``outbox.queue(...)``
    in a service, ``outbox.kick(message)`` after its commit, and
    ``outbox.relay(id)`` in the worker."""

    db: SQLAlchemy
    model: type[Any]

    def init_app(self, app: Flask, *, db: SQLAlchemy, model: type[Any]) -> None:
        self.db, self.model = db, model
        if is_production(app) and not app.config.get("EXTERNAL_URL"):
            prefix = app.extensions["settings_prefix"]
            raise ConfigurationError(
                f"{prefix}_EXTERNAL_URL must be set in production: the address links in "
                f"e-mail lead to, e.g. {prefix}_EXTERNAL_URL=https://desk.example.com"
            )
        Mail(app)
        app.extensions["outbox"] = self

    # --- in the request ----------------------------------------------------------

    def queue(self, *, to: str, subject: str, template: str, **context: Any) -> Any:
        """Add a mail to the session, rendered from ``mail/<template>.txt``
        and ``.html``; it is saved with the caller's commit, or not at all."""
        message = self.model(
            recipient=to,
            subject=subject,
            text_body=render_template(f"mail/{template}.txt", **context),
            html_body=render_template(f"mail/{template}.html", **context),
        )
        self.db.session.add(message)
        return message

    def kick(self, message: Any) -> None:
        """After the commit: ask the worker to send ``message`` now. If the
        broker cannot be reached, the periodic relay sends it later."""
        try:
            send_mail.apply_async((message.id,), retry=False)
        except Exception:  # kombu raises several kinds; none may fail the request
            logger.warning(
                "mail %s is queued but the worker could not be told (broker down?); "
                "the periodic relay will send it",
                message.id,
                exc_info=True,
            )

    # --- in the worker -----------------------------------------------------------

    def relay(self, message_id: int) -> bool:
        """Send one mail unless it is sent already or another worker holds it.
        True if this call sent it. An SMTP error is recorded and raised (the
        task retries with backoff)."""
        table, now = self.model, utcnow()
        claimed = self.db.session.execute(
            update(table)
            .where(
                table.id == message_id,
                table.sent_at.is_(None),
                or_(table.claimed_until.is_(None), table.claimed_until < now),
            )
            .values(
                claimed_until=now + timedelta(seconds=CLAIM_SECONDS), attempts=table.attempts + 1
            )
        )
        self.db.session.commit()
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return False
        message = self.db.session.get(table, message_id)
        assert message is not None  # claimed just now, and rows are never deleted
        try:
            deliver(message)
        except Exception as error:
            message.claimed_until = None
            message.last_error = f"{type(error).__name__}: {error}"[:1000]
            self.db.session.commit()
            raise
        message.sent_at, message.claimed_until, message.last_error = utcnow(), None, ""
        self.db.session.commit()
        return True

    def pending_ids(self) -> list[int]:
        """Unsent, unclaimed mail old enough that its own task should have sent it."""
        table, now = self.model, utcnow()
        wait = float(current_app.config.get("MAIL_RELAY_AFTER_SECONDS", RELAY_AFTER_SECONDS))
        return list(
            self.db.session.scalars(
                select(table.id)
                .where(
                    table.sent_at.is_(None),
                    or_(table.claimed_until.is_(None), table.claimed_until < now),
                    table.created_at < now - timedelta(seconds=wait),
                )
                .order_by(table.id)
                .limit(RELAY_BATCH)
            )
        )


def deliver(message: Any) -> None:
    """Hand one outbox row to the SMTP server, or print it (no MAIL_SERVER)."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        sys.stdout.write(console_copy(message))
        sys.stdout.flush()
        return
    mail: Mail = current_app.extensions["mail"]
    mail.send(
        Message(
            subject=message.subject,
            recipients=[message.recipient],
            body=message.text_body,
            html=message.html_body,
            sender=config["MAIL_DEFAULT_SENDER"],
        )
    )


def console_copy(message: Any) -> str:
    rule = "-" * 72
    return (
        f"\n{rule}\nMail (printed, not sent: no MAIL_SERVER is set)\n"
        f"To: {message.recipient}\nSubject: {message.subject}\n\n"
        f"{message.text_body.rstrip()}\n{rule}\n"
    )


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint`` on the app's public address
    (``<PREFIX>_EXTERNAL_URL``), for links in mail, which are read far from
    any request. Without the setting (development only: production requires
    it), the current request's host, or localhost outside a request."""
    base = current_app.config.get("EXTERNAL_URL") or (
        request.host_url if has_request_context() else "http://localhost/"
    )
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base.rstrip("/") + path
