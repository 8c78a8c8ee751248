"""No page shows a visitor or a customer anyone's e-mail address but their own:
staff and other customers appear by display name (staff pages may show the
customer's address: staff need it)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from helpdesk.models import User
from tests.auth_client import AuthActions
from tests.every_page import addresses_on_every_page, assert_no_page_shows_another_address
from tests.helpdesk.factories import make_reply, make_ticket, make_user


def test_no_page_shows_a_visitor_or_a_customer_anyone_elses_address(
    app: Flask, client: FlaskClient, auth: AuthActions, staff: User
) -> None:
    owner = make_user(app, "ann@example.com", display_name="Ann")
    other = make_user(app, "bob@example.com", display_name="Bob")
    own = make_ticket(app, owner, title="Printer jams")
    make_reply(app, own, staff, "Which printer?")
    make_reply(app, own, staff, "Staff only: check the warranty.", internal=True)
    make_reply(app, own, owner, "The one by the window.")
    theirs = make_ticket(app, other, title="Bob's own problem")
    values: dict[str, list[object]] = {"ticket_id": [own.id, theirs.id], "token": ["not-a-token"]}

    shown = addresses_on_every_page(app, client, values)
    assert_no_page_shows_another_address(shown, viewer=None)

    auth.login("ann@example.com")
    shown = addresses_on_every_page(app, client, values)
    assert_no_page_shows_another_address(shown, viewer="ann@example.com")
    # The walk did see the thread, with the staff member by name.
    page = client.get(f"/tickets/{own.id}").get_data(as_text=True)
    assert "Which printer?" in page
    assert staff.display_name in page
