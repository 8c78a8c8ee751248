"""The staff list stays fast as tickets pile up: its counts are kept by the
database instead of counted per view, and its ORDER BY has an index.
``make bench`` measures the speed; these tests pin what makes it."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from helpdesk import services
from helpdesk.extensions import db
from helpdesk.models import Ticket, TicketStatus, User
from tests.auth_client import AuthActions
from tests.helpdesk.factories import make_ticket, make_user
from tests.query_count import count_queries


def kept_counts(app: Flask) -> dict[TicketStatus, int]:
    with app.app_context():
        return services.count_by_status().by_status


def real_counts(app: Flask) -> dict[TicketStatus, int]:
    with app.app_context():
        rows = db.session.execute(select(Ticket.status, func.count()).group_by(Ticket.status))
        return dict.fromkeys(TicketStatus, 0) | dict(rows.all())


def test_counts_follow_every_kind_of_write(app: Flask) -> None:
    owner, staff = make_user(app), make_user(app, "staff@example.com", is_staff=True)
    make_ticket(app, owner)  # the ORM, as a script would
    make_ticket(app, owner, status=TicketStatus.PENDING)
    with app.app_context():
        ticket = services.open_ticket(db.session.get(User, owner.id), title="t", description="d")
        services.change_status(ticket, TicketStatus.RESOLVED, db.session.get(User, staff.id))
        # Raw SQL too: the database keeps the counts, not our code.
        db.session.execute(text("UPDATE tickets SET status = 'open' WHERE status = 'pending'"))
        db.session.execute(text("UPDATE tickets SET title = 'renamed'"))  # not a status change
        db.session.execute(text("DELETE FROM tickets WHERE status = 'resolved'"))
        db.session.commit()
    assert (
        kept_counts(app)
        == real_counts(app)
        == {
            TicketStatus.OPEN: 2,
            TicketStatus.PENDING: 0,
            TicketStatus.RESOLVED: 0,
        }
    )


def test_a_rolled_back_ticket_is_not_counted(app: Flask) -> None:
    owner = make_user(app)
    with app.app_context():
        db.session.add(Ticket(title="t", description="d", created_by_id=owner.id))
        db.session.flush()
        db.session.rollback()
    assert kept_counts(app) == real_counts(app) == dict.fromkeys(TicketStatus, 0)


def test_the_staff_list_counts_no_tickets_unless_it_searches(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app, "staff@example.com", is_staff=True)
    auth.login("staff@example.com")
    owner = make_user(app, "customer@example.com")
    for number in range(3):
        make_ticket(app, owner, title=f"Printer {number}", status=TicketStatus.PENDING)

    for url in ("/staff/tickets/", "/staff/tickets/?status=pending"):
        with count_queries(app, db) as statements:
            html = client.get(url).get_data(as_text=True)
        assert "3 tickets, newest first." in html
        assert not [s for s in statements if "count(" in s.lower() and "tickets" in s]

    with count_queries(app, db) as statements:
        html = client.get("/staff/tickets/?q=printer%201").get_data(as_text=True)
    assert "1 ticket, newest first." in html
    assert [s for s in statements if "count(" in s.lower()]


def test_the_staff_list_reads_its_order_from_an_index(app: Flask) -> None:
    with app.app_context():
        query = services.staff_tickets_query().limit(20)
        sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
        if db.engine.dialect.name == "sqlite":
            rows = db.session.execute(text("EXPLAIN QUERY PLAN " + sql))
            plan = " ".join(row[3] for row in rows)
            assert "TEMP B-TREE" not in plan  # no sort of the whole table
        else:
            # An empty table is cheapest to scan; ask what it would do at scale.
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(row[0] for row in db.session.execute(text("EXPLAIN " + sql)))
            assert "Sort" not in plan
        db.session.rollback()
    assert "ix_tickets_created_id" in plan
