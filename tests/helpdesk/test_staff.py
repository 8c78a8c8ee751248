"""The staff area: all tickets, filters, search, counts, notes and history."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpdesk.extensions import db
from helpdesk.models import TicketStatus, User
from tests.auth_client import AuthActions
from tests.helpdesk.factories import make_reply, make_ticket, make_user, post_form, reload_ticket
from tests.query_count import count_queries


@pytest.fixture
def customer(app: Flask) -> User:
    return make_user(app, "customer@example.com")


def test_list_shows_every_ticket_with_its_owner(
    app: Flask, client: FlaskClient, staff: User, auth: AuthActions, customer: User
) -> None:
    auth.login("staff@example.com")
    other = make_user(app, "other@example.com")
    make_ticket(app, customer, title="Customer's ticket")
    make_ticket(app, other, title="Other's ticket")
    html = client.get("/staff/tickets/").get_data(as_text=True)
    assert "Customer&#39;s ticket" in html
    assert "Other&#39;s ticket" in html
    assert "customer@example.com" in html
    assert "other@example.com" in html


def test_list_filters_by_status_and_shows_counts(
    app: Flask, client: FlaskClient, staff: User, auth: AuthActions, customer: User
) -> None:
    auth.login("staff@example.com")
    make_ticket(app, customer, title="Open one")
    make_ticket(app, customer, title="Pending one", status=TicketStatus.PENDING)
    make_ticket(app, customer, title="Pending two", status=TicketStatus.PENDING)
    html = client.get("/staff/tickets/", query_string={"status": "pending"}).get_data(as_text=True)
    assert "Pending one" in html
    assert "Pending two" in html
    assert "Open one" not in html
    assert 'data-testid="count-open">Open <span class="badge text-bg-light">1</span>' in html
    assert 'data-testid="count-pending">Pending <span class="badge text-bg-light">2</span>' in html
    assert (
        'data-testid="count-resolved">Resolved <span class="badge text-bg-light">0</span>' in html
    )


def test_unknown_status_filter_is_400(client: FlaskClient, staff: User, auth: AuthActions) -> None:
    auth.login("staff@example.com")
    response = client.get("/staff/tickets/?status=closed")
    assert response.status_code == 400
    assert "Unknown status" in response.get_data(as_text=True)


def test_search_covers_title_and_description_case_insensitively(
    app: Flask, client: FlaskClient, staff: User, auth: AuthActions, customer: User
) -> None:
    auth.login("staff@example.com")
    make_ticket(app, customer, title="VPN broken", description="since today")
    make_ticket(app, customer, title="Printer", description="The vpn icon is red")
    make_ticket(app, customer, title="Monitor", description="flickers")
    html = client.get("/staff/tickets/?q=VpN").get_data(as_text=True)
    assert "VPN broken" in html
    assert "Printer" in html
    assert "Monitor" not in html


def test_search_treats_wildcards_literally(
    app: Flask, client: FlaskClient, staff: User, auth: AuthActions, customer: User
) -> None:
    auth.login("staff@example.com")
    make_ticket(app, customer, title="Disk at 100% full")
    make_ticket(app, customer, title="Disk at 1000 GB")
    html = client.get("/staff/tickets/?q=100%25").get_data(as_text=True)
    assert "Disk at 100% full" in html
    assert "Disk at 1000 GB" not in html


def test_search_and_filter_with_no_match_show_an_empty_state(
    client: FlaskClient, staff: User, auth: AuthActions
) -> None:
    auth.login("staff@example.com")
    html = client.get("/staff/tickets/?q=nothing&status=open").get_data(as_text=True)
    assert "No tickets match." in html


def count_badges(html: str) -> dict[str, int]:
    found = re.findall(r'data-testid="count-(\w+)">\w+ <span class="badge[^"]*">(\d+)<', html)
    total = re.search(r'>All <span class="badge[^"]*">(\d+)<', html)
    assert total is not None
    return {"all": int(total.group(1)), **{name: int(count) for name, count in found}}


def test_the_status_counts_follow_the_search(
    app: Flask, client: FlaskClient, staff: User, auth: AuthActions, customer: User
) -> None:
    auth.login("staff@example.com")
    make_ticket(app, customer, title="VPN down")
    make_ticket(app, customer, title="VPN slow", status=TicketStatus.PENDING)
    make_ticket(app, customer, title="Printer jam", status=TicketStatus.PENDING)
    everything = {"all": 3, "open": 1, "pending": 2, "resolved": 0}
    assert count_badges(client.get("/staff/tickets/").get_data(as_text=True)) == everything
    vpn = client.get("/staff/tickets/?q=vpn&status=pending").get_data(as_text=True)
    assert count_badges(vpn) == {"all": 2, "open": 1, "pending": 1, "resolved": 0}
    assert "1 ticket, newest first." in vpn
    nothing = client.get("/staff/tickets/?q=zzz").get_data(as_text=True)
    assert count_badges(nothing) == {"all": 0, "open": 0, "pending": 0, "resolved": 0}
    assert "No tickets match." in nothing


def test_pagination_keeps_the_filters(
    app: Flask, client: FlaskClient, staff: User, auth: AuthActions, customer: User
) -> None:
    auth.login("staff@example.com")
    app.config["TICKETS_PER_PAGE"] = 1
    make_ticket(app, customer, title="match one")
    make_ticket(app, customer, title="match two")
    html = client.get("/staff/tickets/?q=match&status=open").get_data(as_text=True)
    assert "page=2" in html
    assert "q=match" in html.split('aria-label="Page navigation"')[1]


@pytest.mark.parametrize("query", ["endpoint=x", "_method=POST", "junk=1"])
def test_the_page_links_keep_the_filters_and_nothing_else(
    app: Flask, client: FlaskClient, staff: User, auth: AuthActions, customer: User, query: str
) -> None:
    """Bootstrap-Flask copies every query parameter into its links by default:
    ``endpoint`` and ``_method`` made url_for() fail (a 500)."""
    auth.login("staff@example.com")
    app.config["TICKETS_PER_PAGE"] = 1
    make_ticket(app, customer, title="match one")
    make_ticket(app, customer, title="match two")
    response = client.get(f"/staff/tickets/?q=match&status=open&{query}")
    assert response.status_code == 200
    links = response.get_data(as_text=True).split('aria-label="Page navigation"')[1]
    assert {"page=2", "q=match", "status=open"} <= set(re.findall(r"\w+=\w+", links))
    assert query.split("=")[0] not in links


def test_the_staff_list_runs_the_same_number_of_queries_for_any_page_size(
    app: Flask, client: FlaskClient, staff: User, auth: AuthActions
) -> None:
    auth.login("staff@example.com")
    app.config["TICKETS_PER_PAGE"] = 50

    def queries_for_list() -> int:
        with count_queries(app, db) as statements:
            assert client.get("/staff/tickets/").status_code == 200
        return len(statements)

    for n in range(2):
        make_ticket(app, make_user(app, f"few{n}@example.com"))
    few = queries_for_list()
    for n in range(25):
        make_ticket(app, make_user(app, f"many{n}@example.com"))
    many = queries_for_list()
    assert few == many


def test_detail_shows_every_reply_with_internal_notes_marked(
    app: Flask, client: FlaskClient, staff: User, auth: AuthActions, customer: User
) -> None:
    auth.login("staff@example.com")
    ticket = make_ticket(app, customer)
    make_reply(app, ticket, customer, "Public question")
    make_reply(app, ticket, staff, "Note for colleagues", internal=True)
    html = client.get(f"/staff/tickets/{ticket.id}").get_data(as_text=True)
    assert "Public question" in html
    assert "Note for colleagues" in html
    assert html.count('data-internal="true"') == 1
    assert "Internal note</span>" in html


def test_status_change_is_recorded_with_who_and_when(
    app: Flask, client: FlaskClient, staff: User, auth: AuthActions, customer: User
) -> None:
    auth.login("staff@example.com")
    ticket = make_ticket(app, customer)
    page = f"/staff/tickets/{ticket.id}"
    response = post_form(client, f"{page}/status", {"status": "resolved"}, token_page=page)
    assert response.status_code == 302
    assert response.headers["Location"] == page

    saved, _, changes = reload_ticket(app, ticket.id)
    assert saved.status is TicketStatus.RESOLVED
    assert saved.resolved_at is not None
    assert [(c.old_status, c.new_status, c.changed_by_id) for c in changes] == [
        (TicketStatus.OPEN, TicketStatus.RESOLVED, staff.id)
    ]
    html = client.get(page).get_data(as_text=True)
    assert "Status changed to Resolved." in html
    history = html.split('data-testid="history"')[1]
    assert 'data-status="open"' in history
    assert 'data-status="resolved"' in history
    assert f"by {staff.display_name}" in history  # who, by the name staff know each other by


def test_reopening_clears_resolved_at(
    app: Flask, client: FlaskClient, staff: User, auth: AuthActions, customer: User
) -> None:
    auth.login("staff@example.com")
    ticket = make_ticket(app, customer)
    page = f"/staff/tickets/{ticket.id}"
    post_form(client, f"{page}/status", {"status": "resolved"}, token_page=page)
    post_form(client, f"{page}/status", {"status": "open"}, token_page=page)
    saved, _, changes = reload_ticket(app, ticket.id)
    assert saved.status is TicketStatus.OPEN
    assert saved.resolved_at is None
    assert len(changes) == 2


def test_a_no_op_status_change_is_refused(
    app: Flask, client: FlaskClient, staff: User, auth: AuthActions, customer: User
) -> None:
    auth.login("staff@example.com")
    ticket = make_ticket(app, customer)
    page = f"/staff/tickets/{ticket.id}"
    response = post_form(client, f"{page}/status", {"status": "open"}, token_page=page)
    assert response.status_code == 422
    assert "The ticket is already Open." in response.get_data(as_text=True)
    assert reload_ticket(app, ticket.id)[2] == []


@pytest.mark.parametrize("status", ["closed", "", "OPEN"])
def test_an_invalid_status_is_refused(
    app: Flask, client: FlaskClient, staff: User, auth: AuthActions, customer: User, status: str
) -> None:
    auth.login("staff@example.com")
    ticket = make_ticket(app, customer)
    page = f"/staff/tickets/{ticket.id}"
    response = post_form(client, f"{page}/status", {"status": status}, token_page=page)
    assert response.status_code == 422
    assert "invalid-feedback" in response.get_data(as_text=True)
    saved, _, changes = reload_ticket(app, ticket.id)
    assert saved.status is TicketStatus.OPEN
    assert changes == []


def test_staff_land_on_all_tickets_after_login(app: Flask, client: FlaskClient) -> None:
    make_user(app, "lead@example.com", is_staff=True)
    response = AuthActions(client).login("lead@example.com")
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).headers["Location"] == "/staff/tickets/"


@pytest.mark.parametrize("status", [TicketStatus.PENDING, TicketStatus.RESOLVED])
def test_a_staff_reply_does_not_reopen_a_ticket(
    app: Flask, client: FlaskClient, staff: User, auth: AuthActions, status: TicketStatus
) -> None:
    auth.login("staff@example.com")
    ticket = make_ticket(app, make_user(app, "ann@example.com"), status=status)
    page = f"/staff/tickets/{ticket.id}"
    post_form(client, f"{page}/replies", {"body": "Done on our side."}, token_page=page)
    reloaded, _, changes = reload_ticket(app, ticket.id)
    assert reloaded.status is status
    assert changes == []


def test_staff_reply_and_internal_note(
    app: Flask, client: FlaskClient, staff: User, auth: AuthActions, customer: User
) -> None:
    auth.login("staff@example.com")
    ticket = make_ticket(app, customer)
    page = f"/staff/tickets/{ticket.id}"
    public = post_form(client, f"{page}/replies", {"body": "Try restarting."}, token_page=page)
    note = post_form(
        client, f"{page}/replies", {"body": "Known bug 123", "internal": "y"}, token_page=page
    )
    assert public.status_code == note.status_code == 302
    _, replies, _ = reload_ticket(app, ticket.id)
    assert [(r.body, r.internal) for r in replies] == [
        ("Try restarting.", False),
        ("Known bug 123", True),
    ]

    # The customer sees the reply and never the note.
    customer_client = app.test_client()
    AuthActions(customer_client).login("customer@example.com")
    html = customer_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Try restarting." in html
    assert "Known bug 123" not in html


def test_staff_reply_validation(
    app: Flask, client: FlaskClient, staff: User, auth: AuthActions, customer: User
) -> None:
    auth.login("staff@example.com")
    ticket = make_ticket(app, customer)
    page = f"/staff/tickets/{ticket.id}"
    response = post_form(
        client, f"{page}/replies", {"body": "  ", "internal": "y"}, token_page=page
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Write something before sending." in html
    assert f'<body data-page-url="{page}">' in html
    assert reload_ticket(app, ticket.id)[1] == []


def test_the_customer_sees_the_new_status(
    app: Flask, client: FlaskClient, staff: User, auth: AuthActions, customer: User
) -> None:
    auth.login("staff@example.com")
    ticket = make_ticket(app, customer)
    page = f"/staff/tickets/{ticket.id}"
    post_form(client, f"{page}/status", {"status": "resolved"}, token_page=page)
    customer_client = app.test_client()
    AuthActions(customer_client).login("customer@example.com")
    html = customer_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'data-status="resolved">Resolved</span>' in html
