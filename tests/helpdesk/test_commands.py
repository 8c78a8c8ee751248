"""``create-user`` and ``seed-demo``, through Flask's CLI runner."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskCliRunner

from helpdesk.commands import (
    DEMO_CUSTOMERS,
    DEMO_NAMES,
    DEMO_PASSWORD,
    DEMO_STAFF,
    DEMO_TICKETS,
)
from helpdesk.extensions import db
from helpdesk.models import Reply, StatusChange, Ticket, TicketStatus, User


def counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(db.select(db.func.count()).select_from(model))
            for model in (User, Ticket, Reply, StatusChange)
        }


def test_seed_demo_creates_users_and_tickets_across_all_statuses(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert f"Demo tickets: {len(DEMO_TICKETS)} added" in result.output
    assert DEMO_STAFF in result.output
    assert DEMO_PASSWORD in result.output
    with app.app_context():
        staff = db.session.scalar(db.select(User).where(User.email == DEMO_STAFF))
        assert staff is not None
        assert staff.is_staff
        assert staff.check_password(DEMO_PASSWORD)
        for email in DEMO_CUSTOMERS:
            customer = db.session.scalar(db.select(User).where(User.email == email))
            assert customer is not None
            assert not customer.is_staff
        # Friendly names, not the addresses' local parts, on every demo page.
        names = dict(db.session.execute(db.select(User.email, User.display_name)).all())
        assert names == DEMO_NAMES
        assert "Sam Rivera" in names.values()
        statuses = set(db.session.scalars(db.select(Ticket.status)))
        assert statuses == set(TicketStatus)
        assert db.session.scalar(db.select(db.func.count()).where(Reply.internal)) > 0
    assert counts(app)["status_changes"] > 0


def test_seed_demo_dates_each_ticket_s_activity_after_its_opening_not_at_seeding(
    app: Flask, runner: FlaskCliRunner
) -> None:
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        for ticket in db.session.scalars(db.select(Ticket)):
            events = [r.created_at for r in ticket.replies]
            events += [c.changed_at for c in ticket.status_changes]
            day_after = ticket.created_at + timedelta(days=1)
            assert all(ticket.created_at < moment < day_after for moment in events)
            assert ticket.updated_at == max(events, default=ticket.created_at)
            assert ticket.resolved_at in (None, ticket.updated_at)


def test_seed_demo_is_idempotent(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo"])
    first = counts(app)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert f"0 added, {len(DEMO_TICKETS)} already there" in result.output
    assert counts(app) == first
