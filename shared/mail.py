"""E-mail through an outbox: a request never talks to an SMTP server, nor
to the broker.

This is the "transactional outbox" pattern, with a polling relay:

1. **In the request**, a mail is a row (``OutboxMixin``) added to the
   session with the change it reports (``outbox.queue(...)``), so both are
   saved by the same commit, or neither is. Nothing else happens: a broker
   or mail server that is down or slow cannot fail or slow the request.
2. **In the worker**, ``send_due_mail`` runs every few seconds (Celery
   beat, ``<PREFIX>_MAIL_SEND_EVERY_SECONDS``) and sends every row that is
   due, oldest first. Each row is first claimed with one conditional UPDATE
   (``... WHERE id = :id AND attempts = :seen``), the same idiom as the
   shop's stock, so two workers never make the same attempt. The claim also
   books the next attempt: a failure (or a worker killed mid-send) leaves
   the row to be tried again later, 30 s after the first attempt, then
   1 min, 2 min... up to an hour, and after ``MAIL_MAX_ATTEMPTS`` it is
   given up (``failed_at``, logged). A failing row never stops the others:
   the round goes on to the next one.

At least once, duplicates bounded: a second copy goes out only if a worker
dies between the SMTP server's "accepted" and its own commit, or if one
send outlasts its claim (30 s for a first attempt) and another worker tries.

Most mails are rendered when queued. A template registered with
``compose_when_sending`` is rendered by the worker instead, from what its
function returns then; the password reset uses it so that the request does
the same work whether or not the address has an account (shared/auth).

With no ``<PREFIX>_MAIL_SERVER`` (the demo), mail is printed to the
worker's terminal instead of sent ("console delivery").
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, render_template
from flask_mail import Mail, Message
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from shared.clock import utcnow
from shared.config import ConfigurationError, is_production
from shared.text import one_line

logger = logging.getLogger("capstones.mail")
SUBJECT_MAX_LENGTH = 200
FIRST_RETRY_SECONDS = 30
LAST_RETRY_SECONDS = 3600
MAX_ATTEMPTS = 10  # about three hours of retries (<PREFIX>_MAIL_MAX_ATTEMPTS)
BATCH = 100  # rows per round; the next round takes the rest

# Called by the worker with the row; returns the template's context, or None
# when there is nobody to mail after all (the row is then deleted).
Composer = Callable[[Any], "dict[str, Any] | None"]


class OutboxMixin:
    """A mail waiting to be sent: ``class Outbox(OutboxMixin, db.Model)``."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX_LENGTH))
    template: Mapped[str] = mapped_column(String(50), default="")
    # Empty until sent for a mail composed when sending: its link is never stored.
    text_body: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the worker may try (again); NULL once sent or given up. Indexed:
    # the worker's "what is due" reads only the rows still waiting.
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")


class MailOutbox:
    """Created unbound in ``extensions.py``, bound in the factory with
    ``outbox.init_app(app, db=db, model=Outbox)``; then ``outbox.queue(...)``
    in a service, before its commit."""

    db: SQLAlchemy
    model: type[Any]

    def __init__(self) -> None:
        self.composers: dict[str, Composer] = {}

    def init_app(self, app: Flask, *, db: SQLAlchemy, model: type[Any]) -> None:
        self.db, self.model = db, model
        prefix = app.extensions["settings_prefix"]
        if not app.config.get("EXTERNAL_URL"):
            if is_production(app):
                raise ConfigurationError(
                    f"{prefix}_EXTERNAL_URL must be set in production: the address links in "
                    f"e-mail lead to, e.g. {prefix}_EXTERNAL_URL=https://desk.example.com"
                )
            if app.config.get("MAIL_SERVER"):
                app.logger.warning(
                    "%s_MAIL_SERVER is set but %s_EXTERNAL_URL is not: links in mail will "
                    "lead to %s. Set %s_EXTERNAL_URL to the address people open.",
                    prefix,
                    prefix,
                    DEVELOPMENT_URL,
                    prefix,
                )
        Mail(app)
        app.extensions["outbox"] = self

    def compose_when_sending(self, template: str, composer: Composer) -> None:
        """Render ``template`` in the worker, with ``composer(row)`` as its context."""
        self.composers[template] = composer

    # --- in the request ----------------------------------------------------------

    def queue(self, *, to: str, subject: str, template: str, **context: Any) -> Any:
        """Add a mail to the session, rendered from ``mail/<template>.txt``
        and ``.html``; it is saved with the caller's commit, or not at all.

        The subject is made one line whatever it holds: a header with a line
        break in it would forge the headers after it (shared/text.py).
        """
        message = self.model(
            recipient=to,
            subject=one_line(subject)[:SUBJECT_MAX_LENGTH],
            template=template,
            next_attempt_at=utcnow(),
        )
        if template not in self.composers:
            message.text_body, message.html_body = render(template, context)
        self.db.session.add(message)
        return message

    # --- in the worker -----------------------------------------------------------

    def send_due(self) -> int:
        """Send every mail that is due; how many were sent."""
        table = self.model
        due = self.db.session.execute(
            select(table.id, table.attempts)
            .where(table.next_attempt_at <= utcnow())
            .order_by(table.next_attempt_at, table.id)
            .limit(BATCH)
        ).all()
        self.db.session.rollback()  # end the read: each row gets its own transactions
        return sum(self.send(message_id, attempts + 1) for message_id, attempts in due)

    def send(self, message_id: int, attempt: int) -> bool:
        """Claim the row for this ``attempt``, send it, record how it went;
        True if sent. The claim succeeds only if no other worker has made this
        attempt meanwhile (the count moved on) and the row is still due."""
        table = self.model
        claimed = self.db.session.execute(
            update(table)
            .where(
                table.id == message_id,
                table.attempts == attempt - 1,
                table.next_attempt_at <= utcnow(),
            )
            .values(attempts=attempt, next_attempt_at=utcnow() + _backoff(attempt))
        )
        self.db.session.commit()
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return False  # sent, given up or claimed by another worker meanwhile
        message = self.db.session.get(table, message_id)
        assert message is not None  # claimed just now
        try:
            delivered = deliver(message, self.composers.get(message.template))
        except Exception as error:
            self._record_failure(message, error)
            return False
        if delivered:
            message.sent_at, message.next_attempt_at, message.last_error = utcnow(), None, ""
        else:
            self.db.session.delete(message)  # nobody to mail (an unknown address)
        self.db.session.commit()
        return delivered

    def _record_failure(self, message: Any, error: Exception) -> None:
        self.db.session.rollback()
        message.last_error = f"{type(error).__name__}: {error}"[:1000]
        if message.attempts >= int(current_app.config.get("MAIL_MAX_ATTEMPTS", MAX_ATTEMPTS)):
            message.failed_at, message.next_attempt_at = utcnow(), None
            logger.error(
                "mail %s given up after %s attempts: %s", message.id, message.attempts, error
            )
        else:
            logger.warning("mail %s not sent (%s); it is tried again later", message.id, error)
        self.db.session.commit()


def _backoff(attempt: int) -> timedelta:
    """How long after its claim a row is due again: 30 s after the first
    attempt, then twice as long after each, up to an hour."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** (attempt - 1), LAST_RETRY_SECONDS))


def render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """The text and HTML bodies of ``mail/<template>``."""
    return (
        render_template(f"mail/{template}.txt", **context),
        render_template(f"mail/{template}.html", **context),
    )


def deliver(message: Any, composer: Composer | None) -> bool:
    """Hand one outbox row to the SMTP server, or print it (no MAIL_SERVER).
    False when its composer found nobody to mail."""
    text_body, html_body = message.text_body, message.html_body
    if composer is not None:
        context = composer(message)
        if context is None:
            return False
        text_body, html_body = render(message.template, context)  # used, never stored
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        sys.stdout.write(console_copy(message.recipient, message.subject, text_body))
        sys.stdout.flush()
        return True
    mail: Mail = current_app.extensions["mail"]
    mail.send(
        Message(
            subject=message.subject,
            recipients=[message.recipient],
            body=text_body,
            html=html_body,
            sender=config["MAIL_DEFAULT_SENDER"],
        )
    )
    return True


def console_copy(recipient: str, subject: str, text_body: str) -> str:
    rule = "-" * 72
    return (
        f"\n{rule}\nMail (printed, not sent: no MAIL_SERVER is set)\n"
        f"To: {recipient}\nSubject: {subject}\n\n"
        f"{text_body.rstrip()}\n{rule}\n"
    )


# Where links in mail lead without EXTERNAL_URL (development only): Flask's
# own development server. Never the request's Host header, which a client
# sets, so a reset link cannot be pointed at an attacker's site.
DEVELOPMENT_URL = "http://localhost:5000"


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint`` on the app's public address
    (``<PREFIX>_EXTERNAL_URL``), for links in mail, which are read far from
    any request."""
    base = current_app.config.get("EXTERNAL_URL") or DEVELOPMENT_URL
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base.rstrip("/") + path
