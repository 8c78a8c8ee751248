"""Tickets, their replies and their status history."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Enum, ForeignKey, Index, String, Text, event, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from shared.auth import UserAccountMixin
from shared.clock import utcnow
from shared.mail import OutboxMixin

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 10_000
REPLY_MAX_LENGTH = 5_000


class TicketStatus(enum.StrEnum):
    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def _status_column_type(name: str) -> Enum:
    # Stored as VARCHAR plus a CHECK constraint rather than a native enum type:
    # the same schema on SQLite and PostgreSQL, and adding a status later is an
    # ordinary migration.
    return Enum(
        TicketStatus,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda statuses: [s.value for s in statuses],
    )


class User(UserAccountMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "users"


class Outbox(OutboxMixin, db.Model):  # type: ignore[name-defined]
    """Mail to customers, written with the change it reports (shared/mail.py)."""


class Ticket(db.Model):  # type: ignore[name-defined]
    __tablename__ = "tickets"
    __table_args__ = (
        # The owner's list: WHERE created_by_id = ? ORDER BY created_at DESC.
        Index("ix_tickets_owner_created", "created_by_id", "created_at"),
        # The staff list: WHERE status = ? ORDER BY created_at DESC.
        Index("ix_tickets_status_created", "status", "created_at"),
        # The staff list of all tickets: ORDER BY created_at DESC, id DESC.
        # Without it every view sorts the whole table (12 ms at 100,000 tickets).
        Index("ix_tickets_created_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[TicketStatus] = mapped_column(
        _status_column_type("ticket_status"), default=TicketStatus.OPEN
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    resolved_at: Mapped[datetime | None]

    created_by: Mapped[User] = relationship()
    replies: Mapped[list[Reply]] = relationship(
        back_populates="ticket", order_by="Reply.created_at, Reply.id", cascade="all, delete-orphan"
    )
    status_changes: Mapped[list[StatusChange]] = relationship(
        back_populates="ticket",
        order_by="StatusChange.changed_at, StatusChange.id",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Ticket {self.id} {self.status.value} {self.title!r}>"


class Reply(db.Model):  # type: ignore[name-defined]
    __tablename__ = "replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    # An internal note is staff talking to staff; the ticket's owner never sees it.
    internal: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="replies")
    author: Mapped[User] = relationship()


class StatusChange(db.Model):  # type: ignore[name-defined]
    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    old_status: Mapped[TicketStatus] = mapped_column(_status_column_type("old_status"))
    new_status: Mapped[TicketStatus] = mapped_column(_status_column_type("new_status"))
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="status_changes")
    changed_by: Mapped[User] = relationship()


class TicketStatusCount(db.Model):  # type: ignore[name-defined]
    """How many tickets have each status: the staff list's counts and its
    page count, read from three rows instead of counting every ticket on
    every view (10 ms at 100,000 tickets, and growing).

    The database keeps the numbers itself, with triggers on ``tickets``
    (``STATUS_COUNT_TRIGGERS`` below, and the migration that adds them), so
    no code path can forget them: a ticket inserted by a script, a factory
    or a raw UPDATE is counted the same way as one from the web form.

    Forking? A later SQLite migration that rebuilds ``tickets`` (a
    ``batch_alter_table`` with a change SQLite cannot ALTER in place) drops
    its triggers with the old table: create them again in that migration.
    ``test_the_migrated_database_keeps_the_status_counts`` fails if not.
    """

    __tablename__ = "ticket_status_counts"

    status: Mapped[TicketStatus] = mapped_column(
        _status_column_type("ticket_count_status"), primary_key=True
    )
    tickets: Mapped[int] = mapped_column(default=0)


# One UPDATE moves a ticket from one count to the other, so two status
# changes in opposite directions lock the two rows in the same order (no
# deadlock on PostgreSQL).
_MOVE = (
    "UPDATE ticket_status_counts SET tickets = tickets + "
    "CASE WHEN status = NEW.status THEN 1 ELSE -1 END "
    "WHERE status IN (OLD.status, NEW.status)"
)
STATUS_COUNT_TRIGGERS: dict[str, list[str]] = {
    "sqlite": [
        "CREATE TRIGGER tickets_counted_on_insert AFTER INSERT ON tickets BEGIN "
        "UPDATE ticket_status_counts SET tickets = tickets + 1 WHERE status = NEW.status; END",
        "CREATE TRIGGER tickets_counted_on_delete AFTER DELETE ON tickets BEGIN "
        "UPDATE ticket_status_counts SET tickets = tickets - 1 WHERE status = OLD.status; END",
        "CREATE TRIGGER tickets_counted_on_status_change AFTER UPDATE OF status ON tickets "
        f"WHEN OLD.status <> NEW.status BEGIN {_MOVE}; END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION count_ticket_statuses() RETURNS trigger "  # noqa: S608 -- constant SQL
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        "UPDATE ticket_status_counts SET tickets = tickets + 1 WHERE status = NEW.status; "
        "ELSIF TG_OP = 'DELETE' THEN "
        "UPDATE ticket_status_counts SET tickets = tickets - 1 WHERE status = OLD.status; "
        f"ELSE {_MOVE}; END IF; RETURN NULL; END $$",
        "CREATE TRIGGER tickets_counted AFTER INSERT OR DELETE ON tickets "
        "FOR EACH ROW EXECUTE FUNCTION count_ticket_statuses()",
        "CREATE TRIGGER tickets_counted_on_status_change AFTER UPDATE OF status ON tickets "
        "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) "
        "EXECUTE FUNCTION count_ticket_statuses()",
    ],
}


def install_status_counting(connection: Connection) -> None:
    """One row per status, counted from the tickets already there, and the
    triggers that keep the rows right from then on."""
    tickets = Ticket.__table__
    counts = TicketStatusCount.__table__
    existing: dict[str, int] = dict(
        connection.execute(select(tickets.c.status, func.count()).group_by(tickets.c.status)).all()
    )
    connection.execute(
        counts.insert(), [{"status": s, "tickets": existing.get(s, 0)} for s in TicketStatus]
    )
    for statement in STATUS_COUNT_TRIGGERS[connection.dialect.name]:
        connection.exec_driver_sql(statement)


@event.listens_for(db.metadata, "after_create")
def _count_statuses_in_new_databases(
    _metadata: object, connection: Connection, tables: Sequence[Any] = (), **_: Any
) -> None:
    # db.create_all() (tests, a first run without migrations) gets the same
    # counting as `flask db upgrade`; only when it has just made the table.
    if TicketStatusCount.__table__ in tables:
        install_status_counting(connection)
