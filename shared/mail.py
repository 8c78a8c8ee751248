"""E-mail through a transactional outbox. A request only adds the mail as a row
to its session (``queue_mail``), saved by the same commit as the change it
reports, or not at all: no SMTP server or broker can fail or slow it. The
worker's ``send_due_mail`` sends the due rows, retries failures with backoff,
gives up after ``MAIL_MAX_ATTEMPTS``, and prints mail when no MAIL_SERVER is set.
The row keeps the id of the request that wrote it, and the worker's log lines
about the mail carry that id: they name the request that caused the mail."""

import logging
import smtplib
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypedDict

from flask import Flask, current_app, render_template
from flask_mail import Mail, Message
from flask_sqlalchemy import SQLAlchemy
from prometheus_client import Counter, Gauge
from sqlalchemy import String, Text, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from shared.clock import utcnow
from shared.config import ConfigurationError
from shared.logs import current_request_id
from shared.request_logging import REQUEST_ID_MAX_LENGTH
from shared.text import one_line

logger = logging.getLogger("capstones.mail")
SUBJECT_MAX_LENGTH = 200
MAX_ATTEMPTS = 10  # about three hours of retries
BATCH = 100  # rows per round; the next round takes the rest
# Where links in mail lead without EXTERNAL_URL (development only). Never the
# request's Host header, which the client sets: a reset link could lead anywhere.
DEVELOPMENT_URL = "http://localhost:5000"

# A template rendered as the worker sends its row (the password reset): the
# template's context for the row, or None to delete the row unsent.
Composer = Callable[[Any], "dict[str, Any] | None"]


class OutboxState(TypedDict):
    """``app.extensions["outbox"]``: one app's ``db``, row model and composers."""

    db: SQLAlchemy
    model: type[Any]
    composers: dict[str, Composer]


# Read from the table at each scrape (shared/metrics.py says why "mostrecent"):
# a queue that only grows means no worker sends; a dead mail needs a person.
OUTBOX_WAITING = Gauge(
    "mail_outbox_waiting", "Mails not sent yet", ["app"], multiprocess_mode="mostrecent"
)
OUTBOX_DEAD = Gauge(
    "mail_outbox_dead",
    "Mails given up after MAIL_MAX_ATTEMPTS failed attempts",
    ["app"],
    multiprocess_mode="mostrecent",
)
# Counted by the worker that sends, and served with its metrics (shared/worker.py).
MAILS_SENT = Counter("mail_sent_total", "Mails handed to the SMTP server (or printed)", ["app"])
MAIL_FAILURES = Counter("mail_send_failures_total", "Failed attempts at sending a mail", ["app"])


class OutboxMixin:
    """A mail waiting to be sent: ``class Outbox(OutboxMixin, db.Model)``."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX_LENGTH))
    template: Mapped[str] = mapped_column(String(50), default="")
    # Empty for a mail composed when sending: its link is never stored.
    text_body: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # NULL once sent or given up; indexed, so "what is due" reads only waiting rows.
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    # Indexed, so a scrape's count of the mails given up reads only those.
    failed_at: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # The request that queued the mail (shared/logs.py), for the worker's log
    # lines about it; NULL for a mail queued outside any request (a command).
    request_id: Mapped[str | None] = mapped_column(String(REQUEST_ID_MAX_LENGTH))


class MailOutbox:
    """Unbound in ``extensions.py``, bound with ``outbox.init_app(app, db=db,
    model=Outbox)``. It keeps nothing itself: each app's ``db``, row model and
    composers are in ``app.extensions["outbox"]`` (Flask's extension pattern, as
    ``Auth`` does), read through ``current_app`` by ``queue_mail`` (a service,
    before its commit) and ``send_due`` (the worker), so one outbox serves every
    app a process builds."""

    def init_app(self, app: Flask, *, db: SQLAlchemy, model: type[Any]) -> None:
        setting = f"{app.extensions['settings_prefix']}_EXTERNAL_URL"
        if not app.config.get("EXTERNAL_URL") and app.config["ENV"] == "production":
            raise ConfigurationError(f"{setting} must be set in production: links in mail use it")
        if not app.config.get("EXTERNAL_URL") and app.config["MAIL_SERVER"]:
            app.logger.warning("%s is not set: links in mail lead to %s", setting, DEVELOPMENT_URL)
        Mail(app)
        app.extensions["outbox"] = OutboxState(db=db, model=model, composers={})


def queue_mail(*, to: str, subject: str, template: str, **context: Any) -> None:
    """Add a mail rendered from ``mail/<template>.txt`` and ``.html`` to the
    session (a template with a composer is rendered when sent instead), its
    subject made one line (why: shared/text.py)."""
    db, model = _db_and_model()
    subject = one_line(subject)[:SUBJECT_MAX_LENGTH]
    message = model(
        recipient=to, subject=subject, template=template, request_id=current_request_id()
    )
    if template not in _outbox()["composers"]:
        message.text_body, message.html_body = render(template, context)
    db.session.add(message)


def _outbox() -> OutboxState:
    """The current app's outbox, as ``MailOutbox.init_app`` bound it."""
    outbox: OutboxState = current_app.extensions["outbox"]
    return outbox


def _db_and_model() -> tuple[SQLAlchemy, type[Any]]:
    outbox = _outbox()
    return outbox["db"], outbox["model"]


def send_due() -> int:
    """Send the mails that are due, up to ``BATCH``, longest due first; how
    many were sent."""
    db, model = _db_and_model()
    due = db.session.execute(
        select(model.id, model.attempts)
        .where(model.next_attempt_at <= utcnow())
        .order_by(model.next_attempt_at, model.id)
        .limit(BATCH)
    ).all()
    db.session.rollback()  # end the read: each row gets its own transactions
    return sum(send_message(message_id, attempts + 1) for message_id, attempts in due)


def update_outbox_gauges() -> None:
    """How many mails wait and how many were given up: two counts, each read
    from its column's index, not from every mail ever sent. Called by
    shared/metrics.py before each scrape."""
    db, model = _db_and_model()
    waiting = select(func.count()).where(model.next_attempt_at.is_not(None))
    dead = select(func.count()).where(model.failed_at.is_not(None))
    try:
        waiting_count, dead_count = db.session.execute(
            select(waiting.scalar_subquery(), dead.scalar_subquery())
        ).one()
    except SQLAlchemyError:  # the request metrics still matter most with the database down
        logger.warning("outbox gauges not updated: the database did not answer", exc_info=True)
        return
    finally:
        db.session.rollback()
    OUTBOX_WAITING.labels(app=current_app.name).set(waiting_count)
    OUTBOX_DEAD.labels(app=current_app.name).set(dead_count)


def send_message(message_id: int, attempt: int) -> bool:
    """Make ``attempt`` at sending a row; True if it was sent."""
    db, model = _db_and_model()
    # The claim, one conditional UPDATE (UPDATE ... WHERE attempts = :seen): only one
    # worker can move ``attempts`` on from the value it read. It also books
    # the next try (30 s, then doubling up to an hour), so a failure or a
    # worker killed mid-send leaves the row for later. At least once: a copy
    # goes out twice if a worker dies between "accepted" and its commit, or
    # if a send outlasts its booking (only a server silent for MAIL_TIMEOUT
    # fails it: one answering slowly can take longer).
    retry_at = utcnow() + timedelta(seconds=min(30 * 2 ** (attempt - 1), 3600))
    claimed = db.session.execute(
        update(model)
        .where(model.id == message_id, model.attempts == attempt - 1)
        .where(model.next_attempt_at <= utcnow())
        .values(attempts=attempt, next_attempt_at=retry_at)
    )
    db.session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False  # sent, given up or claimed by another worker meanwhile
    message = db.session.get_one(model, message_id)
    # The worker's lines about this mail carry the id of the request that
    # queued it (not the running task's), in the JSON field and in the text.
    request_id = message.request_id
    about = {"request_id": request_id}
    try:
        delivered = deliver(message)
    except Exception as error:
        db.session.rollback()
        reason = message.last_error = without_addresses(error)[:1000]
        if attempt >= current_app.config.get("MAIL_MAX_ATTEMPTS", MAX_ATTEMPTS):
            message.failed_at, message.next_attempt_at = utcnow(), None
            given_up = "mail %s given up after %s attempts: %s request_id=%s"
            logger.error(given_up, message_id, attempt, reason, request_id, extra=about)
        else:
            retried = "mail %s not sent (%s); it is tried again later request_id=%s"
            logger.warning(retried, message_id, reason, request_id, extra=about)
        delivered = False  # and the round goes on to the next row
        MAIL_FAILURES.labels(app=current_app.name).inc()
    else:
        if delivered:
            message.sent_at, message.next_attempt_at, message.last_error = utcnow(), None, ""
            MAILS_SENT.labels(app=current_app.name).inc()
            logger.info("mail %s sent request_id=%s", message_id, request_id, extra=about)
        else:
            db.session.delete(message)  # nobody to mail (an unknown address)
    db.session.commit()
    return delivered


def without_addresses(error: Exception) -> str:
    """Why a send failed, for the row and the log, whose ERROR lines go to
    Sentry too: a refused recipient's error is a dict keyed by the address, so
    only the server's replies are kept."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = (
            f"{code} {reply.decode(errors='replace')}" for code, reply in error.recipients.values()
        )
        return f"SMTPRecipientsRefused: {'; '.join(replies)}"
    return f"{type(error).__name__}: {error}"


def render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    text, html = (render_template(f"mail/{template}.{kind}", **context) for kind in ("txt", "html"))
    return text, html


def deliver(message: Any) -> bool:
    """Hand one outbox row to the SMTP server, or print it (no MAIL_SERVER);
    False when its template's composer found nobody to mail."""
    text_body, html_body = message.text_body, message.html_body
    composer = _outbox()["composers"].get(message.template)
    if composer is not None:
        context = composer(message)
        if context is None:
            return False
        text_body, html_body = render(message.template, context)  # used, never stored
    if prints_mail():
        print(framed(message.recipient, message.subject, text_body), flush=True)
        return True
    mail = Message(message.subject, [message.recipient], body=text_body, html=html_body)
    # Flask-Mail gives smtplib no timeout (pallets-eco/flask-mail#114): a server
    # gone silent would hold this worker for ever. The sockets made while
    # sending get MAIL_TIMEOUT, a setting of the whole process: right for
    # Celery's prefork and solo pools, which run one task at a time in a process.
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(current_app.config["MAIL_TIMEOUT"])
    accepted = False
    try:
        with current_app.extensions["mail"].connect() as connection:
            connection.send(mail)  # from MAIL_DEFAULT_SENDER
            accepted = True
    except (smtplib.SMTPException, OSError):
        if not accepted:
            raise
        # Only the goodbye (QUIT) failed: the server has the mail already.
    finally:
        socket.setdefaulttimeout(previous)
    return True


def prints_mail() -> bool:
    """True without a MAIL_SERVER: mail is printed where the worker runs (the
    terminal of ``make demo``), not sent, and pages that speak of mail say so."""
    return not current_app.config["MAIL_SERVER"]


def framed(recipient: str, subject: str, body: str) -> str:
    """A printed mail in a frame, every line in its margin, so it stands out
    among the log lines around it (ASCII: any terminal or log shows it)."""
    lines = [f"To: {recipient}", f"Subject: {subject}", "", *body.rstrip().splitlines()]
    title = "+== Mail, printed here, not sent (no MAIL_SERVER is set) "
    return "\n".join(
        ["", title.ljust(72, "="), *(f"| {line}".rstrip() for line in lines), "+" + "=" * 71]
    )


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint`` on ``<PREFIX>_EXTERNAL_URL``, for links
    in mail, which are read far from any request."""
    base = current_app.config.get("EXTERNAL_URL") or DEVELOPMENT_URL
    return base.rstrip("/") + current_app.url_map.bind("localhost").build(endpoint, values)
