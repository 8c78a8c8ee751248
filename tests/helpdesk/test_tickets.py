"""The owner's pages: their list, a new ticket, a ticket and its replies."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask, template_rendered
from flask.testing import FlaskClient

from helpdesk.models import Ticket, TicketStatus, User
from tests.auth_client import AuthActions
from tests.helpdesk.factories import (
    make_reply,
    make_ticket,
    make_user,
    post_form,
    reload_ticket,
)
from tests.identity import assert_the_app_shows_its_identity


@pytest.fixture
def owner(app: Flask) -> User:
    """A customer with tickets to come (owner@example.com), not logged in."""
    return make_user(app, "owner@example.com")


def test_root_redirects_to_the_ticket_list(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/tickets/"


def test_list_shows_only_own_tickets_newest_first(
    app: Flask, client: FlaskClient, owner: User, auth: AuthActions
) -> None:
    auth.login("owner@example.com")
    other = make_user(app, "other@example.com")
    now = datetime.now(UTC)
    make_ticket(app, owner, title="Older ticket", created_at=now - timedelta(days=2))
    make_ticket(app, owner, title="Newer ticket", created_at=now - timedelta(days=1))
    make_ticket(app, other, title="Someone else's ticket")
    html = client.get("/tickets/").get_data(as_text=True)
    assert "Someone else&#39;s ticket" not in html
    assert html.index("Newer ticket") < html.index("Older ticket")


def test_mvc_the_list_view_renders_its_template_with_the_ticket_models(
    app: Flask, client: FlaskClient, owner: User, auth: AuthActions
) -> None:
    """MVC in Flask: the model (``Ticket`` rows), the view function
    (``list_tickets``) that queries them, the template that shows them."""
    auth.login("owner@example.com")
    make_ticket(app, owner, title="Printer on fire")
    rendered: list[tuple[str | None, dict[str, Any]]] = []

    def record(sender: Flask, template: Any, context: dict[str, Any], **extra: Any) -> None:
        rendered.append((template.name, context))

    with template_rendered.connected_to(record, app):
        client.get("/tickets/")
    name, context = rendered[0]
    assert name == "tickets/list.html"
    tickets = context["pagination"].items
    assert [type(ticket) for ticket in tickets] == [Ticket]
    assert tickets[0].title == "Printer on fire"


def test_list_has_an_empty_state(client: FlaskClient, owner: User, auth: AuthActions) -> None:
    auth.login("owner@example.com")
    html = client.get("/tickets/").get_data(as_text=True)
    assert 'data-testid="empty-state"' in html
    assert "You have no tickets yet." in html


def test_list_is_paginated(app: Flask, client: FlaskClient, owner: User, auth: AuthActions) -> None:
    auth.login("owner@example.com")
    app.config["TICKETS_PER_PAGE"] = 2
    now = datetime.now(UTC)
    for n in range(5):
        make_ticket(app, owner, title=f"Ticket number {n}", created_at=now - timedelta(hours=n))
    first = client.get("/tickets/").get_data(as_text=True)
    assert "Ticket number 0" in first
    assert "Ticket number 2" not in first
    assert re.search(r'href="\s*/tickets/\?page=2"', first)  # Bootstrap-Flask's pagination
    third = client.get("/tickets/?page=3").get_data(as_text=True)
    assert "Ticket number 4" in third
    assert "Ticket number 0" not in third


@pytest.mark.parametrize("query", ["endpoint=x", "_method=POST", "junk=1"])
def test_the_page_links_ignore_parameters_the_list_does_not_read(
    app: Flask, client: FlaskClient, owner: User, auth: AuthActions, query: str
) -> None:
    """Bootstrap-Flask copies every query parameter into its links by default:
    ``endpoint`` and ``_method`` made url_for() fail (a 500)."""
    auth.login("owner@example.com")
    app.config["TICKETS_PER_PAGE"] = 1
    for n in range(2):
        make_ticket(app, owner, title=f"Ticket number {n}")
    response = client.get(f"/tickets/?{query}")
    assert response.status_code == 200
    links = response.get_data(as_text=True).split('aria-label="Page navigation"')[1]
    assert re.search(r'href="\s*/tickets/\?page=2"', links)
    assert query.split("=")[0] not in links


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("abc", 400),
        ("-1", 400),
        ("0", 400),
        ("1.5", 400),
        ("2", 404),
        ("99999999999999999999", 404),
    ],
)
def test_page_edges(
    client: FlaskClient, owner: User, auth: AuthActions, page: str, status: int
) -> None:
    auth.login("owner@example.com")
    assert client.get(f"/tickets/?page={page}").status_code == status


def test_new_ticket_opens_and_redirects_to_it(
    app: Flask, client: FlaskClient, owner: User, auth: AuthActions
) -> None:
    auth.login("owner@example.com")
    response = post_form(
        client,
        "/tickets/new",
        {"title": "  VPN is down  ", "description": "Since 9am."},
        token_page="/tickets/new",
    )
    assert response.status_code == 302
    ticket_id = int(response.headers["Location"].rsplit("/", 1)[1])
    ticket, replies, changes = reload_ticket(app, ticket_id)
    assert ticket.title == "VPN is down"
    assert ticket.status is TicketStatus.OPEN
    assert ticket.created_by_id == owner.id
    assert replies == []
    assert changes == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your ticket is open." in page
    assert 'data-status="open"' in page


def test_a_description_the_browser_let_through_is_saved_with_one_character_per_line_break(
    app: Flask, client: FlaskClient, owner: User, auth: AuthActions
) -> None:
    """10,000 characters as the text area's maxlength counts them, sent with
    CRLF line breaks as browsers send them: 10,099 on the wire."""
    auth.login("owner@example.com")
    typed = "\n".join(["a" * 99] * 100) + "a"
    assert len(typed) == 10_000
    sent = typed.replace("\n", "\r\n")
    data = {"title": "Long", "description": sent}
    response = post_form(client, "/tickets/new", data, token_page="/tickets/new")
    assert response.status_code == 302
    ticket, _, _ = reload_ticket(app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert ticket.description == typed


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "description": "x"}, "Give the ticket a title."),
        ({"title": "   ", "description": "x"}, "Give the ticket a title."),
        ({"title": "\u200b\u202e\u3164", "description": "x"}, "Give the ticket a title."),
        ({"title": "x", "description": "\u2800\n\ufeff"}, "Describe the problem."),
        ({"title": "x", "description": ""}, "Describe the problem."),
        ({"title": "x" * 201, "description": "x"}, "Keep the title under 200 characters."),
        (
            {"title": "x", "description": "x" * 10_001},
            "Keep the description under 10,000 characters.",
        ),
        (
            {"title": "Printer\x0bReply-To: evil@example.com", "description": "x"},
            "Keep this to one line",
        ),
        ({"title": "Printer\r\nBcc: all@example.com", "description": "x"}, "Keep this to one line"),
    ],
    ids=[
        "empty title",
        "blank title",
        "invisible title",
        "invisible description",
        "empty description",
        "long title",
        "long description",
        "vertical tab in the title",
        "line break in the title",
    ],
)
def test_new_ticket_validation(
    app: Flask,
    client: FlaskClient,
    owner: User,
    auth: AuthActions,
    data: dict[str, str],
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    """Flask-WTF's ``validate_on_submit`` fails: 422, the field's errors shown
    next to it (``is-invalid``), and nothing saved."""
    auth.login("owner@example.com")
    response = post_form(client, "/tickets/new", data, token_page="/tickets/new")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "is-invalid" in html
    assert client.get("/tickets/").get_data(as_text=True).count("<tr>") == 0


def test_detail_shows_public_replies_and_never_internal_notes(
    app: Flask,
    client: FlaskClient,
    owner: User,
    auth: AuthActions,  # type: ignore[no-untyped-def]
) -> None:
    auth.login("owner@example.com")
    staff = make_user(app, "staff@example.com", is_staff=True)
    ticket = make_ticket(app, owner)
    make_reply(app, ticket, staff, "We are looking into it.")
    make_reply(
        app, ticket, staff, "SECRET: the customer's printer is out of warranty", internal=True
    )
    html = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "We are looking into it." in html
    assert "SECRET" not in html
    assert "Internal note" not in html
    assert "Staff" in html


def test_user_text_is_escaped(
    app: Flask, client: FlaskClient, owner: User, auth: AuthActions
) -> None:
    auth.login("owner@example.com")
    ticket = make_ticket(
        app, owner, title="<script>alert(1)</script>", description="<img src=x onerror=alert(2)>"
    )
    make_reply(app, ticket, owner, "<b>bold?</b>")
    for url in ("/tickets/", f"/tickets/{ticket.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    detail = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "<img src=x" not in detail
    assert "&lt;b&gt;bold?&lt;/b&gt;" in detail


def test_owner_replies(app: Flask, client: FlaskClient, owner: User, auth: AuthActions) -> None:
    auth.login("owner@example.com")
    ticket = make_ticket(app, owner)
    page = f"/tickets/{ticket.id}"
    response = post_form(client, f"{page}/replies", {"body": "Any news?"}, token_page=page)
    assert response.status_code == 302
    assert response.headers["Location"] == page
    _, replies, _ = reload_ticket(app, ticket.id)
    assert [(r.body, r.internal, r.author_id) for r in replies] == [("Any news?", False, owner.id)]
    assert "Any news?" in client.get(page).get_data(as_text=True)


@pytest.mark.parametrize("status", [TicketStatus.PENDING, TicketStatus.RESOLVED])
def test_an_owners_reply_reopens_a_pending_or_resolved_ticket(
    app: Flask,
    client: FlaskClient,
    owner: User,
    auth: AuthActions,  # type: ignore[no-untyped-def]
    status: TicketStatus,
) -> None:
    auth.login("owner@example.com")
    ticket = make_ticket(app, owner, status=status)
    page = f"/tickets/{ticket.id}"
    response = post_form(client, f"{page}/replies", {"body": "Still broken."}, token_page=page)
    assert response.status_code == 302
    reopened, replies, changes = reload_ticket(app, ticket.id)
    assert reopened.status is TicketStatus.OPEN
    assert reopened.resolved_at is None
    assert [r.body for r in replies] == ["Still broken."]
    # Recorded as the customer's change, like any other.
    assert [(c.old_status, c.new_status, c.changed_by_id) for c in changes] == [
        (status, TicketStatus.OPEN, owner.id)
    ]
    assert "The ticket is open again." in client.get(page).get_data(as_text=True)


def test_an_owners_reply_on_an_open_ticket_changes_no_status(
    app: Flask,
    client: FlaskClient,
    owner: User,
    auth: AuthActions,  # type: ignore[no-untyped-def]
) -> None:
    auth.login("owner@example.com")
    ticket = make_ticket(app, owner)
    page = f"/tickets/{ticket.id}"
    post_form(client, f"{page}/replies", {"body": "One more detail."}, token_page=page)
    reloaded, _, changes = reload_ticket(app, ticket.id)
    assert reloaded.status is TicketStatus.OPEN
    assert changes == []


def test_owner_cannot_sneak_in_an_internal_note(
    app: Flask, client: FlaskClient, owner: User, auth: AuthActions
) -> None:
    auth.login("owner@example.com")
    ticket = make_ticket(app, owner)
    page = f"/tickets/{ticket.id}"
    post_form(client, f"{page}/replies", {"body": "hi", "internal": "y"}, token_page=page)
    _, replies, _ = reload_ticket(app, ticket.id)
    assert [r.internal for r in replies] == [False]


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write something before sending."), ("x" * 5001, "Keep replies under 5,000 characters.")],
)
def test_reply_validation(
    app: Flask, client: FlaskClient, owner: User, auth: AuthActions, body: str, message: str
) -> None:
    auth.login("owner@example.com")
    ticket = make_ticket(app, owner)
    page = f"/tickets/{ticket.id}"
    response = post_form(client, f"{page}/replies", {"body": body}, token_page=page)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    # The address bar goes back to the ticket's own address (page-url.js).
    assert f'<body data-page-url="{page}">' in html
    assert "/shared/static/site.js" in html
    assert reload_ticket(app, ticket.id)[1] == []


def test_new_ticket_page_has_the_contract_fields(
    client: FlaskClient, owner: User, auth: AuthActions
) -> None:
    auth.login("owner@example.com")
    html = client.get("/tickets/new").get_data(as_text=True)
    for name in ("title", "description", "csrf_token"):
        assert f'name="{name}"' in html


def test_error_pages_keep_the_help_desk_navigation(
    client: FlaskClient, owner: User, auth: AuthActions
) -> None:
    auth.login("owner@example.com")
    for response, status in ((client.get("/no/such/page"), 404), (client.delete("/tickets/"), 405)):
        assert response.status_code == status
        html = response.get_data(as_text=True)
        assert 'href="/tickets/">My tickets</a>' in html
        assert 'href="/tickets/new">New ticket</a>' in html


def test_the_help_desk_shows_its_own_logo_colour_and_name(client: FlaskClient) -> None:
    assert_the_app_shows_its_identity(
        client, name="Help desk", stylesheet="helpdesk.css", accent="#0f5c6e"
    )
