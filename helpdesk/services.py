"""The help desk's rules. Views call these; nothing else writes tickets.

Functions take plain values (ids, strings, the acting user) and raise the
exceptions below; they know nothing of requests, forms or flash messages.
Queries that return a user's tickets filter by owner in SQL, so a forgotten
check cannot leak another user's ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, or_, select, update
from sqlalchemy.orm import selectinload

from helpdesk.extensions import cache, db, outbox
from helpdesk.models import Reply, StatusChange, Ticket, TicketStatus, User
from shared.clock import utcnow
from shared.mail import external_url


class HelpdeskError(Exception):
    """A rule said no; the message is fit to show the user."""


class NotAllowed(HelpdeskError):
    """The acting user may not do this (a customer changing a status, say)."""


class StatusUnchanged(HelpdeskError):
    pass


class StatusChangedMeanwhile(HelpdeskError):
    pass


# --- writing -----------------------------------------------------------------


def open_ticket(owner: User, *, title: str, description: str) -> Ticket:
    ticket = Ticket(
        title=title.strip(),
        description=description.strip(),
        status=TicketStatus.OPEN,
        created_by=owner,
    )
    db.session.add(ticket)
    db.session.commit()
    cache.delete_memoized(tickets_per_status)
    return ticket


# A customer who writes again on a ticket staff thought done (Resolved) or
# waiting on them (Pending) still needs help: their reply reopens it.
REOPENED_BY_A_CUSTOMER_REPLY = frozenset({TicketStatus.PENDING, TicketStatus.RESOLVED})


def add_reply(
    ticket: Ticket, author: User, *, body: str, internal: bool = False, notify: bool = True
) -> Reply:
    """Owners reply publicly; staff publicly or as an internal note. An
    owner's reply on a Pending or Resolved ticket reopens it, recorded in the
    history as the owner's change, in the same transaction. A staff member's
    public reply is mailed to the owner (``notify=False``: not, as for demo
    data); an internal note never is."""
    if internal and not author.is_staff:
        raise NotAllowed("Only staff can write internal notes.")
    if not author.is_staff and ticket.created_by_id != author.id:
        raise NotAllowed("Only the ticket's owner and staff can reply.")
    now = utcnow()
    reply = Reply(ticket=ticket, author=author, body=body.strip(), internal=internal)
    if not internal:
        # "Last activity" is on the owner's list too: a note must not move it,
        # or the owner learns that staff wrote something they cannot see.
        ticket.updated_at = now
    db.session.add(reply)
    reopened = None
    if not author.is_staff and ticket.status in REOPENED_BY_A_CUSTOMER_REPLY:
        # If staff changed the status a moment ago, their change stands.
        reopened = _move_status(ticket, ticket.status, TicketStatus.OPEN, author, now)
    if notify and author.is_staff and not internal:
        _mail_the_owner(ticket, "staff_reply", f"New reply: {ticket.title}", reply=reply)
    db.session.commit()  # the reply and its mail together, or neither
    if reopened is not None:
        cache.delete_memoized(tickets_per_status)
    return reply


def change_status(
    ticket: Ticket, new_status: TicketStatus, staff: User, *, notify: bool = True
) -> StatusChange:
    """Move ``ticket`` to ``new_status`` and record who did it, in one
    transaction, with the mail that tells the owner (unless ``notify=False``).

    The UPDATE only applies while the status is still the one this request
    read, so two staff members changing the same ticket at once cannot
    record a history entry with the wrong "from" status.
    """
    if not staff.is_staff:
        raise NotAllowed("Only staff can change a ticket's status.")
    old_status = ticket.status
    if new_status == old_status:
        raise StatusUnchanged(f"The ticket is already {new_status.label}.")
    change = _move_status(ticket, old_status, new_status, staff, utcnow())
    if change is None:
        db.session.rollback()
        raise StatusChangedMeanwhile(
            "Someone else changed this ticket's status a moment ago. Check it and try again."
        )
    if notify:
        _mail_the_owner(
            ticket, "status_changed", f"{new_status.label}: {ticket.title}", change=change
        )
    db.session.commit()
    cache.delete_memoized(tickets_per_status)
    return change


def _mail_the_owner(ticket: Ticket, template: str, subject: str, **context: object) -> None:
    """Queue a mail to the ticket's owner, in the caller's transaction (sent
    by the worker, shared/mail.py). Only what the owner may see goes in:
    never an internal note or its time."""
    outbox.queue(
        to=ticket.created_by.email,
        subject=subject,
        template=template,
        ticket=ticket,
        link=external_url("tickets.show_ticket", ticket_id=ticket.id),
        **context,
    )


def _move_status(
    ticket: Ticket, old_status: TicketStatus, new_status: TicketStatus, by: User, now: datetime
) -> StatusChange | None:
    """``old_status`` -> ``new_status`` and its history entry, uncommitted; None
    (and nothing written) when the status is no longer ``old_status``."""
    result = db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.status == old_status)
        .values(
            status=new_status,
            updated_at=now,
            resolved_at=now if new_status is TicketStatus.RESOLVED else None,
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    change = StatusChange(
        ticket_id=ticket.id,
        old_status=old_status,
        new_status=new_status,
        changed_by=by,
        changed_at=now,
    )
    db.session.add(change)
    return change


# --- reading -----------------------------------------------------------------


def own_tickets_query(owner_id: int) -> Select[tuple[Ticket]]:
    return (
        select(Ticket)
        .where(Ticket.created_by_id == owner_id)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
    )


def own_ticket(ticket_id: int, owner_id: int) -> Select[tuple[Ticket]]:
    """The ticket if ``owner_id`` created it, with its replies: the owner is
    in the query, so anyone else's is not found, as a missing one is."""
    return (
        select(Ticket)
        .where(Ticket.id == ticket_id, Ticket.created_by_id == owner_id)
        .options(selectinload(Ticket.replies).selectinload(Reply.author))
    )


def public_replies(ticket: Ticket) -> list[Reply]:
    return [reply for reply in ticket.replies if not reply.internal]


def staff_tickets_query(
    status: TicketStatus | None = None, search: str | None = None
) -> Select[tuple[Ticket]]:
    """All tickets, newest first, with their owners loaded in one extra query."""
    query = select(Ticket).options(selectinload(Ticket.created_by))
    if status is not None:
        query = query.where(Ticket.status == status)
    if search:
        query = query.where(_matches(search))
    return query.order_by(Ticket.created_at.desc(), Ticket.id.desc())


def _matches(search: str) -> ColumnElement[bool]:
    """Title or description contains ``search``, any case, ``%`` and ``_`` literal."""
    return or_(
        Ticket.title.icontains(search, autoescape=True),
        Ticket.description.icontains(search, autoescape=True),
    )


@dataclass(frozen=True)
class StatusCounts:
    by_status: dict[TicketStatus, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def count_by_status(search: str | None = None) -> StatusCounts:
    """Tickets per status: one GROUP BY, of the tickets matching ``search``
    (so the counts beside a search result are that result's), or of all
    tickets, cached (Flask-Caching) until a new ticket or a status change."""
    if search:
        rows = db.session.execute(
            select(Ticket.status, func.count()).where(_matches(search)).group_by(Ticket.status)
        ).all()
        counts = dict.fromkeys(TicketStatus, 0)  # a status with no tickets still shows 0
        counts.update(dict(rows))
        return StatusCounts(counts)
    return StatusCounts(tickets_per_status())


@cache.memoize()
def tickets_per_status() -> dict[TicketStatus, int]:
    """Every status with its number of tickets. Cleared by ``open_ticket``
    and ``_move_status``, the only writes that change it."""
    rows = db.session.execute(select(Ticket.status, func.count()).group_by(Ticket.status)).all()
    counts = dict.fromkeys(TicketStatus, 0)
    counts.update(dict(rows))
    return counts


def ticket_for_staff(ticket_id: int) -> Select[tuple[Ticket]]:
    """Any ticket, with its owner, every reply and note, and its history."""
    return (
        select(Ticket)
        .where(Ticket.id == ticket_id)
        .options(
            selectinload(Ticket.created_by),
            selectinload(Ticket.replies).selectinload(Reply.author),
            selectinload(Ticket.status_changes).selectinload(StatusChange.changed_by),
        )
    )
