"""The help desk's rules, with plain arguments: views and ``seed-demo`` call
them, nothing else writes tickets. Queries for a user's tickets put the owner
in the WHERE clause, so a forgotten check cannot leak another user's ticket."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, or_, select, update
from sqlalchemy.orm import selectinload

from helpdesk.extensions import cache, db
from helpdesk.models import Reply, StatusChange, Ticket, TicketStatus, User
from shared.caching import cache_version, replace_cache_version
from shared.clock import utcnow
from shared.mail import external_url, queue_mail


class HelpdeskError(Exception):
    """A rule said no; the message is fit to show the user."""


class NotAllowed(HelpdeskError):
    """The acting user may not do this (a customer changing a status, say)."""


class StatusChangedMeanwhile(HelpdeskError):
    pass


def open_ticket(owner: User, *, title: str, description: str) -> Ticket:
    ticket = Ticket(title=title.strip(), description=description.strip(), created_by=owner)
    db.session.add(ticket)
    db.session.commit()
    invalidate_status_counts()
    return ticket


def add_reply(
    ticket: Ticket, author: User, *, body: str, internal: bool = False, notify: bool = True
) -> Reply:
    """Owners reply publicly, staff publicly or as an internal note. A staff
    member's public reply is mailed to the owner (unless ``notify=False``)."""
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
    if not author.is_staff and ticket.status is not TicketStatus.OPEN:
        # A customer writing on a Pending or Resolved ticket still needs help:
        # reopen it, unless staff changed the status a moment ago.
        reopened = _move_status(ticket, ticket.status, TicketStatus.OPEN, author, now)
    if notify and author.is_staff and not internal:
        _notify_owner(ticket, "staff_reply", f"New reply: {ticket.title}", reply=reply)
    db.session.commit()  # the reply, its status change and its mail together, or none
    if reopened is not None:
        invalidate_status_counts()
    return reply


def change_status(
    ticket: Ticket, new_status: TicketStatus, staff: User, *, notify: bool = True
) -> StatusChange:
    """Move ``ticket`` to ``new_status``, record who did it and queue the
    owner's mail (unless ``notify=False``), in one transaction."""
    if not staff.is_staff:
        raise NotAllowed("Only staff can change a ticket's status.")
    old_status = ticket.status
    if new_status == old_status:
        raise HelpdeskError(f"The ticket is already {new_status.label}.")
    change = _move_status(ticket, old_status, new_status, staff, utcnow())
    if change is None:
        db.session.rollback()
        raise StatusChangedMeanwhile(
            "Someone else changed this ticket's status a moment ago. Check it and try again."
        )
    if notify:
        _notify_owner(
            ticket, "status_changed", f"{new_status.label}: {ticket.title}", change=change
        )
    db.session.commit()
    invalidate_status_counts()
    return change


def _notify_owner(ticket: Ticket, template: str, subject: str, **context: object) -> None:
    """Queue a mail in the caller's transaction; the worker sends it (shared/mail.py).
    Only what the owner may see goes in: never an internal note or its time."""
    queue_mail(
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
    """``old_status`` -> ``new_status`` with its history entry, uncommitted.

    A conditional UPDATE: it applies only while the status is still the one
    this request read, so when two staff members change a ticket at once the
    second gets None (nothing written) instead of a history with a wrong "from".
    """
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


def own_tickets_query(owner_id: int) -> Select[tuple[Ticket]]:
    return (
        select(Ticket)
        .where(Ticket.created_by_id == owner_id)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
    )


def own_ticket(ticket_id: int, owner_id: int) -> Select[tuple[Ticket]]:
    """The ticket, with its replies, if ``owner_id`` created it: anyone
    else's is not found, as a missing one is."""
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
    """Title or description contains ``search``, any case (on SQLite, whose
    ``lower()`` folds ASCII letters only, "é" does not find "É"), ``%`` and ``_``
    literal."""
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
    """Tickets per status: of those matching ``search`` (so the counts beside
    a search result are that result's), or of all tickets, from the cache.
    The staff list takes its number of pages from them, so they filter what
    ``staff_tickets_query`` filters, status aside."""
    if search:
        return StatusCounts(_group_by_status(_matches(search)))
    return StatusCounts(tickets_per_status())


# The name the counts are cached under (shared/caching.py: why a version).
STATUS_COUNTS = "status-counts"


def status_counts_key() -> str:
    return f"tickets-per-status/{cache_version(cache, STATUS_COUNTS)}"


@cache.cached(key_prefix=status_counts_key)
def tickets_per_status() -> dict[TicketStatus, int]:
    """Cached until a write that changes it (a new, reopened or moved ticket)
    calls ``invalidate_status_counts``."""
    return _group_by_status()


def invalidate_status_counts() -> None:
    """After the write's commit: a new version of the counts (shared/caching.py)."""
    replace_cache_version(cache, STATUS_COUNTS)


def _group_by_status(*where: ColumnElement[bool]) -> dict[TicketStatus, int]:
    query = select(Ticket.status, func.count()).where(*where).group_by(Ticket.status)
    # A status with no tickets still shows 0.
    return dict.fromkeys(TicketStatus, 0) | dict(db.session.execute(query).all())


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
