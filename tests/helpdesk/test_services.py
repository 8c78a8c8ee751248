"""The rules in services.py, called directly with plain arguments."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import MANYTOONE, ONETOMANY

from helpdesk import services
from helpdesk.extensions import db
from helpdesk.models import Reply, StatusChange, Ticket, TicketStatus, User
from tests.helpdesk.factories import make_ticket, make_user


def load(model: type, ident: int):  # type: ignore[no-untyped-def]
    found = db.session.get(model, ident)
    assert found is not None
    return found


def test_only_staff_change_status(app: Flask) -> None:
    owner = make_user(app, "owner@example.com")
    ticket = make_ticket(app, owner)
    with app.app_context(), pytest.raises(services.NotAllowed):
        services.change_status(load(Ticket, ticket.id), TicketStatus.RESOLVED, load(User, owner.id))


def test_only_staff_write_internal_notes(app: Flask) -> None:
    owner = make_user(app, "owner@example.com")
    ticket = make_ticket(app, owner)
    with app.app_context(), pytest.raises(services.NotAllowed):
        services.add_reply(load(Ticket, ticket.id), load(User, owner.id), body="x", internal=True)


def test_a_non_owner_customer_cannot_reply(app: Flask) -> None:
    owner = make_user(app, "owner@example.com")
    other = make_user(app, "other@example.com")
    ticket = make_ticket(app, owner)
    with app.app_context(), pytest.raises(services.NotAllowed):
        services.add_reply(load(Ticket, ticket.id), load(User, other.id), body="x")


def test_a_status_change_made_meanwhile_is_not_overwritten(app: Flask) -> None:
    owner = make_user(app, "owner@example.com")
    second = make_user(app, "second@example.com", is_staff=True)
    ticket = make_ticket(app, owner)
    with app.app_context():
        # This request loaded the ticket while it was open...
        seen = load(Ticket, ticket.id)
        assert seen.status is TicketStatus.OPEN
        # ...then another request, on another connection, resolved it.
        with db.engine.begin() as other_request:
            other_request.execute(
                db.update(Ticket).where(Ticket.id == ticket.id).values(status="resolved")
            )
        with pytest.raises(services.StatusChangedMeanwhile):
            services.change_status(seen, TicketStatus.PENDING, load(User, second.id))
        db.session.expire_all()
        saved = load(Ticket, ticket.id)
        assert saved.status is TicketStatus.RESOLVED
        assert saved.status_changes == []


def test_count_by_status_includes_empty_statuses(app: Flask) -> None:
    owner = make_user(app, "owner@example.com")
    make_ticket(app, owner)
    with app.app_context():
        counts = services.count_by_status()
    assert counts.by_status == {
        TicketStatus.OPEN: 1,
        TicketStatus.PENDING: 0,
        TicketStatus.RESOLVED: 0,
    }
    assert counts.total == 1


def test_the_database_refuses_an_unknown_status(app: Flask) -> None:
    owner = make_user(app, "owner@example.com")
    ticket = make_ticket(app, owner)
    with app.app_context():
        with pytest.raises(IntegrityError, match=r"(?i)check"):
            db.session.execute(
                db.text("UPDATE tickets SET status = 'closed' WHERE id = :id"), {"id": ticket.id}
            )
        db.session.rollback()


def test_a_ticket_has_many_replies_and_status_changes_each_with_a_foreign_key_to_it(
    app: Flask,
) -> None:
    """One-to-many relationships: each reply and status change holds its
    ticket's id, a foreign key the database enforces, and
    ``relationship(back_populates=...)`` reads them from both sides, in the
    order they were written."""
    assert inspect(Ticket).relationships["replies"].direction is ONETOMANY
    assert inspect(Ticket).relationships["status_changes"].direction is ONETOMANY
    assert inspect(Reply).relationships["ticket"].direction is MANYTOONE
    assert inspect(StatusChange).relationships["ticket"].direction is MANYTOONE
    owner = make_user(app, "owner@example.com")
    staff = make_user(app, "staff@example.com", is_staff=True)
    ticket = make_ticket(app, owner)
    with app.app_context():
        services.add_reply(load(Ticket, ticket.id), load(User, owner.id), body="First.")
        services.add_reply(load(Ticket, ticket.id), load(User, staff.id), body="Second.")
        services.change_status(load(Ticket, ticket.id), TicketStatus.PENDING, load(User, staff.id))
        db.session.expire_all()
        saved = load(Ticket, ticket.id)
        assert [reply.body for reply in saved.replies] == ["First.", "Second."]
        assert all(reply.ticket is saved for reply in saved.replies)
        assert [change.new_status for change in saved.status_changes] == [TicketStatus.PENDING]
        assert saved.status_changes[0].ticket is saved
        db.session.add(Reply(ticket_id=ticket.id + 1000, author_id=owner.id, body="Nowhere."))
        with pytest.raises(IntegrityError, match=r"(?i)foreign key"):
            db.session.flush()
        db.session.rollback()


def test_an_internal_note_does_not_move_the_last_activity_a_public_reply_does(app: Flask) -> None:
    owner = make_user(app, "owner@example.com")
    staff = make_user(app, "staff@example.com", is_staff=True)
    ticket = make_ticket(app, owner)
    with app.app_context():
        before = load(Ticket, ticket.id).updated_at
        services.add_reply(load(Ticket, ticket.id), load(User, staff.id), body="n", internal=True)
        db.session.expire_all()
        assert load(Ticket, ticket.id).updated_at == before
        services.add_reply(load(Ticket, ticket.id), load(User, staff.id), body="Fixed it.")
        db.session.expire_all()
        assert load(Ticket, ticket.id).updated_at > before
