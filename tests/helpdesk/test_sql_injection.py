"""SQL injection: classic payloads in every search, filter, page number and
id of the help desk. Each is plain text to the database (bound parameters),
so it matches nothing, shows no one else's ticket, and drops nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpdesk.extensions import db
from tests.auth_client import AuthActions
from tests.helpdesk.factories import make_ticket, make_user
from tests.injection import (
    PAYLOADS,
    assert_no_leak,
    assert_nothing_changed,
    in_path,
    row_counts,
    table_names,
)

OTHERS_TITLE = "Salary question from Bob"


@pytest.fixture
def seeded_row_counts(app: Flask) -> dict[str, int]:
    """Saves two customers' tickets and a staff member; each table's row count after that."""
    ann = make_user(app, "ann@example.com")
    bob = make_user(app, "bob@example.com")
    make_user(app, "staff@example.com", is_staff=True)
    make_ticket(app, ann, title="Printer jams")
    make_ticket(app, bob, title=OTHERS_TITLE, description="Only Bob and staff may read this.")
    return row_counts(app, db)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_staff_search_takes_a_payload_as_text(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    seeded_row_counts: dict[str, int],
    payload: str,
) -> None:
    tables = table_names(app, db)
    auth.login("staff@example.com")
    response = client.get("/staff/tickets/", query_string={"q": payload})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "No tickets match." in html  # no ticket contains the payload's text
    assert_no_leak(html, OTHERS_TITLE)

    status = client.get("/staff/tickets/", query_string={"status": payload})
    assert status.status_code == 400
    assert client.get("/staff/tickets/", query_string={"page": payload}).status_code == 400
    assert client.get(f"/staff/tickets/{in_path(payload)}").status_code == 404
    assert_nothing_changed(app, db, seeded_row_counts, tables)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_customer_cannot_reach_another_customers_ticket_with_a_payload(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    seeded_row_counts: dict[str, int],
    payload: str,
) -> None:
    tables = table_names(app, db)
    auth.login("ann@example.com")
    for url in (f"/tickets/{in_path(payload)}", f"/tickets/1{in_path(' ' + payload)}"):
        response = client.get(url)
        assert response.status_code == 404
        assert_no_leak(response.get_data(as_text=True), OTHERS_TITLE)
    listing = client.get("/tickets/", query_string={"page": payload})
    assert listing.status_code == 400
    assert_no_leak(client.get("/tickets/").get_data(as_text=True), OTHERS_TITLE)
    assert_nothing_changed(app, db, seeded_row_counts, tables)
