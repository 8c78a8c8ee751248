"""Tickets, their replies and their status history."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from shared.auth import UserAccountMixin
from shared.clock import utcnow
from shared.database import string_enum
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
        # The staff list of all tickets: ORDER BY created_at DESC, id DESC, without a sort.
        Index("ix_tickets_created_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[TicketStatus] = mapped_column(
        string_enum(TicketStatus, "ticket_status"), default=TicketStatus.OPEN
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    resolved_at: Mapped[datetime | None]

    created_by: Mapped[User] = relationship()
    replies: Mapped[list["Reply"]] = relationship(
        back_populates="ticket", order_by="Reply.created_at, Reply.id", cascade="all, delete-orphan"
    )
    status_changes: Mapped[list["StatusChange"]] = relationship(
        back_populates="ticket",
        order_by="StatusChange.changed_at, StatusChange.id",
        cascade="all, delete-orphan",
    )


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
    old_status: Mapped[TicketStatus] = mapped_column(string_enum(TicketStatus, "old_status"))
    new_status: Mapped[TicketStatus] = mapped_column(string_enum(TicketStatus, "new_status"))
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="status_changes")
    changed_by: Mapped[User] = relationship()
