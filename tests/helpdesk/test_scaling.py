"""The staff list stays fast as tickets pile up: its counts per status are
one GROUP BY, cached until a write changes them, and its ORDER BY has an
index. ``make bench`` measures the speed; these tests pin what makes it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from helpdesk import create_app, services
from helpdesk.extensions import cache, db
from helpdesk.models import Ticket, TicketStatus, User
from tests.app_fixtures import app_on_fresh_tables
from tests.auth_client import AuthActions
from tests.helpdesk.factories import make_ticket, make_user, post_form
from tests.query_count import count_queries
from tests.servers import free_port


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """The help desk with its cache on, as the demo runs it."""
    with app_on_fresh_tables(create_app, db, database_url, CACHE_TYPE="SimpleCache") as app:
        yield app


def shown_counts(app: Flask) -> dict[TicketStatus, int]:
    with app.app_context():
        return services.count_by_status().by_status


def real_counts(app: Flask) -> dict[TicketStatus, int]:
    with app.app_context():
        rows = db.session.execute(select(Ticket.status, func.count()).group_by(Ticket.status))
        return dict.fromkeys(TicketStatus, 0) | dict(rows.all())


def test_the_counts_follow_every_write_that_changes_them(app: Flask) -> None:
    owner, staff = make_user(app), make_user(app, "staff@example.com", is_staff=True)
    assert shown_counts(app) == real_counts(app)  # cached now
    with app.app_context():
        owner_now, staff_now = db.session.get(User, owner.id), db.session.get(User, staff.id)
        assert owner_now is not None
        assert staff_now is not None
        ticket_id = services.open_ticket(owner_now, title="t", description="d").id
    assert (
        shown_counts(app)
        == real_counts(app)
        == {
            TicketStatus.OPEN: 1,
            TicketStatus.PENDING: 0,
            TicketStatus.RESOLVED: 0,
        }
    )
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        staff_now = db.session.get(User, staff.id)
        assert ticket is not None
        assert staff_now is not None
        services.change_status(ticket, TicketStatus.RESOLVED, staff_now)
    assert shown_counts(app)[TicketStatus.RESOLVED] == 1
    with app.app_context():  # the owner writes again: the ticket reopens
        ticket = db.session.get(Ticket, ticket_id)
        owner_now = db.session.get(User, owner.id)
        assert ticket is not None
        assert owner_now is not None
        services.add_reply(ticket, owner_now, body="Still broken.")
    assert shown_counts(app) == real_counts(app)
    assert shown_counts(app)[TicketStatus.OPEN] == 1


def test_a_ticket_opened_between_any_two_steps_of_a_count_is_counted(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A count reads from the cache a few times before it stores its answer.
    After its first read, then (afresh) after its second, and so on, another
    request opens a ticket (commit, then invalidation). Whatever the count
    stored, the next one must show every ticket: an answer older than a write
    is never read again. (Flask-Caching's ``memoize`` failed this after its
    fourth read: it writes its version again after storing, and so put back
    the version that the write had just deleted.)"""
    owner = make_user(app)
    counter = threading.current_thread()
    opened: list[int] = []
    reads = 0

    def open_a_ticket_elsewhere() -> None:
        def open_ticket() -> None:
            with app.app_context():
                user = db.session.get(User, owner.id)
                assert user is not None
                services.open_ticket(user, title=f"Ticket {reads}", description="d")
                opened.append(reads)

        writer = threading.Thread(target=open_ticket)
        writer.start()
        writer.join(10)

    store = cache.cache  # the backend (SimpleCache) Flask-Caching talks to
    for method in ("get", "get_many", "has"):
        read = getattr(store, method)

        def read_then_let_a_write_in(*args: object, _read: Any = read) -> Any:
            nonlocal reads
            value = _read(*args)
            if threading.current_thread() is counter:
                reads += 1
                if reads == write_after:
                    open_a_ticket_elsewhere()
            return value

        monkeypatch.setattr(store, method, read_then_let_a_write_in)
    for write_after in range(1, 8):
        with app.app_context():
            cache.clear()
        reads = 0
        shown_counts(app)  # a write comes in after its read number write_after
        reads = -100  # no write during the check
        assert shown_counts(app) == real_counts(app), f"a ticket opened after read {write_after}"
    assert len(opened) >= 2  # the count read from the cache, and tickets came in between


def test_a_rolled_back_ticket_is_not_counted(app: Flask) -> None:
    owner = make_user(app)
    with app.app_context():
        db.session.add(Ticket(title="t", description="d", created_by_id=owner.id))
        db.session.flush()
        db.session.rollback()
    assert shown_counts(app) == real_counts(app) == dict.fromkeys(TicketStatus, 0)


def test_the_staff_list_counts_once_until_a_change(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app, "staff@example.com", is_staff=True)
    auth.login("staff@example.com")
    owner = make_user(app, "customer@example.com")
    tickets = [
        make_ticket(app, owner, title=f"Printer {n}", status=TicketStatus.PENDING) for n in range(3)
    ]

    def counted(url: str) -> tuple[str, bool]:
        with count_queries(app, db) as statements:
            html = client.get(url).get_data(as_text=True)
        return html, any("count(" in s.lower() for s in statements)

    html, counts_tickets = counted("/staff/tickets/")
    assert "3 tickets, newest first." in html
    assert counts_tickets  # the first view counts, once, with a GROUP BY
    for url in ("/staff/tickets/", "/staff/tickets/?status=pending"):
        html, counts_tickets = counted(url)
        assert "3 tickets, newest first." in html
        assert not counts_tickets  # from the cache

    page = f"/staff/tickets/{tickets[0].id}"
    post_form(client, f"{page}/status", {"status": "resolved"}, token_page=page)
    html, counts_tickets = counted("/staff/tickets/?status=pending")
    assert "2 tickets, newest first." in html
    assert counts_tickets  # the change cleared the counts

    html, counts_tickets = counted("/staff/tickets/?q=printer%201")
    assert "1 ticket, newest first." in html
    assert counts_tickets  # a search counts its own result, never cached


def test_a_change_stands_when_the_cache_is_down(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The staff list counts from the database, and a committed change is
    answered as such, never a 500."""
    nothing_listens = f"redis://127.0.0.1:{free_port()}/0"
    settings = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": nothing_listens}
    with app_on_fresh_tables(create_app, db, database_url, **settings) as desk:
        make_user(desk, "staff@example.com", is_staff=True)
        ticket = make_ticket(desk, make_user(desk), title="Printer jams")
        client = desk.test_client()
        AuthActions(client).login("staff@example.com")
        assert "1 ticket, newest first." in client.get("/staff/tickets/").get_data(as_text=True)
        page = f"/staff/tickets/{ticket.id}"
        changed = post_form(client, f"{page}/status", {"status": "resolved"}, token_page=page)
        assert changed.status_code == 302
        assert shown_counts(desk) == real_counts(desk)
        assert real_counts(desk)[TicketStatus.RESOLVED] == 1
    failures = [r for r in caplog.records if "could not be invalidated" in r.getMessage()]
    assert [record.levelname for record in failures] == ["ERROR"]


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
